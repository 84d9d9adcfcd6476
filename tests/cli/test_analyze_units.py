import numpy as np
from typer.testing import CliRunner

from twitchlab.cli import app
from twitchlab.io import write_edf
from twitchlab.simulate import simulate_night
from twitchlab.simulate.emg import simulate_emg_recording


def test_unit_override_rescues_a_file_with_a_wrong_header_unit(tmp_path):
    """Leg EMG written in mV but labelled uV: analyze names the unit problem; --unit LABEL=mV fixes it."""
    night = simulate_night(3, profile="plms", duration_h=1.5)
    rec, _ = simulate_emg_recording(night.lms, night.duration_s, fs_hz=200.0, condition="clean", rng=3)
    for label, ch in list(rec.channels.items()):
        if ch.role.startswith("leg"):
            mv = np.asarray(ch.data) / 1000.0
            rec.channels[label] = type(ch).from_array(mv, ch.fs_hz, label, unit="uV", role=ch.role)
    legs = [c.label for c in rec.channels.values() if c.role.startswith("leg")]
    path = write_edf(rec, tmp_path / "mv.edf")
    runner = CliRunner()
    bad = runner.invoke(app, ["analyze", str(path), "--twitches", "none"])
    assert bad.exit_code == 2
    assert "mV" in bad.output
    args = ["analyze", str(path), "--twitches", "none", "--json", str(tmp_path / "r.json")]
    for label in legs:
        args += ["--unit", f"{label}=mV"]
    good = runner.invoke(app, args)
    assert good.exit_code == 0, good.output
    assert (tmp_path / "r.json").is_file()


def test_lm_names_every_mislabelled_leg_at_once_and_takes_the_unit_override_it_suggests(tmp_path):
    """The error lists both legs (not one per run), and `twitchlab lm` accepts the --unit it tells you to use."""
    night = simulate_night(4, profile="plms", duration_h=0.5)
    rec, _ = simulate_emg_recording(night.lms, night.duration_s, fs_hz=200.0, condition="clean", rng=4)
    for label, ch in list(rec.channels.items()):
        if ch.role.startswith("leg"):
            rec.channels[label] = type(ch).from_array(np.asarray(ch.data) / 1000.0, ch.fs_hz, label, role=ch.role)
    legs = [c.label for c in rec.channels.values() if c.role.startswith("leg")]
    path = write_edf(rec, tmp_path / "mv.edf")
    runner = CliRunner()
    bad = runner.invoke(app, ["lm", str(path)])
    assert bad.exit_code == 2
    text = " ".join(bad.output.split())
    assert "2 leg channels" in text
    assert all(f"--unit '{label}=mV'" in text.replace("\n", "") for label in legs)
    args = ["lm", str(path)]
    for label in legs:
        args += ["--unit", f"{label}=mV"]
    good = runner.invoke(app, args)
    assert good.exit_code == 0, good.output
    assert "leg movements detected" in good.output
