"""Where the store lives: a SQLite file in the user's data folder unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["DB_ENV_VAR", "default_db_path", "resolve_db_url"]

#: Environment variable that overrides the default store location (a path or a SQLAlchemy URL).
DB_ENV_VAR = "TWITCHLAB_DB"
_DB_FILENAME = "twitchlab.sqlite"


def default_db_path() -> Path:
    """Return the default SQLite file: ``<user data dir>/twitchlab/twitchlab.sqlite``.

    Returns
    -------
    pathlib.Path
        Path of the file (the folder is not created here).
    """
    return platformdirs.user_data_path("twitchlab", appauthor=False) / _DB_FILENAME


def resolve_db_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``TWITCHLAB_DB`` / the default into a SQLAlchemy URL.

    Parameters
    ----------
    db : str or path-like, optional
        A file path (SQLite) or a URL such as ``postgresql+psycopg://user@host/db``. When omitted, the
        environment variable ``TWITCHLAB_DB`` is used, then :func:`default_db_path`.

    Returns
    -------
    str
        A SQLAlchemy URL. ``postgresql://`` is mapped to the psycopg 3 driver.
    """
    if db is None or str(db) == "":
        db = os.environ.get(DB_ENV_VAR) or default_db_path()
    text = str(db)
    if "://" in text:
        if text.startswith("postgresql://") or text.startswith("postgres://"):
            text = "postgresql+psycopg://" + text.split("://", 1)[1]
        return text
    path = Path(text).expanduser().resolve()
    return f"sqlite:///{path}"
