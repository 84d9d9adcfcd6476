"""DSP for surface EMG: band-pass, mains notch, envelope, resting level, cardiac blanking, quality.

Pure functions over numpy arrays, no file I/O. :func:`condition_emg` chains the steps chunk-wise and is
the entry point every EMG detector reuses (legs, chin, arms).
"""

from twitchlab.signal.baseline import RestingLevel, block_stats, resting_level, running_percentile
from twitchlab.signal.cardiac import (
    blank_envelope,
    cardiac_excess_uv,
    detect_r_peaks,
    merge_beat_trains,
    periodic_spike_times,
    subtract_cardiac,
)
from twitchlab.signal.condition import ConditionedEMG, condition_emg, epoch_starts
from twitchlab.signal.envelope import envelope_step, moving_average, rectified_envelope
from twitchlab.signal.filters import (
    MIN_EMG_FS_HZ,
    bandpass_sos,
    check_emg_rate,
    detect_mains_hz,
    emg_sos,
    notch_sos,
)
from twitchlab.signal.quality import (
    QUALITY_STATES,
    QualityParams,
    classify_epochs,
    epoch_features,
    unscorable_intervals,
)

__all__ = [
    "MIN_EMG_FS_HZ",
    "QUALITY_STATES",
    "ConditionedEMG",
    "QualityParams",
    "RestingLevel",
    "bandpass_sos",
    "blank_envelope",
    "block_stats",
    "cardiac_excess_uv",
    "check_emg_rate",
    "classify_epochs",
    "condition_emg",
    "detect_mains_hz",
    "detect_r_peaks",
    "emg_sos",
    "envelope_step",
    "epoch_features",
    "epoch_starts",
    "merge_beat_trains",
    "moving_average",
    "notch_sos",
    "periodic_spike_times",
    "rectified_envelope",
    "resting_level",
    "running_percentile",
    "subtract_cardiac",
    "unscorable_intervals",
]
