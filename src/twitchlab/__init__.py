"""twitchlab: measure, characterise and triage twitching in sleep.

Public API::

    import twitchlab
    rec = twitchlab.read_edf("night.edf")
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from twitchlab.errors import (
    ChannelNotFoundError,
    InputFileError,
    InsufficientDataError,
    ParameterError,
    TwitchlabError,
    TwitchlabWarning,
    UnitError,
)
from twitchlab.model import Channel, Hypnogram, Recording, make_events

try:
    __version__ = version("twitchlab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Channel",
    "ChannelNotFoundError",
    "Hypnogram",
    "InputFileError",
    "InsufficientDataError",
    "ParameterError",
    "Recording",
    "TwitchlabError",
    "TwitchlabWarning",
    "UnitError",
    "__version__",
    "make_events",
]
