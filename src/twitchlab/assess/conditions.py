"""Conditions over answers and night metrics, as data, with three-valued logic.

A rule's ``when`` is a small tree of plain mappings (loaded from YAML)::

    {"all": [{"answer": "urge_to_move", "is": "yes"}, {"metric": "plms_index", "gt": 15}]}

Leaves test one value: ``{"answer": ID, OP: VALUE}`` or ``{"metric": KEY, OP: VALUE}`` with
``OP`` one of ``is``, ``in``, ``has``, ``gt``, ``ge``, ``lt``, ``le``, ``known``. Nodes combine:
``all``, ``any``, ``not``, ``{"at_least": N, "of": [...]}`` and ``{"ref": NAME}`` (a named
definition). A value that was skipped, absent or null is *unknown*: the leaf returns ``None`` and
the combinators follow Kleene's three-valued logic, so "not pregnant" is never inferred from a
skipped question. A rule fires only when its condition is ``True``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twitchlab.errors import ParameterError, did_you_mean

__all__ = ["COMPARATORS", "Condition", "Hit", "evaluate", "validate_condition"]

#: Leaf operators and what they test.
COMPARATORS = ("is", "in", "has", "gt", "ge", "lt", "le", "known")
NAMESPACES = ("answer", "metric")
COMBINATORS = ("all", "any", "not", "at_least", "ref")

Condition = Mapping[str, Any]


@dataclass(frozen=True)
class Hit:
    """One leaf that was true: the evidence behind a finding.

    Attributes
    ----------
    origin : {"answer", "metric"}
        Where the value came from.
    key : str
        Question id or metric key.
    value : object
        The value that made the leaf true.
    test : str
        The test, e.g. ``"gt 15"``.
    """

    origin: str
    key: str
    value: Any
    test: str


def _leaf_value(cond: Condition, answers: Mapping[str, Any], metrics: Mapping[str, Any]) -> tuple[str, str, Any]:
    origin = "answer" if "answer" in cond else "metric"
    key = str(cond[origin])
    source = answers if origin == "answer" else metrics
    return origin, key, source.get(key)


def _compare(op: str, value: Any, target: Any) -> bool | None:
    if op == "known":
        return (value is not None) == bool(target)
    if value is None:
        return None
    if op == "is":
        return value == target
    if op == "in":
        return value in target
    if op == "has":
        return target in value if isinstance(value, list | tuple | set | frozenset) else value == target
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return {"gt": value > target, "ge": value >= target, "lt": value < target, "le": value <= target}[op]


def _leaf(cond: Condition, answers: Mapping[str, Any], metrics: Mapping[str, Any], hits: list[Hit]) -> bool | None:
    origin, key, value = _leaf_value(cond, answers, metrics)
    op = next(o for o in COMPARATORS if o in cond)
    result = _compare(op, value, cond[op])
    if result and op != "known":
        hits.append(Hit(origin, key, value, f"{op} {cond[op]}"))
    return result


def _all(results: Sequence[bool | None]) -> bool | None:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _any(results: Sequence[bool | None]) -> bool | None:
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _at_least(n: int, results: Sequence[bool | None]) -> bool | None:
    true = sum(r is True for r in results)
    unknown = sum(r is None for r in results)
    if true >= n:
        return True
    return False if true + unknown < n else None


def evaluate(
    cond: Condition,
    answers: Mapping[str, Any],
    metrics: Mapping[str, Any],
    *,
    definitions: Mapping[str, Condition] | None = None,
    hits: list[Hit] | None = None,
) -> bool | None:
    """Evaluate a condition tree with three-valued (Kleene) logic.

    Parameters
    ----------
    cond : mapping
        The condition (see the module docstring).
    answers : mapping
        Normalised answers by question id; skipped questions are absent or ``None``.
    metrics : mapping
        Night metrics (SCORING_SPEC §4/§5 keys plus derived keys); unknown ones absent or ``None``.
    definitions : mapping, optional
        Named conditions that ``{"ref": NAME}`` points to.
    hits : list, optional
        When given, every true leaf outside a ``not`` is appended as a :class:`Hit`.

    Returns
    -------
    bool or None
        ``True``, ``False``, or ``None`` when the answer depends on unknown values.
    """
    sink: list[Hit] = hits if hits is not None else []
    defs = definitions or {}
    if "ref" in cond:
        return evaluate(defs[cond["ref"]], answers, metrics, definitions=defs, hits=sink)
    if "all" in cond:
        return _all([evaluate(c, answers, metrics, definitions=defs, hits=sink) for c in cond["all"]])
    if "any" in cond:
        branches: list[list[Hit]] = [[] for _ in cond["any"]]
        results = [
            evaluate(c, answers, metrics, definitions=defs, hits=b) for c, b in zip(cond["any"], branches, strict=True)
        ]
        sink.extend(
            next((b for r, b in zip(results, branches, strict=True) if r is True), [])
        )  # evidence: first true branch
        return _any(results)
    if "at_least" in cond:
        results = [evaluate(c, answers, metrics, definitions=defs, hits=sink) for c in cond["of"]]
        return _at_least(int(cond["at_least"]), results)
    if "not" in cond:
        inner = evaluate(cond["not"], answers, metrics, definitions=defs, hits=[])
        return None if inner is None else not inner
    return _leaf(cond, answers, metrics, sink)


def validate_condition(
    cond: Any,
    *,
    where: str,
    answer_ids: Sequence[str] | None = None,
    metric_keys: Sequence[str] | None = None,
    definitions: Mapping[str, Any] | None = None,
) -> None:
    """Check that a condition tree is well formed and names only known ids.

    Parameters
    ----------
    cond : object
        The condition to check.
    where : str
        Where it was found (rule id), for the message.
    answer_ids, metric_keys : sequence of str, optional
        Known question ids and metric keys; unknown names are errors when given.
    definitions : mapping, optional
        Names that ``ref`` may use.

    Raises
    ------
    ParameterError
        When the condition is malformed or names something unknown.
    """
    if not isinstance(cond, Mapping):
        raise ParameterError(f"{where}: a condition must be a mapping, got {cond!r}. Fix the rules file.")
    defs = definitions or {}
    kids = lambda c: validate_condition(  # noqa: E731
        c, where=where, answer_ids=answer_ids, metric_keys=metric_keys, definitions=defs
    )
    if "ref" in cond:
        if cond["ref"] not in defs:
            raise ParameterError(f"{where}: unknown definition {cond['ref']!r}.{did_you_mean(cond['ref'], defs)}")
        return
    for comb in ("all", "any"):
        if comb in cond:
            if not isinstance(cond[comb], list) or not cond[comb]:
                raise ParameterError(f"{where}: {comb!r} needs a non-empty list of conditions.")
            for c in cond[comb]:
                kids(c)
            return
    if "at_least" in cond:
        if not isinstance(cond.get("of"), list) or not 1 <= int(cond["at_least"]) <= len(cond["of"]):
            raise ParameterError(f"{where}: 'at_least: N' needs 'of:' with at least N conditions.")
        for c in cond["of"]:
            kids(c)
        return
    if "not" in cond:
        kids(cond["not"])
        return
    spaces = [ns for ns in NAMESPACES if ns in cond]
    ops = [op for op in COMPARATORS if op in cond]
    if len(spaces) != 1 or len(ops) != 1 or len(cond) != 2:
        raise ParameterError(
            f"{where}: a leaf needs exactly one of {list(NAMESPACES)} and one test of {list(COMPARATORS)}, "
            f"got {dict(cond)!r}."
        )
    known = answer_ids if spaces[0] == "answer" else metric_keys
    name = str(cond[spaces[0]])
    if known is not None and name not in known:
        raise ParameterError(f"{where}: unknown {spaces[0]} {name!r}.{did_you_mean(name, known)}")
