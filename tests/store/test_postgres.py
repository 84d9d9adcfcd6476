"""The same store on a real PostgreSQL server (started by the fixture; skipped with a reason otherwise)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from twitchlab.errors import StoreError
from twitchlab.experiment import simulate_nights
from twitchlab.experiment.service import analyze_stored, experiment_table, log_night, plan_experiment
from twitchlab.store import DiaryRecord, NightRecord, Store, current_revision, head_revision

pytestmark = pytest.mark.postgres


def test_postgres_round_trip(postgres_db: str):
    store = Store.open(postgres_db)
    try:
        assert store.engine.dialect.name == "postgresql"
        assert current_revision(store.engine) == head_revision()
        start = date(2025, 1, 6)
        rec, sched, _ = plan_experiment(
            store, "pg", "stretching", start=start, n_blocks=12, seed=2**62 + 5, outcome="lm_count"
        )
        assert rec.seed == 2**62 + 5
        assert rec.block_order == sched.order
        sim = simulate_nights(sched, rate_ratio=0.5, rng=3)
        for r in sim.itertuples():
            if not r.washout:
                log_night(
                    store,
                    DiaryRecord(r.night_date, followed=True, symptoms=int(r.symptoms), notes="é ü 🦵"),
                    NightRecord(r.night_date, "wearable", lm_count=int(r.count), sleep_hours=float(r.hours)),
                )
        with pytest.raises(StoreError, match="already has an entry"):
            store.add_diary(DiaryRecord(start))
        table = experiment_table(store, store.get_experiment("pg"))
        due = table[~table["washout"]]
        np.testing.assert_array_equal(due["count"].to_numpy(), sim.loc[~sim["washout"], "count"].to_numpy())
        assert store.diary()["notes"].iloc[0] == "é ü 🦵"
        result = analyze_stored(store, "pg", as_of=sched.end, power=False)
        assert result.counts is not None
        assert result.counts.n_nights == len(due)
    finally:
        store.close()


def test_postgres_duplicate_night_rolls_back(postgres_db: str):
    store = Store.open(postgres_db)
    try:
        day = date(2025, 2, 1)
        store.add_night(NightRecord(day, "manual", plm_count=5, sleep_hours=7))
        with pytest.raises(StoreError, match="already stored"):
            store.add_night(NightRecord(day, "manual", plm_count=6, sleep_hours=7))
        store.add_night(NightRecord(day + timedelta(1), "manual", plm_count=6, sleep_hours=7))
        assert store.nights()["plm_count"].tolist() == [5, 6]
    finally:
        store.close()
