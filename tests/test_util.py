import os
import stat

import pytest

from twitchlab._util import atomic_write, sha256_file


def test_atomic_write_replaces_whole_file_with_usual_permissions(tmp_path):
    dest = tmp_path / "out" / "a.json"
    with atomic_write(dest) as fh:
        fh.write("one")
    assert dest.read_text() == "one"
    mask = os.umask(0o022)
    try:
        with atomic_write(dest) as fh:
            fh.write("two")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert dest.read_text() == "two"


def test_atomic_write_leaves_old_file_on_error(tmp_path):
    dest = tmp_path / "a.txt"
    dest.write_text("old")

    def crash() -> None:
        with atomic_write(dest) as fh:
            fh.write("half")
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        crash()
    assert dest.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_sha256_file(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(b"abc")
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
