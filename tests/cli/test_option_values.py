"""Option values: case does not matter, and values outside the documented choices are refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from twitchlab.cli import app

runner = CliRunner()


@pytest.fixture
def nox(shared_data):
    return shared_data / "text" / "noxturnal_events_example_unicode_2.csv"


@pytest.mark.parametrize("rules", ["AASM", "Aasm", "WASM2016"])
def test_rules_are_case_insensitive(nox, rules):
    res = runner.invoke(app, ["analyze", str(nox), "--rules", rules])
    assert res.exit_code == 0, res.output
    assert f"{rules.lower()} rules" in res.output


@pytest.mark.parametrize("notch", ["55", "49.5", "0", "fifty"])
def test_notch_outside_auto_off_50_60_is_refused(nox, notch):
    res = runner.invoke(app, ["lm", str(nox), "--notch", notch])
    assert res.exit_code == 2, res.output
    assert "use auto, off, 50 or 60" in " ".join(res.output.split())
