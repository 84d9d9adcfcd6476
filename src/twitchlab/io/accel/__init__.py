"""Readers for wearables and phones: Axivity, GENEActiv, ActiGraph, Actiwatch and generic x/y/z CSV.

Each reader returns a :class:`~twitchlab.model.Recording` whose ``device`` and ``location`` are set:
raw devices carry ``accel_x/y/z`` in g (role ``accel``), count devices ``activity_counts`` per epoch.
:func:`read_accel` picks the reader from the file's content (``device="auto"``).
"""

from __future__ import annotations

import os
from pathlib import Path

from twitchlab.errors import InputFileError, check_option
from twitchlab.io.accel._common import LOCATIONS, accel_array, sample_times_s
from twitchlab.io.accel.actigraph import is_actigraph, read_actigraph_csv
from twitchlab.io.accel.actiwatch import read_actiwatch
from twitchlab.io.accel.chunks import iter_uniform_chunks, uniform_n_samples
from twitchlab.io.accel.cwa import read_cwa
from twitchlab.io.accel.geneactiv import read_geneactiv
from twitchlab.io.accel.phone import read_phone_csv
from twitchlab.model import Recording

__all__ = [
    "DEVICES",
    "LOCATIONS",
    "accel_array",
    "detect_device",
    "iter_uniform_chunks",
    "read_accel",
    "read_actigraph_csv",
    "read_actiwatch",
    "read_cwa",
    "read_geneactiv",
    "read_phone_csv",
    "sample_times_s",
    "uniform_n_samples",
    "wearable_kind",
]

#: Values of ``device=`` (and of ``twitchlab analyze --device``).
DEVICES = ("auto", "axivity", "geneactiv", "actigraph", "actiwatch", "csv")


def detect_device(path: str | os.PathLike[str]) -> str:
    """Guess the device family of a file from its first bytes (then its extension).

    Returns
    -------
    str
        One of ``axivity``, ``geneactiv``, ``actigraph``, ``actiwatch``, ``csv``.

    Raises
    ------
    InputFileError
        When the content matches no supported format.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", str(p))
    with p.open("rb") as fh:
        head = fh.read(4096)
    text = head.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    if head[:2] == b"MD":
        return "axivity"
    if text.startswith("Device Identity"):
        return "geneactiv"
    if is_actigraph(text):
        return "actigraph"
    if "Actiware" in text[:200] or "Actiwatch" in text or p.suffix.lower() == ".awd":
        return "actiwatch"
    first = text.split("\n", 1)[0]
    if "," in first or ";" in first or "\t" in first:
        return "csv"
    raise InputFileError(
        f"{p}: not a recognised wearable file (Axivity .cwa, GENEActiv .bin, ActiLife/Actiware CSV, .AWD or a "
        "time,x,y,z CSV); pass --device to choose the reader."
    )


def wearable_kind(path: str | os.PathLike[str]) -> str | None:
    """The device family when ``path`` is unmistakably a wearable file, else ``None``.

    A plain time,x,y,z CSV is not claimed here (an annotation CSV looks alike); pass ``device="csv"`` for it.
    """
    try:
        kind = detect_device(path)
    except (InputFileError, OSError):
        return None
    return None if kind == "csv" else kind


def read_accel(path: str | os.PathLike[str], *, device: str = "auto", location: str = "ankle") -> Recording:
    """Read any supported wearable or phone file.

    Parameters
    ----------
    path : path-like
        The file (never modified).
    device : {"auto", "axivity", "geneactiv", "actigraph", "actiwatch", "csv"}
        Reader to use; ``auto`` looks at the content.
    location : {"ankle", "wrist", "mattress"}
        Wear location, recorded on the Recording and used for detection defaults.

    Returns
    -------
    Recording
    """
    check_option("device", device, DEVICES)
    check_option("location", location, LOCATIONS)
    kind = detect_device(path) if device == "auto" else device
    if kind == "axivity":
        return read_cwa(path, location=location)
    if kind == "geneactiv":
        return read_geneactiv(path, location=location)
    if kind == "actigraph":
        return read_actigraph_csv(path, location=location)
    if kind == "actiwatch":
        return read_actiwatch(path, location=location)
    if kind == "csv":
        return read_phone_csv(path, location=location)
    raise InputFileError(f"{path}: no reader for device {kind!r}")  # pragma: no cover
