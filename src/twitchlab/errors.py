"""Exception and warning hierarchy.

Every message says *what* is wrong, *where* (file, channel, record, line) and
*what to do*. Exceptions also subclass the closest builtin so that existing
``except ValueError`` clauses keep working.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

__all__ = [
    "ChannelNotFoundError",
    "InputFileError",
    "InsufficientDataError",
    "ParameterError",
    "StoreError",
    "TwitchlabError",
    "TwitchlabWarning",
    "UnitError",
    "check_option",
    "did_you_mean",
]


class TwitchlabError(Exception):
    """Base class of every error twitchlab raises on purpose."""


class InputFileError(TwitchlabError, ValueError):
    """A file is corrupt, truncated, inconsistent or in an unsupported format."""


class UnitError(InputFileError):
    """A signal's unit is unknown, empty or contradicted by its amplitudes."""


class ChannelNotFoundError(TwitchlabError, KeyError):
    """A requested channel does not exist; the message lists those that do."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ParameterError(TwitchlabError, ValueError):
    """A parameter value is out of range or not one of the allowed options."""


class InsufficientDataError(TwitchlabError):
    """There is not enough usable data to compute what was asked."""


class StoreError(TwitchlabError):
    """The local store (diary, nights, experiments) refused an operation."""


class TwitchlabWarning(UserWarning):
    """A recoverable problem in the input: results are produced, but read this."""


def did_you_mean(value: str, choices: Collection[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""``.

    Parameters
    ----------
    value : str
        What was given.
    choices : collection of str
        What exists.

    Returns
    -------
    str
        A sentence to append to an error message (may be empty).
    """
    names = [str(c) for c in choices]
    twins = [c for c in names if re.fullmatch(re.escape(str(value)) + r"-\d+", c)]
    if len(twins) > 1:  # a label the file holds several times: readers keep them apart with -0, -1, ...
        listed = " and ".join(repr(c) for c in twins) if len(twins) == 2 else ", ".join(repr(c) for c in twins)
        return f" {str(value)!r} appears {len(twins)} times in the file; they are named {listed} here: pick one."
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_option(name: str, value: str, allowed: Collection[str]) -> str:
    """Check that ``value`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        Parameter name, used in the message.
    value : str
        Given value.
    allowed : collection of str
        Allowed values.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    ParameterError
        When ``value`` is not allowed; the message lists the allowed values.
    """
    if value not in allowed:
        raise ParameterError(f"{name}={value!r} is not one of {sorted(allowed)}.{did_you_mean(value, allowed)}")
    return value
