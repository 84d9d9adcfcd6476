"""Hints appended to error messages."""

from __future__ import annotations

import pytest

from twitchlab.errors import did_you_mean


def test_did_you_mean_offers_the_closest_name():
    assert did_you_mean("Leg  L", ["Leg L", "Leg R", "ECG"]) == " Did you mean 'Leg L'?"
    assert did_you_mean("zzz", ["Leg L", "Leg R"]) == ""


@pytest.mark.parametrize("n", [2, 3])
def test_a_label_the_file_holds_several_times_lists_every_copy(n):
    """Readers rename duplicate labels 'X-0', 'X-1'...: the hint names all of them, not the closest one."""
    names = [f"EEG F1-Ref-{i}" for i in range(n)] + ["EEG F2-Ref"]
    hint = did_you_mean("EEG F1-Ref", names)
    assert f"appears {n} times" in hint
    assert all(repr(f"EEG F1-Ref-{i}") in hint for i in range(n))
    assert "EEG F2-Ref" not in hint
