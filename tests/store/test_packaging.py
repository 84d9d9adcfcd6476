"""The Alembic migrations are part of the built package (what a wheel installs), not only of the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_build_py_ships_the_migrations_and_they_run(tmp_path: Path):
    pytest.importorskip("setuptools")
    src = tmp_path / "src"
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    shutil.copy(ROOT / "LICENSE", tmp_path / "LICENSE")
    shutil.copytree(ROOT / "src" / "twitchlab", src / "twitchlab", ignore=shutil.ignore_patterns("__pycache__"))
    build = tmp_path / "build"
    proc = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib", str(build)],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    if proc.returncode != 0:
        pytest.skip(f"setuptools could not build here: {proc.stderr.strip()[-300:]}")
    mig = build / "twitchlab" / "store" / "migrations"
    assert (mig / "env.py").is_file()
    assert (mig / "script.py.mako").is_file()
    assert (mig / "versions" / "0001_initial.py").is_file()
    code = (
        "import sys; from twitchlab.store import Store, current_revision, head_revision; "
        f"s = Store.open({str(tmp_path / 'w.sqlite')!r}); assert current_revision(s.engine) == head_revision(); "
        "import twitchlab.store; print(twitchlab.store.__file__)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(build), "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().startswith(str(build))
