"""Core data model: channels, hypnogram, recording and the events table.

Everything downstream (detection, scoring, reports) works on these objects:
signals are float arrays in µV with their own sampling rate, times are
seconds from the recording start, and events live in one long DataFrame with
the unit-suffixed columns of SCORING_SPEC §6.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from twitchlab.errors import ChannelNotFoundError, InputFileError, ParameterError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    import mne
    import yasa

__all__ = [
    "CANONICAL_TYPES",
    "EPOCH_S",
    "EVENT_COLUMNS",
    "ROLES",
    "ROLE_WORDS",
    "STAGE_CODES",
    "STAGE_LABELS",
    "TWITCH_EVENT_TYPES",
    "Channel",
    "Hypnogram",
    "Recording",
    "empty_events",
    "make_events",
    "validate_events",
]

EPOCH_S = 30.0

#: YASA integer coding of sleep stages.
STAGE_CODES: dict[str, int] = {"W": 0, "N1": 1, "N2": 2, "N3": 3, "R": 4, "?": -1, "ART": -2}
STAGE_LABELS: dict[int, str] = {v: k for k, v in STAGE_CODES.items()}
SLEEP_CODES = (1, 2, 3, 4)

#: Channel roles assigned by the alias table (io.aliases).
ROLES = (
    "leg_left",
    "leg_right",
    "leg_both",
    "chin",
    "arm_left",
    "arm_right",
    "ecg",
    "eeg",
    "eog",
    "resp_flow",
    "resp_effort",
    "spo2",
    "position",
    "accel",
    "other",
)

#: Channel roles in the words a person reads (roles not listed read as themselves: ``chin``, ``ecg``...).
ROLE_WORDS = {
    "leg_left": "left leg",
    "leg_right": "right leg",
    "leg_both": "both legs",
    "arm_left": "left arm",
    "arm_right": "right arm",
    "resp_flow": "airflow",
    "resp_effort": "breathing effort",
}

#: Event types of the twitch detectors (SCORING_SPEC §5), in the order reports list them.
TWITCH_EVENT_TYPES = (
    "hypnic_jerk",
    "fragmentary_myoclonus",
    "hypnagogic_foot_tremor",
    "alma",
    "rhythmic_movement",
    "long_contraction",
    "rem_twitch",
)

#: Canonical annotation vocabulary (SCORING_SPEC §1 and §5). Readers map every label onto one of these
#: and keep the original in ``label_original``; unknown labels become ``other``.
CANONICAL_TYPES = (
    # sleep stages (turned into the hypnogram, kept in events for provenance)
    "stage_w",
    "stage_n1",
    "stage_n2",
    "stage_n3",
    "stage_r",
    "stage_unscored",
    # respiration
    "apnea_obstructive",
    "apnea_central",
    "apnea_mixed",
    "apnea",
    "hypopnea",
    "rera",
    "desaturation",
    # arousals, movements
    "arousal",
    "lm_left",
    "lm_right",
    "lm",
    "plm_span",
    # recording markers
    "lights_off",
    "lights_on",
    "artifact",
    "stimulus",
    # detected or scored twitch kinds (SCORING_SPEC §5)
    *TWITCH_EVENT_TYPES,
    "stimulus_linked",
    "other",
)

STAGE_TYPE_TO_CODE = {
    "stage_w": 0,
    "stage_n1": 1,
    "stage_n2": 2,
    "stage_n3": 3,
    "stage_r": 4,
    "stage_unscored": -1,
}
RESP_TYPES = ("apnea_obstructive", "apnea_central", "apnea_mixed", "apnea", "hypopnea", "rera")

# ---------------------------------------------------------------------------------------------- events table

#: Column -> pandas dtype of the events table (SCORING_SPEC §6 plus provenance).
EVENT_COLUMNS: dict[str, str] = {
    "event_id": "int64",
    "type": "object",
    "onset_s": "float64",
    "offset_s": "float64",
    "duration_s": "float64",
    "side": "object",  # "L", "R", "B" or None
    "peak_amp_uv": "float64",
    "is_clm": "bool",
    "is_plm": "bool",
    "series_id": "Int64",
    "imi_s": "float64",
    "stage": "object",  # W, N1, N2, N3, R or None
    "resp_associated": "bool",
    "arousal_associated": "bool",
    "excluded_reason": "object",
    "label_original": "object",
    "source": "object",
}

_DEFAULTS: dict[str, Any] = {
    "side": None,
    "peak_amp_uv": np.nan,
    "is_clm": False,
    "is_plm": False,
    "series_id": pd.NA,
    "imi_s": np.nan,
    "stage": None,
    "resp_associated": False,
    "arousal_associated": False,
    "excluded_reason": None,
    "label_original": None,
    "source": None,
}


def empty_events() -> pd.DataFrame:
    """Return an events table with zero rows and every column of :data:`EVENT_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in EVENT_COLUMNS.items()})


def make_events(
    rows: pd.DataFrame | Mapping[str, Sequence[Any]] | Iterable[Mapping[str, Any]],
) -> pd.DataFrame:
    """Build a well-typed events table from partial columns.

    ``onset_s`` and ``type`` are required; ``offset_s`` or ``duration_s`` fill each
    other (an instant event has duration 0); other columns get their defaults.
    Extra columns (e.g. ``channels``, ``n_bursts``) are kept after the standard ones.
    Rows are sorted by onset and ``event_id`` is renumbered from 0.

    Parameters
    ----------
    rows : DataFrame, mapping of columns, or iterable of row mappings
        The events.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`EVENT_COLUMNS` (in that order) plus extras.

    Raises
    ------
    ParameterError
        When ``onset_s`` or ``type`` is missing, or an offset precedes its onset.
    """
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
    if df.empty and len(df.columns) == 0:
        return empty_events()
    for col in ("onset_s", "type"):
        if col not in df.columns:
            raise ParameterError(f"events need a {col!r} column; got columns {list(df.columns)}")
    # column by column in numpy, one DataFrame at the end (pandas per-column assignment costs ~0.3 ms each)
    onset = df["onset_s"].to_numpy(dtype="float64", na_value=np.nan)
    if "offset_s" in df.columns:
        offset = df["offset_s"].to_numpy(dtype="float64", na_value=np.nan)
    elif "duration_s" in df.columns:
        offset = onset + np.nan_to_num(df["duration_s"].to_numpy(dtype="float64", na_value=np.nan), nan=0.0)
    else:
        offset = onset.copy()
    offset = np.where(np.isnan(offset), onset, offset)
    duration = offset - onset
    bad = duration < -1e-9
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"{int(bad.sum())} event(s) end before they start (first: {df['type'].iloc[i]} at "
            f"onset {onset[i]:.3f} s, offset {offset[i]:.3f} s)"
        )
    order = np.lexsort((offset, onset))  # by onset, then offset; stable
    n = len(df)
    computed = {"event_id": np.arange(n, dtype="int64"), "onset_s": onset, "offset_s": offset, "duration_s": duration}
    out: dict[str, Any] = {}
    for col, dtype in EVENT_COLUMNS.items():
        if col in computed:
            out[col] = computed[col] if col == "event_id" else computed[col][order]
            continue
        if col in df.columns:
            values = df[col].to_numpy()[order]
        else:
            values = np.full(n, _DEFAULTS.get(col), dtype=object)
        missing = pd.isna(values)
        if dtype == "bool":
            out[col] = np.where(missing, False, values).astype(bool)
        elif dtype == "object":  # an explicit object Series: pandas would infer its string dtype (NaN for None)
            values = np.array(values, dtype=object)
            values[missing] = None
            out[col] = pd.Series(values, dtype=object, copy=False)
        elif dtype == "float64":
            out[col] = np.where(missing, np.nan, values).astype("float64")
        else:
            out[col] = pd.array(np.where(missing, None, values) if missing.any() else values, dtype=dtype)
    for col in df.columns:
        if col not in EVENT_COLUMNS:
            out[col] = df[col].iloc[order].reset_index(drop=True)
    return pd.DataFrame(out)


def validate_events(df: pd.DataFrame) -> pd.DataFrame:
    """Check an events table at a module boundary; return it unchanged.

    Raises
    ------
    ParameterError
        Missing columns, offsets before onsets, or non-finite onsets.
    """
    missing = [c for c in EVENT_COLUMNS if c not in df.columns]
    if missing:
        raise ParameterError(f"events table lacks columns {missing}")
    if len(df) and not np.isfinite(df["onset_s"].to_numpy(float)).all():
        raise ParameterError("events table has non-finite onset_s values")
    if len(df) and (df["offset_s"].to_numpy(float) < df["onset_s"].to_numpy(float) - 1e-9).any():
        raise ParameterError("events table has offset_s < onset_s")
    return df


# ------------------------------------------------------------------------------------------------- hypnogram


@dataclass(frozen=True)
class Hypnogram:
    """Sleep stages in fixed epochs, YASA integer coding.

    Parameters
    ----------
    stages : array of int
        One code per epoch: W=0, N1=1, N2=2, N3=3, R=4, unscored=-1, artefact=-2.
    epoch_s : float
        Epoch length in seconds (30 by the AASM rules).
    start_s : float
        Onset of the first epoch in seconds from the recording start.
    source : str, optional
        Where the stages came from (file name, ``"yasa"``, ``"accelerometer estimate"``...).
    """

    stages: np.ndarray
    epoch_s: float = EPOCH_S
    start_s: float = 0.0
    source: str | None = None

    def __post_init__(self) -> None:
        arr = np.asarray(self.stages)
        if arr.ndim != 1:
            raise ParameterError(f"hypnogram stages must be 1-D, got shape {arr.shape}")
        if arr.size and not np.isin(arr, list(STAGE_LABELS)).all():
            bad = sorted(set(np.unique(arr).tolist()) - set(STAGE_LABELS))
            raise ParameterError(f"hypnogram has codes {bad}; allowed are {sorted(STAGE_LABELS)} (YASA coding)")
        if not (self.epoch_s > 0):
            raise ParameterError(f"epoch_s must be > 0, got {self.epoch_s}")
        arr = arr.astype(np.int8)
        arr.setflags(write=False)
        object.__setattr__(self, "stages", arr)

    # -- constructors
    @classmethod
    def from_labels(
        cls,
        labels: Sequence[str],
        *,
        epoch_s: float = EPOCH_S,
        start_s: float = 0.0,
        source: str | None = None,
    ) -> Hypnogram:
        """Build from string labels (W, N1, N2, N3, N4, R/REM, ?, ART; case-insensitive).

        R&K stage 4 maps to N3.
        """
        table = {
            "w": 0, "wake": 0, "0": 0, "n1": 1, "s1": 1, "1": 1, "n2": 2, "s2": 2, "2": 2,
            "n3": 3, "s3": 3, "3": 3, "n4": 3, "s4": 3, "4": 3, "r": 4, "rem": 4, "5": 4,
            "?": -1, "uns": -1, "unscored": -1, "-1": -1, "art": -2, "artefact": -2, "artifact": -2,
            "movement": -2, "mt": -2, "-2": -2,
        }  # fmt: skip
        codes = []
        for i, lab in enumerate(labels):
            key = str(lab).strip().lower()
            if key not in table:
                raise ParameterError(
                    f"hypnogram epoch {i}: unknown stage label {lab!r}; use W, N1, N2, N3, R, ? or ART."
                    + did_you_mean(key.upper(), ["W", "N1", "N2", "N3", "R", "REM", "ART"])
                )
            codes.append(table[key])
        return cls(np.asarray(codes, dtype=np.int8), epoch_s=epoch_s, start_s=start_s, source=source)

    @classmethod
    def from_yasa(cls, hyp: yasa.Hypnogram, *, start_s: float = 0.0) -> Hypnogram:
        """Build from a :class:`yasa.Hypnogram` (any number of stages; ``freq`` gives the epoch)."""
        epoch_s = pd.Timedelta(hyp.freq).total_seconds()
        labels = [str(x).upper() for x in hyp.hypno.to_numpy()]
        mapped = [{"WAKE": "W", "REM": "R", "UNS": "?", "ART": "ART", "SLEEP": "N2", "NREM": "N2",
                   "LIGHT": "N2", "DEEP": "N3"}.get(x, x) for x in labels]  # fmt: skip
        return cls.from_labels(mapped, epoch_s=epoch_s, start_s=start_s, source="yasa.Hypnogram")

    def to_yasa(self) -> yasa.Hypnogram:
        """Return a 5-stage :class:`yasa.Hypnogram` (needs the ``staging`` extra)."""
        import yasa

        names = {0: "WAKE", 1: "N1", 2: "N2", 3: "N3", 4: "REM", -1: "UNS", -2: "ART"}
        return yasa.Hypnogram([names[int(c)] for c in self.stages], n_stages=5, freq=f"{self.epoch_s:g}s")

    # -- queries
    @property
    def n_epochs(self) -> int:
        """Number of epochs."""
        return int(self.stages.size)

    @property
    def end_s(self) -> float:
        """End of the last epoch, seconds from recording start."""
        return self.start_s + self.n_epochs * self.epoch_s

    @property
    def labels(self) -> list[str]:
        """Stage labels (W, N1, N2, N3, R, ?, ART) per epoch."""
        return [STAGE_LABELS[int(c)] for c in self.stages]

    def epoch_onsets_s(self) -> np.ndarray:
        """Onset of each epoch in seconds from recording start."""
        return self.start_s + np.arange(self.n_epochs) * self.epoch_s

    def stage_at(self, times_s: np.ndarray | Sequence[float]) -> np.ndarray:
        """Stage code at each time (-1 outside the hypnogram). Vectorised.

        A time on an epoch edge belongs to the epoch it starts, also when float arithmetic puts it a hair before
        (``j / fs`` at a 66.7-Hz rate); the tolerance is 1 ns.
        """
        t = np.asarray(times_s, dtype=float)
        idx = np.floor((t - self.start_s) / self.epoch_s + 1e-9 / self.epoch_s).astype(np.int64)
        out = np.full(t.shape, -1, dtype=np.int8)
        ok = (idx >= 0) & (idx < self.n_epochs) & np.isfinite(t)
        out[ok] = self.stages[idx[ok]]
        return out

    def minutes(self, start_s: float | None = None, end_s: float | None = None) -> dict[str, float]:
        """Minutes per stage label inside ``[start_s, end_s)`` (partial epochs counted pro rata)."""
        lo = self.start_s if start_s is None else start_s
        hi = self.end_s if end_s is None else end_s
        on = self.epoch_onsets_s()
        overlap = np.clip(np.minimum(on + self.epoch_s, hi) - np.maximum(on, lo), 0, None)
        out = {lab: 0.0 for lab in STAGE_CODES}
        for code, lab in STAGE_LABELS.items():
            out[lab] = float(overlap[self.stages == code].sum() / 60.0)
        return out

    def __repr__(self) -> str:
        mins = self.minutes()
        parts = ", ".join(f"{k} {v:.0f}" for k, v in mins.items() if v > 0)
        return (
            f"<Hypnogram: {self.n_epochs} epochs of {self.epoch_s:g} s from {self.start_s:g} s "
            f"(min: {parts}); .labels, .stage_at(t), .to_yasa()>"
        )


# -------------------------------------------------------------------------------------------------- channels


@dataclass(frozen=True, eq=False)
class Channel:
    """One signal of a recording, loaded on first access of :attr:`data`.

    Parameters
    ----------
    label : str
        Unique label within the recording (duplicates get ``-0``, ``-1`` suffixes).
    label_original : str
        Label as written in the file.
    fs_hz : float
        Sampling rate.
    n_samples : int
        Number of samples (including NaN-filled gaps of discontinuous files).
    physical_dimension : str
        Unit as written in the file (``"uV"``, ``"mV"``, ``"V"``, ``"%"``...).
    unit : str
        Unit of :attr:`data`: ``"uV"`` for every voltage channel (converted), else the original.
    role : str
        One of :data:`ROLES` (from the alias table or the user's ``--channel`` override).
    loader : callable
        Returns the samples as float64 in :attr:`unit`; called once, result cached read-only.
    resolution : float, optional
        Size of one digital step in :attr:`unit` (coarse steps make EMG unusable).
    rails : tuple of float, optional
        Lowest and highest value the recording system can store, in :attr:`unit` (the file header's physical
        minimum and maximum): samples there are saturated. ``None`` when unknown.
    """

    label: str
    label_original: str
    fs_hz: float
    n_samples: int
    physical_dimension: str
    unit: str
    role: str
    loader: Callable[[], np.ndarray] = field(repr=False)
    resolution: float | None = None
    rails: tuple[float, float] | None = None

    @cached_property
    def data(self) -> np.ndarray:
        """Samples (float64, read-only) in :attr:`unit`; NaN in recording gaps."""
        arr = np.asarray(self.loader(), dtype=np.float64)
        if arr.ndim != 1:
            raise InputFileError(f"channel {self.label!r}: expected 1-D samples, got shape {arr.shape}")
        arr.setflags(write=False)
        return arr

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.n_samples / self.fs_hz if self.fs_hz > 0 else 0.0

    @property
    def is_loaded(self) -> bool:
        """Whether the samples were read already."""
        return "data" in self.__dict__

    @classmethod
    def from_array(
        cls,
        data: np.ndarray,
        fs_hz: float,
        label: str,
        *,
        unit: str = "uV",
        role: str = "other",
        label_original: str | None = None,
    ) -> Channel:
        """Wrap an in-memory array (already in ``unit``)."""
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim != 1:
            raise ParameterError(f"channel {label!r}: data must be 1-D, got shape {arr.shape}")
        if not (fs_hz > 0 and math.isfinite(fs_hz)):
            raise ParameterError(f"channel {label!r}: fs_hz must be a positive number, got {fs_hz}")
        return cls(
            label=label,
            label_original=label if label_original is None else label_original,
            fs_hz=float(fs_hz),
            n_samples=int(arr.size),
            physical_dimension=unit,
            unit=unit,
            role=role,
            loader=lambda: arr,
        )

    def times_s(self) -> np.ndarray:
        """Sample times in seconds from recording start."""
        return np.arange(self.n_samples) / self.fs_hz


# ------------------------------------------------------------------------------------------------- recording


@dataclass
class Recording:
    """A night: channels, annotations as canonical events, hypnogram, provenance.

    Use :meth:`from_edf`, :meth:`from_mne` or :meth:`from_array` rather than the constructor.

    Parameters
    ----------
    channels : dict of str to Channel
        By unique label, in file order.
    duration_s : float
        Length of the recording in seconds (including gaps).
    start : datetime, optional
        Wall-clock time of the first sample (with sub-second part when the file has it).
    events : DataFrame
        Annotations mapped to the canonical vocabulary (see :func:`make_events`).
    hypnogram : Hypnogram, optional
        30-s stages when known.
    gaps : tuple of (start_s, end_s)
        Unrecorded stretches of a discontinuous (EDF+D) file; signals are NaN there.
    source : str, optional
        Main input file, for messages.
    inputs : list of dict
        ``{"path", "sha256", "kind"}`` of every file read.
    warnings : list of str
        Everything tolerated while reading, in plain words.
    device, location : str, optional
        Wearable device and wear location (``ankle``, ``wrist``, ``mattress``).
    declared_duration_s : float, optional
        Length the file's header promises, in seconds, when the reader knows it (EDF/BDF: declared data
        records × record duration). Larger than ``duration_s`` when the file was cut off and only the
        records present were read; ``None`` when the source states no length.
    """

    channels: dict[str, Channel]
    duration_s: float
    start: datetime | None = None
    events: pd.DataFrame = field(default_factory=empty_events)
    hypnogram: Hypnogram | None = None
    gaps: tuple[tuple[float, float], ...] = ()
    source: str | None = None
    inputs: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    device: str | None = None
    location: str | None = None
    declared_duration_s: float | None = None

    # -- constructors (thin: the work lives in twitchlab.io)
    @classmethod
    def from_edf(cls, path: str, **kwargs: Any) -> Recording:
        """Read an EDF/EDF+/BDF file; see :func:`twitchlab.io.read_edf`."""
        from twitchlab.io import read_edf

        return read_edf(path, **kwargs)

    @classmethod
    def from_mne(cls, raw: mne.io.BaseRaw, **kwargs: Any) -> Recording:
        """Wrap an :class:`mne.io.Raw` (MNE keeps volts; we convert to µV); see :func:`twitchlab.io.from_mne`."""
        from twitchlab.io import from_mne

        return from_mne(raw, **kwargs)

    @classmethod
    def from_array(
        cls,
        data: np.ndarray,
        fs_hz: float | Sequence[float],
        ch_names: Sequence[str],
        **kwargs: Any,
    ) -> Recording:
        """Build from a (n_channels, n_samples) array in µV, YASA style; see :func:`twitchlab.io.from_array`."""
        from twitchlab.io import from_array

        return from_array(data, fs_hz, ch_names, **kwargs)

    # -- queries
    def channel(self, name: str) -> Channel:
        """Return a channel by label or role (``"leg_left"``...)."""
        if name in self.channels:
            return self.channels[name]
        by_role = [c for c in self.channels.values() if c.role == name]
        if len(by_role) == 1:
            return by_role[0]
        if len(by_role) > 1:
            raise ChannelNotFoundError(
                f"role {name!r} matches several channels {[c.label for c in by_role]}; name one of them."
            )
        raise ChannelNotFoundError(
            f"no channel {name!r} in {self.source or 'the recording'}; channels are {list(self.channels)}."
            + did_you_mean(name, list(self.channels))
        )

    def channels_with_role(self, *roles: str) -> list[Channel]:
        """Channels whose role is one of ``roles``, in file order."""
        return [c for c in self.channels.values() if c.role in roles]

    def leg_channels(self) -> dict[str, Channel]:
        """Leg EMG channels by side: ``{"L": ..., "R": ...}`` or ``{"B": ...}`` for a single both-legs channel."""
        out: dict[str, Channel] = {}
        for role, side in (("leg_left", "L"), ("leg_right", "R"), ("leg_both", "B")):
            found = self.channels_with_role(role)
            if found:
                out[side] = found[0]
        if "L" in out or "R" in out:
            out.pop("B", None)
        return out

    def events_of(self, *types: str) -> pd.DataFrame:
        """Rows of :attr:`events` whose ``type`` is one of ``types``."""
        return self.events[self.events["type"].isin(types)]

    def __repr__(self) -> str:
        legs = ", ".join(f"{s}={c.label}" for s, c in self.leg_channels().items()) or "none"
        return (
            f"<Recording {self.source or ''}: {len(self.channels)} channels, {self.duration_s:.1f} s, "
            f"{len(self.events)} events, hypnogram={'yes' if self.hypnogram is not None else 'no'}, legs: {legs}>"
        )
