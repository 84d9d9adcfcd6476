"""Loading and checking the triage rules (``assess/data/rules.yaml``) and their sources.

Rules are data: a condition over answers and night metrics, a plain sentence, a confidence list,
what to try (interventions of the self-experiment module) and the sources behind them. Loading checks
every reference — question ids, metric keys, definitions, sources and interventions — so that a typo in
the data fails at load time, not silently at triage time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from twitchlab.assess.conditions import validate_condition
from twitchlab.assess.night import METRIC_KEYS
from twitchlab.assess.questionnaire import Questionnaire, load_questionnaire
from twitchlab.errors import ParameterError, did_you_mean

__all__ = [
    "INTERVENTIONS",
    "KIND_ORDER",
    "Rule",
    "RuleSet",
    "Source",
    "load_metric_labels",
    "load_rules",
    "load_sources",
]

#: Finding kinds, most urgent first.
KIND_ORDER = ("red_flag", "discuss", "self_care", "reassuring", "info")
#: Interventions that ``twitchlab experiment plan --intervention`` knows (SCORING_SPEC §9).
INTERVENTIONS = (
    "no_caffeine",
    "no_alcohol",
    "exercise_morning",
    "regular_schedule",
    "hot_bath",
    "leg_massage",
    "stretching",
    "medication_change_with_clinician",
)


@dataclass(frozen=True)
class Source:
    """A cited guideline, standard or review."""

    id: str
    short: str
    citation: str
    kind: str = ""
    doi: str | None = None
    url: str | None = None

    @property
    def link(self) -> str | None:
        """A resolvable link (DOI or URL), if known."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url


@dataclass(frozen=True)
class Rule:
    """One rule: when it fires and what it says."""

    id: str
    kind: str
    title: str
    when: Mapping[str, Any]
    sentence: str
    sources: tuple[str, ...]
    confidence: tuple[Mapping[str, Any], ...]
    clinician: str | None = None
    show: tuple[str, ...] = ()
    try_: tuple[str, ...] = ()
    fallback: bool = False


@dataclass(frozen=True)
class RuleSet:
    """All rules with what they refer to."""

    name: str
    version: str
    rules: tuple[Rule, ...]
    definitions: Mapping[str, Mapping[str, Any]]
    interventions: Mapping[str, str]
    sources: Mapping[str, Source]
    metric_labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def _data_text(name: str) -> str:
    return resources.files("twitchlab.assess").joinpath(f"data/{name}").read_text(encoding="utf-8")


@cache
def load_sources() -> dict[str, Source]:
    """Return the shipped sources by id."""
    raw = yaml.safe_load(_data_text("sources.yaml"))
    return {
        str(k): Source(
            id=str(k),
            short=str(v["short"]),
            citation=" ".join(str(v["citation"]).split()),
            kind=str(v.get("kind", "")),
            doi=v.get("doi"),
            url=v.get("url"),
        )
        for k, v in raw.items()
    }


@cache
def load_metric_labels() -> dict[str, dict[str, Any]]:
    """Return ``{metric_key: {"label": ..., "unit": ..., "values": {...}}}`` for showing metrics as evidence."""
    return {str(k): dict(v) for k, v in yaml.safe_load(_data_text("metrics.yaml")).items()}


def _check_refs(where: str, names: tuple[str, ...], known: Mapping[str, Any] | tuple[str, ...], what: str) -> None:
    for name in names:
        if name not in known:
            raise ParameterError(f"{where}: unknown {what} {name!r}.{did_you_mean(name, known)} Fix the rules file.")


def _rule(raw: Mapping[str, Any], ctx: dict[str, Any]) -> Rule:
    rid = str(raw.get("id"))
    where = f"rule {rid}"
    kind = raw.get("kind")
    if kind not in KIND_ORDER:
        raise ParameterError(f"{where}: kind {kind!r} is not one of {list(KIND_ORDER)}.")
    rule = Rule(
        id=rid,
        kind=kind,
        title=str(raw["title"]),
        when=raw["when"],
        sentence=" ".join(str(raw["sentence"]).split()),
        sources=tuple(raw.get("sources") or ()),
        confidence=tuple(raw.get("confidence") or ({"word": "low"},)),
        clinician=" ".join(str(raw["clinician"]).split()) if raw.get("clinician") else None,
        show=tuple(raw.get("show") or ()),
        try_=tuple(raw.get("try") or ()),
        fallback=bool(raw.get("fallback", False)),
    )
    check = {"answer_ids": ctx["answer_ids"], "metric_keys": METRIC_KEYS, "definitions": ctx["definitions"]}
    validate_condition(rule.when, where=where, **check)
    for entry in rule.confidence:
        if entry.get("word") not in ("low", "moderate", "high"):
            raise ParameterError(f"{where}: confidence words are low, moderate or high, got {entry.get('word')!r}.")
        if "when" in entry:
            validate_condition(entry["when"], where=f"{where} confidence", **check)
    if not rule.sources:
        raise ParameterError(f"{where}: every rule needs at least one source.")
    _check_refs(where, rule.sources, ctx["sources"], "source")
    _check_refs(where, rule.try_, ctx["interventions"], "intervention")
    _check_refs(where, rule.show, METRIC_KEYS, "metric")
    if kind == "red_flag" and not (rule.clinician and "see a clinician" in rule.clinician.lower()):
        raise ParameterError(f"{where}: a red flag must tell the person to see a clinician in its 'clinician' text.")
    return rule


def load_rules(path: str | None = None, questionnaire: Questionnaire | None = None) -> RuleSet:
    """Load and check the rules.

    Parameters
    ----------
    path : str, optional
        A rules YAML; by default the one shipped in ``twitchlab/assess/data``.
    questionnaire : Questionnaire, optional
        The questions rules may refer to; defaults to the shipped questionnaire.

    Returns
    -------
    RuleSet

    Raises
    ------
    ParameterError
        When a rule names an unknown question, metric, definition, source or intervention, a red flag
        does not say "see a clinician", or an id repeats.
    """
    if questionnaire is None:
        return _load_rules_default(path)
    return _build_rules(path, questionnaire)


@cache
def _load_rules_default(path: str | None) -> RuleSet:
    return _build_rules(path, load_questionnaire())


def _build_rules(path: str | None, qn: Questionnaire) -> RuleSet:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8") if path else _data_text("rules.yaml"))
    interventions = {str(k): str(v) for k, v in (raw.get("interventions") or {}).items()}
    _check_refs("rules interventions", tuple(interventions), INTERVENTIONS, "intervention")
    definitions = raw.get("definitions") or {}
    sources = load_sources()
    ctx = {"answer_ids": qn.ids, "definitions": definitions, "sources": sources, "interventions": interventions}
    for name, cond in definitions.items():
        validate_condition(
            cond, where=f"definition {name}", answer_ids=qn.ids, metric_keys=METRIC_KEYS, definitions=definitions
        )
    rules = tuple(_rule(r, ctx) for r in raw["rules"])
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise ParameterError("rules: rule ids must be unique.")
    return RuleSet(
        name=str(raw["name"]),
        version=str(raw["version"]),
        rules=rules,
        definitions=definitions,
        interventions=interventions,
        sources=sources,
        metric_labels=load_metric_labels(),
    )
