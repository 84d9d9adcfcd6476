"""The questionnaire data: versioned, own wording, answers checked and normalised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twitchlab.assess import load_questionnaire, normalize_answers, read_answers
from twitchlab.errors import InputFileError, ParameterError, TwitchlabError

QN = load_questionnaire()


def test_versioned_and_unique() -> None:
    assert re.fullmatch(r"\d+\.\d+", QN.version)
    assert len(set(QN.ids)) == len(QN.ids)


def test_covers_what_the_issues_ask_for() -> None:
    needed = {
        "twitch_timing", "twitch_kind", "twitch_body", "palate_click",  # timing and feel
        "urge_to_move", "worse_at_rest", "relief_by_movement", "evening_worse",  # four RLS features
        "dozing", "hard_to_fall_asleep", "wake_and_stay_awake",  # sleepiness, insomnia
        "observed_kicks", "observed_snoring", "observed_pauses", "observed_gasping",  # bed partner
        "iron_low", "kidney_disease", "diabetes", "thyroid", "arthritis", "poor_circulation", "cancer_treatment",
        "pregnant", "med_antidepressant", "med_antihistamine", "med_dopamine_blocker", "med_dopaminergic",
        "med_benzodiazepine", "caffeine_per_day", "alcohol_evenings", "nicotine",
        "awake_jerks", "spreading", "new_weakness", "new_numbness", "sleep_injury", "pain", "getting_worse",
        "dream_enactment", "sleep_shouting", "fell_out_of_bed",  # acting out dreams (issue 10)
    }  # fmt: skip
    assert needed <= set(QN.ids)


# Distinctive phrases of licensed scales: our items must not reuse them.
LICENSED_PHRASES = [
    "chance of dozing", "how likely are you to doze", "sitting and talking to someone",
    "in a car, while stopped for a few minutes in the traffic", "lying down to rest in the afternoon",
    "how would you rate the", "how satisfied/dissatisfied", "noticeable to others do you think",
    "how worried/distressed", "interfere with your daily functioning",
]  # fmt: skip


def test_own_wording() -> None:
    text = " ".join(q.text.lower() for q in QN.questions)
    assert not [p for p in LICENSED_PHRASES if p in text]


@pytest.mark.parametrize(
    ("qid", "raw", "expected"),
    [
        ("pregnant", True, "yes"),
        ("pregnant", "N", "no"),
        ("pregnant", "don't know", "unsure"),
        ("pregnant", "", None),
        ("age_years", "34", 34),
        ("age_years", 7.5, 7.5),
        ("twitch_body", "legs, face", ["legs", "face"]),
        ("twitch_body", ["face", "legs", "legs"], ["legs", "face"]),
        ("twitch_kind", "cramp", "cramp"),
    ],
)
def test_normalize(qid: str, raw: object, expected: object) -> None:
    assert QN[qid].normalize(raw) == expected


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        ({"age_years": 150}, "from 0 to 120"),
        ({"age_years": "old"}, "must be a number"),
        ({"pregnant": "maybe so"}, "yes, no or unsure"),
        ({"twitch_kind": "single_jerks"}, "Did you mean 'single_jerk'"),
        ({"urge_to_moves": "yes"}, "Did you mean 'urge_to_move'"),
    ],
)
def test_bad_answers_are_clear(answers: dict, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        normalize_answers(answers)


def test_ask_if_skips_only_when_known_false() -> None:
    assert QN.is_asked("observed_kicks", {})
    assert QN.is_asked("observed_kicks", {"has_observer": "yes"})
    assert not QN.is_asked("observed_kicks", {"has_observer": "no"})


def test_read_answers_yaml_json_and_bare(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("version: '1.0'\nanswers:\n  pregnant: yes\n  age_years: 30\n", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"answers": {"pregnant": "no"}}', encoding="utf-8")
    (tmp_path / "c.yaml").write_text("cramps: yes\n", encoding="utf-8")
    assert read_answers(tmp_path / "a.yaml") == {"age_years": 30, "pregnant": "yes"}
    assert read_answers(tmp_path / "b.json") == {"pregnant": "no"}
    assert read_answers(tmp_path / "c.yaml") == {"cramps": "yes"}


@pytest.mark.parametrize(("text", "match"), [("- a\n- b\n", "must be a mapping"), ("a: [1\n", "not a readable")])
def test_read_answers_bad_files(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=match):
        read_answers(p)


@given(qid=st.sampled_from(QN.ids), raw=st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans()))
def test_any_input_gives_an_answer_or_a_clear_error(qid: str, raw: object) -> None:
    try:
        QN[qid].normalize(raw)
    except TwitchlabError as err:
        message = str(err)
    else:
        return
    assert qid in message


@given(data=st.binary(max_size=200))
def test_random_bytes_as_answers_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "x.yaml"
    p.write_bytes(data)
    try:
        read_answers(p)
    except TwitchlabError:
        pass
