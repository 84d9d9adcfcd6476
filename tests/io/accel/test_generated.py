"""Generated files with known content: phone CSV (units, time formats), ActiLife raw CSV, broken inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchlab.errors import InputFileError, ParameterError, TwitchlabError, TwitchlabWarning
from twitchlab.io.accel import accel_array, read_accel, read_phone_csv, sample_times_s
from twitchlab.io.accel.cwa import parse_cwa_blocks
from twitchlab.io.accel.geneactiv import parse_geneactiv
from twitchlab.io.accel.phone import G_MS2

FS = 50.0


def _signal(n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.arange(n) / FS + rng.uniform(-0.002, 0.002, n)
    acc = np.column_stack([0.1 * np.sin(t), 0.2 + 0.01 * rng.normal(size=n), np.full(n, 0.97)])
    return t, acc


@pytest.mark.parametrize(
    ("header", "scale", "time_fmt"),
    [
        ("time,x,y,z", G_MS2, "seconds"),  # unit from magnitude (~9.8)
        ("time,x,y,z", 1.0, "seconds"),  # unit from magnitude (~1)
        ("Time (s),Acceleration x (m/s^2),Acceleration y (m/s^2),Acceleration z (m/s^2)", G_MS2, "seconds"),
        ("time,seconds_elapsed,z,y,x", G_MS2, "epoch_ns"),  # Sensor Logger layout, axes reversed
        ("timestamp,ax,ay,az", 1.0, "iso"),
    ],
)
def test_phone_csv_units_and_times(tmp_path: Path, header: str, scale: float, time_fmt: str) -> None:
    t, acc = _signal()
    path = tmp_path / "phone.csv"
    rows = []
    for ti, a in zip(t, acc * scale, strict=True):
        if time_fmt == "epoch_ns":
            rows.append(f"{int((1.7e9 + ti) * 1e9)},{ti:.6f},{a[2]:.6f},{a[1]:.6f},{a[0]:.6f}")
        elif time_fmt == "iso":
            rows.append(f"2024-03-01T23:00:{ti:09.6f},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f}")
        else:
            rows.append(f"{ti:.6f},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f}")
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    rec = read_accel(path, location="mattress")
    assert rec.device == "phone"
    assert rec.location == "mattress"
    np.testing.assert_allclose(accel_array(rec), acc, atol=2e-5)
    np.testing.assert_allclose(sample_times_s(rec), t - t[0], atol=2e-5)
    assert rec.channels["accel_x"].fs_hz == pytest.approx(FS, rel=0.02)


def test_phone_csv_without_gravity_warns(tmp_path: Path) -> None:
    path = tmp_path / "lin.csv"
    rng = np.random.default_rng(1)
    path.write_text("t,x,y,z\n" + "\n".join(f"{i / 50},{a:.5f},{b:.5f},{c:.5f}" for i, (a, b, c) in
                                             enumerate(rng.normal(0, 0.05, (200, 3)))))  # fmt: skip
    with pytest.warns(TwitchlabWarning, match="gravity may be removed"):
        read_phone_csv(path)


def test_phone_csv_backwards_time_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,x,y,z\n0,0,0,1\n0.02,0,0,1\n0.01,0,0,1\n")
    with pytest.raises(InputFileError, match=r"backwards at data row 3 \(line 4"):
        read_phone_csv(path)


def test_phone_csv_missing_axes_says_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,heart_rate\n0,60\n1,61\n")
    with pytest.raises(InputFileError, match=r"found columns \['time', 'heart_rate'\]"):
        read_phone_csv(path)


_ACTILIFE_RAW = (
    "------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 date format M/d/yyyy"
    " at 30 Hz  Filter Normal -----------\n"
    """Serial Number: CLE2B21000000
Start Time 22:00:00
Start Date 3/1/2024
Epoch Period (hh:mm:ss) 00:00:00
Download Time 08:00:00
Download Date 3/2/2024
Current Memory Address: 0
Current Battery Voltage: 4.10     Mode = 12
--------------------------------------------------
"""
)


@pytest.mark.parametrize("with_time", [True, False])
def test_actilife_raw_csv(tmp_path: Path, with_time: bool) -> None:
    n = 90
    acc = np.column_stack([np.linspace(-0.1, 0.1, n), np.zeros(n), np.ones(n)])
    if with_time:
        head = "Timestamp,Accelerometer X,Accelerometer Y,Accelerometer Z\n"
        rows = [f"3/1/2024 22:00:{i / 30:06.3f},{a:.3f},{b:.3f},{c:.3f}" for i, (a, b, c) in enumerate(acc)]
    else:
        head = "Accelerometer X,Accelerometer Y,Accelerometer Z\n"
        rows = [f"{a:.3f},{b:.3f},{c:.3f}" for a, b, c in acc]
    path = tmp_path / "raw.csv"
    path.write_text(_ACTILIFE_RAW + head + "\n".join(rows) + "\n")
    rec = read_accel(path, device="actigraph", location="ankle")
    assert rec.channels["accel_x"].fs_hz == 30.0
    np.testing.assert_allclose(accel_array(rec), np.round(acc, 3))
    assert rec.start.hour == 22
    assert rec.start.day == 1
    assert rec.start.month == 3


def test_unknown_device_and_location_are_parameter_errors(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("time,x,y,z\n0,0,0,1\n1,0,0,1\n")
    with pytest.raises(ParameterError, match="Did you mean 'axivity'"):
        read_accel(p, device="axivty")
    with pytest.raises(ParameterError, match="location"):
        read_accel(p, location="knee")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=3000))
def test_cwa_parser_random_bytes_result_or_error(data: bytes) -> None:
    for buf in (data, b"MD" + data, b"MD" + bytes(1022) + b"AX" + data):
        try:
            out = parse_cwa_blocks(buf)
        except TwitchlabError:
            continue
        assert out["acc_g"].shape[1] == 3


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=2000))
def test_geneactiv_parser_random_text_result_or_error(text: str) -> None:
    for t in (text, "Device Identity\nx gain:1\nx offset:0\ny gain:1\ny offset:0\nz gain:1\nz offset:0\n"
              "Volts:1\nLux:1\nRecorded Data\nPage Time:2020-01-01 00:00:00:000\n" + text):  # fmt: skip
        try:
            out = parse_geneactiv(t)
        except TwitchlabError:
            continue
        assert out["acc_g"].shape[1] == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=1500))
def test_read_accel_random_file_result_or_error(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "random.bin"
    p.write_bytes(data)
    try:
        rec = read_accel(p)
    except TwitchlabError:
        return
    assert rec.channels


def test_phone_csv_semicolons(tmp_path: Path) -> None:
    t, acc = _signal(100)
    path = tmp_path / "semi.csv"
    path.write_text("time;x;y;z\n" + "\n".join(f"{a};{b};{c};{d}" for a, (b, c, d) in zip(t, acc, strict=True)))
    np.testing.assert_allclose(accel_array(read_phone_csv(path)), acc)
