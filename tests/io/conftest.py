"""Fixtures for the io tests: raw EDF bytes to files, and the shared-data manifest."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for the _edfbytes helper (importlib import mode)


@pytest.fixture
def write_bytes(tmp_path: Path) -> Callable[[bytes, str], Path]:
    """Write bytes to a file under tmp_path and return its path."""

    def _write(raw: bytes, name: str = "x.edf") -> Path:
        p = tmp_path / name
        p.write_bytes(raw)
        return p

    return _write


@pytest.fixture(scope="session")
def manifest(shared_data: Path) -> dict:
    """Parsed shared-data manifest keyed by relative path."""
    data = json.loads((shared_data / "manifest.json").read_text(encoding="utf-8"))
    return {f["path"]: f for f in data["files"]}
