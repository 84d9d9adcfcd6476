"""Named scoring options: every choice the standards leave open, with its default and source.

The report prints the rule set and every option that differs from its default
(:meth:`ScoringOptions.non_defaults`). Each option is tested in both branches
(``tests/score/test_options.py`` and the scenario suite).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from twitchlab.errors import ParameterError, check_option, did_you_mean

__all__ = ["OPTION_DOCS", "RULES", "ScoringOptions"]

RULES = ("wasm2016", "aasm")

#: Option name -> (allowed values or None for numbers, source of the default).
OPTION_DOCS: dict[str, str] = {
    "resp_nr_method": (
        "WASM 2016: how plms_nr_index leaves out respiratory LMs. 'recompute' (default) removes every "
        "respiration-associated LM and finds the series again (they neither count nor break), as SOMAS does "
        "(SCORING_SPEC §3); 'drop' only removes respiratory CLMs from the PLM found on all CLMs."
    ),
    "resp_before_s": "WASM 2016: respiratory window starts 2.0 s before the END of the respiratory event.",
    "resp_after_s": "WASM 2016: respiratory window ends 10.25 s after the END of the respiratory event.",
    "aasm_resp_margin_s": "AASM: LMs from 0.5 s before the start to 0.5 s after the end of the event are not scored.",
    "aasm_resp_match": (
        "AASM: 'overlap' (default) excludes an LM any part of which lies in the respiratory window; 'onset' only "
        "one whose onset lies in it. The manual says an LM 'occurring during' the window; we read any overlap."
    ),
    "arousal_gap_s": "WASM 2016 and AASM: LM and arousal associated when they overlap or the gap is < 0.5 s.",
    "bilateral_gap_s": "WASM 2016: monolateral LMs on the two legs merge when the gap is < 0.5 s (transitively).",
    "aasm_bilateral_onset_s": "AASM: LMs on the two legs whose onsets are < 5 s apart count as one movement.",
    "min_lm_s": "Both: an LM lasts at least 0.5 s; shorter scored events are kept as excluded 'too_short'.",
    "unscorable_policy": (
        "Time where the EMG cannot be scored is removed from denominators. 'any' (default): removed where at "
        "least one leg is unscorable (bilateral rules cannot be applied there); 'both': only where both are."
    ),
    "one_leg_unscorable": (
        "When one leg is unscorable for the WHOLE analysis window and the other leg is scorable: 'score_other' "
        "(default) scores the good leg alone by the monolateral rules (no bilateral merge is possible; the indices "
        "may be underestimated, and a warning says so), as the WASM 2016 standards score a leg that is recorded; "
        "'void' applies unscorable_policy as for any stretch (with 'any' the whole night is removed)."
    ),
    "unscorable_breaks_series": (
        "Default True: an unscorable stretch between two LMs ends a series (what happened there is unknown). "
        "Not in the standards; False lets IMIs run across it."
    ),
    "population": "ICSD-3 PLMS index threshold: 'adult' > 15/h, 'child' > 5/h.",
    "periodicity_min_run": "Ferri 2006: periodicity counts IMIs in runs of >= 3 consecutive IMIs of 10-90 s.",
}


@dataclass(frozen=True)
class ScoringOptions:
    """Every open choice of the scoring rules, with documented defaults (see :data:`OPTION_DOCS`).

    Parameters
    ----------
    resp_nr_method : {"recompute", "drop"}
        WASM 2016 way of computing PLMS without respiratory LMs (default ``"recompute"``).
    resp_before_s, resp_after_s : float
        WASM 2016 respiratory window around the end of an apnea/hypopnea/RERA (2.0 s, 10.25 s).
    aasm_resp_margin_s : float
        AASM respiratory exclusion margin (0.5 s).
    aasm_resp_match : {"overlap", "onset"}
        AASM: which LMs the respiratory window excludes (default ``"overlap"``).
    arousal_gap_s : float
        Maximum gap (exclusive) between an LM and an arousal to associate them (0.5 s).
    bilateral_gap_s : float
        WASM 2016 bilateral merge gap (exclusive, 0.5 s).
    aasm_bilateral_onset_s : float
        AASM onset difference (exclusive, 5 s) below which LMs on the two legs are one movement.
    min_lm_s : float
        Shortest LM (0.5 s).
    unscorable_policy : {"any", "both"}
        Which unscorable time leaves the denominators (default ``"any"``).
    one_leg_unscorable : {"score_other", "void"}
        One leg unscorable for the whole window, the other scorable: score the good leg alone (default
        ``"score_other"``) or apply ``unscorable_policy`` (``"void"``).
    unscorable_breaks_series : bool
        Whether an unscorable stretch ends a series (default True).
    population : {"adult", "child"}
        PLMS index threshold 15/h or 5/h (ICSD-3).
    periodicity_min_run : int
        Run length (IMIs) of the periodicity index (3).

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events, v2.6. AASM 2020.
    American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed. 2014.
    """

    resp_nr_method: Literal["recompute", "drop"] = "recompute"
    resp_before_s: float = 2.0
    resp_after_s: float = 10.25
    aasm_resp_margin_s: float = 0.5
    aasm_resp_match: Literal["overlap", "onset"] = "overlap"
    arousal_gap_s: float = 0.5
    bilateral_gap_s: float = 0.5
    aasm_bilateral_onset_s: float = 5.0
    min_lm_s: float = 0.5
    unscorable_policy: Literal["any", "both"] = "any"
    one_leg_unscorable: Literal["score_other", "void"] = "score_other"
    unscorable_breaks_series: bool = True
    population: Literal["adult", "child"] = "adult"
    periodicity_min_run: int = 3

    def __post_init__(self) -> None:
        check_option("resp_nr_method", self.resp_nr_method, ("recompute", "drop"))
        check_option("aasm_resp_match", self.aasm_resp_match, ("overlap", "onset"))
        check_option("unscorable_policy", self.unscorable_policy, ("any", "both"))
        check_option("one_leg_unscorable", self.one_leg_unscorable, ("score_other", "void"))
        check_option("population", self.population, ("adult", "child"))
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float | int) and not isinstance(v, bool) and v < 0:
                raise ParameterError(f"scoring option {f.name}={v} must be >= 0")

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> ScoringOptions:
        """Build from keyword arguments, naming unknown options with a suggestion.

        Raises
        ------
        ParameterError
            Unknown option name or invalid value.
        """
        names = [f.name for f in fields(cls)]
        for k in kwargs:
            if k not in names:
                raise ParameterError(f"unknown scoring option {k!r}; options are {names}.{did_you_mean(k, names)}")
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """All options as a plain dict."""
        return asdict(self)

    def non_defaults(self) -> dict[str, Any]:
        """Options whose value differs from the default (for reports)."""
        default = ScoringOptions()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}

    @property
    def plms_threshold(self) -> float:
        """PLMS index above which ICSD-3 calls the count elevated (15/h adults, 5/h children)."""
        return 15.0 if self.population == "adult" else 5.0
