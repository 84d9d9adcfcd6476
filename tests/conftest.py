"""Shared fixtures. Real files are read in place from ../shared/data (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

SHARED = Path(os.environ.get("TWITCHLAB_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real third-party files (see its SOURCES.md); skip when absent."""
    if not DATA.is_dir():
        pytest.skip(f"shared data folder not found at {DATA}")
    return DATA
