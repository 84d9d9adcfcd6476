"""Annotation labels -> the canonical event vocabulary (:data:`twitchlab.model.CANONICAL_TYPES`).

Every reader hands its labels to :func:`map_label`. Matching ignores case, accents and punctuation; NSRR
``EventConcept`` strings (``"Stage 2 sleep|2"``) are tried whole and by part. Labels in English, French
(Noxturnal), German (DOMINO) and the R&K / AASM stage names are known. Unknown labels map to ``other``;
the reader keeps the original label and lists them in a warning.

Choices where the standards are silent (see docs/io.md):

- ``PLM`` without a side is a periodic-series span (Noxturnal writes one 127-s ``PLM``): ``plm_span``.
  ``PLM (Left)`` (Profusion) is one leg movement that was part of a series: ``lm_left``.
- RBDtector/DOMINO limb activity: ``…Phasic`` -> ``rem_twitch`` (phasic REM activity, SINBAR),
  ``…Artifact`` -> ``artifact``, ``…Tonic`` / ``…Any`` -> ``other``; side and limb are kept.
- Arousals of every kind (``PLM Arousal (EEG)``, ``Respiratory Arousal``, ``Micro-éveil``) -> ``arousal``.
- Noxturnal ``Début/Fin de l'analyse`` (analysis start/end) -> ``lights_off`` / ``lights_on``.
- Movement time (R&K) -> ``stage_unscored`` (hypnogram code -2, artefact).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from twitchlab.model import CANONICAL_TYPES, STAGE_TYPE_TO_CODE

__all__ = ["LabelMapping", "map_label", "normalize_text", "stage_code"]


def normalize_text(label: str) -> str:
    """Lower-case, strip accents, turn punctuation into single spaces."""
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9?]+", text))


# (regex on the normalised text, type). First match wins; order matters (arousal before limb movement...).
_RULES: list[tuple[str, str]] = [
    # sleep stages
    (r"^(sleep stage |stage |schlafstadium )?(w|wake|wach|awake|eveil|veille|wk)( sleep)?( 0)?$", "stage_w"),
    (r"^(sleep stage |stage )?(n ?1|s1|1|nrem ?1)( sleep)?( 1)?$", "stage_n1"),
    (r"^(sleep stage |stage )?(n ?2|s2|2|nrem ?2)( sleep)?( 2)?$", "stage_n2"),
    (r"^(sleep stage |stage )?(n ?3|n ?4|s3|s4|3|4|nrem ?3|nrem ?4)( sleep)?( [34])?$", "stage_n3"),
    (r"^(sleep stage |stage )?(r|rem|sp|paradoxal|sommeil paradoxal)( sleep)?( 5)?$", "stage_r"),
    (r"^(sleep stage |stage )?(\?|unscored|unknown|uns|nicht klassifiziert|non score)( 9)?$", "stage_unscored"),
    (r"^(sleep stage )?(m|mt|movement|movement time)( 6)?$", "stage_unscored"),
    # arousals (before limb movements: "PLM Arousal", "LM Arousal (EMG)")
    (r"\barousal\b|\bmicro ?eveil\b|\beveil bref\b|\bweckreaktion\b", "arousal"),
    # respiration
    (r"\brera\b|respiratory effort related", "rera"),
    (r"^(obstructive apnea|apnea obstructive|obstructive apnoea|oa|a obstructive|apnee obstructive)\b", "apnea_obstructive"),  # noqa: E501
    (r"^(central apnea|apnea central|central apnoea|ca|a centrale|apnee centrale)\b", "apnea_central"),
    (r"^(mixed apnea|apnea mixed|mixed apnoea|ma|a mixte|apnee mixte)\b", "apnea_mixed"),
    (r"\bhypopn(o)?ea\b|\bhypopnee\b|\bhypopnoe\b", "hypopnea"),
    (r"^(apnea|apnoea|apnee)\b", "apnea"),
    (r"\bdesat(uration)?\b|^spo2 desaturation", "desaturation"),
    # limb movements
    (r"^(left|right)?(leg|arm|chin)(phasic)$", "rem_twitch"),
    (r"^(left|right)?(leg|arm|chin)(artifact|artefact)$", "artifact"),
    (r"^(plm|periodic (limb|leg) movement)s?( series)?$", "plm_span"),
    (r"^(plm|limb movement|leg movement|lm|mouvement de jambe|mj|beinbewegung)s?\b.*\b(left|l|gauche|links)\b", "lm_left"),  # noqa: E501
    (r"^(plm|limb movement|leg movement|lm|mouvement de jambe|mj|beinbewegung)s?\b.*\b(right|r|droite|rechts)\b", "lm_right"),  # noqa: E501
    (r"^(left|l) (limb|leg) movement", "lm_left"),
    (r"^(right|r) (limb|leg) movement", "lm_right"),
    (r"^(limb movement|leg movement|lm|mouvement de jambe|mouvements de jambes|mj|beinbewegung)s?$", "lm"),
    # markers
    (r"^(lights? (off|out)|lumieres? eteintes?|licht aus|debut de l ?analyse|analysis start|start of analysis)$", "lights_off"),  # noqa: E501
    (r"^(lights? on|lumieres? allumees?|licht an|fin de l ?analyse|analysis end|end of analysis)$", "lights_on"),
    (r"^(artifact|artefact|signal artifact|movement artifact|artefakt)s?$", "artifact"),
    (r"^stimulus\b", "stimulus"),
]  # fmt: skip
_COMPILED = [(re.compile(p), t) for p, t in _RULES]
_OWN = {t.replace("_", " "): t for t in CANONICAL_TYPES}  # our own type names read back (write_edf round trip)


class LabelMapping(tuple):
    """``(type, side)`` of one label; ``side`` is ``"L"``, ``"R"`` or ``None``."""

    __slots__ = ()

    def __new__(cls, type_: str, side: str | None = None) -> LabelMapping:  # noqa: D102
        return super().__new__(cls, (type_, side))

    @property
    def type(self) -> str:
        """Canonical type."""
        return self[0]

    @property
    def side(self) -> str | None:
        """Side when the label says so."""
        return self[1]


def _side_of(norm: str) -> str | None:
    if re.search(r"^left|\bleft\b|\bl\b|\bgauche\b|\blinks\b", norm):
        return "L"
    if re.search(r"^right|\bright\b|\br\b|\bdroite\b|\brechts\b", norm):
        return "R"
    return None


def _match(norm: str) -> str | None:
    if norm in _OWN:
        return _OWN[norm]
    for rx, typ in _COMPILED:
        if rx.search(norm):
            return typ
    return None


def map_label(label: str) -> LabelMapping:
    """Map one annotation label to ``(canonical type, side)``.

    Parameters
    ----------
    label : str
        Label as written (``"Sleep stage 4"``, ``"Obstructive apnea|Obstructive Apnea"``, ``"Micro-éveil"``,
        ``"Limb Movement (Left)"``, ``"LeftLegPhasic"``...).

    Returns
    -------
    LabelMapping
        ``(type, side)``; type ``"other"`` when unknown.

    Examples
    --------
    >>> map_label("Stage 2 sleep|2"), map_label("Limb movement - left|Limb Movement (Left)")
    (('stage_n2', None), ('lm_left', 'L'))
    """
    raw = str(label)
    candidates = [raw, *raw.split("|")] if "|" in raw else [raw]
    for cand in candidates:
        compact = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", cand)  # LeftLegPhasic -> Left Leg Phasic
        for text in dict.fromkeys((normalize_text(cand), normalize_text(compact).replace(" ", ""))):
            typ = _match(text)
            if typ is None and text != normalize_text(cand):
                continue
            if typ is not None:
                side = (
                    _side_of(normalize_text(compact))
                    if typ in ("lm_left", "lm_right", "rem_twitch", "artifact")
                    else None
                )
                if typ == "lm_left":
                    side = "L"
                elif typ == "lm_right":
                    side = "R"
                return LabelMapping(typ, side)
    return LabelMapping("other", None)


def stage_code(typ: str, label: str = "") -> int | None:
    """YASA stage code of a stage type (``None`` if the type is not a stage).

    Movement time (R&K) is unscored in the events but coded -2 (artefact) in the hypnogram.
    """
    if typ not in STAGE_TYPE_TO_CODE:
        return None
    if typ == "stage_unscored" and re.search(r"\bmovement\b|\bmt\b|^m$", normalize_text(label)):
        return -2
    return STAGE_TYPE_TO_CODE[typ]


def unknown_labels(labels: Sequence[str], types: Sequence[str]) -> dict[str, int]:
    """Count the labels that were mapped to ``other``."""
    out: dict[str, int] = {}
    for lab, typ in zip(labels, types, strict=True):
        if typ == "other":
            out[str(lab)] = out.get(str(lab), 0) + 1
    return out
