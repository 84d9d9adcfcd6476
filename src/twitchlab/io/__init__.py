"""Readers and writers: files and in-memory objects -> :class:`twitchlab.model.Recording`.

Public API::

    from twitchlab.io import read_recording, read_edf, read_annotations, write_edf, from_mne, from_array
    rec = read_recording("night.edf", annotations=["night.xml"], channel_map={"left": "EMG3"})
"""

from __future__ import annotations

from twitchlab.io.aliases import assign_role
from twitchlab.io.annotations import Annotations, load_annotations, read_annotations
from twitchlab.io.arrays import from_array, from_mne
from twitchlab.io.edf import read_edf
from twitchlab.io.edf_write import write_edf
from twitchlab.io.recording import read_recording
from twitchlab.io.units import check_emg_units, unit_factor_uv

__all__ = [
    "Annotations",
    "assign_role",
    "check_emg_units",
    "from_array",
    "from_mne",
    "load_annotations",
    "read_annotations",
    "read_edf",
    "read_recording",
    "unit_factor_uv",
    "write_edf",
]
