"""Cohort report numbers (cohort.report.cohort_overview)."""

from __future__ import annotations

import pandas as pd
import pytest

from twitchlab.cohort.report import cohort_overview


def test_overview_covers_the_twitch_keys_with_their_references_and_skips_unmeasured_ones():
    summary = pd.DataFrame(
        {
            "night_id": ["a", "b", "c", "d"],
            "status": ["ok", "ok", "ok", "failed"],
            "error_type": [None, None, None, "InputFileError"],
            "error": [None, None, None, "truncated"],
            "plms_index": [5.0, 20.0, 40.0, None],
            "rswa_any_fds_pct": [10.0, 35.0, 50.0, None],
            "rem_twitch_per_min_rem": [0.5, 0.7, 1.1, None],
            "stimulus_linked_share": [None, None, None, None],  # no night had stimuli: left out, not 0
        }
    )
    rows = {r["key"]: r for r in cohort_overview(summary)["indices"]}
    assert rows["rswa_any_fds_pct"]["ref"] == 32.0
    assert rows["rswa_any_fds_pct"]["above_ref_pct"] == pytest.approx(100.0 * 2 / 3)
    assert rows["rem_twitch_per_min_rem"]["median"] == 0.7
    assert "stimulus_linked_share" not in rows
    assert rows["plms_index"]["n"] == 3
