"""The triage questionnaire: loading the versioned data and checking answers.

The questions live in ``assess/data/questionnaire.yaml`` in our own wording (never the item text of
licensed scales such as IRLS, Epworth or ISI). Answers are a flat mapping ``{question_id: value}``:
``"yes"``/``"no"``/``"unsure"`` for yes-no questions, a choice id, a list of choice ids, or a number.
A skipped question is simply absent.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from twitchlab.assess.conditions import evaluate, validate_condition
from twitchlab.errors import InputFileError, ParameterError, did_you_mean

__all__ = [
    "KINDS",
    "YESNO",
    "Question",
    "Questionnaire",
    "load_questionnaire",
    "normalize_answers",
    "read_answers",
]

logger = logging.getLogger(__name__)

KINDS = ("yesno", "choice", "multi", "number")
YESNO = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
_YES_WORDS = {"yes": "yes", "y": "yes", "true": "yes", "no": "no", "n": "no", "false": "no"}
_UNSURE_WORDS = {"unsure": "unsure", "not sure": "unsure", "don't know": "unsure", "dont know": "unsure", "?": "unsure"}


@dataclass(frozen=True)
class Question:
    """One question of the questionnaire.

    Attributes
    ----------
    id : str
        Stable identifier used in answer files and rules.
    section : str
        Section id (see :attr:`Questionnaire.sections`).
    kind : {"yesno", "choice", "multi", "number"}
        Answer type.
    text : str
        The question, in plain words.
    label : str
        A short label used when the answer is shown as evidence.
    choices : dict
        Choice id → text (``yesno`` questions get yes/no/not sure).
    min, max : float or None
        Bounds of a number answer.
    ask_if : mapping or None
        Condition over earlier answers; the question is skipped when it is false.
    """

    id: str
    section: str
    kind: str
    text: str
    label: str
    choices: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    ask_if: Mapping[str, Any] | None = None

    def normalize(self, value: Any, *, where: str = "answers") -> Any:
        """Return the canonical form of one answer, or ``None`` when it is a skip.

        Parameters
        ----------
        value : object
            As read from YAML/JSON or typed at a prompt (YAML's ``yes`` arrives as ``True``).
        where : str
            Where the value came from, for the message.

        Returns
        -------
        object
            ``"yes"``/``"no"``/``"unsure"``, a choice id, a sorted list of choice ids, a number, or ``None``.

        Raises
        ------
        ParameterError
            When the value does not fit the question.
        """
        if value is None or (isinstance(value, str) and value.strip() in ("", "skip")):
            return None
        if self.kind == "yesno":
            return self._normalize_yesno(value, where)
        if self.kind == "number":
            return self._normalize_number(value, where)
        if self.kind == "multi":
            items = value if isinstance(value, list | tuple) else str(value).replace(";", ",").split(",")
            picked = [self._normalize_choice(v, where) for v in items if str(v).strip()]
            return sorted(set(picked), key=list(self.choices).index)
        return self._normalize_choice(value, where)

    def _normalize_yesno(self, value: Any, where: str) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        word = str(value).strip().lower()
        if word in _YES_WORDS or word in _UNSURE_WORDS:
            return _YES_WORDS.get(word) or _UNSURE_WORDS[word]
        raise ParameterError(f"{where}: {self.id}={value!r} is not an answer; use yes, no or unsure (or leave it out).")

    def _normalize_number(self, value: Any, where: str) -> float | int:
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        low, high = self.min if self.min is not None else -math.inf, self.max if self.max is not None else math.inf
        if not (low <= number <= high):
            raise ParameterError(f"{where}: {self.id}={value!r} must be a number from {self.min} to {self.max}.")
        return int(number) if number.is_integer() else number

    def _normalize_choice(self, value: Any, where: str) -> str:
        key = str(value).strip()
        if key in self.choices:
            return key
        raise ParameterError(
            f"{where}: {self.id}={value!r} is not one of {sorted(self.choices)}.{did_you_mean(key, self.choices)}"
        )

    def display(self, value: Any) -> str:
        """Return an answer in plain words (``"Yes"``, the choice text, ``"34"``)."""
        if value is None:
            return "skipped"
        if isinstance(value, list):
            return ", ".join(self.choices.get(v, str(v)) for v in value) or "none"
        if self.kind == "number":
            return f"{value:g}" if isinstance(value, float) else str(value)
        return self.choices.get(str(value), str(value))


@dataclass(frozen=True)
class Questionnaire:
    """The versioned questionnaire.

    Attributes
    ----------
    name, version : str
        Identify the questionnaire; answer files record both.
    sections : dict
        Section id → title, in order.
    questions : tuple of Question
        In the order they are asked.
    """

    name: str
    version: str
    sections: dict[str, str]
    questions: tuple[Question, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """Question ids in order."""
        return tuple(q.id for q in self.questions)

    def __getitem__(self, qid: str) -> Question:
        """Return the question ``qid``."""
        for q in self.questions:
            if q.id == qid:
                return q
        raise ParameterError(f"unknown question {qid!r}.{did_you_mean(qid, self.ids)}")

    def is_asked(self, qid: str, answers: Mapping[str, Any]) -> bool:
        """Return False only when the question's ``ask_if`` is known to be false."""
        cond = self[qid].ask_if
        return cond is None or evaluate(cond, answers, {}) is not False


def _question(raw: Mapping[str, Any], sections: Mapping[str, str]) -> Question:
    kind = raw.get("kind")
    if kind not in KINDS or raw.get("section") not in sections:
        raise ParameterError(f"questionnaire: question {raw.get('id')!r} has a bad kind or section.")
    choices = dict(YESNO) if kind == "yesno" else {str(k): str(v) for k, v in (raw.get("choices") or {}).items()}
    if kind in ("choice", "multi") and not choices:
        raise ParameterError(f"questionnaire: question {raw['id']!r} needs choices.")
    return Question(
        id=str(raw["id"]),
        section=str(raw["section"]),
        kind=kind,
        text=" ".join(str(raw["text"]).split()),
        label=str(raw.get("label") or raw["text"]),
        choices=choices,
        min=raw.get("min"),
        max=raw.get("max"),
        ask_if=raw.get("ask_if"),
    )


@cache
def load_questionnaire(path: str | None = None) -> Questionnaire:
    """Load and check the questionnaire.

    Parameters
    ----------
    path : str, optional
        A questionnaire YAML; by default the one shipped in ``twitchlab/assess/data``.

    Returns
    -------
    Questionnaire

    Raises
    ------
    ParameterError
        When ids repeat, a kind is unknown or an ``ask_if`` names an unknown question.
    """
    text = (
        Path(path).read_text(encoding="utf-8")
        if path
        else resources.files("twitchlab.assess").joinpath("data/questionnaire.yaml").read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    sections = {str(k): str(v) for k, v in raw["sections"].items()}
    questions = tuple(_question(q, sections) for q in raw["questions"])
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ParameterError("questionnaire: question ids must be unique.")
    for q in questions:
        if q.ask_if is not None:
            validate_condition(q.ask_if, where=f"question {q.id} ask_if", answer_ids=ids, metric_keys=[])
    return Questionnaire(name=str(raw["name"]), version=str(raw["version"]), sections=sections, questions=questions)


def normalize_answers(
    raw: Mapping[str, Any], questionnaire: Questionnaire | None = None, *, where: str = "answers"
) -> dict[str, Any]:
    """Check answers against the questionnaire and return them in canonical form.

    Parameters
    ----------
    raw : mapping
        ``{question_id: value}``; skipped questions may be absent or null.
    questionnaire : Questionnaire, optional
        Defaults to the shipped one.
    where : str
        Where the answers came from (a file name), for messages.

    Returns
    -------
    dict
        Canonical answers, skips removed, in questionnaire order.

    Raises
    ------
    ParameterError
        When an id is unknown or a value does not fit its question.
    """
    qn = questionnaire or load_questionnaire()
    unknown = [k for k in raw if k not in qn.ids]
    if unknown:
        raise ParameterError(
            f"{where}: unknown question id {unknown[0]!r}.{did_you_mean(unknown[0], qn.ids)} "
            f"Questions are listed in twitchlab/assess/data/questionnaire.yaml (version {qn.version})."
        )
    out = {qid: qn[qid].normalize(raw[qid], where=where) for qid in qn.ids if qid in raw}
    return {k: v for k, v in out.items() if v is not None}


def read_answers(path: str | os.PathLike[str], questionnaire: Questionnaire | None = None) -> dict[str, Any]:
    """Read an answers file (YAML or JSON) and return canonical answers.

    The file is a mapping with ``answers: {question_id: value}`` and optionally ``questionnaire`` and
    ``version``; a bare ``{question_id: value}`` mapping is accepted too. The file is only read.

    Parameters
    ----------
    path : path-like
        The file.
    questionnaire : Questionnaire, optional
        Defaults to the shipped one.

    Returns
    -------
    dict
        Canonical answers.

    Raises
    ------
    InputFileError
        When the file is not YAML/JSON or not a mapping.
    ParameterError
        When an answer does not fit its question.
    """
    qn = questionnaire or load_questionnaire()
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputFileError(f"{p}: not a readable YAML or JSON answers file ({err}). Fix or re-create it.") from err
    if not isinstance(raw, Mapping):
        raise InputFileError(f"{p}: an answers file must be a mapping with an 'answers:' section.")
    body = raw.get("answers", raw) if "answers" in raw else raw
    if not isinstance(body, Mapping):
        raise InputFileError(f"{p}: 'answers' must be a mapping of question id to answer.")
    version = raw.get("version")
    if "answers" in raw and version is not None and str(version) != qn.version:
        logger.warning(
            "%s: answers were given for questionnaire version %s; this is version %s.", p, version, qn.version
        )
    return normalize_answers(body, qn, where=str(p))
