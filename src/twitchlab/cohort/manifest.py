"""Cohort manifests: one row per night, from a CSV/TSV/Parquet table or a folder scan."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from twitchlab.errors import InputFileError, ParameterError

__all__ = ["MANIFEST_COLUMNS", "read_manifest", "scan_folder"]

#: Columns with a fixed meaning; every other column is a covariate carried into the summary table.
MANIFEST_COLUMNS = ("night_id", "recording", "annotations")

_SIGNAL_SUFFIXES = (".edf", ".bdf", ".rec")
_ANNOT_SUFFIXES = (".xml", ".csv", ".tsv", ".txt")
_ID_RE = re.compile(r"^[A-Za-z0-9._-]+$")


def _split_annotations(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, list | tuple | np.ndarray):  # Parquet list columns come back as arrays
        return [str(v) for v in value if str(v).strip()]
    return [p.strip() for p in re.split(r"[;|]", str(value)) if p.strip()]


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read a cohort manifest.

    The table needs ``night_id`` and ``recording`` (a signal file, or an annotation file when
    the night has no signals); ``annotations`` is optional and may hold several paths separated by
    ``;`` or ``|``. Relative paths are taken relative to the manifest's folder. Every other column is
    a covariate (age, sex, group...) copied into the cohort summary.

    Parameters
    ----------
    path : path-like
        ``.csv``, ``.tsv`` or ``.parquet`` file, or a folder (see :func:`scan_folder`).

    Returns
    -------
    pandas.DataFrame
        ``night_id`` (str), ``recording`` (absolute path str), ``annotations`` (list of absolute path
        str), then the covariates.

    Raises
    ------
    InputFileError
        Unreadable table, missing columns, empty or duplicate night ids, ids that are not safe file names.
    """
    p = Path(path)
    if p.is_dir():
        return scan_folder(p)
    if not p.is_file():
        raise InputFileError(f"manifest {p} does not exist. Give a CSV/TSV/Parquet file or a folder of recordings.")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(p)
        elif suffix in (".tsv", ".tab"):
            df = pd.read_csv(p, sep="\t", dtype={"night_id": str})
        elif suffix == ".csv":
            df = pd.read_csv(p, sep=_guess_sep(p), dtype={"night_id": str})
        else:
            raise InputFileError(f"manifest {p}: unsupported type {suffix!r}; use .csv, .tsv or .parquet.")
    except pd.errors.EmptyDataError as err:
        raise InputFileError(
            f"manifest {p} is empty. It needs a header row: night_id,recording[,annotations,...]."
        ) from err
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise InputFileError(f"manifest {p}: cannot read the table ({err}).") from err
    return _normalise(df, base=p.parent, where=str(p))


def _guess_sep(path: Path) -> str:
    """Separator of a CSV manifest from its header line (comma unless ';' or tab clearly dominate)."""
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > 0 else ","


def scan_folder(folder: str | Path, pattern: str = "**/*") -> pd.DataFrame:
    """Build a manifest from a folder: one night per signal file (EDF/BDF) matching ``pattern``.

    Annotation files sharing the recording's stem prefix (``night1.edf`` + ``night1*.xml``) are attached.
    Night ids are the file stems (made unique with the parent folder name when needed).

    Parameters
    ----------
    folder : path-like
        Folder to scan (recursively with the default pattern).
    pattern : str
        Glob relative to ``folder``.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_manifest`.
    """
    root = Path(folder)
    signals = sorted(f for f in root.glob(pattern) if f.is_file() and f.suffix.lower() in _SIGNAL_SUFFIXES)
    if not signals:
        raise InputFileError(f"no EDF/BDF recordings under {root} matching {pattern!r}.")
    rows = []
    for sig in signals:
        annots = sorted(
            str(a)
            for a in sig.parent.iterdir()
            if a.is_file() and a.suffix.lower() in _ANNOT_SUFFIXES and a.name.startswith(sig.stem)
        )
        hyp = [
            str(a)
            # Sleep-EDF pairs SC4001E0-PSG.edf with SC4001EC-Hypnogram.edf: same prefix but the last letter
            for a in sig.parent.glob(f"{sig.stem.split('-')[0][:-1]}*-Hypnogram*")
            if a != sig and a.suffix.lower() in _SIGNAL_SUFFIXES
        ]
        rows.append({"night_id": sig.stem, "recording": str(sig), "annotations": annots + hyp})
    df = pd.DataFrame(rows)
    # a hypnogram-only EDF is an annotation of its PSG, not a night of its own
    df = df[~df["night_id"].str.contains("Hypnogram", case=False)].reset_index(drop=True)
    dup = df["night_id"].duplicated(keep=False)
    if dup.any():
        df.loc[dup, "night_id"] = [
            f"{Path(r).parent.name}_{i}" for r, i in zip(df.loc[dup, "recording"], df.loc[dup, "night_id"], strict=True)
        ]
    return _normalise(df, base=root, where=str(root))


def _normalise(df: pd.DataFrame, *, base: Path, where: str) -> pd.DataFrame:
    df = df.rename(columns={c: str(c).strip().lower() for c in df.columns})
    df = df.rename(columns={"path": "recording", "file": "recording", "edf": "recording", "id": "night_id"})
    missing = [c for c in ("night_id", "recording") if c not in df.columns]
    if missing:
        raise InputFileError(
            f"manifest {where}: missing column(s) {missing}; found {list(df.columns)}. "
            "A manifest needs night_id and recording (and optionally annotations and covariates)."
        )
    if df.empty:
        raise InputFileError(f"manifest {where} has no rows.")
    df = df.copy()
    df["night_id"] = df["night_id"].astype(str).str.strip()
    bad = df.index[(df["night_id"] == "") | ~df["night_id"].str.match(_ID_RE)]
    if len(bad):
        raise InputFileError(
            f"manifest {where}: night_id on row(s) {[int(i) + 2 for i in bad[:5]]} is empty or has characters other "
            "than letters, digits, '.', '_' and '-' (ids become file names)."
        )
    dups = df["night_id"][df["night_id"].duplicated()].unique().tolist()
    if dups:
        raise InputFileError(f"manifest {where}: night_id values repeat: {dups[:10]}. Each night needs its own id.")

    def absolute(p: object) -> str:
        q = Path(str(p)).expanduser()
        return str(q if q.is_absolute() else (base / q).resolve())

    df["recording"] = [absolute(p) for p in df["recording"]]
    if "annotations" not in df.columns:
        df["annotations"] = [[] for _ in range(len(df))]
    df["annotations"] = [[absolute(a) for a in _split_annotations(v)] for v in df["annotations"]]
    covariates = [c for c in df.columns if c not in MANIFEST_COLUMNS]
    for c in covariates:
        if c in ("status", "error", "run_id", "twitchlab_version", "rules"):
            raise ParameterError(f"manifest {where}: covariate column {c!r} clashes with an output column; rename it.")
    return df[list(MANIFEST_COLUMNS) + covariates].reset_index(drop=True)
