"""REM twitches and REM sleep without atonia (RSWA) from chin (and arm) EMG (SCORING_SPEC §5).

RSWA is measured three ways on REM epochs, with artefact and arousal stretches removed:

* AASM tonic epochs: ≥ 50 % of the epoch with chin amplitude above the lowest amplitude seen in NREM;
* AASM phasic epochs: ≥ 5 of the epoch's ten 3-s mini-epochs hold a burst of 0.1-5 s at ≥ 4× background;
* SINBAR "any": share of 3-s REM mini-epochs with any chin activity (tonic or phasic), cut-off 18 %; with
  both arm (flexor digitorum superficialis) channels, chin "any" or arm phasic, cut-off 32 %.

The numbers are measurements, never a diagnosis: RBD needs dream-enactment history or video and a clinician.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from twitchlab._arrays import block_medians, time_block_edges
from twitchlab.detect._bursts import (
    cluster_ids,
    in_stages,
    overlaps_any,
    stage_of,
    trace_bursts,
)
from twitchlab.detect._emg import EmgTrace
from twitchlab.model import Hypnogram, empty_events, make_events

__all__ = [
    "RSWA_EPOCH_S",
    "RSWA_KEYS",
    "RswaResult",
    "detect_rem_twitches",
    "rswa_from_scored",
    "score_rswa",
    "thirty_second_epochs",
]

logger = logging.getLogger(__name__)

RSWA_KEYS = ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct", "rswa_above_sinbar", "rem_epochs_scored")
_REM = 4
_NREM = (1, 2, 3)


def detect_rem_twitches(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram | None,
    *,
    burst_s: tuple[float, float] = (0.1, 5.0),
    min_ratio: float = 4.0,
    min_rise_uv: float = 3.0,
    coincidence_s: float = 0.1,
) -> pd.DataFrame:
    """Detect phasic REM twitches: bursts of 0.1-5 s at ≥ 4× background on any EMG channel, in REM.

    Bursts on several channels starting within ``coincidence_s`` are one twitch (``channels`` lists them).
    The background (:attr:`EmgTrace.background_uv`) follows the epoch's tone, so the onset of tonic activity
    is not taken for a twitch.

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned EMG channels (chin, legs, arms).
    hypnogram : Hypnogram, optional
        Stages; without it no REM is known and nothing is returned.
    burst_s : tuple of float
        Burst duration: 0.1-5.0 s (AASM phasic activity).
    min_ratio : float
        Amplitude ≥ 4× the background EMG (AASM).
    min_rise_uv : float
        Absolute floor above the resting level (µV; our choice).
    coincidence_s : float
        Onset spread of one twitch across channels.

    Returns
    -------
    pandas.DataFrame
        Events of type ``rem_twitch`` with ``side``, ``peak_amp_uv``, ``stage`` and ``channels``.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       REM sleep without atonia (phasic activity).
    """
    if hypnogram is None:
        return empty_events()
    frames = [trace_bursts(t, min_ratio=min_ratio, min_rise_uv=min_rise_uv) for t in traces]
    frames = [f[(f["duration_s"] >= burst_s[0]) & (f["duration_s"] <= burst_s[1])] for f in frames if len(f)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_events()
    b = pd.concat(frames, ignore_index=True).sort_values("onset_s", kind="stable").reset_index(drop=True)
    b = b[in_stages(hypnogram, b["onset_s"].to_numpy(), ("R",))].reset_index(drop=True)
    if not len(b):
        return empty_events()
    b["cluster"] = cluster_ids(b["onset_s"].to_numpy(), tol_s=coincidence_s)
    g = b.groupby("cluster", sort=True)
    on = g["onset_s"].min().to_numpy()
    return make_events(
        pd.DataFrame(
            {
                "type": "rem_twitch",
                "onset_s": on,
                "offset_s": g["offset_s"].max().to_numpy(),
                "side": g["side"].agg(lambda s: s.iloc[0] if s.nunique(dropna=False) == 1 else None).to_numpy(),
                "peak_amp_uv": g["peak_amp_uv"].max().to_numpy(),
                "stage": stage_of(hypnogram, on),
                "source": "emg",
                "channels": g["channel"].agg(lambda s: ",".join(dict.fromkeys(s))).to_numpy(),
            }
        )
    )


@dataclass
class RswaResult:
    """RSWA measurements of one night.

    Attributes
    ----------
    summary : dict
        :data:`RSWA_KEYS` plus ``rswa_any_fds_pct`` and ``rswa_above_sinbar_fds`` (null without both arms);
        all null when the chin is unusable or no REM epoch could be scored.
    epochs : DataFrame
        One row per REM epoch: ``onset_s``, ``n_mini_clean``, ``n_mini_phasic``, ``n_mini_any``,
        ``tonic_share``, ``tonic``, ``phasic``, ``scored``.
    warnings : list of str
        Why values are null.
    params : dict
        Thresholds used.
    """

    summary: dict[str, Any]
    epochs: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _null(warnings: list[str], params: dict[str, Any]) -> RswaResult:
    keys = (*RSWA_KEYS, "rswa_any_fds_pct", "rswa_above_sinbar_fds")
    return RswaResult(dict.fromkeys(keys), pd.DataFrame(), warnings, params)


def _phasic_minis(
    trace: EmgTrace,
    ratio: float,
    min_rise_uv: float,
    burst_s: tuple[float, float],
    n_ep: int,
    mini_s: float,
    hypnogram: Hypnogram,
) -> np.ndarray:
    """(n_epochs, minis per epoch) booleans: a burst of ``burst_s`` at ≥ ``ratio`` × background overlaps."""
    b = trace_bursts(trace, min_ratio=ratio, min_rise_uv=min_rise_uv)
    b = b[(b["duration_s"] >= burst_s[0]) & (b["duration_s"] <= burst_s[1])]
    n_mini = round(hypnogram.epoch_s / mini_s)
    out = np.zeros(n_ep * n_mini + 1, dtype=np.int64)
    if len(b):
        lo = np.floor((b["onset_s"].to_numpy() - hypnogram.start_s) / mini_s).astype(np.int64)
        hi = np.floor((b["offset_s"].to_numpy() - hypnogram.start_s - 1e-9) / mini_s).astype(np.int64)
        lo, hi = np.clip(lo, 0, n_ep * n_mini), np.clip(hi + 1, 0, n_ep * n_mini)
        np.add.at(out, lo, 1)
        np.add.at(out, hi, -1)
    return (np.cumsum(out)[:-1] > 0).reshape(n_ep, n_mini)


#: AASM scores REM sleep without atonia on 30-s epochs of ten 3-s mini-epochs.
RSWA_EPOCH_S = 30.0


def thirty_second_epochs(hypnogram: Hypnogram) -> Hypnogram:
    """The hypnogram on 30-s epochs from its start: each takes the stage at its middle.

    RSWA rules count 30-s epochs of ten 3-s mini-epochs; a hypnogram scored in 20-s epochs (Rechtschaffen &
    Kales era, some exports) gives 6.7 mini-epochs per epoch, so it is rebuilt on 30-s epochs first.

    Parameters
    ----------
    hypnogram : Hypnogram
        Stages in epochs of any length.

    Returns
    -------
    Hypnogram
        30-s epochs covering the same span (a last partial epoch is dropped); ``hypnogram`` itself when its
        epochs are 30 s already.
    """
    if abs(hypnogram.epoch_s - RSWA_EPOCH_S) <= 1e-6:
        return hypnogram
    n = int(np.floor((hypnogram.end_s - hypnogram.start_s) / RSWA_EPOCH_S + 1e-9))
    mid = hypnogram.start_s + (np.arange(n) + 0.5) * RSWA_EPOCH_S
    return Hypnogram(hypnogram.stage_at(mid), epoch_s=RSWA_EPOCH_S, start_s=hypnogram.start_s, source=hypnogram.source)


def _rebuilt_note(hypnogram: Hypnogram) -> str:
    return (
        f"the hypnogram has {hypnogram.epoch_s:g}-s epochs: REM sleep without atonia is scored on 30-s epochs "
        "(AASM), rebuilt from it with the stage at the middle of each"
    )


def score_rswa(
    chin: EmgTrace | None,
    hypnogram: Hypnogram | None,
    *,
    excluded: np.ndarray | None = None,
    arms: Sequence[EmgTrace] = (),
    chin_fs_hz: float | None = None,
    mini_s: float = 3.0,
    tonic_block_s: float = 1.0,
    nrem_ref_percentile: float = 5.0,
    tonic_share: float = 0.5,
    phasic_ratio: float = 4.0,
    any_phasic_ratio: float = 2.0,
    phasic_min_rise_uv: float = 2.0,
    phasic_burst_s: tuple[float, float] = (0.1, 5.0),
    phasic_minis: int = 5,
    min_clean_minis: int = 5,
    flat_uv: float = 0.2,
    sinbar_chin_pct: float = 18.0,
    sinbar_fds_pct: float = 32.0,
) -> RswaResult:
    """Measure REM sleep without atonia on the chin EMG: AASM tonic/phasic epochs and SINBAR "any".

    Mini-epochs (3 s) overlapping an excluded stretch (artefact, arousal) are removed; a REM epoch is scored
    when at least ``min_clean_minis`` of its mini-epochs are clean. Tonic: the 1-s median envelope is above
    the NREM reference (``nrem_ref_percentile`` of NREM 1-s medians: the lowest amplitude seen in NREM, made
    robust to outliers) in ≥ ``tonic_share`` of the epoch's clean seconds. Phasic: ≥ ``phasic_minis`` of ten
    clean mini-epochs (pro rata when some are removed) hold a burst of 0.1-5 s at ≥ ``phasic_ratio`` × the
    background (``EmgTrace.background_uv``, which follows the epoch's tone). "Any": a clean mini-epoch that
    is tonic (≥ half of its seconds above the reference) or holds a burst at ≥ ``any_phasic_ratio`` ×
    background.

    Parameters
    ----------
    chin : EmgTrace or None
        Conditioned chin EMG (cardiac spikes already blanked, so ECG bleed is not RSWA).
    hypnogram : Hypnogram, optional
        Stages.
    excluded : numpy.ndarray, optional
        (n, 2) stretches in seconds to remove (artefacts, arousals).
    arms : sequence of EmgTrace
        Left and right arm (FDS) channels for the SINBAR combined measure.
    chin_fs_hz : float, optional
        Raw sampling rate of the chin; below 100 Hz the chin is an envelope and is not scored.
    mini_s, tonic_block_s : float
        Mini-epoch (3 s, AASM and SINBAR) and tonic block length.
    nrem_ref_percentile : float
        Percentile of NREM 1-s medians taken as "the lowest amplitude in NREM" (our robust reading of AASM).
    tonic_share : float
        Share of the epoch above the reference for a tonic epoch (AASM: ≥ 50 %).
    phasic_ratio : float
        Phasic burst amplitude over background (AASM: 4×).
    any_phasic_ratio : float
        Phasic amplitude used for SINBAR "any" (Frauscher et al. 2012: 2× background); set to 4 to use the
        AASM amplitude everywhere.
    phasic_min_rise_uv : float
        Absolute floor of a phasic burst above background (µV; our choice).
    phasic_burst_s : tuple of float
        Burst duration (AASM: 0.1-5.0 s).
    phasic_minis : int
        Phasic mini-epochs needed out of ten (AASM: 5).
    min_clean_minis : int
        Clean mini-epochs needed to score an epoch (our choice).
    flat_uv : float
        A chin whose REM envelope median is below this (µV) is flat: unusable, not atonia.
    sinbar_chin_pct, sinbar_fds_pct : float
        Cut-offs: 18 % chin "any"; 32 % chin "any" + FDS phasic (Frauscher et al. 2012).

    Returns
    -------
    RswaResult
        Summary (§5 keys), per-epoch table, warnings and parameters.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       REM sleep without atonia.
    .. [2] Frauscher B et al. Normative EMG values during REM sleep for the diagnosis of REM sleep behavior
       disorder. Sleep 2012;35(6):835-847 (SINBAR montage, 3-s mini-epochs, cut-offs 18 % and 32 %).
    """
    params = {k: v for k, v in locals().items() if k not in ("chin", "hypnogram", "excluded", "arms")}
    warns: list[str] = []
    if hypnogram is None:
        return _null(
            ["no sleep stages (hypnogram): REM sleep is unknown, so REM sleep without atonia (RSWA) was not measured"],
            params,
        )
    if chin is None:
        msg = "no usable chin EMG channel: REM sleep without atonia (RSWA) was not measured"
        if chin_fs_hz is not None and chin_fs_hz < 100:
            msg = (
                f"chin EMG sampled at {chin_fs_hz:g} Hz (an amplitude envelope, below 100 Hz): unusable for "
                "RSWA, not scored; re-export the raw chin EMG"
            )
        return _null([msg], params)
    rebuilt = thirty_second_epochs(hypnogram)
    if rebuilt is not hypnogram:
        warns.append(_rebuilt_note(hypnogram))
        hypnogram = rebuilt
    st = hypnogram.stages
    if not (st == _REM).any():
        return _null(["no REM sleep in the hypnogram: REM sleep without atonia (RSWA) was not measured"], params)
    n_ep = hypnogram.n_epochs
    n_mini = round(hypnogram.epoch_s / mini_s)
    per_ep_blocks = round(hypnogram.epoch_s / tonic_block_s)
    # 1-s blocks on the clock (not a whole number of envelope samples, which drifts at rates such as 66.7 Hz)
    edges = time_block_edges(
        chin.env_uv.size, chin.env_fs_hz, tonic_block_s, start_s=hypnogram.start_s, n_blocks=n_ep * per_ep_blocks
    )
    med = block_medians(chin.env_uv, edges).reshape(n_ep, per_ep_blocks)  # NaN past the end of the chin
    rem = st == _REM
    if np.nanmedian(med[rem]) < flat_uv:
        return _null([f"chin EMG is flat in REM (median envelope < {flat_uv:g} µV): unusable, not atonia"], params)
    # clean mask per second and per mini-epoch
    t_blk = hypnogram.start_s + np.arange(n_ep * per_ep_blocks) * tonic_block_s
    iv = np.zeros((0, 2)) if excluded is None else np.asarray(excluded, dtype=float).reshape(-1, 2)
    iv = np.vstack([iv, chin.bad_s])  # unscorable chin epochs (clipped, mains, gaps) from the quality map
    clean_blk = ~overlaps_any(t_blk, t_blk + tonic_block_s, iv) & np.isfinite(med.ravel())
    clean_blk = clean_blk.reshape(n_ep, per_ep_blocks)
    t_mini = hypnogram.start_s + np.arange(n_ep * n_mini) * mini_s
    clean_mini = (~overlaps_any(t_mini, t_mini + mini_s, iv)).reshape(n_ep, n_mini)
    nrem = np.isin(st, _NREM)[:, None] & clean_blk
    if not nrem.any():
        warns.append("no clean NREM sleep: the tonic reference (lowest NREM chin amplitude) is unknown")
        ref = np.nan
    else:
        ref = float(np.percentile(med[nrem], nrem_ref_percentile))
    above = (med > ref) & clean_blk
    ph = _phasic_minis(chin, phasic_ratio, phasic_min_rise_uv, phasic_burst_s, n_ep, mini_s, hypnogram)
    ph_any = _phasic_minis(chin, any_phasic_ratio, phasic_min_rise_uv, phasic_burst_s, n_ep, mini_s, hypnogram)
    blk_per_mini = per_ep_blocks // n_mini
    above_mini = above[:, : n_mini * blk_per_mini].reshape(n_ep, n_mini, blk_per_mini).sum(axis=2)
    clean_blk_mini = clean_blk[:, : n_mini * blk_per_mini].reshape(n_ep, n_mini, blk_per_mini).sum(axis=2)
    tonic_mini = np.isfinite(ref) & (above_mini * 2 > clean_blk_mini)
    n_clean = (clean_mini & rem[:, None]).sum(axis=1)
    scored = rem & (n_clean >= min_clean_minis)
    share = above.sum(axis=1) / np.maximum(clean_blk.sum(axis=1), 1)
    tonic = share >= tonic_share
    n_ph = (ph & clean_mini).sum(axis=1)
    phasic = n_ph * n_mini >= phasic_minis * np.maximum(n_clean, 1)
    any_mini = (tonic_mini | ph_any) & clean_mini & scored[:, None]
    epochs = pd.DataFrame(
        {
            "onset_s": hypnogram.epoch_onsets_s(),
            "n_mini_clean": n_clean,
            "n_mini_phasic": n_ph,
            "n_mini_any": any_mini.sum(axis=1),
            "tonic_share": share,
            "tonic": tonic,
            "phasic": phasic,
            "scored": scored,
        }
    )[rem].reset_index(drop=True)
    n_scored = int(scored.sum())
    if n_scored == 0:
        why = "no REM epoch was left after removing artefacts and arousals"
        res = _null([f"{why}: REM sleep without atonia (RSWA) was not measured"], params)
        res.summary["rem_epochs_scored"] = 0
        return res
    denom = float((clean_mini & scored[:, None]).sum())
    any_pct = 100.0 * float(any_mini.sum()) / denom
    summary: dict[str, Any] = {
        "rswa_tonic_pct": None if not np.isfinite(ref) else 100.0 * float(tonic[scored].mean()),
        "rswa_phasic_pct": 100.0 * float(phasic[scored].mean()),
        "rswa_any_pct": any_pct,
        "rswa_above_sinbar": bool(any_pct > sinbar_chin_pct),
        "rem_epochs_scored": n_scored,
        "rswa_any_fds_pct": None,
        "rswa_above_sinbar_fds": None,
    }
    sides = {a.side for a in arms}
    if {"L", "R"} <= sides:
        fds = np.zeros_like(any_mini)
        for a in arms:
            fds |= _phasic_minis(a, any_phasic_ratio, phasic_min_rise_uv, phasic_burst_s, n_ep, mini_s, hypnogram)
        comb = (any_mini | fds) & clean_mini & scored[:, None]
        summary["rswa_any_fds_pct"] = 100.0 * float(comb.sum()) / denom
        summary["rswa_above_sinbar_fds"] = bool(summary["rswa_any_fds_pct"] > sinbar_fds_pct)
    elif sides:
        warns.append("only one arm (FDS) channel: the SINBAR combined measure needs both arms")
    return RswaResult(summary, epochs, warns, params)


def rswa_from_scored(
    events: pd.DataFrame,
    hypnogram: Hypnogram,
    *,
    mini_s: float = 3.0,
    tonic_share: float = 0.5,
    phasic_minis: int = 5,
    min_clean_minis: int = 5,
    sinbar_chin_pct: float = 18.0,
) -> dict[str, Any]:
    """The RSWA percentages from human-scored chin/arm activity (RBDtector/DOMINO style annotations).

    Uses the same mini-epoch and epoch rules as :func:`score_rswa` on scored intervals instead of the signal:
    chin rows are those whose ``label_original`` names the chin (``ChinPhasic``, ``ChinTonic``, ``ChinAny``);
    ``artifact`` rows naming the chin (or no limb) remove their mini-epochs; arm phasic rows feed the SINBAR
    combined measure. Useful to check a night scored by hand against the EMG measurement.

    Parameters
    ----------
    events : DataFrame
        Canonical events with ``type``, ``onset_s``, ``offset_s``, ``label_original``.
    hypnogram : Hypnogram
        Stages.
    mini_s, tonic_share, phasic_minis, min_clean_minis, sinbar_chin_pct : float or int
        As in :func:`score_rswa`.

    Returns
    -------
    dict
        :data:`RSWA_KEYS` plus ``rswa_any_fds_pct`` (``None`` when no arm activity is scored).

    References
    ----------
    .. [1] Frauscher B et al. Sleep 2012;35(6):835-847 (SINBAR scoring in 3-s mini-epochs).
    """
    hypnogram = thirty_second_epochs(hypnogram)
    lab = events["label_original"].astype(str).str.lower()
    on, off = events["onset_s"].to_numpy(float), events["offset_s"].to_numpy(float)
    chin = lab.str.contains("chin").to_numpy() & (events["type"] != "artifact").to_numpy()
    art = (events["type"] == "artifact").to_numpy() & ~lab.str.contains("leg|arm").to_numpy()
    arm = lab.str.contains("arm").to_numpy() & lab.str.contains("phasic").to_numpy()
    tonic_rows = chin & lab.str.contains("tonic").to_numpy()
    phasic_rows = chin & lab.str.contains("phasic").to_numpy()
    n_ep, n_mini = hypnogram.n_epochs, round(hypnogram.epoch_s / mini_s)
    t0 = hypnogram.start_s + np.arange(n_ep * n_mini) * mini_s

    def hit(rows: np.ndarray) -> np.ndarray:
        iv = np.column_stack([on[rows], off[rows]])
        return overlaps_any(t0, t0 + mini_s, iv).reshape(n_ep, n_mini)

    rem = hypnogram.stages == _REM
    clean = ~hit(art) & rem[:, None]
    n_clean = clean.sum(axis=1)
    scored = rem & (n_clean >= min_clean_minis)
    out: dict[str, Any] = dict.fromkeys((*RSWA_KEYS, "rswa_any_fds_pct"))
    if not scored.any():
        out["rem_epochs_scored"] = 0
        return out
    # tonic: scored tonic time covers >= tonic_share of the epoch (1-s resolution)
    t1 = hypnogram.start_s + np.arange(n_ep * round(hypnogram.epoch_s)) * 1.0
    tonic_s = overlaps_any(t1, t1 + 1.0, np.column_stack([on[tonic_rows], off[tonic_rows]]))
    tonic = tonic_s.reshape(n_ep, -1).mean(axis=1) >= tonic_share
    ph = hit(phasic_rows) & clean
    phasic = ph.sum(axis=1) * n_mini >= phasic_minis * np.maximum(n_clean, 1)
    any_mini = hit(chin) & clean & scored[:, None]
    denom = float((clean & scored[:, None]).sum())
    out.update(
        rswa_tonic_pct=100.0 * float(tonic[scored].mean()),
        rswa_phasic_pct=100.0 * float(phasic[scored].mean()),
        rswa_any_pct=100.0 * float(any_mini.sum()) / denom,
        rem_epochs_scored=int(scored.sum()),
    )
    out["rswa_above_sinbar"] = bool(out["rswa_any_pct"] > sinbar_chin_pct)
    if arm.any():
        comb = (any_mini | hit(arm)) & clean & scored[:, None]
        out["rswa_any_fds_pct"] = 100.0 * float(comb.sum()) / denom
    return out
