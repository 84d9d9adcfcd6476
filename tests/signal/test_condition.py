import numpy as np
import pytest

from twitchlab.errors import InsufficientDataError, ParameterError
from twitchlab.signal.condition import condition_emg, epoch_starts


@pytest.fixture(scope="module")
def emg():
    rng = np.random.default_rng(5)
    fs = 256.0
    t = np.arange(int(1500 * fs)) / fs
    x = 2 * rng.standard_normal(t.size) + 30 * np.sin(2 * np.pi * 0.05 * t) + 20 * np.sin(2 * np.pi * 50 * t)
    x[int(400 * fs) : int(402 * fs)] += 80 * rng.standard_normal(int(2 * fs))
    return x, fs


def test_chunked_conditioning_equals_one_chunk(emg):
    x, fs = emg
    big = condition_emg(x, fs, chunk_s=3000.0)
    small = condition_emg(x, fs, chunk_s=60.0, pad_s=5.0)
    assert big.envelope_uv.size == small.envelope_uv.size
    np.testing.assert_allclose(small.envelope_uv, big.envelope_uv, atol=1e-3 * big.envelope_uv.max())
    assert (small.features["epoch"] == big.features["epoch"]).all()
    np.testing.assert_allclose(small.features["mains_uv"], big.features["mains_uv"], rtol=1e-6)


def test_conditioning_notches_detected_mains_and_reports_it(emg):
    x, fs = emg
    c = condition_emg(x, fs)
    assert c.mains_hz == 50.0
    assert "notch 50 Hz" in c.params["filter"]
    assert c.features["mains_uv"].median() == pytest.approx(20.0, rel=0.1)
    assert c.features["mains_residual_uv"].median() < 1.0
    off = condition_emg(x, fs, notch=None)
    assert off.mains_hz is None
    assert off.features["mains_residual_uv"].median() > 10


def test_envelope_rate_and_length(emg):
    x, fs = emg
    c = condition_emg(x, fs, env_fs_hz=50.0)
    assert c.env_fs_hz == pytest.approx(51.2)
    assert c.envelope_uv.size == pytest.approx(x.size / 5, abs=1)
    assert len(c.features) == 50
    t = np.arange(c.envelope_uv.size) / c.env_fs_hz
    assert c.envelope_uv[(t > 400.2) & (t < 401.8)].min() > 5 * c.envelope_uv[t < 300].mean()  # the burst


def test_gaps_are_counted_and_do_not_leak(emg):
    x, fs = emg
    y = x.copy()
    y[int(100 * fs) : int(130 * fs)] = np.nan
    c = condition_emg(y, fs)
    assert c.features.loc[3, "nan_s"] == pytest.approx(20.0, abs=0.01)
    assert c.features.loc[4, "nan_s"] == pytest.approx(10.0, abs=0.01)
    assert np.isfinite(c.envelope_uv).all()


def test_low_rate_refused_and_bad_notch_rejected(emg):
    with pytest.raises(InsufficientDataError):
        condition_emg(np.zeros(1000), 50.0)
    with pytest.raises(ParameterError):
        condition_emg(emg[0], emg[1], notch="yes")


def test_epoch_starts_cover_the_signal():
    s = epoch_starts(1000, 10.0, 30.0)
    assert s.tolist() == [0, 300, 600, 900]
    assert epoch_starts(0, 10.0, 30.0).tolist() == [0]


@pytest.mark.parametrize(
    ("value", "header", "state"),
    [
        (3276.7, (-3276.8, 3276.7), "clipped"),  # pinned at the amplifier's maximum for the whole recording
        (-3276.8, (-3276.8, 3276.7), "clipped"),  # ... or at its minimum
        (0.0, (-3276.8, 3276.7), "flat"),  # constant away from the rails: no signal, not saturation
        (3276.7, None, "flat"),  # rails unknown: a constant channel cannot be told saturated
    ],
)
def test_a_channel_constant_at_a_header_rail_is_saturated_not_flat(value, header, state):
    from twitchlab.signal.quality import QualityParams, classify_epochs

    fs = 256.0
    c = condition_emg(np.full(int(300 * fs), value), fs, header_rails=header)
    q = classify_epochs(c.features.assign(onset_thr_uv=0.0), QualityParams())
    assert set(q["state"]) == {state}


def test_header_rails_change_nothing_on_a_channel_that_moves(emg):
    x, fs = emg
    a, b = condition_emg(x, fs), condition_emg(x, fs, header_rails=(-3276.8, 3276.7))
    assert a.rails == b.rails
    np.testing.assert_array_equal(a.envelope_uv, b.envelope_uv)
    assert a.features.equals(b.features)
