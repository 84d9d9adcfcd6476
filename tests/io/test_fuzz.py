"""Random bytes to every parser: a result or a TwitchlabError, nothing else (no bare exceptions, no hangs)."""

from __future__ import annotations

import warnings

import pytest
from _edfbytes import Sig, edf_bytes, tal_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchlab.errors import TwitchlabError, TwitchlabWarning
from twitchlab.io import load_annotations, read_edf
from twitchlab.io._edf_data import parse_tal_record

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_VALID_EDF = None


def _valid_edf() -> bytes:
    global _VALID_EDF
    if _VALID_EDF is None:
        import numpy as np

        tals = [tal_record(float(i), [(i + 0.5, 1.0, "Arousal")]) for i in range(3)]
        _VALID_EDF = edf_bytes([Sig("LAT", np.arange(30, dtype=np.int16).reshape(3, 10))], reserved="EDF+C", tals=tals)
    return _VALID_EDF


def _outcome(fn, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwitchlabWarning)
        try:
            rec = fn(path)
        except TwitchlabError:
            return None
    return rec


@SETTINGS
@given(raw=st.binary(max_size=2000))
def test_random_bytes_to_edf_reader(tmp_path, raw):
    p = tmp_path / "r.edf"
    p.write_bytes(raw)
    rec = _outcome(read_edf, p)
    if rec is not None:
        for ch in rec.channels.values():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TwitchlabWarning)
                try:
                    _ = ch.data
                except TwitchlabError:
                    pass


@SETTINGS
@given(pos=st.integers(min_value=0, max_value=2000), junk=st.binary(min_size=1, max_size=40))
def test_corrupted_valid_edf(tmp_path, pos, junk):
    raw = bytearray(_valid_edf())
    pos = pos % len(raw)
    raw[pos : pos + len(junk)] = junk
    p = tmp_path / "c.edf"
    p.write_bytes(bytes(raw))
    rec = _outcome(read_edf, p)
    if rec is not None:
        assert rec.duration_s >= 0


@SETTINGS
@given(raw=st.binary(max_size=400))
def test_random_bytes_to_tal_parser(raw):
    tals, bad = parse_tal_record(raw)
    assert bad >= 0
    assert all(isinstance(t.onset_s, float) for t in tals)


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("a.xml", b"<PSGAnnotation><ScoredEvents>"),
        ("b.xml", b"<CMPStudyConfig><SleepStages>"),
        ("c.csv", b"onset,duration,description\n"),
        ("d.tsv", b"onset\tduration\ttrial_type\n"),
        ("e.txt", b"Signal ID: x\nStart Time: 23.09.2020 01:00:00\n\n"),
        ("f.csv", "Heure de début,Heure de fin,Événement,Durée,\n".encode("utf-16")),
        ("g.txt", b""),
    ],
)
def test_random_bytes_to_annotation_readers(tmp_path, name, prefix):
    @SETTINGS
    @given(raw=st.binary(max_size=600))
    def run(raw):
        p = tmp_path / name
        p.write_bytes(prefix + raw)
        ann = _outcome(load_annotations, p)
        if ann is not None:
            assert ann.events["onset_s"].notna().all()

    run()


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(st.text(max_size=8), st.text(max_size=8), st.text(max_size=12)),
        max_size=20,
    )
)
def test_random_csv_cells(tmp_path, rows):
    p = tmp_path / "x.csv"
    body = "".join(f"{a.replace(',', '')},{b.replace(',', '')},{c.replace(',', '')}\n" for a, b, c in rows)
    p.write_text("onset,duration,description\n" + body, encoding="utf-8")
    ann = _outcome(load_annotations, p)
    if ann is not None:
        assert (ann.events["duration_s"] >= 0).all()
