"""A diary entry that the store acknowledged survives the process being killed (SIGKILL) mid-session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from twitchlab.store import DiaryRecord, Store

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, timedelta
    from twitchlab.store import DiaryRecord, Store

    store = Store.open(sys.argv[1])
    day0 = date(2020, 1, 1)
    i = 0
    while True:  # write until killed; say so only after each commit returned
        store.add_diary(DiaryRecord(day0 + timedelta(days=i), symptoms=i % 11, notes="x" * 2000))
        sys.stdout.write(f"ACK {i}\\n")
        sys.stdout.flush()
        i += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_acknowledged_diary_writes_survive_sigkill(tmp_path: Path):
    db = tmp_path / "diary.sqlite"
    Store.open(db).close()  # migrate first, so the child only writes diary entries
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    acked: list[int] = []
    try:
        assert proc.stdout is not None
        while len(acked) < 25:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"writer died early: {proc.stderr.read() if proc.stderr else ''}")
            acked.append(int(line.split()[1]))
        os.kill(proc.pid, signal.SIGKILL)  # mid-session: the writer is busy with the next entry
    finally:
        proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        diary = store.diary()
        stored = set(diary["night_date"])
        expected = {date(2020, 1, 1) + timedelta(days=i) for i in acked}
        assert expected <= stored  # every acknowledged write is there
        assert len(stored) - len(expected) in (0, 1)  # at most the unacknowledged one in flight
        assert diary["notes"].str.len().eq(2000).all()  # and none is torn
    finally:
        store.close()


HALF_WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from sqlalchemy import text
    from twitchlab.store import DiaryRecord, Store

    store = Store.open(sys.argv[1])
    store.add_diary(DiaryRecord(date(2021, 1, 1), symptoms=1))
    sys.stdout.write("ACK\\n"); sys.stdout.flush()
    with store.engine.connect() as conn:  # a second write, left uncommitted when the kill arrives
        conn.execute(text(
            "INSERT INTO diary_entries (night_date, created_at, updated_at) "
            "VALUES ('2021-01-02', '2021-01-02 07:00:00', '2021-01-02 07:00:00')"
        ))
        sys.stdout.write("IN_TX\\n"); sys.stdout.flush()
        time.sleep(60)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_kill_inside_a_transaction_keeps_committed_and_drops_uncommitted(tmp_path: Path):
    db = tmp_path / "half.sqlite"
    Store.open(db).close()
    proc = subprocess.Popen([sys.executable, "-c", HALF_WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ACK"
        assert proc.stdout.readline().strip() == "IN_TX"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    store = Store.open(db)
    try:
        assert store.diary()["night_date"].tolist() == [date(2021, 1, 1)]
        store.add_diary(DiaryRecord(date(2021, 1, 2)))
        assert len(store.diary()) == 2  # the database is writable again: no stale lock
    finally:
        store.close()
