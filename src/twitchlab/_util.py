"""Small helpers shared across the package (no heavy imports)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "sha256_file"]


def sha256_file(path: str | os.PathLike[str], *, chunk_bytes: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file, read in chunks.

    Parameters
    ----------
    path : path-like
        File to hash (opened read-only; never modified).
    chunk_bytes : int
        Read size.

    Returns
    -------
    str
        64 hex characters.
    """
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk_bytes):
            h.update(block)
    return h.hexdigest()


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kwargs: object) -> Iterator[IO]:
    """Write a file atomically: to a temporary file in the same folder, then rename.

    A crash while writing leaves the old file (or none), never a half-written one.

    Parameters
    ----------
    path : path-like
        Destination.
    mode : {"w", "wb"}
        Text or binary.
    **kwargs
        Passed to :func:`open` (e.g. ``encoding``).

    Yields
    ------
    file object
        Write to it; it is flushed, fsynced and renamed on normal exit.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
