"""Every file in shared/data/accel read with the values its SOURCES.md gives (or the message it asks for)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from twitchlab.errors import TwitchlabWarning
from twitchlab.io.accel import accel_array, detect_device, read_accel, read_cwa, read_geneactiv
from twitchlab.io.accel.cwa import parse_cwa_blocks


def _mag(rec) -> np.ndarray:
    return np.linalg.norm(accel_array(rec), axis=1)


@pytest.mark.parametrize(
    ("name", "n", "fs", "start", "span_s", "mean_g", "gyro"),
    [
        ("ax3_testfile.cwa", 17400, 100.0, datetime(2019, 2, 26, 10, 55, 6, 0), 175.98, 0.98, False),
        ("ax3_sample.cwa", 58800, 200.0, datetime(2020, 2, 12, 9, 3, 37, 480000), 298.1, 1.05, False),
        ("ax6_testfile.cwa", 11320, 100.0, datetime(2019, 12, 23, 21, 4, 6, 690000), 114.29, 1.54, True),
        ("ax6_sample.cwa", 10360, 100.0, datetime(2019, 10, 29, 9, 3, 6, 300000), 105.26, 1.05, True),
        ("gnactv_sample.bin", 900, 50.0, datetime(2019, 5, 21, 16, 16, 43, 500000), 18.48, 1.04, False),
    ],
)
def test_raw_files_match_sources(shared_data: Path, name, n, fs, start, span_s, mean_g, gyro) -> None:
    rec = read_accel(shared_data / "accel" / name, location="wrist")
    assert rec.channels["accel_x"].n_samples == n
    assert rec.channels["accel_x"].fs_hz == fs
    assert rec.channels["accel_x"].role == "accel"
    assert rec.channels["accel_x"].unit == "g"
    assert abs((rec.start - start).total_seconds()) < 0.02
    assert rec.channels["time_s"].data[-1] == pytest.approx(span_s, abs=0.02)
    assert _mag(rec).mean() == pytest.approx(mean_g, abs=0.006)
    assert ("gyro_x" in rec.channels) is gyro
    assert "temperature_c" in rec.channels
    assert rec.location == "wrist"
    assert rec.device
    assert rec.warnings == []
    assert rec.inputs[0]["sha256"]


def test_ax6_testfile_is_shaken_median_near_1g(shared_data: Path) -> None:
    mag = _mag(read_cwa(shared_data / "accel" / "ax6_testfile.cwa"))
    assert np.median(mag) == pytest.approx(1.01, abs=0.01)
    assert mag.mean() > 1.4  # movement present


@pytest.mark.parametrize("name", ["ax3_testfile.cwa", "ax3_sample.cwa", "ax6_testfile.cwa", "ax6_sample.cwa"])
def test_block_parser_agrees_with_skdh(shared_data: Path, name: str) -> None:
    """Our checksum-checking block parser is an independent second reader: same samples, clock within 3 samples."""
    path = shared_data / "accel" / name
    ours = read_cwa(path, engine="blocks")
    skdh = read_cwa(path, engine="skdh")
    np.testing.assert_array_equal(accel_array(ours), accel_array(skdh))
    if "gyro_x" in skdh.channels:
        np.testing.assert_allclose(ours.channels["gyro_x"].data, skdh.channels["gyro_x"].data)
    dt = np.abs(ours.channels["time_s"].data - skdh.channels["time_s"].data)
    assert dt.max() < 0.03


def test_geneactiv_page_decoder_agrees_with_skdh(shared_data: Path) -> None:
    path = shared_data / "accel" / "gnactv_sample.bin"
    ours = read_geneactiv(path, engine="pages")
    skdh = read_geneactiv(path, engine="skdh")
    np.testing.assert_allclose(accel_array(ours), accel_array(skdh))
    np.testing.assert_allclose(ours.channels["time_s"].data, skdh.channels["time_s"].data)


def test_corrupt_cwa_keeps_139_good_blocks_and_names_the_bad_ones(shared_data: Path) -> None:
    path = shared_data / "accel" / "malformed" / "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa"
    with pytest.warns(TwitchlabWarning, match=r"skipped 6 of 145 .*block numbers 0, 13-14, 142-144.*kept 139"):
        rec = read_accel(path)
    assert rec.channels["accel_x"].n_samples == 139 * 120 == 16680
    assert len(rec.gaps) == 1  # blocks 13-14: about 2 x 1.2 s missing
    gap_s = rec.gaps[0][1] - rec.gaps[0][0]
    assert 2.0 < gap_s < 3.0
    assert parse_cwa_blocks(path.read_bytes())["bad_blocks"] == [0, 13, 14, 142, 143, 144]
    # the good blocks equal the intact file's
    good = read_cwa(shared_data / "accel" / "ax3_testfile.cwa")
    a_bad, a_good = accel_array(rec), accel_array(good)
    np.testing.assert_array_equal(a_bad[:120], a_good[120:240])


def test_truncated_geneactiv_keeps_16_pages(shared_data: Path) -> None:
    path = shared_data / "accel" / "malformed" / "GENEActiv_testfile.bin"
    with pytest.warns(TwitchlabWarning, match=r"declares 222048 pages, 16 complete; page 16 .*2781 of 3600"):
        rec = read_accel(path)
    assert rec.channels["accel_x"].n_samples == 4800
    assert rec.channels["accel_x"].fs_hz == pytest.approx(85.7)
    assert rec.start == datetime(2013, 5, 30, 10, 12, 54, 500000)


def test_actigraph_mode13_timestamps_win_over_header(shared_data: Path) -> None:
    path = shared_data / "accel" / "ActiGraph13_timestamps_headers.csv"
    with pytest.warns(TwitchlabWarning, match="disagrees with the first timestamp"):
        rec = read_accel(path)
    assert rec.start == datetime(2017, 9, 12, 15, 0, 0)
    assert set(rec.channels) == {"activity_counts", "counts_axis2", "counts_axis3", "steps", "counts_vm"}
    c = rec.channels["activity_counts"]
    assert c.n_samples == 1000
    assert c.fs_hz == 1.0
    assert rec.duration_s == 1000.0  # 15:00:00 ... 15:16:39 plus one epoch
    assert c.data[:3].tolist() == [0.0, 44.0, 113.0]


def test_actigraph_mode61_no_header_row(shared_data: Path) -> None:
    rec = read_accel(shared_data / "accel" / "ActiGraph61.csv")
    assert rec.channels["activity_counts"].n_samples == 990
    assert 1.0 / rec.channels["activity_counts"].fs_hz == 5.0
    assert len(rec.channels) == 9
    assert "incline_lying" in rec.channels
    assert "lux" in rec.channels
    assert rec.start == datetime(2016, 8, 15, 21, 35)
    assert rec.channels["activity_counts"].data[:3].tolist() == [325.0, 181.0, 4.0]


def test_actiwatch_csv_dutch(shared_data: Path) -> None:
    with pytest.warns(TwitchlabWarning, match="no activity value"):
        rec = read_accel(shared_data / "accel" / "Actiwatch.csv")
    a = rec.channels["activity_counts"]
    assert a.n_samples == 860
    assert 1.0 / a.fs_hz == 15.0
    assert rec.start == datetime(2019, 11, 23, 6, 0, 0)
    assert np.isnan(a.data[0])
    assert a.data[-1] == 82.0
    assert {"off_wrist", "sleep_wake_device"} <= set(rec.channels)


def test_actiwatch_awd(shared_data: Path) -> None:
    rec = read_accel(shared_data / "accel" / "Actiwatch.AWD")
    a = rec.channels["activity_counts"]
    assert a.n_samples == 329
    assert 1.0 / a.fs_hz == 60.0
    assert rec.start == datetime(2009, 10, 1, 17, 0)
    assert a.data[-1] == 41.0
    assert a.data[1] == 498.0
    assert rec.channels["marker"].data[1] == 1.0


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ax3_testfile.cwa", "axivity"),
        ("gnactv_sample.bin", "geneactiv"),
        ("ActiGraph61.csv", "actigraph"),
        ("Actiwatch.csv", "actiwatch"),
        ("Actiwatch.AWD", "actiwatch"),
    ],
)
def test_detect_device(shared_data: Path, name: str, kind: str) -> None:
    assert detect_device(shared_data / "accel" / name) == kind


def test_wearable_kind_claims_only_unmistakable_files(shared_data: Path, tmp_path: Path) -> None:
    from twitchlab.io.accel import wearable_kind

    assert wearable_kind(shared_data / "accel" / "ax6_sample.cwa") == "axivity"
    assert wearable_kind(shared_data / "accel" / "Actiwatch.AWD") == "actiwatch"
    assert wearable_kind(shared_data / "edf" / "short_psg.edf") is None
    csv = tmp_path / "events.csv"
    csv.write_text("onset,duration,description\n0,30,W\n")
    assert wearable_kind(csv) is None


@pytest.mark.parametrize(
    "name",
    [
        "ActiGraph13_timestamps_headers.csv",
        "Actiwatch.csv",
        "malformed/GENEActiv_testfile.bin",
        "malformed/ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa",
    ],
)
def test_reader_warnings_name_the_file_not_its_folders(shared_data: Path, name) -> None:
    """Warnings end up in the report a person shares with a clinician: no folder names (privacy)."""
    path = shared_data / "accel" / name
    if not path.exists():
        pytest.skip(f"{name} not in shared data")
    with pytest.warns(TwitchlabWarning):
        rec = read_accel(path)
    assert rec.warnings
    assert all(str(path.parent) not in w for w in rec.warnings), rec.warnings
    assert any(path.name in w for w in rec.warnings)
