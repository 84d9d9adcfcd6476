"""Every rule has answer sets (and nights) that must and must not trigger it; red flags always win."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchlab.assess import Night, load_questionnaire, load_rules, triage
from twitchlab.errors import ParameterError

ALL4 = {"urge_to_move": "yes", "worse_at_rest": "yes", "relief_by_movement": "yes", "evening_worse": "yes"}
NOT_RLS = {"urge_to_move": "no", "worse_at_rest": "no", "relief_by_movement": "no", "evening_worse": "no"}
QUIET = {**NOT_RLS, "twitch_timing": "through_night", "twitch_kind": "single_jerk", "observed_kicks": "no"}
WARNING_IDS = ("awake_jerks", "spreading", "getting_worse", "new_weakness", "new_numbness", "pain", "spells")
TEN_NOS = {k: "no" for k in (*WARNING_IDS, "palate_click", "dream_enactment", "sleep_injury", "fell_out_of_bed")}


def night(**summary: Any) -> Night:
    source = summary.pop("lm_source", "emg")
    return Night(summary=summary, lm_source=source)


# rule id -> (answers that fire, nights that fire), (answers that must not fire, nights)
CASES: dict[str, tuple[tuple[dict, list], tuple[dict, list]]] = {
    "red_breathing_pauses": (
        ({"observed_pauses": "yes"}, []),
        ({"observed_pauses": "no", "observed_gasping": "no"}, []),
    ),
    "red_sleep_injury": (({"fell_out_of_bed": True}, []), ({"sleep_injury": "no", "fell_out_of_bed": "no"}, [])),
    "red_dream_enactment": (
        ({"sleep_shouting": "yes", "fight_dreams": "yes"}, []),
        ({"sleep_shouting": "yes", "fight_dreams": "no", "dream_enactment": "no"}, []),
    ),
    "red_rswa_above_cutoff": (
        ({}, [night(rswa_any_pct=25.0)]),
        ({}, [night(rswa_any_pct=12.0, rswa_above_sinbar=False)]),
    ),
    "red_awake_jerks": (({"awake_jerks": "yes"}, []), ({"awake_jerks": "no"}, [])),
    "red_palatal_clicking": (({"palate_click": "y"}, []), ({"palate_click": "n"}, [])),
    "red_spreading": (({"spreading": "yes"}, []), ({"spreading": "unsure"}, [])),
    "red_getting_worse": (({"getting_worse": "yes"}, []), ({"getting_worse": "no"}, [])),
    "red_new_weakness": (({"new_weakness": "yes"}, []), ({"new_weakness": "no"}, [])),
    "red_new_numbness": (({"new_numbness": "yes"}, []), ({"new_numbness": "no"}, [])),
    "red_pain": (({"pain": "yes"}, []), ({"pain": "no", "cramps": "yes"}, [])),
    "red_spells": (({"spells": "yes"}, []), ({"spells": "no"}, [])),
    "red_child": (
        ({"age_years": 9, "twitch_kind": "repeated_kicks"}, []),
        ({"age_years": 30, "twitch_kind": "repeated_kicks"}, []),
    ),
    "red_augmentation": (
        ({"med_dopaminergic": "yes", "rls_worse_on_medicine": "yes"}, []),
        ({"med_dopaminergic": "yes", "rls_worse_on_medicine": "no"}, []),
    ),
    "red_drowsy_driving": (({"drowsy_driving": "yes"}, []), ({"drowsy_driving": "no"}, [])),
    "plms_above_threshold": (
        ({"age_years": 40}, [night(plms_index=32.0)]),
        ({"age_years": 40}, [night(plms_index=12.0)]),
    ),
    "plms_with_poor_sleep": (
        ({"hard_to_fall_asleep": "yes"}, [night(plms_index=30.0)]),
        ({"hard_to_fall_asleep": "yes", **ALL4}, [night(plms_index=30.0)]),
    ),
    "resp_related_movements": (
        ({}, [night(resp_lm_count=40, clm_count=120)]),
        ({}, [night(resp_lm_count=5, clm_count=120)]),
    ),
    "snoring_with_sleepiness": (
        ({"observed_snoring": "yes", "dozing": "often"}, []),
        ({"observed_snoring": "yes", "dozing": "never", "daytime_impact": "no"}, []),
    ),
    "daytime_sleepiness": (({"dozing": "often"}, []), ({"dozing": "sometimes"}, [])),
    "rls_features": (({**ALL4}, []), ({**ALL4, "evening_worse": "no"}, [])),
    "rls_some_features": (({"urge_to_move": "yes", "evening_worse": "yes"}, []), ({**ALL4}, [])),
    "iron_and_legs": (({"iron_low": "yes", **ALL4}, []), ({"iron_low": "yes", **QUIET}, [])),
    "pregnancy_legs": (
        ({"pregnant": "yes", "urge_to_move": "yes", "worse_at_rest": "yes"}, []),
        ({"pregnant": "no", **ALL4}, []),
    ),
    "kidney_and_legs": (
        ({"kidney_disease": "yes", "observed_kicks": "yes"}, []),
        ({"kidney_disease": "yes", **QUIET}, []),
    ),
    "diabetes_nerves": (
        ({"diabetes": "yes", "new_numbness": "yes"}, []),
        ({"diabetes": "yes", "new_numbness": "no", "pain": "no", **NOT_RLS}, []),
    ),
    "cancer_treatment_nerves": (
        ({"cancer_treatment": "yes", "pain": "yes"}, []),
        ({"cancer_treatment": "no", "pain": "yes"}, []),
    ),
    "medicines_can_worsen": (
        ({"med_antidepressant": "yes", "observed_kicks": "yes"}, []),
        ({"med_antidepressant": "yes", **QUIET}, [night(plms_index=3.0)]),
    ),
    "medicines_and_dream_sleep": (
        ({"med_antidepressant": "yes", "dream_enactment": "yes"}, []),
        ({"med_antidepressant": "no", "dream_enactment": "yes"}, []),
    ),
    "dopamine_medicine": (
        ({"med_dopaminergic": "yes", "rls_worse_on_medicine": "no"}, []),
        ({"med_dopaminergic": "yes", "rls_worse_on_medicine": "yes"}, []),
    ),
    "benzodiazepine_use": (({"med_benzodiazepine": "yes"}, []), ({"med_benzodiazepine": "no"}, [])),
    "chronic_insomnia_pattern": (
        (
            {
                "hard_to_fall_asleep": "yes",
                "poor_sleep_nights": "most",
                "poor_sleep_months": 6,
                "daytime_impact": "yes",
            },
            [],
        ),
        (
            {
                "hard_to_fall_asleep": "yes",
                "poor_sleep_nights": "most",
                "poor_sleep_months": 1,
                "daytime_impact": "yes",
            },
            [],
        ),
    ),
    "shift_work_sleep": (
        ({"shift_work": "yes", "wake_too_early": "yes"}, []),
        ({"shift_work": "no", "wake_too_early": "yes"}, []),
    ),
    "frequent_cramps": (
        ({"cramps": "yes", "cramp_nights": "most"}, []),
        ({"cramps": "yes", "cramp_nights": "some"}, []),
    ),
    "similar_conditions": (
        ({"thyroid": "yes", "cramps": "yes"}, []),
        ({"thyroid": "no", "arthritis": "no", "cramps": "yes"}, []),
    ),
    "stimulus_sensitive": (({"stimulus_jerks": "yes"}, []), ({"stimulus_jerks": "no"}, [])),
    "leg_cramps": (({"cramps": "yes"}, []), ({"cramps": "no", "twitch_kind": "single_jerk"}, [])),
    "caffeine": (
        ({"caffeine_per_day": 4, "twitch_timing": "falling_asleep"}, []),
        ({"caffeine_per_day": 1, "caffeine_late": "no", "twitch_timing": "falling_asleep"}, []),
    ),
    "alcohol": (
        ({"alcohol_evenings": "some", "observed_snoring": "yes"}, []),
        ({"alcohol_evenings": "none", "observed_snoring": "yes"}, []),
    ),
    "nicotine": (({"nicotine": "yes", **ALL4}, []), ({"nicotine": "no", **ALL4}, [])),
    "late_exercise": (
        ({"exercise_late": "yes", "hard_to_fall_asleep": "yes"}, []),
        ({"exercise_late": "no", "hard_to_fall_asleep": "yes"}, []),
    ),
    "irregular_schedule": (({"irregular_schedule": "yes"}, []), ({"irregular_schedule": "no"}, [])),
    "sleep_starts": (
        ({"twitch_timing": "falling_asleep", "twitch_kind": "single_jerk"}, []),
        ({"twitch_timing": "through_night", "twitch_kind": "repeated_kicks"}, [night(hypnic_jerk_count=2)]),
    ),
    "plms_below_threshold": (({}, [night(plms_index=4.0)]), ({}, [night(plms_index=30.0)])),
    "accelerometer_caveat": (({}, [night(plms_index=4.0, lm_source="accelerometer")]), ({}, [night(plms_index=4.0)])),
    "leg_signal_unscorable": (
        ({}, [night(lm_count=None, plm_count=None, scorable_min_left=0.0, scorable_min_right=0.0)]),
        ({}, [night(lm_count=3, scorable_min_left=400.0, scorable_min_right=0.0)]),
    ),
    "plm_rate_per_recording": (
        ({}, [night(plms_index=42.3, indices_per="hour_of_recording")]),
        ({}, [night(plms_index=42.3, indices_per="hour_of_sleep")]),
    ),
    "fragmentary_myoclonus": (({}, [night(efm_present=True)]), ({}, [night(efm_present=False)])),
    "foot_tremor_alma": (({}, [night(hft_train_count=2, alma_train_count=0)]), ({}, [night(hft_train_count=0)])),
    "rhythmic_movements": (({}, [night(rhythmic_movement_count=3)]), ({}, [night(rhythmic_movement_count=0)])),
    "record_a_night": (({"observed_kicks": "yes"}, []), ({"observed_kicks": "yes"}, [night(plms_index=20.0)])),
    "nothing_concerning": (({**TEN_NOS}, []), ({**TEN_NOS, "awake_jerks": "yes"}, [])),
    "too_few_answers": (({"age_years": 30}, []), ({"age_years": 30}, [night(plms_index=2.0)])),
}


def test_every_rule_has_a_case() -> None:
    ids = {r.id for r in load_rules().rules}
    assert ids == set(CASES), f"rules without cases: {ids - set(CASES)}; cases without rules: {set(CASES) - ids}"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    answers, nights = CASES[rule_id][0]
    report = triage(answers, nights)
    assert rule_id in report.ids() or rule_id in report.suppressed, report.ids()


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_does_not_fire(rule_id: str) -> None:
    answers, nights = CASES[rule_id][1]
    report = triage(answers, nights)
    assert rule_id not in report.ids(), report.ids()
    assert rule_id not in report.suppressed


def test_skipped_answers_never_fire_a_rule_by_default() -> None:
    """Unknown is not "no": with no answers and no nights only the 'too few answers' note appears."""
    assert triage({}).ids() == ["too_few_answers"]


def test_child_threshold_is_five_per_hour() -> None:
    n = [night(plms_index=7.0, plms_threshold=15)]
    assert "plms_above_threshold" in triage({"age_years": 10}, n).ids()
    assert "plms_below_threshold" in triage({"age_years": 40}, n).ids()


def test_plms_finding_never_says_diagnosis_and_names_the_level() -> None:
    f = {x.id: x for x in triage({"age_years": 50}, [night(plms_index=22.4)]).findings}["plms_above_threshold"]
    assert "22.4 per hour" in f.sentence
    assert "where clinicians look further" in f.sentence
    assert "not a diagnosis" in f.sentence
    assert "periodic limb movement disorder" in f.clinician
    assert "clinician" in f.clinician


def test_evidence_lists_answers_and_numbers() -> None:
    r = triage({"observed_pauses": "yes"}, [night(resp_lm_count=30, clm_count=100)])
    f = next(x for x in r.findings if x.id == "red_breathing_pauses")
    keys = {(e.origin, e.key) for e in f.evidence}
    assert ("answer", "observed_pauses") in keys
    assert ("metric", "resp_lm_count") in keys
    assert f.confidence == "high"


def test_suggestions_link_to_experiments() -> None:
    f = next(x for x in triage({**ALL4}).findings if x.id == "rls_features")
    assert {s.intervention for s in f.suggestions} >= {"no_caffeine", "leg_massage"}
    assert all(s.command.startswith("twitchlab experiment plan --intervention ") for s in f.suggestions)


RED_FLAG_ANSWERS = [
    {"observed_pauses": "yes"}, {"sleep_injury": "yes"}, {"dream_enactment": "yes"}, {"awake_jerks": "yes"},
    {"spreading": "yes"}, {"getting_worse": "yes"}, {"new_weakness": "yes"}, {"new_numbness": "yes"},
    {"pain": "yes"}, {"spells": "yes"}, {"palate_click": "yes"}, {"drowsy_driving": "yes"},
    {"age_years": 6, "twitch_kind": "single_jerk"},
]  # fmt: skip


def _answer_strategy() -> st.SearchStrategy[dict[str, Any]]:
    qn = load_questionnaire()
    per_q = {}
    for q in qn.questions:
        if q.kind == "number":
            per_q[q.id] = st.integers(int(q.min or 0), int(min(q.max or 50, 90)))
        elif q.kind == "multi":
            per_q[q.id] = st.lists(st.sampled_from(list(q.choices)), unique=True)
        else:
            per_q[q.id] = st.sampled_from(list(q.choices))
    return st.dictionaries(st.sampled_from(list(per_q)), st.none()).flatmap(
        lambda keys: st.fixed_dictionaries({k: per_q[k] for k in keys})
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=_answer_strategy(),
    flag=st.sampled_from(RED_FLAG_ANSWERS),
    hypnic=st.integers(0, 5),
    plms=st.floats(0, 60),
)
def test_red_flags_always_win(answers: dict, flag: dict, hypnic: int, plms: float) -> None:
    report = triage({**answers, **flag}, [night(hypnic_jerk_count=hypnic, plms_index=plms)])
    assert report.overall == "red_flag"
    assert report.findings[0].kind == "red_flag"
    assert not [f for f in report.findings if f.kind == "reassuring"]
    assert all("see a clinician" in f.clinician.lower() for f in report.red_flags)


@settings(max_examples=60, deadline=None)
@given(answers=_answer_strategy())
def test_findings_are_ordered_and_sourced(answers: dict) -> None:
    report = triage(answers)
    order = ["red_flag", "discuss", "self_care", "reassuring", "info"]
    ranks = [order.index(f.kind) for f in report.findings]
    assert ranks == sorted(ranks)
    assert all(f.sources and f.confidence in ("low", "moderate", "high") for f in report.findings)
    assert "{" not in " ".join(f.sentence for f in report.findings)


def _write_rules(tmp_path: Path, mutate) -> str:
    from importlib import resources

    raw = yaml.safe_load(resources.files("twitchlab.assess").joinpath("data/rules.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    p = tmp_path / "rules.yaml"
    p.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return str(p)


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda r: r["rules"][0]["when"]["any"][0].update(answer="observed_pauze"), "unknown answer 'observed_pauze'"),
        (lambda r: r["rules"][0].update(sources=["kapur2071"]), "unknown source"),
        (lambda r: r["rules"][0].update(clinician="Rest well."), "must tell the person to see a clinician"),
        (lambda r: r["rules"][0].update({"try": ["yoga"]}), "unknown intervention"),
        (lambda r: r["rules"][0].update(kind="urgent"), "kind 'urgent'"),
        (lambda r: r["rules"][0].update(when={"metric": "plms_idx", "gt": 15}), "unknown metric 'plms_idx'"),
    ],
)
def test_bad_rules_fail_at_load_time(tmp_path: Path, mutate, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        load_rules(_write_rules(tmp_path, mutate), load_questionnaire())
