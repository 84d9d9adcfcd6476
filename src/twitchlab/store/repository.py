"""The store: one object with transactional reads and writes of nights, diary entries and experiments."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from twitchlab.errors import StoreError, did_you_mean
from twitchlab.store.engine import create_store_engine, migrate
from twitchlab.store.records import DiaryRecord, ExperimentRecord, NightRecord
from twitchlab.store.schema import DiaryEntry, Experiment, Night, ScheduleNight
from twitchlab.store.url import resolve_db_url

__all__ = ["SCHEDULE_COLUMNS", "Store"]

logger = logging.getLogger(__name__)

#: Columns of :meth:`Store.schedule`.
SCHEDULE_COLUMNS = ("night_date", "block", "period", "condition", "washout")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _record(cls: type, row: object) -> object:
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if hasattr(row, f.name)})


class Store:
    """Nights, diary entries and experiments in one SQL database.

    Every write is one transaction that is committed (and, for SQLite, fsynced) before the method
    returns: once a method has returned, the entry survives a killed process.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        Usually made by :meth:`Store.open`.

    See Also
    --------
    twitchlab.store.url.resolve_db_url : where the default database lives.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None, *, upgrade: bool = True, create: bool = True) -> Store:
        """Open (and by default create or upgrade) a store.

        Parameters
        ----------
        db : str or path-like, optional
            SQLite file path or SQLAlchemy URL; default ``TWITCHLAB_DB`` or the user data folder.
        upgrade : bool
            Run the Alembic migrations up to the newest revision.
        create : bool
            Create a SQLite file that does not exist yet. Commands that only read pass ``False``, so that a
            mistyped ``--db`` is an error instead of a new, empty store.

        Returns
        -------
        Store

        Raises
        ------
        StoreError
            When the store cannot be opened: a missing file with ``create=False``, a file that is not a
            database, a bad URL.
        """
        url = resolve_db_url(db)
        if not create and url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:" and not Path(path).exists():
                raise StoreError(
                    f"no store at {path}: the file does not exist, and this command only reads. Check the "
                    "path given with --db or TWITCHLAB_DB; a new store is created by "
                    "`twitchlab experiment plan` or `twitchlab experiment log`."
                )
        engine = create_store_engine(url)
        if upgrade:
            migrate(engine)
        return cls(engine)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @contextmanager
    def _tx(self, action: str) -> Iterator[Session]:
        """One transaction: commit on success, roll back and explain on failure."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except IntegrityError as err:
            raise StoreError(f"{action} was refused by the database ({err.orig}); nothing was changed.") from err
        except DatabaseError as err:  # OperationalError included
            raise StoreError(
                f"{action} failed: {err.orig}. Nothing was changed; check the store at {self.url} "
                "(is another program holding it, or is the disk full?)."
            ) from err
        finally:
            session.close()

    # ------------------------------------------------------------------------------------------ nights
    def add_night(self, night: NightRecord, *, replace: bool = False) -> int:
        """Store a measured night.

        Parameters
        ----------
        night : NightRecord
            The night.
        replace : bool
            Overwrite a night already stored for the same date.

        Returns
        -------
        int
            The night's id.

        Raises
        ------
        StoreError
            When a night with this date exists and ``replace`` is false.
        """
        values = {k: v for k, v in asdict(night).items() if k != "id"}
        with self._tx(f"saving the night of {night.night_date}") as s:
            row = s.scalars(select(Night).where(Night.night_date == night.night_date)).one_or_none()
            if row is not None and not replace:
                raise StoreError(
                    f"a night dated {night.night_date} is already stored (source: {row.source}"
                    f"{', file ' + row.source_file if row.source_file else ''}). "
                    "Pass --replace to overwrite it, or check the date (a night is dated by its evening)."
                )
            if row is None:
                row = Night(**values, created_at=_now())
                s.add(row)
            else:
                for k, v in values.items():
                    setattr(row, k, v)
            s.flush()
            # link the diary entry of the same night, if any
            diary = s.scalars(select(DiaryEntry).where(DiaryEntry.night_date == night.night_date)).one_or_none()
            if diary is not None:
                diary.night_id = row.id
            return row.id

    def get_night(self, night_date: date) -> NightRecord | None:
        """Return the night stored for ``night_date``, or ``None``."""
        with self._tx("reading a night") as s:
            row = s.scalars(select(Night).where(Night.night_date == night_date)).one_or_none()
            return None if row is None else _record(NightRecord, row)  # type: ignore[return-value]

    def nights(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """Return stored nights between ``start`` and ``end`` (inclusive), one row per night, by date."""
        stmt = select(Night).order_by(Night.night_date)
        if start is not None:
            stmt = stmt.where(Night.night_date >= start)
        if end is not None:
            stmt = stmt.where(Night.night_date <= end)
        cols = [f.name for f in fields(NightRecord) if f.name != "result_json"]
        with self._tx("reading nights") as s:
            rows = [{c: getattr(r, c) for c in cols} for r in s.scalars(stmt)]
        return pd.DataFrame(rows, columns=cols)

    # ------------------------------------------------------------------------------------------ diary
    def add_diary(self, entry: DiaryRecord, *, replace: bool = False) -> int:
        """Store a diary entry; it is durable once this returns.

        Parameters
        ----------
        entry : DiaryRecord
            The entry.
        replace : bool
            Overwrite the entry already stored for this date.

        Returns
        -------
        int
            The entry's id.

        Raises
        ------
        StoreError
            When an entry for this date exists and ``replace`` is false.
        """
        values = {k: v for k, v in asdict(entry).items() if k != "id"}
        with self._tx(f"saving the diary entry of {entry.night_date}") as s:
            row = s.scalars(select(DiaryEntry).where(DiaryEntry.night_date == entry.night_date)).one_or_none()
            if row is not None and not replace:
                raise StoreError(
                    f"the diary already has an entry for the night of {entry.night_date} "
                    f"(written {row.created_at:%Y-%m-%d %H:%M} UTC). Pass --replace to overwrite it, or check "
                    "the date: a night is dated by the evening it began."
                )
            if values["night_id"] is None:
                night = s.scalars(select(Night.id).where(Night.night_date == entry.night_date)).one_or_none()
                values["night_id"] = night
            now = _now()
            if row is None:
                row = DiaryEntry(**values, created_at=now, updated_at=now)
                s.add(row)
            else:
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at = now
            s.flush()
            return row.id

    def diary(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """Return diary entries between ``start`` and ``end`` (inclusive), by date."""
        stmt = select(DiaryEntry).order_by(DiaryEntry.night_date)
        if start is not None:
            stmt = stmt.where(DiaryEntry.night_date >= start)
        if end is not None:
            stmt = stmt.where(DiaryEntry.night_date <= end)
        cols = [f.name for f in fields(DiaryRecord)]
        with self._tx("reading the diary") as s:
            rows = [{c: getattr(r, c) for c in cols} for r in s.scalars(stmt)]
        return pd.DataFrame(rows, columns=cols)

    # ------------------------------------------------------------------------------------------ experiments
    def add_experiment(self, exp: ExperimentRecord, schedule: pd.DataFrame) -> int:
        """Store an experiment and its night-by-night schedule in one transaction.

        Parameters
        ----------
        exp : ExperimentRecord
            The design.
        schedule : pandas.DataFrame
            Columns ``SCHEDULE_COLUMNS``, one row per night.

        Returns
        -------
        int
            The experiment's id.

        Raises
        ------
        StoreError
            When the name is taken.
        """
        missing = set(SCHEDULE_COLUMNS) - set(schedule.columns)
        if missing:
            raise StoreError(f"schedule lacks columns {sorted(missing)}; build it with twitchlab.experiment.")
        values = {k: v for k, v in asdict(exp).items() if k not in ("id", "created_at")}
        with self._tx(f"saving experiment {exp.name!r}") as s:
            if s.scalars(select(Experiment.id).where(Experiment.name == exp.name)).first() is not None:
                raise StoreError(
                    f"an experiment named {exp.name!r} already exists. Choose another name, "
                    f"or see it with `twitchlab experiment status {exp.name}`."
                )
            row = Experiment(**values, created_at=_now())
            s.add(row)
            s.flush()
            s.add_all(
                ScheduleNight(
                    experiment_id=row.id,
                    night_date=r.night_date,
                    block=int(r.block),
                    period=int(r.period),
                    condition=str(r.condition),
                    washout=bool(r.washout),
                )
                for r in schedule.itertuples(index=False)
            )
            return row.id

    def experiments(self) -> list[ExperimentRecord]:
        """Return all experiments, oldest first."""
        with self._tx("listing experiments") as s:
            rows = s.scalars(select(Experiment).order_by(Experiment.created_at, Experiment.id)).all()
            return [_record(ExperimentRecord, r) for r in rows]  # type: ignore[misc]

    def get_experiment(self, name: str | None = None) -> ExperimentRecord:
        """Return the experiment called ``name`` (default: the most recently planned one).

        Raises
        ------
        StoreError
            When there is no experiment, or none with that name (the message lists the names).
        """
        exps = self.experiments()
        if not exps:
            raise StoreError(
                f"no experiment is planned in the store {self.url}. Plan one with `twitchlab experiment plan`."
            )
        if name is None:
            return exps[-1]
        for e in exps:
            if e.name == name:
                return e
        names = [e.name for e in exps]
        raise StoreError(f"no experiment named {name!r}; planned: {names}.{did_you_mean(name, names)}")

    def delete_experiment(self, name: str) -> None:
        """Delete an experiment and its schedule (diary entries and nights are kept)."""
        exp = self.get_experiment(name)
        with self._tx(f"deleting experiment {name!r}") as s:
            s.execute(delete(Experiment).where(Experiment.id == exp.id))

    def schedule(self, experiment_id: int) -> pd.DataFrame:
        """Return an experiment's schedule (columns ``SCHEDULE_COLUMNS``), by date."""
        stmt = (
            select(ScheduleNight).where(ScheduleNight.experiment_id == experiment_id).order_by(ScheduleNight.night_date)
        )
        with self._tx("reading a schedule") as s:
            rows = [{c: getattr(r, c) for c in SCHEDULE_COLUMNS} for r in s.scalars(stmt)]
        return pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))

    def overlapping(self, start: date, end: date) -> list[str]:
        """Names of experiments whose schedule has nights between ``start`` and ``end``."""
        stmt = (
            select(Experiment.name)
            .join(ScheduleNight, ScheduleNight.experiment_id == Experiment.id)
            .where(ScheduleNight.night_date >= start, ScheduleNight.night_date <= end)
            .distinct()
        )
        with self._tx("checking overlaps") as s:
            return sorted(s.scalars(stmt).all())

    def add_nights(self, nights: Iterable[NightRecord], *, replace: bool = False) -> list[int]:
        """Store several nights, each in its own transaction (earlier ones stay if a later one fails)."""
        return [self.add_night(n, replace=replace) for n in nights]
