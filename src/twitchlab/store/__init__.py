"""The local store: nights, diary entries, experiments and schedules in SQLite (default) or PostgreSQL.

>>> from twitchlab.store import Store
>>> store = Store.open("sqlite://")  # in memory; default: a file in the user's data folder
>>> store.nights().empty
True
"""

from twitchlab.store.engine import create_store_engine, current_revision, head_revision, migrate
from twitchlab.store.nights_import import night_from_result, night_from_result_json
from twitchlab.store.records import NIGHT_SOURCES, DiaryRecord, ExperimentRecord, NightRecord, parse_night_date
from twitchlab.store.repository import SCHEDULE_COLUMNS, Store
from twitchlab.store.url import DB_ENV_VAR, default_db_path, resolve_db_url

__all__ = [
    "DB_ENV_VAR",
    "NIGHT_SOURCES",
    "SCHEDULE_COLUMNS",
    "DiaryRecord",
    "ExperimentRecord",
    "NightRecord",
    "Store",
    "create_store_engine",
    "current_revision",
    "default_db_path",
    "head_revision",
    "migrate",
    "night_from_result",
    "night_from_result_json",
    "parse_night_date",
    "resolve_db_url",
]
