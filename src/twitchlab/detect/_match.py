"""Event matching against ground truth (benchmarks and tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["match_events", "match_scores"]


def match_events(truth: pd.DataFrame, detected: pd.DataFrame, *, tol_s: float = 0.5) -> pd.DataFrame:
    """Pair detected with true events of the same side: onsets within ``tol_s`` and intervals overlapping.

    Each event is used at most once; among competing pairs the closest onsets win.

    Parameters
    ----------
    truth, detected : pandas.DataFrame
        ``side``, ``onset_s``, ``offset_s``.
    tol_s : float
        Onset tolerance.

    Returns
    -------
    pandas.DataFrame
        ``side``, ``i_truth``, ``i_det`` (row positions), ``onset_err_s``, ``offset_err_s`` (detected - true).
    """
    rows = []
    for side in sorted(set(truth["side"]) & set(detected["side"])):
        ti = np.flatnonzero((truth["side"] == side).to_numpy())
        di = np.flatnonzero((detected["side"] == side).to_numpy())
        t_on, t_off = truth["onset_s"].to_numpy()[ti], truth["offset_s"].to_numpy()[ti]
        d_on, d_off = detected["onset_s"].to_numpy()[di], detected["offset_s"].to_numpy()[di]
        order = np.argsort(t_on)
        ti, t_on, t_off = ti[order], t_on[order], t_off[order]
        pairs = []
        for shift in (-1, 0, 1):  # the two nearest true onsets around each detected onset, and one more
            k = np.searchsorted(t_on, d_on) + shift
            ok = (k >= 0) & (k < t_on.size)
            kk = np.where(ok, k, 0)
            good = ok & (np.abs(t_on[kk] - d_on) <= tol_s) & (t_on[kk] < d_off) & (d_on < t_off[kk])
            pairs.append(pd.DataFrame({"t": kk[good], "d": np.flatnonzero(good), "err": np.abs(t_on[kk] - d_on)[good]}))
        p = pd.concat(pairs).drop_duplicates(["t", "d"]).sort_values("err", kind="stable")
        p = p.drop_duplicates("t").drop_duplicates("d")
        rows.append(
            pd.DataFrame(
                {
                    "side": side,
                    "i_truth": ti[p["t"].to_numpy()],
                    "i_det": di[p["d"].to_numpy()],
                    "onset_err_s": d_on[p["d"].to_numpy()] - t_on[p["t"].to_numpy()],
                    "offset_err_s": d_off[p["d"].to_numpy()] - t_off[p["t"].to_numpy()],
                }
            )
        )
    cols = ["side", "i_truth", "i_det", "onset_err_s", "offset_err_s"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)


def match_scores(truth: pd.DataFrame, detected: pd.DataFrame, *, tol_s: float = 0.5) -> dict[str, float]:
    """Precision, recall, F1 and median absolute onset/offset errors of :func:`match_events`."""
    m = match_events(truth, detected, tol_s=tol_s)
    tp, n_t, n_d = len(m), len(truth), len(detected)
    prec = tp / n_d if n_d else float("nan")
    rec = tp / n_t if n_t else float("nan")
    f1 = 2 * tp / (n_t + n_d) if (n_t + n_d) else float("nan")
    return {
        "n_truth": n_t,
        "n_detected": n_d,
        "tp": tp,
        "precision": prec,
        "recall": rec,
        "f1": f1,
        "onset_mae_s": float(np.abs(m["onset_err_s"]).median()) if tp else float("nan"),
        "offset_mae_s": float(np.abs(m["offset_err_s"]).median()) if tp else float("nan"),
    }
