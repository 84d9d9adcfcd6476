"""Alias table (labels -> roles, overrides), unit factors and the amplitude unit check."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.errors import ChannelNotFoundError, ParameterError, TwitchlabWarning, UnitError
from twitchlab.io import assign_role, check_emg_units, unit_factor_uv
from twitchlab.io.aliases import assign_roles
from twitchlab.model import ROLES, Channel

ROLE_CASES = {
    "leg_left": ["LAT", "Leg L", "EMG Tib L", "PLM l", "PLMl", "LLEG", "Left Leg", "TIB-L", "Jambe gauche", "lat1-lat2",
                 "L Leg", "EMG Leg Left", "tib.l", "LEFT_LEG"],
    "leg_right": ["RAT", "Leg R", "EMG Tib R", "PLM r", "PLMr", "RLEG", "Right Leg", "TIB-R", "Jambe droite"],
    "leg_both": ["Legs", "PLM", "Leg EMG", "Tibialis"],
    "chin": ["Chin1-Chin2", "EMG Chin", "CHIN", "Chin EMG", "EMG1-EMG2", "Subm", "EMG submental", "1-2", "1-F", "2-F",
             "EMG"],
    "arm_left": ["FDS L", "Arm L", "L FDS"],
    "arm_right": ["FDS R", "Arm R"],
    "ecg": ["ECG", "EKG", "ECG II", "ECG1-ECG2"],
    "eeg": ["C3-M2", "EEG Fpz-Cz", "EEG(sec)", "O2-M1", "Fp1"],
    "eog": ["E1-M2", "EOG horizontal", "LOC", "ROC-M1", "EOG(L)"],
    "resp_flow": ["Airflow", "Nasal Pressure", "Resp oro-nasal", "NEW AIR", "Thermistor"],
    "resp_effort": ["THOR RES", "ABDO RES", "Chest", "Abdomen", "RIP Sum"],
    "spo2": ["SaO2", "SpO2", "Saturation"],
    "position": ["POSITION", "PosAngle", "Body Position"],
    "accel": ["X Axis", "Z Axis", "Activity"],
    "other": ["Jambe gauche Imp", "Jambe droite Imp", "1 Impédance", "C3-M2 (Imp)", "H.R.", "Temp rectal", "Status", "",
              "Event marker", "Light"],
}  # fmt: skip


@pytest.mark.parametrize(("role", "label"), [(r, lab) for r, labs in ROLE_CASES.items() for lab in labs])
def test_alias_table(role, label):
    assert assign_role(label) == role


def test_every_role_is_reachable():
    assert set(ROLE_CASES) == set(ROLES)


def test_case_and_punctuation_do_not_matter():
    for variant in ("emg tib l", "EMG_TIB_L", "Emg-Tib.L", "  EMG  Tib  L "):
        assert assign_role(variant) == "leg_left"


def test_impedance_unit_is_never_a_signal_role():
    assert assign_role("Left Leg", "Ohm") == "other"


def test_override_moves_the_role_and_demotes_the_old_channel():
    roles = assign_roles(["LAT", "RAT", "EMG3"], channel_map={"left": "EMG3"})
    assert roles == ["other", "leg_right", "leg_left"]


def test_override_matches_case_and_punctuation_insensitively():
    assert assign_roles(["EMG Tib L", "X"], channel_map={"chin": "x"}) == ["leg_left", "chin"]


def test_override_unknown_channel_lists_channels_and_suggests():
    with pytest.raises(ChannelNotFoundError, match=r"no channel 'LATT'.*Channels are: LAT, RAT.*Did you mean 'LAT'"):
        assign_roles(["LAT", "RAT"], channel_map={"left": "LATT"})


def test_override_unknown_key_is_a_parameter_error():
    with pytest.raises(ParameterError, match=r"'lefft' is not a role.*Did you mean 'left'"):
        assign_roles(["LAT"], channel_map={"lefft": "LAT"})


def test_two_left_legs_warns_and_names_both():
    with pytest.warns(TwitchlabWarning, match="2 channels look like leg left: LAT, Left Leg"):
        assign_roles(["LAT", "Left Leg"])


@pytest.mark.parametrize(
    ("dim", "factor"),
    [("uV", 1.0), ("µV", 1.0), ("μV", 1.0), ("Âµv", 1.0), ("Î¼V", 1.0), (" uv ", 1.0), ("mV", 1e3), ("V", 1e6),
     ("nV", 1e-3), ("microvolt", 1.0), ("%", None), ("", None), ("Ohm", None), ("V/s", None), ("bpm", None)],
)  # fmt: skip
def test_unit_factor(dim, factor):
    assert unit_factor_uv(dim) == factor


def _chan(x):
    return Channel.from_array(np.asarray(x, float), 200.0, "LAT", unit="uV", role="leg_left")


RNG = np.random.default_rng(3)


def test_emg_in_uv_passes_the_unit_check():
    check = check_emg_units(_chan(RNG.normal(0, 4, 20000)))
    assert check.ok
    assert check.level_uv == pytest.approx(4, rel=0.15)


@pytest.mark.parametrize(("scale", "unit"), [(1e-3, "mV"), (1e-6, "V")])
def test_emg_stored_in_larger_unit_names_the_likely_unit(scale, unit):
    with pytest.raises(UnitError, match=f"looks like {unit}, not µV.*--unit 'LAT={unit}'"):
        check_emg_units(_chan(RNG.normal(0, 4, 20000) * scale))


def test_unit_override_fixes_a_wrong_header_unit(tmp_path):
    import edfio

    from twitchlab.io import read_edf

    x_mv = RNG.normal(0, 0.004, 2000)  # 4 µV EMG stored in mV but labelled uV
    edfio.Edf([edfio.EdfSignal(x_mv, 200, label="LAT", physical_dimension="uV")]).write(tmp_path / "w.edf")
    with pytest.raises(UnitError, match="looks like mV"):
        check_emg_units(read_edf(tmp_path / "w.edf").channels["LAT"])
    fixed = read_edf(tmp_path / "w.edf", units={"lat": "mV"}).channels["LAT"]
    assert fixed.physical_dimension == "mV"
    assert check_emg_units(fixed).ok
    with pytest.raises(ChannelNotFoundError, match=r"--unit LATT=mV: no channel 'LATT'"):
        read_edf(tmp_path / "w.edf", units={"LATT": "mV"})


def test_flat_channel_is_not_a_unit_problem():
    assert check_emg_units(_chan(np.zeros(1000))).ok


def test_spread_windows_see_past_a_gap_at_the_start():
    x = np.concatenate((np.full(60_000, np.nan), RNG.normal(0, 0.004, 60_000)))  # mV numbers, 5-min gap first
    assert check_emg_units(_chan(x), max_samples=20_000).ok  # the gap says nothing
    with pytest.raises(UnitError, match="looks like mV"):
        check_emg_units(_chan(x), max_samples=20_000, windows=20)


def test_spread_windows_give_the_level_of_the_whole_channel():
    x = RNG.normal(0, 4, 100_000)
    check = check_emg_units(_chan(x), max_samples=10_000, windows=25)
    assert check.level_uv == pytest.approx(4, rel=0.1)


def test_unit_check_can_return_instead_of_raise():
    check = check_emg_units(_chan(RNG.normal(0, 0.002, 5000)), raise_error=False)
    assert not check.ok
    assert check.likely_unit == "mV"


def test_empty_unit_on_leg_channel_warns_and_assumes_uv(tmp_path):
    import edfio

    from twitchlab.io import read_edf

    edfio.Edf([edfio.EdfSignal(RNG.normal(0, 5, 200), 200, label="LAT", physical_dimension="")]).write(
        tmp_path / "a.edf"
    )
    with pytest.warns(TwitchlabWarning, match=r"channel 'LAT' \(left leg\): unit '' is empty; µV assumed"):
        rec = read_edf(tmp_path / "a.edf")
    assert rec.channels["LAT"].unit == "uV"


def _file_chan(x_file, dim, step_file):
    """A leg channel whose file numbers ``x_file`` are labelled ``dim`` (read into µV as twitchlab does)."""
    factor = unit_factor_uv(dim)
    q = np.round(np.asarray(x_file, float) / step_file) * step_file * factor
    ch = Channel.from_array(q, 200.0, "Leg L", unit="uV", role="leg_left")
    return Channel(
        label=ch.label, label_original=ch.label, fs_hz=ch.fs_hz, n_samples=ch.n_samples, physical_dimension=dim,
        unit="uV", role="leg_left", loader=lambda q=q: q, resolution=step_file * factor,
    )  # fmt: skip


def test_uv_numbers_labelled_mv_name_uv_before_any_resolution_check():
    ch = _file_chan(RNG.normal(0, 2, 20000), "mV", 0.05)  # 2-µV EMG with 0.05-µV steps, header says mV
    with pytest.raises(UnitError, match=r"resting level 1\.\d+ mV with steps of 0\.05 mV .*looks like µV, not mV.*"
                                        r"--unit 'Leg L=uV'"):  # fmt: skip
        check_emg_units(ch)
    assert check_emg_units(ch, raise_error=False).likely_unit == "µV"


def test_uv_numbers_labelled_v_give_the_level_in_volts_and_name_uv():
    ch = _file_chan(RNG.normal(0, 2, 20000), "V", 0.05)
    with pytest.raises(UnitError, match=r"resting level 1\.\d+ V \(file unit 'V'\) looks like µV, not V.*'Leg L=uV'"):
        check_emg_units(ch)


def test_coarse_but_genuine_uv_file_is_not_a_unit_problem():
    assert check_emg_units(_file_chan(RNG.normal(0, 6, 20000), "uV", 31.25)).ok  # e.g. a ±1 V range export
    assert check_emg_units(_file_chan(RNG.normal(0, 0.004, 20000), "mV", 0.0001)).ok  # real mV file
    assert check_emg_units(_file_chan(RNG.normal(0, 1000, 20000), "uV", 31.25)).ok  # noisy, coarse, but µV: not nV


def test_channel_taken_from_the_other_leg_warns_which_leg_is_missing():
    labels = ["Leg L", "Leg R", "Chin"]
    expected = r"'Leg R' looked like the right leg and is now the left leg, so there is no right leg \('Leg L'"
    with pytest.warns(TwitchlabWarning, match=expected + r".*now unused\).*--channel right='Leg L'"):
        roles = assign_roles(labels, channel_map={"left": "Leg R"})
    assert roles == ["other", "leg_left", "chin"]
    problems: list[str] = []
    assert assign_roles(labels, channel_map={"left": "Leg R", "right": "Leg L"}, problems=problems) == [
        "leg_right", "leg_left", "chin"
    ]  # fmt: skip
    assert problems == []  # both legs named: nothing missing
    assert assign_roles(["Leg L", "Leg R", "EMG X"], channel_map={"left": "EMG X"}, problems=problems) == [
        "other", "leg_right", "leg_left"
    ]  # fmt: skip
    assert problems == []  # another channel for the left leg: the right leg keeps its channel


def test_one_channel_for_two_roles_is_rejected():
    with pytest.raises(ParameterError, match=r"--channel left=Leg L and --channel right=Leg L name the same channel"):
        assign_roles(["Leg L", "Leg R"], channel_map={"left": "Leg L", "right": "Leg L"})
    with pytest.raises(ParameterError, match="same channel 'Leg L'"):
        assign_roles(["Leg L", "Leg R"], channel_map={"left": "Leg L", "chin": "leg l"})
