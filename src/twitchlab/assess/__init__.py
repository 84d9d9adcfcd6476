"""Triage: our own-wording questionnaire and night metrics → plain findings with sources.

Never a diagnosis. Red flags always say "see a clinician".

Examples
--------
>>> from twitchlab.assess import triage
>>> report = triage({"age_years": 30, "twitch_timing": "falling_asleep", "twitch_kind": "single_jerk"})
>>> report.ids()
['sleep_starts']
"""

from twitchlab.assess.conditions import evaluate
from twitchlab.assess.findings import DISCLAIMER, Evidence, Finding, Suggestion, TriageReport, triage
from twitchlab.assess.night import Night, combine_nights, derive_metrics, load_night, night_from_dict
from twitchlab.assess.questionnaire import Question, Questionnaire, load_questionnaire, normalize_answers, read_answers
from twitchlab.assess.render import render_findings_html, render_findings_page, write_findings
from twitchlab.assess.rules import INTERVENTIONS, Rule, RuleSet, Source, load_rules, load_sources
from twitchlab.assess.storage import load_latest_answers, save_answers, twitchlab_home

__all__ = [
    "DISCLAIMER",
    "INTERVENTIONS",
    "Evidence",
    "Finding",
    "Night",
    "Question",
    "Questionnaire",
    "Rule",
    "RuleSet",
    "Source",
    "Suggestion",
    "TriageReport",
    "combine_nights",
    "derive_metrics",
    "evaluate",
    "load_latest_answers",
    "load_night",
    "load_questionnaire",
    "load_rules",
    "load_sources",
    "night_from_dict",
    "normalize_answers",
    "read_answers",
    "render_findings_html",
    "render_findings_page",
    "save_answers",
    "triage",
    "twitchlab_home",
    "write_findings",
]
