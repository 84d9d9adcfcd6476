from pathlib import Path

import pandas as pd
import pytest


def write_sim_night(path: Path, seed: int, *, duration_h: float = 1.5) -> Path:
    from twitchlab.io import write_edf
    from twitchlab.simulate import simulate_night
    from twitchlab.simulate.emg import simulate_emg_recording

    night = simulate_night(seed, profile="plms", duration_h=duration_h)
    rec, _ = simulate_emg_recording(
        night.lms, night.duration_s, fs_hz=200.0, condition="clean", rng=seed, hypnogram=night.hypnogram
    )
    ev = night.events
    rec.events = ev[~ev["type"].isin(["lm_left", "lm_right"])].reset_index(drop=True)
    return write_edf(rec, path)


@pytest.fixture(scope="session")
def cohort_files(tmp_path_factory, shared_data) -> pd.DataFrame:
    """Three simulated nights plus real broken files; returns a manifest DataFrame."""
    root = tmp_path_factory.mktemp("cohort_in")
    rows = []
    for i in range(3):
        rows.append({"night_id": f"sim{i}", "recording": str(write_sim_night(root / f"sim{i}.edf", i)), "age": 40 + i})
    rows.append({"night_id": "zero", "recording": str(shared_data / "edf/malformed/zero-data-records.edf"), "age": 50})
    rows.append({"night_id": "baddate", "recording": str(shared_data / "edf/malformed/invalid-date.edf"), "age": 51})
    garbage = root / "garbage.edf"
    garbage.write_bytes(b"this is not an EDF file at all\n" * 20)
    rows.append({"night_id": "garbage", "recording": str(garbage), "age": 52})
    rows.append({"night_id": "missing", "recording": str(root / "does-not-exist.edf"), "age": 53})
    df = pd.DataFrame(rows)
    df["annotations"] = [[] for _ in range(len(df))]
    manifest = root / "manifest.csv"
    df.drop(columns="annotations").to_csv(manifest, index=False)
    return df.assign(manifest_path=str(manifest))
