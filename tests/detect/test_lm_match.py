import pandas as pd
import pytest

from twitchlab.detect._match import match_events, match_scores


def _t(rows):
    return pd.DataFrame(rows, columns=["side", "onset_s", "offset_s"])


def test_match_needs_same_side_close_onsets_and_overlap():
    truth = _t([("L", 10.0, 12.0), ("L", 30.0, 31.0), ("R", 50.0, 52.0), ("L", 70.0, 70.6)])
    det = _t([("L", 10.3, 12.2), ("R", 30.0, 31.0), ("R", 50.6, 52.0), ("L", 70.4, 71.0), ("L", 10.1, 11.0)])
    m = match_events(truth, det)
    assert sorted(zip(m["i_truth"], m["i_det"], strict=True)) == [(0, 4), (3, 3)]
    s = match_scores(truth, det)
    assert (s["tp"], s["precision"], s["recall"]) == (2, pytest.approx(0.4), pytest.approx(0.5))


def test_each_event_is_used_once():
    truth = _t([("L", 10.0, 12.0), ("L", 10.4, 13.0)])
    det = _t([("L", 10.2, 12.5)])
    assert len(match_events(truth, det)) == 1
    assert match_scores(truth, _t([]))["recall"] == 0.0
