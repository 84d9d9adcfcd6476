"""NSRR XML (``PSGAnnotation``) and Compumedics Profusion XML (``CMPStudyConfig``) annotations.

Both are parsed with :mod:`defusedxml`: a file that declares entities or a DTD (the "billion laughs" XML
bomb and external-entity tricks) is refused with a clear message instead of being expanded.

- NSRR: ``PSGAnnotation/ScoredEvents/ScoredEvent`` with ``EventType``, ``EventConcept`` (``"Stage 2 sleep|2"``,
  ``"Obstructive apnea|Obstructive Apnea"``...), ``Start`` and ``Duration`` in seconds from the recording
  start. Stage events become the hypnogram; the ``Recording Start Time`` pseudo-event is not an event.
- Profusion: ``CMPStudyConfig`` with ``EpochLength``, ``ScoredEvents/ScoredEvent`` (``Name``, ``Start``,
  ``Duration``, ``Input``) and ``SleepStages/SleepStage`` integers (0 W, 1 N1, 2 N2, 3 N3, 4 N4 -> N3,
  5 REM, 9 unscored; anything else unscored with a warning). Profusion measures LM intervals end-to-start;
  we keep only onsets and durations and always measure onset to onset downstream (SCORING_SPEC §1).

Events with an empty or non-numeric ``Start``/``Duration`` are skipped and counted in a warning.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import defusedxml
from defusedxml import ElementTree

from twitchlab.errors import InputFileError
from twitchlab.io.annotations import Annotations, build_annotations
from twitchlab.model import EPOCH_S

__all__ = ["read_xml_annotations"]

logger = logging.getLogger(__name__)

_PROFUSION_STAGES = {0: "Sleep stage W", 1: "Sleep stage N1", 2: "Sleep stage N2", 3: "Sleep stage N3",
                     4: "Sleep stage 4", 5: "Sleep stage R", 9: "Sleep stage ?"}  # fmt: skip


def _parse(path: Path) -> Any:
    name = path.name
    try:
        return ElementTree.parse(str(path)).getroot()
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as err:
        raise InputFileError(
            f"{name}: refused to parse: the XML declares a DTD or entities ({type(err).__name__}), which scoring "
            "exports never need and XML bombs use. Re-export the annotations from the scoring software."
        ) from None
    except ElementTree.ParseError as err:
        line, col = getattr(err, "position", (None, None))
        raise InputFileError(f"{name}: not well-formed XML at line {line}, column {col} ({err}).") from None


def _text(el: Any, tag: str) -> str | None:
    child = el.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def _float(text: str | None) -> float | None:
    if text is None or not text:
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _epoch(root: Any, name: str, problems: list[str]) -> float:
    raw = _text(root, "EpochLength")
    v = _float(raw)
    if raw is not None and (v is None or v <= 0):
        problems.append(f"{name}: EpochLength {raw!r} is not a positive number; 30 s assumed.")
        return EPOCH_S
    return v if v else EPOCH_S


def _events(root: Any, name: str, label_tag: str) -> tuple[list[float], list[float | None], list[str], list[str]]:
    onsets: list[float] = []
    durs: list[float | None] = []
    labels: list[str] = []
    skipped: list[str] = []
    for i, ev in enumerate(root.iterfind("ScoredEvents/ScoredEvent"), start=1):
        label = _text(ev, label_tag) or ""
        if label.lower().startswith("recording start time"):
            continue
        start_raw, dur_raw = _text(ev, "Start"), _text(ev, "Duration")
        on, dur = _float(start_raw), _float(dur_raw)
        if on is None or (dur_raw not in (None, "") and (dur is None or dur < 0)):
            what = "Start" if on is None else "Duration"
            value = start_raw if on is None else dur_raw
            skipped.append(f"#{i} {label!r}: {what} {value!r}")
            continue
        onsets.append(on)
        durs.append(dur)
        labels.append(label)
    return onsets, durs, labels, skipped


def read_xml_annotations(path: Path) -> Annotations:
    """Read NSRR or Compumedics Profusion XML annotations.

    Parameters
    ----------
    path : Path
        ``.xml`` file.

    Returns
    -------
    Annotations
        Events with canonical types and the hypnogram (onsets in seconds from the recording start).

    Raises
    ------
    InputFileError
        Not well-formed, DTD/entities present (possible XML bomb), an unknown root element, or every event
        unreadable.
    """
    name = path.name
    root = _parse(path)
    problems: list[str] = []
    if root.tag == "PSGAnnotation":
        kind, label_tag = "nsrr-xml", "EventConcept"
    elif root.tag == "CMPStudyConfig":
        kind, label_tag = "profusion-xml", "Name"
    else:
        raise InputFileError(
            f"{name}: root element <{root.tag}> is neither <PSGAnnotation> (NSRR) nor <CMPStudyConfig> "
            "(Compumedics Profusion); this XML format is not supported."
        )
    epoch_s = _epoch(root, name, problems)
    onsets, durs, labels, skipped = _events(root, name, label_tag)
    n_total = len(onsets) + len(skipped)
    if skipped:
        problems.append(
            f"{name}: {len(skipped)} of {n_total} scored event(s) skipped because Start or Duration is empty or not "
            f"a number: {'; '.join(skipped[:5])}{' ...' if len(skipped) > 5 else ''}."
        )
        if not onsets:
            raise InputFileError(f"{name}: no readable scored event; {problems[-1]}")
    if kind == "profusion-xml":
        stages = root.findall("SleepStages/SleepStage")
        odd = 0
        for k, st in enumerate(stages):
            code = _float((st.text or "").strip())
            text = _PROFUSION_STAGES.get(int(code)) if code is not None and code == int(code) else None
            if text is None:
                odd += 1
                text = "Sleep stage ?"
            onsets.append(k * epoch_s)
            durs.append(epoch_s)
            labels.append(text)
        if odd:
            problems.append(f"{name}: {odd} SleepStage value(s) outside 0-5 and 9 read as unscored.")
    return build_annotations(onsets, durs, labels, source=name, kind=kind, epoch_s=epoch_s, problems=problems)
