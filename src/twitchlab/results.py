"""Result of analysing one night: summary, events, hypnogram, provenance.

:class:`NightResult` is what :func:`twitchlab.pipeline.analyze` returns and what
the report, the cohort runner and the store consume. Its JSON form is the
contract described in ``docs/json_contract.md``: floats are numbers, missing
values are ``null`` (never ``NaN``), and files are written atomically.
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab._util import atomic_write
from twitchlab.errors import InputFileError, check_option
from twitchlab.model import EVENT_COLUMNS, STAGE_CODES, Hypnogram, empty_events

__all__ = ["JSON_SCHEMA_VERSION", "NightResult", "duration_words", "events_to_csv", "imi_histogram", "to_jsonable"]

#: Version of the JSON layout written by :meth:`NightResult.to_json` (bump on breaking changes).
JSON_SCHEMA_VERSION = 1

_SLEEP_LABELS = ("N1", "N2", "N3", "R")
_LINEAR_EDGES_S = np.arange(0.0, 92.0, 2.0)  # 2-s bins, 0-90 s (Ferri et al. 2016)
_LOG_EDGES = np.round(np.arange(-1.0, 7.0001, 0.25), 6)  # ln(IMI / 1 s): 0.37 s ... 1097 s
#: A recording counts as cut off when less than this share of its declared length could be read.
_COMPLETE_SHARE = 0.999


def _version() -> str:
    from twitchlab import __version__

    return __version__


def to_jsonable(obj: Any) -> Any:
    """Convert nested numpy/pandas values to plain JSON types; NaN, NA and inf become ``None``.

    Parameters
    ----------
    obj : any
        Scalars, dicts, lists, tuples, numpy arrays, pandas objects.

    Returns
    -------
    any
        Only dict, list, str, int, float, bool and None.
    """
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        return _frame_records(obj)
    if isinstance(obj, pd.Series):
        return [to_jsonable(v) for v in obj.tolist()]
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(obj).isoformat()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def _frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = {c: df[c].astype(object).tolist() for c in df.columns}
    return [{c: to_jsonable(cols[c][i]) for c in df.columns} for i in range(len(df))]


def _events_from_records(records: list[dict[str, Any]], dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """Rebuild an events table with the dtypes of :data:`EVENT_COLUMNS` and of ``dtypes`` (order, ids kept)."""
    if not records:
        return empty_events()
    df = pd.DataFrame.from_records(records)
    wanted = {**(dtypes or {}), **EVENT_COLUMNS}
    for col, dtype in wanted.items():
        if col not in df.columns and col not in EVENT_COLUMNS:
            continue
        if col not in df.columns:
            df[col] = None
        values = df[col].astype(object).where(df[col].notna(), None)
        if dtype == "bool":
            df[col] = values.where(values.notna(), False).astype(bool)
        elif dtype in ("Int64", "boolean", "Float64"):
            df[col] = pd.array(values.tolist(), dtype=dtype)
        elif dtype in ("float64", "int64"):
            df[col] = pd.to_numeric(values.where(values.notna(), np.nan)).astype(dtype)
        else:  # object and anything else: plain Python values, None for missing
            df[col] = pd.Series(values.tolist(), index=df.index, dtype=object)
    extras = [c for c in df.columns if c not in EVENT_COLUMNS]
    return df[list(EVENT_COLUMNS) + extras]


def _float_or_none(v: Any) -> float | None:
    return None if v is None else float(v)


def _hypnogram_to_dict(hyp: Hypnogram | None) -> dict[str, Any] | None:
    if hyp is None:
        return None
    return {"epoch_s": hyp.epoch_s, "start_s": hyp.start_s, "source": hyp.source, "stages": hyp.labels}


def _hypnogram_from_dict(d: dict[str, Any] | None) -> Hypnogram | None:
    if d is None:
        return None
    codes = np.asarray([STAGE_CODES[s] for s in d["stages"]], dtype=np.int8)
    return Hypnogram(codes, epoch_s=float(d["epoch_s"]), start_s=float(d["start_s"]), source=d.get("source"))


def imi_histogram(
    events: pd.DataFrame,
    *,
    stage: Literal["sleep", "wake", "all"] = "sleep",
    log: bool = False,
) -> pd.DataFrame:
    """Histogram of inter-movement intervals between consecutive candidate LMs.

    An interval is counted when both the LM and the one before it are CLMs (the
    intervals of the periodicity analysis); it belongs to the stage of the later LM.

    Parameters
    ----------
    events : DataFrame
        Scored events table (SCORING_SPEC §6), rows of type ``lm``.
    stage : {"sleep", "wake", "all"}
        Keep intervals whose later LM is in sleep (N1, N2, N3, R), in wake (W), or all.
    log : bool
        ``False``: 2-s bins from 0 to 90 s plus one bin ``[90, inf)``. ``True``: bins of
        0.25 in ln(IMI in s) from -1 to 7 (0.37 s to 1097 s).

    Returns
    -------
    DataFrame
        ``bin_left``, ``bin_right`` (seconds, or ln seconds when ``log``) and ``count``.

    References
    ----------
    Ferri R, et al. World Association of Sleep Medicine (WASM) 2016 standards for recording and scoring leg
    movements in polysomnograms. Sleep Med 2016;26:86-95.
    Ferri R, et al. New approaches to the study of periodic leg movements during sleep in restless legs
    syndrome. Sleep 2006;29:759-769.
    """
    check_option("stage", stage, ("sleep", "wake", "all"))
    lm = events[events["type"] == "lm"].sort_values("onset_s", kind="stable")
    is_clm = lm["is_clm"].to_numpy(bool)
    prev_clm = np.r_[False, is_clm[:-1]]
    imi = lm["imi_s"].to_numpy(float)
    keep = is_clm & prev_clm & np.isfinite(imi)
    stages = lm["stage"].to_numpy(object)
    if stage == "sleep":
        keep &= np.isin(stages, _SLEEP_LABELS)
    elif stage == "wake":
        keep &= stages == "W"
    vals = imi[keep]
    if log:
        edges = _LOG_EDGES
        counts, _ = np.histogram(np.log(vals[vals > 0]), bins=edges)
        return pd.DataFrame({"bin_left": edges[:-1], "bin_right": edges[1:], "count": counts.astype(np.int64)})
    edges = np.r_[_LINEAR_EDGES_S, np.inf]
    counts, _ = np.histogram(vals, bins=edges)
    return pd.DataFrame({"bin_left": edges[:-1], "bin_right": edges[1:], "count": counts.astype(np.int64)})


def duration_words(seconds: float) -> str:
    """A length of time in plain words: ``"40 seconds"``, ``"1 minute 40 seconds"``, ``"7 hours 5 minutes"``.

    Parameters
    ----------
    seconds : float
        Length in seconds (>= 0).

    Returns
    -------
    str
    """

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    total = max(round(float(seconds)), 0)
    if total < 60:
        return unit(total, "second")
    if total < 600:  # under 10 minutes the seconds still matter
        m, sec = divmod(total, 60)
        return unit(m, "minute") + (f" {unit(sec, 'second')}" if sec else "")
    minutes = round(total / 60)
    if minutes < 60:
        return unit(minutes, "minute")
    h, m = divmod(minutes, 60)
    return unit(h, "hour") + (f" {unit(m, 'minute')}" if m else "")


def _round_sig(values: pd.Series, digits: int = 3) -> pd.Series:
    """Round to ``digits`` significant digits, never below the units (28110.4 stays 28110, not 28100)."""
    x = values.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.floor(np.log10(np.abs(x)))
    decimals = np.where(np.isfinite(mag), np.clip(digits - 1 - mag, 0, 15), 0).astype(int)
    out = np.array([round(v, int(d)) if np.isfinite(v) else v for v, d in zip(x, decimals, strict=True)])
    return pd.Series(out, index=values.index, dtype=values.dtype if values.dtype != object else float)


def events_to_csv(events: pd.DataFrame) -> str:
    """The events table as CSV text, rounded for reading; missing values are empty cells.

    Times (columns ending in ``_s``) are rounded to the millisecond, amplitudes (``_uv``) to 0.01 µV and
    other decimals to 3 significant digits, so no cell shows float noise such as ``2.7220000000002074``.
    The JSON result keeps full precision.

    Parameters
    ----------
    events : DataFrame
        Events table (:data:`twitchlab.model.EVENT_COLUMNS` plus extras).

    Returns
    -------
    str
        CSV with a header row and Unix line ends.
    """
    df = events.copy()
    for col in df.columns:
        if not pd.api.types.is_float_dtype(df[col]):
            continue
        name = str(col)
        if name.endswith("_s"):
            df[col] = df[col].round(3)
        elif name.endswith("_uv"):
            df[col] = df[col].round(2)
        else:
            df[col] = _round_sig(df[col])
    return df.to_csv(index=False, lineterminator="\n")


@dataclass
class NightResult:
    """Everything twitchlab computed for one night, with the provenance to reproduce it.

    Parameters
    ----------
    summary : dict
        Night summary, keys of SCORING_SPEC §4 (and §5 when twitch detectors ran); ``None`` when a
        denominator is 0 or unknown.
    events : DataFrame
        One row per movement: :data:`twitchlab.model.EVENT_COLUMNS` plus extras.
    hypnogram : Hypnogram, optional
        Stages used for the indices; ``None`` when none was available.
    params : dict
        ``rules``, every scoring option used and the detector parameters.
    inputs : list of dict
        ``{"path", "sha256", "kind", ...}`` for every file read (and channels used).
    warnings : list of str
        Tolerated problems, in plain words.
    quality : DataFrame, optional
        Scorability per leg and epoch (filled by the EMG detector).
    lm_source : str
        ``"scored"`` (annotations), ``"emg"`` (our detector) or ``"accelerometer"``.
    twitchlab_version : str
        Version that produced the result.
    null_reasons : dict of str to str
        Why a summary value is ``None``, in plain words, by summary key (the twitch detectors give one for
        every null key of SCORING_SPEC §5); keys without an entry get a reason derived by the report.
    recording_declared_s : float, optional
        Length the input file declares (EDF header), in seconds; ``None`` when the file states none.
    recording_read_s : float, optional
        Length of signal that could be read, in seconds. Less than ``recording_declared_s`` when the file
        was cut off: every value then covers only the part read (see :attr:`truncated`).
    """

    summary: dict[str, Any]
    events: pd.DataFrame = field(default_factory=empty_events)
    hypnogram: Hypnogram | None = None
    params: dict[str, Any] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quality: pd.DataFrame | None = None
    lm_source: str = "scored"
    twitchlab_version: str = field(default_factory=_version)
    null_reasons: dict[str, str] = field(default_factory=dict)
    recording_declared_s: float | None = None
    recording_read_s: float | None = None

    @property
    def rules(self) -> str | None:
        """Rule set used (``"wasm2016"`` or ``"aasm"``)."""
        return self.params.get("rules")

    @property
    def truncated(self) -> bool:
        """True when less of the recording could be read than its file declares (a cut-off file)."""
        declared, read = self.recording_declared_s, self.recording_read_s
        if declared is None or read is None or not (declared > 0 and math.isfinite(declared)):
            return False
        return read < _COMPLETE_SHARE * declared

    def coverage_note(self) -> str | None:
        """The plain sentence that says how much of a cut-off recording was read; ``None`` when it is whole.

        Returns
        -------
        str or None
            E.g. "Only 1 minute 40 seconds of this recording could be read, out of the 30 minutes its file
            declares (6 %): the file is cut off, so every number in this report covers only that part."
        """
        if not self.truncated:
            return None
        read, declared = float(self.recording_read_s or 0.0), float(self.recording_declared_s or 0.0)
        share = 100.0 * read / declared
        pct = f"{share:.0f} %" if share >= 1 else "less than 1 %"
        return (
            f"Only {duration_words(read)} of this recording could be read, out of the {duration_words(declared)} "
            f"its file declares ({pct}): the file is cut off, so every number here covers only that part of the "
            "night, not the whole of it."
        )

    def events_csv(self) -> str:
        """The events table as CSV text, rounded for reading (see :func:`events_to_csv`)."""
        return events_to_csv(self.events)

    # -- serialisation
    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract as plain Python objects (see ``docs/json_contract.md``)."""
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "twitchlab_version": self.twitchlab_version,
            "rules": self.rules,
            "lm_source": self.lm_source,
            "params": to_jsonable(self.params),
            "inputs": to_jsonable(self.inputs),
            "warnings": [str(w) for w in self.warnings],
            "summary": to_jsonable(self.summary),
            "hypnogram": to_jsonable(_hypnogram_to_dict(self.hypnogram)),
            "quality": None if self.quality is None else _frame_records(self.quality),
            "event_columns": {str(c): str(t) for c, t in self.events.dtypes.items()},
            "events": _frame_records(self.events),
            "null_reasons": {str(k): str(v) for k, v in self.null_reasons.items()},
            "recording_declared_s": to_jsonable(self.recording_declared_s),
            "recording_read_s": to_jsonable(self.recording_read_s),
            "recording_truncated": self.truncated,
        }

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int | None = 1) -> str:
        """Serialise to JSON; write it atomically when ``path`` is given.

        Parameters
        ----------
        path : path-like, optional
            Destination file. The parent folder is created.
        indent : int, optional
            JSON indentation.

        Returns
        -------
        str
            The JSON text (also when written to a file).
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)
        if path is not None:
            with atomic_write(path) as fh:
                fh.write(text)
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NightResult:
        """Rebuild from :meth:`to_dict` output."""
        quality = d.get("quality")
        return cls(
            summary=dict(d.get("summary") or {}),
            events=_events_from_records(d.get("events") or [], d.get("event_columns")),
            hypnogram=_hypnogram_from_dict(d.get("hypnogram")),
            params=dict(d.get("params") or {}),
            inputs=list(d.get("inputs") or []),
            warnings=list(d.get("warnings") or []),
            quality=None if quality is None else pd.DataFrame.from_records(quality),
            lm_source=str(d.get("lm_source") or "scored"),
            twitchlab_version=str(d.get("twitchlab_version") or "unknown"),
            null_reasons={str(k): str(v) for k, v in (d.get("null_reasons") or {}).items()},
            recording_declared_s=_float_or_none(d.get("recording_declared_s")),
            recording_read_s=_float_or_none(d.get("recording_read_s")),
        )

    @classmethod
    def from_json(cls, path_or_text: str | os.PathLike[str]) -> NightResult:
        """Read a result written by :meth:`to_json` (a path, or the JSON text itself).

        Raises
        ------
        InputFileError
            When the file is not a twitchlab result.
        """
        text = str(path_or_text)
        if not text.lstrip().startswith("{"):
            text = Path(path_or_text).read_text(encoding="utf-8")
        try:
            d = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputFileError(
                f"{path_or_text}: not valid JSON ({err.msg} at line {err.lineno}); pass a file written by "
                "NightResult.to_json or `twitchlab analyze --json`."
            ) from err
        if not isinstance(d, dict) or "summary" not in d or "events" not in d:
            raise InputFileError(f"{path_or_text}: JSON lacks 'summary'/'events'; it is not a twitchlab night result.")
        return cls.from_dict(d)

    def to_parquet(self, path: str | os.PathLike[str]) -> Path:
        """Write the events table to Parquet (atomically), with the rest of the result in its metadata.

        The file metadata key ``twitchlab`` holds the JSON of everything but the events, so
        ``pyarrow.parquet.read_metadata(path).metadata[b"twitchlab"]`` recovers the summary.

        Parameters
        ----------
        path : path-like
            Destination ``.parquet`` file.

        Returns
        -------
        Path
            The written file.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        meta = self.to_dict()
        meta.pop("events")
        table = pa.Table.from_pandas(self.events, preserve_index=False)
        merged = dict(table.schema.metadata or {})
        merged[b"twitchlab"] = json.dumps(meta, allow_nan=False).encode("utf-8")
        table = table.replace_schema_metadata(merged)
        buf = io.BytesIO()
        pq.write_table(table, buf)
        with atomic_write(path, "wb") as fh:
            fh.write(buf.getvalue())
        return Path(path)

    # -- views
    def imi_histogram(self, stage: Literal["sleep", "wake", "all"] = "sleep", log: bool = False) -> pd.DataFrame:
        """Histogram of IMIs between consecutive CLMs; see :func:`imi_histogram`."""
        return imi_histogram(self.events, stage=stage, log=log)

    def plot(
        self,
        kind: Literal[
            "hypnogram", "hourly_counts", "imi_histogram", "duration_histogram", "quality", "twitch_raster", "rswa",
            "stimulus_psth",
        ],
        *,
        width_in: float = 11.0,
    ) -> Any:  # fmt: skip
        """Draw one of the report figures (:mod:`twitchlab.report.figures`) and return the matplotlib Figure.

        Parameters
        ----------
        kind : str
            Which figure: ``hypnogram``, ``hourly_counts``, ``imi_histogram``, ``duration_histogram``,
            ``quality``, ``twitch_raster``, ``rswa`` or ``stimulus_psth``.
        width_in : float
            Figure width in inches; below :data:`twitchlab.report.figures.NARROW_BELOW_IN` the figure takes the
            narrow (phone) layout of the HTML report, e.g. ``width_in=figures.NARROW_WIDTH_IN``.
        """
        from twitchlab.report import figures

        kinds = ("hypnogram", "hourly_counts", "imi_histogram", "duration_histogram", "quality", "twitch_raster",
                 "rswa", "stimulus_psth")  # fmt: skip
        check_option("kind", kind, kinds)
        return getattr(figures, f"plot_{kind}")(self, width_in=width_in)

    def plot_hypnogram(self, *, width_in: float = 11.0) -> Any:
        """Hypnogram with the leg movements and PLM series under it (see :meth:`plot`)."""
        return self.plot("hypnogram", width_in=width_in)

    def plot_imi_histogram(self, *, width_in: float = 11.0) -> Any:
        """IMI histograms, linear and log, sleep and wake (see :meth:`plot`)."""
        return self.plot("imi_histogram", width_in=width_in)

    def plot_hourly_counts(self, *, width_in: float = 11.0) -> Any:
        """Leg movements per hour of the night: periodic, other, in wake (see :meth:`plot`)."""
        return self.plot("hourly_counts", width_in=width_in)

    def plot_duration_histogram(self, *, width_in: float = 11.0) -> Any:
        """How long the leg movements lasted, per leg (see :meth:`plot`)."""
        return self.plot("duration_histogram", width_in=width_in)

    def plot_quality(self, *, width_in: float = 11.0) -> Any:
        """Scorable and unscorable epochs per leg (see :meth:`plot`)."""
        return self.plot("quality", width_in=width_in)

    def plot_twitch_raster(self, *, width_in: float = 11.0) -> Any:
        """Twitch kinds of SCORING_SPEC §5 over the hypnogram (see :meth:`plot`)."""
        return self.plot("twitch_raster", width_in=width_in)

    def lms(self) -> pd.DataFrame:
        """Rows of :attr:`events` of type ``lm``."""
        return self.events[self.events["type"] == "lm"]

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<NightResult rules={self.rules} lm_source={self.lm_source}: {len(self.events)} events, "
            f"LM {s.get('lm_count')}, PLM {s.get('plm_count')}, PLMS index {s.get('plms_index')}, "
            f"{len(self.warnings)} warning(s)>"
        )
