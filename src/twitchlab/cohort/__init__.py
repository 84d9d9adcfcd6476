"""Cohorts: score thousands of nights on Dask into a tidy Parquet dataset.

Python API::

    from twitchlab.cohort import run_cohort, load_cohort
    run_cohort("manifest.csv", "out/")
    df = load_cohort("out/")               # pandas, one row per night
    ev = load_cohort("out/", "events", engine="dask")
"""

from twitchlab.cohort.api import load_cohort, load_table, resolve_run, upgrade_run
from twitchlab.cohort.manifest import read_manifest, scan_folder
from twitchlab.cohort.runner import CohortRun, run_cohort, run_id_for

__all__ = [
    "CohortRun",
    "load_cohort",
    "load_table",
    "read_manifest",
    "resolve_run",
    "run_cohort",
    "run_id_for",
    "scan_folder",
    "upgrade_run",
]
