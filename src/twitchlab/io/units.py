"""Physical units: EDF physical dimension -> factor to µV, and an amplitude sanity check.

Inside twitchlab every voltage is in µV (SCORING_SPEC §1). EDF files write the unit as free text of
8 characters: ``uV``, ``µV`` (in Latin-1 or UTF-8, sometimes garbled into ``Âµ``), ``mV``, ``V``, ``nV``.
An unknown or empty unit on an EMG-like channel is a warning (µV is assumed); amplitudes that only make
sense in another unit are an error (:func:`check_emg_units`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from twitchlab.errors import ChannelNotFoundError, UnitError, did_you_mean
from twitchlab.io.aliases import find_label
from twitchlab.model import ROLE_WORDS, Channel

__all__ = ["EMG_LIKE_ROLES", "UnitCheck", "check_emg_units", "resolve_unit_overrides", "unit_factor_uv"]

logger = logging.getLogger(__name__)

#: Roles whose signal is a biopotential and must be in volts of some prefix.
EMG_LIKE_ROLES = ("leg_left", "leg_right", "leg_both", "chin", "arm_left", "arm_right", "ecg", "eeg", "eog")

_MICRO_FORMS = ("µ", "μ", "Âµ", "Î¼", "u", "mc", "micro")  # micro sign, Greek mu, their UTF-8-read-as-Latin-1 forms
_PREFIX_UV = {"n": 1e-3, "nano": 1e-3, "m": 1e3, "milli": 1e3, "": 1e6, "k": 1e9}

#: Plausible robust noise level of a biopotential in µV (resting EMG ≈ 1-20 µV, EEG ≈ 5-100 µV).
PLAUSIBLE_UV = (0.05, 5000.0)


def unit_factor_uv(physical_dimension: str) -> float | None:
    """Return the factor that converts a physical dimension to µV, or ``None`` if it is not a voltage.

    Parameters
    ----------
    physical_dimension : str
        Unit as written in the file, e.g. ``"uV"``, ``"µV"``, ``"Âµv"``, ``"mV"``, ``"V"``, ``"nV"``,
        ``"microvolt"``. Case is ignored except that ``"MV"`` is read as millivolt (megavolt makes no sense).

    Returns
    -------
    float or None
        Multiply the values by this to get µV; ``None`` for non-voltage or unknown units.

    Examples
    --------
    >>> unit_factor_uv("mV"), unit_factor_uv(" µV "), unit_factor_uv("V"), unit_factor_uv("%")
    (1000.0, 1.0, 1000000.0, None)
    """
    text = str(physical_dimension).strip()
    if not text:
        return None
    low = text.lower().replace(" ", "")
    for suffix in ("volts", "volt", "v"):
        if low.endswith(suffix):
            prefix = low[: -len(suffix)]
            break
    else:
        return None
    for form in _MICRO_FORMS:
        if prefix == form.lower():
            return 1.0
    return _PREFIX_UV.get(prefix)


def resolve_unit_overrides(
    labels: Sequence[str], dimensions: Sequence[str], units: Mapping[str, str] | None, *, source: str | None = None
) -> list[str]:
    """Apply user unit overrides ``{LABEL: UNIT}`` to the physical dimensions read from a file.

    Parameters
    ----------
    labels, dimensions : sequences of str
        Channel labels and their header units.
    units : mapping, optional
        Overrides; LABEL is matched exactly, then case- and punctuation-insensitively.
    source : str, optional
        File name for messages.

    Returns
    -------
    list of str
        The dimension to use for each channel.

    Raises
    ------
    ChannelNotFoundError
        An override names no channel (the message lists the channels).
    """
    out = list(dimensions)
    for name, unit in (units or {}).items():
        idx = find_label(labels, name)
        if idx is None:
            raise ChannelNotFoundError(
                f"--unit {name}={unit}: no channel {name!r}{' in ' + source if source else ''}. Channels are: "
                f"{', '.join(labels)}." + did_you_mean(str(name), labels)
            )
        logger.info("channel %r: unit %r from the header replaced by %r", labels[idx], out[idx], unit)
        out[idx] = str(unit)
    return out


@dataclass(frozen=True)
class UnitCheck:
    """Outcome of :func:`check_emg_units`.

    Attributes
    ----------
    level_uv : float
        Robust noise level of the signal in µV (MAD of first differences scaled to an SD).
    likely_unit : str or None
        The unit the file's numbers are most likely in when the level is not plausible (``"nV"``, ``"µV"``,
        ``"mV"``, ``"V"``; never the file's own unit).
    ok : bool
        Whether the level is plausible for a biopotential in µV (a flat signal counts as ok here:
        flatness is a signal-quality problem, not a unit problem).
    """

    level_uv: float
    likely_unit: str | None
    ok: bool


#: Units a biopotential is written in, with their factor to µV (the file's numbers x factor = µV).
_VOLT_UNITS = (("nV", 1e-3), ("µV", 1.0), ("mV", 1e3), ("V", 1e6))
_CLI_UNIT = {"µV": "uV"}

#: Resting level (µV) above which coarse steps (> :data:`COARSE_UV`) point to a unit one prefix too big:
#: µV numbers labelled mV have a resting level of mV and steps of tens of µV.
SUSPECT_UV = 200.0
COARSE_UV = 1.0


def _robust_level(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if x.size < 3:
        return 0.0
    d = np.diff(x)
    mad = float(np.median(np.abs(d - np.median(d))))
    if mad == 0.0:  # coarse quantisation: fall back to the SD of the steps
        mad = float(np.std(d)) / 1.4826
    return 1.4826 * mad / np.sqrt(2.0)


def _sample(data: np.ndarray, max_samples: int, windows: int) -> np.ndarray:
    """The first ``max_samples`` of ``data``, or that many taken from ``windows`` evenly spaced windows."""
    if windows <= 1 or data.size <= max_samples:
        return np.asarray(data[:max_samples], dtype=float)
    width = max(2, max_samples // windows)
    starts = np.linspace(0, data.size - width, windows).astype(np.int64)
    return np.asarray(data[(starts[:, None] + np.arange(width)[None, :]).ravel()], dtype=float)


def _step(x: np.ndarray) -> float:
    u = np.unique(x[np.isfinite(x)])
    return float(np.min(np.diff(u))) if u.size >= 2 else 0.0


def _file_unit(dimension: str) -> tuple[str, float]:
    """Name and factor to µV of a channel's file unit (µV when it is empty or not a voltage)."""
    factor = unit_factor_uv(dimension)
    for name, f in _VOLT_UNITS:
        if factor == f:
            return name, f
    return "µV", 1.0


def _likely_unit(level_file: float, file_factor: float) -> str | None:
    """The voltage unit (not the file's) in which ``level_file`` is a typical resting EMG/EEG level."""
    lo, hi = PLAUSIBLE_UV
    for name, f in _VOLT_UNITS:
        if f != file_factor and lo * 10 <= level_file * f <= hi / 10:
            return name
    return None


def check_emg_units(
    ch: Channel, *, max_samples: int = 2_000_000, windows: int = 1, raise_error: bool = True
) -> UnitCheck:
    """Check that a biopotential channel's amplitudes make sense in µV.

    The level is the robust SD of the sample-to-sample differences (insensitive to DC offsets and slow
    drift). A resting level below 0.05 µV or above 5 mV cannot be a real EMG/EEG in µV: the file's unit is
    then almost certainly wrong, and the unit that would make it plausible is named. A resting level above
    :data:`SUSPECT_UV` with steps between sample values coarser than :data:`COARSE_UV` is flagged too when
    a smaller unit makes both ordinary (µV numbers labelled mV: run this before any resolution check).

    Parameters
    ----------
    ch : Channel
        Channel with data in µV (``ch.unit == "uV"``); ``ch.physical_dimension`` is the file's unit.
    max_samples : int
        Only this many samples are looked at (a few hours at 200 Hz is plenty).
    windows : int
        Take them from this many windows spread evenly over the channel (1: the first ``max_samples``).
        Spread windows see the resting EMG of the whole night, not only its start, at a fraction of the
        cost; the few sample-to-sample steps across window joins do not move the robust level.
    raise_error : bool
        Raise :class:`UnitError` on an implausible level (default); otherwise return the check.

    Returns
    -------
    UnitCheck
        The level, the likely unit and whether it is plausible.

    Raises
    ------
    UnitError
        When ``raise_error`` and the level is implausible; the message gives the level in the file's unit
        and names the likely unit.
    """
    x = _sample(ch.data, max_samples, windows)
    level = _robust_level(x)
    lo, hi = PLAUSIBLE_UV
    file_unit, file_factor = _file_unit(ch.physical_dimension)
    level_file = level / file_factor
    step: float | None = None
    if level == 0.0:
        return UnitCheck(level, None, True)
    if lo <= level <= hi:
        if level <= SUSPECT_UV or file_factor <= 1.0:  # only a unit above µV (mV, V) can be one prefix too big
            return UnitCheck(level, None, True)
        step = ch.resolution if ch.resolution else _step(x[:200_000])
        likely = _likely_unit(level_file, file_factor)
        if step <= COARSE_UV or likely is None or dict(_VOLT_UNITS)[likely] >= file_factor:
            return UnitCheck(level, None, True)
    else:
        likely = _likely_unit(level_file, file_factor)
    check = UnitCheck(level, likely, False)
    if raise_error:
        guess = (
            f"looks like {likely}, not {file_unit}"
            if likely
            else "fits no voltage unit (digital counts? a broken header?)"
        )
        steps = f" with steps of {step / file_factor:.3g} {file_unit}" if step else ""
        cli = _CLI_UNIT.get(likely or "", likely or "UNIT")
        raise UnitError(
            f"channel {ch.label!r}: resting level {level_file:.3g} {file_unit}{steps} (file unit "
            f"{ch.physical_dimension!r}) {guess}. Fix the EDF physical dimension, or read it with "
            f"units={{{ch.label!r}: {cli!r}}} (CLI: --unit '{ch.label}={cli}')."
        )
    return check


#: Words that start the reader's note on a coarse digital step (the detectors give the verdict later; ``analyze``
#: keeps only theirs for the channels they judged).
COARSE_NOTE = "one digital step is"

#: Roles whose EMG the detectors measure in single µV: a coarser digital step makes them unusable.
MUSCLE_ROLES = ("leg_left", "leg_right", "leg_both", "chin")
#: Shortest sample on which :func:`quick_emg_checks` judges the unit.
QUICK_MIN_S = 30.0


def quick_emg_checks(ch: Channel, sample_uv: np.ndarray, *, source: str, sample_s: float) -> list[str]:
    """Cheap read-time checks of a leg or chin EMG channel: implausible amplitudes (unit), coarse steps.

    Parameters
    ----------
    ch : Channel
        The channel (its ``resolution`` and ``physical_dimension`` are used; its samples are not read).
    sample_uv : numpy.ndarray
        The first samples of the channel in µV (a few minutes are enough).
    source : str
        File name for messages.
    sample_s : float
        Length of ``sample_uv`` in seconds, for messages.

    Returns
    -------
    list of str
        Warnings: the likely unit when the resting level only makes sense in another unit (see
        :func:`check_emg_units`), otherwise a digital step coarser than :data:`COARSE_UV`.
    """
    if ch.role not in MUSCLE_ROLES:
        return []
    res = ch.resolution
    level = _robust_level(np.asarray(sample_uv, dtype=float)) if sample_s >= QUICK_MIN_S else 0.0
    if level > (res or 0.0):  # a level below one digital step (a ramp, a flat stretch) says nothing of the unit
        probe = Channel(
            label=ch.label,
            label_original=ch.label_original,
            fs_hz=ch.fs_hz,
            n_samples=int(sample_uv.size),
            physical_dimension=ch.physical_dimension,
            unit=ch.unit,
            role=ch.role,
            loader=lambda: sample_uv,
            resolution=res,
        )
        try:
            check_emg_units(probe, max_samples=sample_uv.size)
        except UnitError as err:
            return [f"{source} ({ROLE_WORDS.get(ch.role, ch.role)}, amplitudes of the first {sample_s:g} s): {err}"]
    if res is None or res <= COARSE_UV:
        return []
    what = "leg EMG: the 2-µV offset rule of leg movements" if ch.role != "chin" else "chin EMG: its resting level"
    return [
        f"{source}, channel {ch.label!r} ({ROLE_WORDS.get(ch.role, ch.role)}): {COARSE_NOTE} {res:.3g} µV, "
        "coarser than "
        f"{COARSE_UV:g} µV; too coarse for {what} cannot be resolved, so it will be reported unusable. "
        "Re-export with a narrower physical range (e.g. ±3 mV) or more bits."
    ]
