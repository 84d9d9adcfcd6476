"""Leg-movement scoring: WASM 2016 (default) and AASM rules, PLM series and the night indices.

Pure functions over tables: an LM table (``onset_s``, ``offset_s``, ``side``), a hypnogram, respiratory
and arousal events and an analysis window go in; an events table (SCORING_SPEC §6) and a summary (§4)
come out. See ``docs/scoring.md`` for every rule and named option.
"""

from __future__ import annotations

from twitchlab.score.api import ScoreResult, prepare_lms, score_night
from twitchlab.score.indices import SUMMARY_KEYS
from twitchlab.score.options import OPTION_DOCS, RULES, ScoringOptions

__all__ = ["OPTION_DOCS", "RULES", "SUMMARY_KEYS", "ScoreResult", "ScoringOptions", "prepare_lms", "score_night"]
