"""Engines and migrations: SQLite with WAL, full sync and foreign keys; PostgreSQL through psycopg 3."""

from __future__ import annotations

import functools
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

from twitchlab.errors import StoreError

__all__ = ["alembic_config", "create_store_engine", "current_revision", "head_revision", "migrate"]

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Turn on what makes SQLite safe for a diary: WAL, full fsync on commit, foreign keys."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
    finally:
        cur.close()


def create_store_engine(url: str) -> Engine:
    """Create a SQLAlchemy engine for the store.

    Parameters
    ----------
    url : str
        SQLAlchemy URL (see :func:`twitchlab.store.url.resolve_db_url`).

    Returns
    -------
    sqlalchemy.engine.Engine
        For SQLite, every connection runs ``PRAGMA foreign_keys=ON``, ``journal_mode=WAL`` and
        ``synchronous=FULL``, so a committed write survives a killed process (and a power cut).

    Raises
    ------
    StoreError
        When the URL is malformed, its driver is missing, or the SQLite folder cannot be created.
    """
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                try:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise StoreError(
                        f"cannot create the folder of the store {path!r}: {err.strerror}. "
                        "Pass --db with a writable path or set TWITCHLAB_DB."
                    ) from err
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as err:
        raise StoreError(
            f"cannot use the store URL {url!r}: {err}. Give a file path, or a URL like "
            "'postgresql+psycopg://user@host/dbname' (install twitchlab[postgres] for PostgreSQL)."
        ) from err
    except ModuleNotFoundError as err:
        raise StoreError(
            f"the database driver for {url!r} is not installed ({err.name}). "
            "For PostgreSQL install twitchlab[postgres] (psycopg 3)."
        ) from err


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic configuration pointing at the migrations shipped inside the package.

    Parameters
    ----------
    url : str, optional
        Database URL, for running Alembic commands without an open connection.

    Returns
    -------
    alembic.config.Config
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("twitchlab.store") / "migrations"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    """Return the newest migration revision shipped with this version of twitchlab."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - packaging error
        raise StoreError("no store migrations were found in the installed package; reinstall twitchlab.")
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database schema to ``revision`` in one transaction.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store's engine.
    revision : str
        Target revision; ``"head"`` for the newest.

    Raises
    ------
    StoreError
        When the database cannot be reached or the migration fails (the schema is left as it was).
    """
    cfg = alembic_config()
    try:
        if revision in ("head", head_revision()) and current_revision(engine) == head_revision():
            return  # already up to date: skip loading the migration scripts
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except DatabaseError as err:  # OperationalError included
        where = engine.url.render_as_string(hide_password=True)
        if engine.url.get_backend_name() == "sqlite" and "not a database" in str(err.orig):
            raise StoreError(
                f"{engine.url.database} is not a twitchlab store: it is not an SQLite database ({err.orig}). "
                "Check --db / TWITCHLAB_DB: give the store file twitchlab made, or a new file name to start one."
            ) from err
        raise StoreError(
            f"cannot open or upgrade the store at {where}: {err.orig}. "
            "Check that the path is writable or the server is running; use --db or TWITCHLAB_DB to choose another."
        ) from err
    logger.debug("store at %s is at revision %s", engine.url.render_as_string(hide_password=True), revision)
