"""`twitchlab analyze`: error messages say what is wrong with this file or option, and nothing false."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from twitchlab.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_edf(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    res = runner.invoke(app, ["demo", "--out", str(out), "--hours", "0.25", "--no-pdf"])
    assert res.exit_code == 0, res.output
    return out / "demo-night.edf"


@pytest.fixture
def nox(shared_data):
    return shared_data / "text" / "noxturnal_events_example_unicode_2.csv"


def _flat(output: str) -> str:
    return " ".join(output.split())


def test_scored_source_on_a_file_with_leg_emg_says_no_scored_lms_and_suggests_emg(demo_edf):
    res = runner.invoke(app, ["analyze", str(demo_edf), "--lm-source", "scored"])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert "no scored leg movements" in out
    assert "no leg EMG channel" not in out  # it has two
    assert "it does have leg EMG (Leg L, Leg R)" in out
    assert "Use --lm-source emg" in out


def test_emg_source_on_annotations_only_says_it_has_no_signals(nox):
    res = runner.invoke(app, ["analyze", str(nox), "--lm-source", "emg"])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert "has no signals" in out
    assert "[]" not in out


def test_negative_lights_off_is_before_the_recording_start(demo_edf):
    res = runner.invoke(app, ["analyze", str(demo_edf), "--lights-off", "-100"])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert "lights off (-100 s) is before the recording start" in out
    assert "-100-" not in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--lights-off", "500", "--lights-on", "100"], "lights off (500 s) is not before lights on (100 s)"),
        (["--lights-off", "1000", "--lights-on", "2000"], "lights off (1000 s) is at or after the end of"),
        (["--lights-on", "-5"], "lights on (-5 s) is not after the recording start"),
    ],
)
def test_other_bad_windows_are_named(demo_edf, args, words):
    res = runner.invoke(app, ["analyze", str(demo_edf), *args])
    assert res.exit_code == 2, res.output
    out = _flat(res.output)
    assert words in out
    assert "empty or negative" not in out
