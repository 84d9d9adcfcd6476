"""The findings engine: answers + night metrics → findings, red flags first.

Each rule of :mod:`twitchlab.assess.rules` is evaluated independently (no nested ifs: the logic
lives in the data). A finding carries a plain sentence, the evidence (which answers, which
numbers), a confidence word, what the person can try (self-experiments), when to see a clinician,
and its sources. Red flags always win: when one fires, the overall advice is "see a clinician" and
reassuring findings are held back (listed in ``suppressed``). Nothing here is a diagnosis.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from twitchlab import __version__
from twitchlab.assess.conditions import Hit, evaluate
from twitchlab.assess.night import Night, combine_nights, derive_metrics
from twitchlab.assess.questionnaire import Questionnaire, load_questionnaire, normalize_answers
from twitchlab.assess.rules import KIND_ORDER, Rule, RuleSet, Source, load_rules

__all__ = [
    "DISCLAIMER",
    "Evidence",
    "Finding",
    "Suggestion",
    "TriageReport",
    "triage",
]

DISCLAIMER = (
    "This is not a diagnosis. It sorts what you told us and what was measured into plain findings with their "
    "sources, and says when to see a clinician. Only a clinician can diagnose a sleep or movement disorder."
)
OVERALL = {
    "red_flag": "See a clinician: at least one warning sign is listed first below.",
    "discuss": "Nothing urgent, but some findings are worth discussing with a clinician.",
    "self_care": "Nothing that needs a clinician now; there are things you can try and measure.",
    "reassuring": "Reassuring: what you describe and what was measured fit common, harmless patterns.",
    "info": "Nothing that needs attention was found; see the notes below.",
}

#: Overall sentence when only notes fired and a night's leg signal could not be scored (its numbers are unknown).
_OVERALL_UNSCORED = (
    "Nothing in your answers needs attention, but the leg signal of a night could not be scored, so its numbers "
    "are unknown; see the notes below."
)
#: The same two cases when no question was answered ("nothing in your answers" would claim too much).
_OVERALL_NO_ANSWERS = "You answered no questions, so this covers the measured nights only; see the notes below."
_OVERALL_NOTHING = "You answered no questions and gave no measured night, so there is nothing to go on yet."
_OVERALL_NO_ANSWERS_UNSCORED = (
    "You answered no questions and the leg signal of a night could not be scored, so there is little to go on: "
    "answer the questions (run twitchlab triage again) or add a night whose leg EMG can be scored."
)


def _overall_sentence(overall: str, metrics: dict[str, Any], n_nights: int) -> str:
    """The one-line summary for the most serious kind of finding shown."""
    if overall != "info":
        return OVERALL[overall]
    unscored = bool(metrics.get("leg_unscored_nights"))
    if not metrics.get("n_answers") and not n_nights:
        return _OVERALL_NOTHING
    if not metrics.get("n_answers"):
        return _OVERALL_NO_ANSWERS_UNSCORED if unscored else _OVERALL_NO_ANSWERS
    return _OVERALL_UNSCORED if unscored else OVERALL[overall]


@dataclass(frozen=True)
class Evidence:
    """One answer or number behind a finding."""

    origin: str  # "answer", "metric" (measured) or "reference" (a published level)
    key: str
    label: str
    value: Any
    shown: str


@dataclass(frozen=True)
class Suggestion:
    """Something the person can try, as a self-experiment."""

    intervention: str
    text: str
    command: str


@dataclass(frozen=True)
class Finding:
    """One finding of the triage (never a diagnosis)."""

    id: str
    kind: str
    title: str
    sentence: str
    confidence: str
    evidence: tuple[Evidence, ...]
    sources: tuple[Source, ...]
    clinician: str | None = None
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def see_clinician(self) -> bool:
        """True for red flags: these always say "see a clinician"."""
        return self.kind == "red_flag"


@dataclass(frozen=True)
class TriageReport:
    """The result of :func:`triage`."""

    findings: tuple[Finding, ...]
    overall: str
    overall_sentence: str
    suppressed: tuple[str, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    nights: tuple[Mapping[str, Any], ...] = ()
    questionnaire_version: str = ""
    rules_version: str = ""
    generated_at: str = ""
    disclaimer: str = DISCLAIMER

    @property
    def red_flags(self) -> tuple[Finding, ...]:
        """The findings that always say "see a clinician"."""
        return tuple(f for f in self.findings if f.kind == "red_flag")

    def ids(self) -> list[str]:
        """Ids of the findings shown, in order."""
        return [f.id for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping (numbers as numbers, unknowns as null)."""
        out = asdict(self)
        out["twitchlab_version"] = __version__
        for f, fd in zip(self.findings, out["findings"], strict=True):
            fd["see_clinician"] = f.see_clinician
            for s, sd in zip(f.sources, fd["sources"], strict=True):
                sd["link"] = s.link
        return out

    def to_json(self) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)


class _Template(string.Formatter):
    """``str.format`` over metrics where unknown values print as "unknown"."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(str(key))

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "unknown"
        return format(value, format_spec) if isinstance(value, int | float) else str(value)


#: Derived yes/no keys that only restate a number shown next to them.
_NOT_SHOWN = frozenset({"plms_above_person", "rswa_above"})
#: Keys that are reference levels, not measurements.
_REFERENCE = frozenset({"plms_threshold_person", "plms_threshold"})


def _shown(value: Any, unit: str = "", words: Mapping[str, str] | None = None) -> str:
    """Show a number or flag in plain words (counts without decimals, known codes as words)."""
    if words and str(value) in words:
        return words[str(value)]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        value = int(value) if value.is_integer() else (f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}")
    return f"{value} {unit}".strip() if unit and unit != "%" else f"{value}{unit}"


def _evidence(
    hits: Iterable[Hit], rule: Rule, metrics: Mapping[str, Any], rules: RuleSet, qn: Questionnaire
) -> tuple[Evidence, ...]:
    out: dict[tuple[str, str], Evidence] = {}
    for h in hits:
        if h.origin == "answer":
            q = qn[h.key]
            out.setdefault((h.origin, h.key), Evidence("answer", h.key, q.label, h.value, q.display(h.value)))
    for key in [h.key for h in hits if h.origin == "metric"] + list(rule.show):
        value = metrics.get(key)
        if value is None or ("metric", key) in out or key in _NOT_SHOWN:
            continue
        meta = rules.metric_labels.get(key, {})
        shown = _shown(value, str(meta.get("unit", "")), meta.get("values"))
        origin = "reference" if key in _REFERENCE else "metric"
        out[("metric", key)] = Evidence(origin, key, str(meta.get("label", key)), value, shown)
    return tuple(out.values())


def _confidence(
    rule: Rule, answers: Mapping[str, Any], metrics: Mapping[str, Any], rules: RuleSet
) -> tuple[str, list[Hit]]:
    """Return the first confidence word whose condition holds, and the answers/numbers behind it."""
    for entry in rule.confidence:
        cond, hits = entry.get("when"), []
        if cond is None or evaluate(cond, answers, metrics, definitions=rules.definitions, hits=hits) is True:
            return str(entry["word"]), hits
    return "low", []


def _finding(
    rule: Rule,
    hits: list[Hit],
    answers: Mapping[str, Any],
    metrics: Mapping[str, Any],
    rules: RuleSet,
    qn: Questionnaire,
) -> Finding:
    fill = _Template()
    word, why = _confidence(rule, answers, metrics, rules)
    return Finding(
        id=rule.id,
        kind=rule.kind,
        title=rule.title,
        sentence=fill.format(rule.sentence, **metrics),
        confidence=word,
        evidence=_evidence([*hits, *why], rule, metrics, rules, qn),
        sources=tuple(rules.sources[s] for s in rule.sources),
        clinician=fill.format(rule.clinician, **metrics) if rule.clinician else None,
        suggestions=tuple(
            Suggestion(i, rules.interventions[i], f"twitchlab experiment plan --intervention {i}") for i in rule.try_
        ),
    )


def triage(
    answers: Mapping[str, Any],
    nights: Sequence[Night] = (),
    *,
    questionnaire: Questionnaire | None = None,
    rules: RuleSet | None = None,
) -> TriageReport:
    """Turn answers and measured nights into findings.

    Parameters
    ----------
    answers : mapping
        ``{question_id: value}`` (raw or canonical; checked against the questionnaire). Skipped
        questions are simply absent: a rule never fires on an unknown value.
    nights : sequence of Night
        Night results (see :func:`twitchlab.assess.night.load_night`); may be empty.
    questionnaire, rules : optional
        Default to the shipped, versioned data.

    Returns
    -------
    TriageReport
        Findings ordered red flags → worth discussing → self-care → reassuring → information. When a
        red flag fires, reassuring findings are left out (their ids are in ``suppressed``).

    Raises
    ------
    ParameterError
        When an answer does not fit its question.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed. 2014.
    .. [2] Allen RP, et al. RLS/WED diagnostic criteria: updated IRLSSG consensus criteria. Sleep Med.
       2014;15(8):860-873.
    .. [3] Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
       Sleep Med. 2016;26:86-95.
    .. [4] Winkelman JW, et al. Treatment of RLS and PLMD: an AASM clinical practice guideline.
       J Clin Sleep Med. 2025;21(1):137-152.
    .. [5] Howell M, et al. Management of REM sleep behavior disorder: an AASM clinical practice guideline.
       J Clin Sleep Med. 2023;19(4):759-768.
    """
    qn = questionnaire or load_questionnaire()
    rs = rules or load_rules(questionnaire=questionnaire)
    ans = normalize_answers(answers, qn)
    metrics = derive_metrics(combine_nights(nights) if nights else {}, age_years=ans.get("age_years"))
    metrics["n_answers"] = len(ans)
    fired: list[Finding] = []
    for rule in (r for r in rs.rules if not r.fallback):
        hits: list[Hit] = []
        if evaluate(rule.when, ans, metrics, definitions=rs.definitions, hits=hits) is True:
            fired.append(_finding(rule, hits, ans, metrics, rs, qn))
    if not any(f.kind != "info" for f in fired):
        fallbacks = (r for r in rs.rules if r.fallback)
        fired += [
            _finding(r, [], ans, metrics, rs, qn)
            for r in fallbacks
            if evaluate(r.when, ans, metrics, definitions=rs.definitions) is True
        ]
    has_red = any(f.kind == "red_flag" for f in fired)
    suppressed = tuple(f.id for f in fired if has_red and f.kind == "reassuring")
    shown = sorted((f for f in fired if f.id not in suppressed), key=lambda f: KIND_ORDER.index(f.kind))
    overall = shown[0].kind if shown else "info"
    return TriageReport(
        findings=tuple(shown),
        overall=overall,
        overall_sentence=_overall_sentence(overall, metrics, len(nights)),
        suppressed=suppressed,
        answers=ans,
        metrics={k: v for k, v in metrics.items() if v is not None},
        nights=tuple({"path": n.path, "lm_source": n.lm_source, "warnings": list(n.warnings)} for n in nights),
        questionnaire_version=qn.version,
        rules_version=rs.version,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
