"""Keep triage answers on this machine: a YAML file per session in the user data folder.

The folder is ``$TWITCHLAB_HOME/triage`` when ``TWITCHLAB_HOME`` is set, else the platform's user data
folder (platformdirs) ``.../twitchlab/triage``. Files are written atomically; nothing leaves the machine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from twitchlab._util import atomic_write
from twitchlab.assess.questionnaire import Questionnaire, load_questionnaire, read_answers

__all__ = ["answers_dir", "latest_answers_path", "load_latest_answers", "save_answers", "twitchlab_home"]

LATEST = "latest.yaml"


def twitchlab_home() -> Path:
    """Return the twitchlab data folder (``TWITCHLAB_HOME`` or the platform user data folder)."""
    env = os.environ.get("TWITCHLAB_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("twitchlab", appauthor=False))


def answers_dir(home: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder where triage answers are kept."""
    return (Path(home) if home is not None else twitchlab_home()) / "triage"


def latest_answers_path(home: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the most recent answers file (it may not exist yet)."""
    return answers_dir(home) / LATEST


def answers_document(answers: Mapping[str, Any], questionnaire: Questionnaire | None = None) -> dict[str, Any]:
    """Return the mapping written to an answers file (also accepted by ``--answers``)."""
    qn = questionnaire or load_questionnaire()
    return {
        "questionnaire": qn.name,
        "version": qn.version,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "answers": {k: answers[k] for k in qn.ids if k in answers},
    }


def save_answers(
    answers: Mapping[str, Any],
    *,
    home: str | os.PathLike[str] | None = None,
    questionnaire: Questionnaire | None = None,
) -> Path:
    """Save answers atomically as a dated YAML file and as ``latest.yaml``.

    Parameters
    ----------
    answers : mapping
        Canonical answers (see :func:`twitchlab.assess.questionnaire.normalize_answers`).
    home : path-like, optional
        Data folder; defaults to :func:`twitchlab_home`.
    questionnaire : Questionnaire, optional
        For the version recorded in the file.

    Returns
    -------
    Path
        The dated file.
    """
    doc = answers_document(answers, questionnaire)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    stamp = doc["saved_at"].replace(":", "").replace("-", "").replace("+0000", "Z")
    folder = answers_dir(home)
    dated = folder / f"answers-{stamp}.yaml"
    n = 1
    while dated.exists():
        n += 1
        dated = folder / f"answers-{stamp}-{n}.yaml"
    for path in (dated, folder / LATEST):
        with atomic_write(path) as fh:
            fh.write(text)
    return dated


def load_latest_answers(
    home: str | os.PathLike[str] | None = None, questionnaire: Questionnaire | None = None
) -> dict[str, Any] | None:
    """Return the most recently saved answers, or None when there are none."""
    path = latest_answers_path(home)
    return read_answers(path, questionnaire) if path.is_file() else None
