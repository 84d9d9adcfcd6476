"""Alembic migrations: an empty database upgrades to the models' schema; the files ship with the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from twitchlab.store import create_store_engine, current_revision, head_revision, migrate, resolve_db_url
from twitchlab.store.engine import alembic_config
from twitchlab.store.schema import Base

TABLES = {"nights", "diary_entries", "experiments", "schedule_nights", "alembic_version"}


def _diffs(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


def test_upgrade_empty_database_matches_models(tmp_path: Path):
    engine = create_store_engine(resolve_db_url(tmp_path / "empty.sqlite"))
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == TABLES
    assert _diffs(engine) == []
    migrate(engine)  # idempotent
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_downgrade_to_base_and_back(tmp_path: Path):
    url = resolve_db_url(tmp_path / "d.sqlite")
    engine = create_store_engine(url)
    migrate(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(engine)
    assert _diffs(engine) == []
    engine.dispose()


def test_alembic_runs_from_a_url_without_an_open_connection(tmp_path: Path):
    url = resolve_db_url(tmp_path / "cli.sqlite")
    command.upgrade(alembic_config(url), "head")
    engine = create_store_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_migration_scripts_are_package_resources():
    root = resources.files("twitchlab.store") / "migrations"
    assert (root / "env.py").is_file()
    assert (root / "script.py.mako").is_file()
    versions = [p.name for p in (root / "versions").iterdir() if p.name.endswith(".py")]
    assert "0001_initial.py" in versions
