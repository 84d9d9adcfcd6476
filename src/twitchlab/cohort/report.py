"""Cohort HTML report: distributions of the key indices, threshold shares, failures, downloadable table."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from twitchlab import __version__
from twitchlab._util import atomic_write
from twitchlab.cohort.api import load_table, resolve_run

__all__ = ["cohort_overview", "write_cohort_report"]

#: Indices plotted and tabulated, with the reference level shown on the plot (None: no line).
KEY_INDICES: dict[str, tuple[str, float | None]] = {
    "plms_index": ("PLMS index (per hour of sleep)", 15.0),
    "plms_nr_index": ("PLMS index without respiratory-related movements (/h)", 15.0),
    "lms_index": ("Leg movements in sleep (/h)", None),
    "plmw_index": ("PLM in wake (/h of wake)", None),
    "periodicity_index_sleep": ("Periodicity index, sleep", None),
    "tst_min": ("Total sleep time (min)", None),
    "rswa_any_pct": ("Chin 'any' activity in REM (%, SINBAR)", 18.0),
    "rswa_any_fds_pct": ("Chin + both arms 'any' activity in REM (%, SINBAR)", 32.0),
    "rem_twitch_per_min_rem": ("REM twitches per minute of REM", None),
    "fragmentary_myoclonus_per_min_nrem": ("Fragmentary myoclonus per minute of NREM", None),
    "hypnic_jerk_count": ("Sleep starts per night", None),
    "stimulus_linked_share": ("Share of jerks 20-500 ms after a stimulus", None),
}


def _figure_png(values: pd.Series, label: str, ref: float | None, *, integer: bool = False) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(5.0, 2.6), dpi=100)
    v = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    lo, hi = float(min(v.min(), 0.0)), float(max(v.max(), (ref or 0.0) * 1.1))
    if integer and hi - lo <= 60:
        bins = np.arange(np.floor(lo), np.ceil(hi) + 2) - 0.5  # whole numbers: one bar per value
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:  # a shared range so the reference line does not squeeze the bars out of sight
        bins = np.linspace(lo, hi if hi > lo else lo + 1.0, min(40, max(8, int(np.sqrt(len(v))) + 4)))
    ax.hist(v, bins=bins, color="#4c72b0", edgecolor="white")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if ref is not None:
        ax.axvline(ref, color="#c44e52", linestyle="--", linewidth=1.5, label=f"{ref:g} reference")
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel(label, fontsize=9)
    ax.set_ylabel("nights", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def cohort_overview(summary: pd.DataFrame) -> dict[str, Any]:
    """Numbers for the cohort report: counts, per-index distribution statistics and threshold shares.

    Parameters
    ----------
    summary : DataFrame
        The summary table of a run.

    Returns
    -------
    dict
        ``n_nights``, ``n_ok``, ``n_failed``, ``indices`` (list of dicts with ``key``, ``label``, ``n``,
        ``median``, ``q1``, ``q3``, ``above_ref_pct``), ``plms_above_threshold_pct``, ``failures`` (list of
        ``night_id``, ``error_type``, ``error``).
    """
    ok = summary[summary["status"] == "ok"]
    out: dict[str, Any] = {
        "n_nights": len(summary),
        "n_ok": len(ok),
        "n_failed": int((summary["status"] != "ok").sum()),
        "indices": [],
    }
    for key, (label, ref) in KEY_INDICES.items():
        if key not in ok.columns:
            continue
        v = pd.to_numeric(ok[key], errors="coerce").dropna()
        if v.empty:
            continue
        out["indices"].append(
            {
                "key": key,
                "label": label,
                "n": len(v),
                "median": float(v.median()),
                "q1": float(v.quantile(0.25)),
                "q3": float(v.quantile(0.75)),
                "ref": ref,
                "above_ref_pct": None if ref is None else float((v > ref).mean() * 100.0),
            }
        )
    flag = ok["plms_above_threshold"].dropna() if "plms_above_threshold" in ok else pd.Series(dtype=bool)
    out["plms_above_threshold_pct"] = float(flag.astype(bool).mean() * 100.0) if len(flag) else None
    failed = summary[summary["status"] != "ok"]
    out["failures"] = failed[["night_id", "error_type", "error"]].fillna("").to_dict(orient="records")
    return out


def _display_rows(df: pd.DataFrame) -> list[dict[str, str]]:
    """Rows for the HTML table: numbers rounded, missing values blank."""

    def fmt(v: Any) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and not np.isfinite(v)):
            return ""
        if isinstance(v, float | np.floating):
            return f"{float(v):.2f}"
        return str(v)

    return [{k: fmt(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def write_cohort_report(path: str | Path, out_file: str | Path | None = None, *, run: str | None = None) -> Path:
    """Write a self-contained HTML summary of a cohort run (figures embedded, no external files).

    Parameters
    ----------
    path : path-like
        Cohort output folder or run folder.
    out_file : path-like, optional
        Destination (default ``<run>/cohort_report.html``).
    run : str, optional
        Run id when the folder holds several runs.

    Returns
    -------
    Path
        The HTML file.
    """
    run_dir = resolve_run(path, run)
    summary = load_table(run_dir, "summary")
    overview = cohort_overview(summary)
    ok = summary[summary["status"] == "ok"]
    figures = [
        {
            "key": i["key"],
            "label": i["label"],
            "png": _figure_png(ok[i["key"]], i["label"], i["ref"], integer=i["key"].endswith("_count")),
        }
        for i in overview["indices"]
    ]
    csv_b64 = base64.b64encode(summary.to_csv(index=False).encode("utf-8")).decode("ascii")
    run_info = json.loads((run_dir / "run.json").read_text()) if (run_dir / "run.json").is_file() else {}
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("twitchlab.cohort", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    html = env.get_template("cohort.html").render(
        overview=overview,
        figures=figures,
        csv_b64=csv_b64,
        run=run_info,
        run_dir=str(run_dir),
        version=__version__,
        table=_display_rows(summary.head(500)),
        table_columns=[
            c for c in ("night_id", "status", "plms_index", "plms_nr_index", "lms_index", "tst_min") if c in summary
        ],
    )
    dest = Path(out_file) if out_file else run_dir / "cohort_report.html"
    with atomic_write(dest) as fh:
        fh.write(html)
    return dest
