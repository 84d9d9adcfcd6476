"""Three-valued condition logic: leaves, combinators, evidence and validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twitchlab.assess.conditions import evaluate, validate_condition
from twitchlab.errors import ParameterError

A = {"a": "yes", "b": "no", "n": 5, "multi": ["legs", "arms"]}
M = {"plms_index": 20.0, "flag": True, "none": None}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"answer": "a", "is": "yes"}, True),
        ({"answer": "b", "is": "yes"}, False),
        ({"answer": "missing", "is": "yes"}, None),
        ({"answer": "a", "in": ["yes", "unsure"]}, True),
        ({"answer": "multi", "has": "arms"}, True),
        ({"answer": "multi", "has": "face"}, False),
        ({"answer": "n", "ge": 5}, True),
        ({"answer": "n", "gt": 5}, False),
        ({"answer": "a", "gt": 5}, None),  # a word is not a number: unknown, not an error
        ({"metric": "plms_index", "gt": 15}, True),
        ({"metric": "plms_index", "le": 15}, False),
        ({"metric": "none", "gt": 15}, None),
        ({"metric": "flag", "is": True}, True),
        ({"metric": "flag", "gt": 0}, None),  # booleans are not compared as numbers
        ({"metric": "none", "known": False}, True),
        ({"metric": "plms_index", "known": False}, False),
    ],
)
def test_leaves(cond: dict, expected: bool | None) -> None:
    assert evaluate(cond, A, M) is expected


def test_unknown_propagates_kleene() -> None:
    t, f, u = {"answer": "a", "is": "yes"}, {"answer": "b", "is": "yes"}, {"answer": "zz", "is": "yes"}
    assert evaluate({"all": [t, u]}, A, M) is None
    assert evaluate({"all": [f, u]}, A, M) is False
    assert evaluate({"any": [t, u]}, A, M) is True
    assert evaluate({"any": [f, u]}, A, M) is None
    assert evaluate({"not": u}, A, M) is None
    assert evaluate({"at_least": 2, "of": [t, u, f]}, A, M) is None
    assert evaluate({"at_least": 2, "of": [t, f, f]}, A, M) is False
    assert evaluate({"at_least": 1, "of": [t, u]}, A, M) is True


def test_evidence_from_first_true_branch_and_not_from_not() -> None:
    hits: list = []
    cond = {
        "all": [
            {"any": [{"answer": "a", "is": "yes"}, {"metric": "flag", "is": True}]},
            {"not": {"answer": "b", "is": "yes"}},
        ]
    }
    assert evaluate(cond, A, M, hits=hits) is True
    assert [(h.origin, h.key) for h in hits] == [("answer", "a")]


def test_ref_uses_definitions() -> None:
    defs = {"x": {"answer": "a", "is": "yes"}}
    assert evaluate({"ref": "x"}, A, M, definitions=defs) is True


TRI = st.sampled_from([True, False, None])


def _leaf(v: bool | None) -> dict:
    return {"metric": "v", "is": True} if v is not None else {"metric": "unknown", "is": True}


def _ev(cond: dict, v: bool | None) -> bool | None:
    return evaluate(cond, {}, {"v": v})


@given(x=TRI, y=TRI)
def test_de_morgan_and_double_negation(x: bool | None, y: bool | None) -> None:
    metrics = {"x": x, "y": y}
    lx, ly = {"metric": "x", "is": True}, {"metric": "y", "is": True}
    lhs = evaluate({"not": {"all": [lx, ly]}}, {}, metrics)
    rhs = evaluate({"any": [{"not": lx}, {"not": ly}]}, {}, metrics)
    assert lhs is rhs
    assert evaluate({"not": {"not": lx}}, {}, metrics) is evaluate(lx, {}, metrics)


@given(values=st.lists(TRI, min_size=1, max_size=6), fill=st.lists(st.booleans(), min_size=6, max_size=6))
def test_knowing_more_never_flips_a_definite_result(values: list, fill: list) -> None:
    """Answering a skipped question can settle an unknown result but never reverse a known one."""
    leaves = [{"metric": f"k{i}", "is": True} for i in range(len(values))]
    partial = {f"k{i}": v for i, v in enumerate(values)}
    full = {f"k{i}": (v if v is not None else fill[i]) for i, v in enumerate(values)}
    for cond in ({"all": leaves}, {"any": leaves}, {"at_least": 1 + len(leaves) // 2, "of": leaves}):
        before, after = evaluate(cond, {}, partial), evaluate(cond, {}, full)
        assert after is not None
        assert before is None or before is after


@pytest.mark.parametrize(
    ("cond", "match"),
    [
        ("yes", "must be a mapping"),
        ({"all": []}, "non-empty list"),
        ({"answer": "a"}, "exactly one of"),
        ({"answer": "a", "metric": "b", "is": 1}, "exactly one of"),
        ({"answer": "ageyears", "is": 1}, "Did you mean 'age_years'"),
        ({"ref": "nope"}, "unknown definition"),
        ({"at_least": 3, "of": [{"answer": "a", "is": 1}]}, "at least N"),
    ],
)
def test_validate_condition_errors(cond: object, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        validate_condition(cond, where="test", answer_ids=["age_years", "a"], metric_keys=["b"])
