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
from twitchlab.model import Channel

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
        The unit that would make the level plausible when it is not (``"mV"``, ``"V"``, ``"nV"``).
    ok : bool
        Whether the level is plausible for a biopotential in µV (a flat signal counts as ok here:
        flatness is a signal-quality problem, not a unit problem).
    """

    level_uv: float
    likely_unit: str | None
    ok: bool


def _robust_level(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if x.size < 3:
        return 0.0
    d = np.diff(x)
    mad = float(np.median(np.abs(d - np.median(d))))
    if mad == 0.0:  # coarse quantisation: fall back to the SD of the steps
        mad = float(np.std(d)) / 1.4826
    return 1.4826 * mad / np.sqrt(2.0)


def check_emg_units(ch: Channel, *, max_samples: int = 2_000_000, raise_error: bool = True) -> UnitCheck:
    """Check that a biopotential channel's amplitudes make sense in µV.

    The level is the robust SD of the sample-to-sample differences (insensitive to DC offsets and slow
    drift). A resting level below 0.05 µV or above 5 mV cannot be a real EMG/EEG in µV: the file's unit is
    then almost certainly wrong, and the unit that would make it plausible is named.

    Parameters
    ----------
    ch : Channel
        Channel with data in µV (``ch.unit == "uV"``).
    max_samples : int
        Only the first this many samples are looked at (a few hours at 200 Hz is plenty).
    raise_error : bool
        Raise :class:`UnitError` on an implausible level (default); otherwise return the check.

    Returns
    -------
    UnitCheck
        The level, the likely unit and whether it is plausible.

    Raises
    ------
    UnitError
        When ``raise_error`` and the level is implausible; the message names the likely unit.
    """
    level = _robust_level(np.asarray(ch.data[:max_samples], dtype=float))
    lo, hi = PLAUSIBLE_UV
    if level == 0.0 or lo <= level <= hi:
        return UnitCheck(level, None, True)
    likely = None
    for unit, factor in (("mV", 1e3), ("V", 1e6), ("nV", 1e-3)):
        if lo * 10 <= level * factor <= hi / 10:
            likely = unit
            break
    check = UnitCheck(level, likely, False)
    if raise_error:
        guess = f"looks like {likely}, not µV" if likely else "fits no voltage unit (digital counts? a broken header?)"
        raise UnitError(
            f"channel {ch.label!r}: resting level {level:.3g} (file unit {ch.physical_dimension!r}) {guess}. "
            f"Fix the EDF physical dimension, or read it with units={{{ch.label!r}: {likely or 'UNIT'!r}}} "
            f"(CLI: --unit '{ch.label}={likely or 'UNIT'}')."
        )
    return check
