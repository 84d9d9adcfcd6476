"""Channel alias table: which role (leg, chin, ECG...) a signal label plays.

Labs name the same electrode in many ways (``LAT``, ``Leg L``, ``EMG Tib L``, ``PLM l``, ``Left Leg``,
``Jambe gauche``...). Labels are compared after lower-casing, removing accents and splitting on every
character that is not a letter or digit, so case and punctuation never matter. Impedance and other
non-signal companions of an electrode (``Jambe gauche Imp``, ``C3 Impédance``, unit ``Ohm``) are never
given a signal role. The user overrides the table with ``channel_map`` (CLI ``--channel left=NAME``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence

from twitchlab.errors import ChannelNotFoundError, ParameterError, TwitchlabWarning, did_you_mean
from twitchlab.model import ROLES

__all__ = ["OVERRIDE_KEYS", "assign_role", "assign_roles", "find_label", "normalize_label", "unique_labels"]

logger = logging.getLogger(__name__)

#: Keys accepted in ``channel_map`` (and ``--channel KEY=NAME``) -> role.
OVERRIDE_KEYS: dict[str, str] = {
    "left": "leg_left",
    "right": "leg_right",
    "both": "leg_both",
    "legs": "leg_both",
    "chin": "chin",
    "ecg": "ecg",
    "arm_left": "arm_left",
    "arm_right": "arm_right",
    **{r: r for r in ROLES},
}

# Whole labels (after normalisation: lower case, letters and digits only) with a fixed role.
_EXACT: dict[str, str] = {
    # legs
    "lat": "leg_left", "rat": "leg_right", "lat1lat2": "leg_left", "rat1rat2": "leg_right",
    "legs": "leg_both", "leg": "leg_both", "plm": "leg_both", "lm": "leg_both", "tib": "leg_both",
    "emgleg": "leg_both", "emglegs": "leg_both", "legemg": "leg_both",
    # chin (Nox A1 derivations 1-2, 1-F, 2-F; SHHS "EMG"; Sleep-EDF "EMG submental")
    "12": "chin", "1f": "chin", "2f": "chin", "emg": "chin", "emg1emg2": "chin", "emg1emg3": "chin",
    "emg2emg3": "chin", "subm": "chin", "submental": "chin", "emgsubmental": "chin", "ment": "chin",
    # ECG, respiration, SpO2, position
    "ekg": "ecg", "ecg": "ecg", "hr": "other", "pulse": "other",
    "sao2": "spo2", "spo2": "spo2", "sat": "spo2", "saturation": "spo2", "osat": "spo2",
    "pos": "position", "position": "position", "posangle": "position", "bodyposition": "position",
    "activity": "accel",
}  # fmt: skip

_LEFT = {"l", "lt", "left", "lft", "links", "li", "gauche", "g", "sin", "sx", "izq", "izquierda"}
_RIGHT = {"r", "rt", "right", "rechts", "re", "droite", "d", "dx", "der", "derecha"}
_LEG = {"leg", "legs", "tib", "tibialis", "tibant", "at", "plm", "lm", "jambe", "jambes", "bein", "anttib", "pierna"}
_ARM = {"arm", "arms", "fds", "flexor", "bras", "arme", "brazo", "deltoid", "biceps", "ext", "extensor"}
_CHIN = {"chin", "chin1", "chin2", "chin3", "chinz", "subm", "submental", "submentalis", "mentalis", "ment", "menton"}
_IMPEDANCE = {"imp", "impedance", "impedanz", "ohm", "kohm"}
_NON_SIGNAL_UNITS = {"ohm", "kohm", "kω", "ω", "kΩ".lower(), "Ω".lower()}
_EOG = {"eog", "loc", "roc", "e1", "e2", "leog", "reog", "heog", "veog", "ieog", "eogl", "eogr"}
_EEG_ELECTRODE = re.compile(
    r"^(fp[12z]|af[3-8z]|f[1-8z]|fc[1-6z]|ft[789]|t[3-8]|tp[789]|c[1-6z]|cp[1-6z]|p[1-8z]|po[3-8z]|o[12z]|a[12]|m[12]|iz)$"
)
_ECG = re.compile(r"^(ecg|ekg)\w*$")
_FLOW = {"airflow", "flow", "nasal", "cannula", "thermistor", "therm", "oronasal", "pnasal", "pflow", "air"}
_EFFORT = {"thor", "thorax", "thoracic", "chest", "abdo", "abd", "abdomen", "abdominal", "rip", "effort",
           "belt", "inductance", "sum"}  # fmt: skip
_ACCEL = {"accel", "acc", "accx", "accy", "accz", "acceleration", "actigraphy"}
_COMPACT_LEG = re.compile(
    r"^(?:(?P<s1>l|r|lt|rt|left|right)(?:leg|tib|at|plm|lm)|(?:leg|tib|at|plm|lm)(?P<s2>l|r|lt|rt|left|right))\d*$"
)
_COMPACT_ARM = re.compile(r"^(?:(?P<s1>l|r|left|right)(?:arm|fds)|(?:arm|fds)(?P<s2>l|r|left|right))\d*$")


def normalize_label(label: str) -> list[str]:
    """Split a label into lower-case ASCII tokens of letters and digits.

    Parameters
    ----------
    label : str
        Signal label as written in the file.

    Returns
    -------
    list of str
        Tokens, e.g. ``"EMG Tib-L"`` -> ``["emg", "tib", "l"]``, ``"Impédance"`` -> ``["impedance"]``.
    """
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.findall(r"[a-z0-9]+", text)


def _side(tokens: Sequence[str]) -> str | None:
    left = any(t in _LEFT for t in tokens)
    right = any(t in _RIGHT for t in tokens)
    if left == right:
        return None
    return "left" if left else "right"


def _compact_side(match: re.Match[str]) -> str:
    s = match.group("s1") or match.group("s2")
    return "left" if s.startswith("l") else "right"


def assign_role(label: str, physical_dimension: str = "") -> str:
    """Return the role (one of :data:`twitchlab.model.ROLES`) a signal label plays.

    Parameters
    ----------
    label : str
        Signal label, matched case- and punctuation-insensitively.
    physical_dimension : str, optional
        Unit of the signal; impedance units (``Ohm``) never get a signal role.

    Returns
    -------
    str
        ``"leg_left"``, ``"leg_right"``, ``"leg_both"``, ``"chin"``, ``"arm_left"``, ``"arm_right"``, ``"ecg"``,
        ``"eeg"``, ``"eog"``, ``"resp_flow"``, ``"resp_effort"``, ``"spo2"``, ``"position"``, ``"accel"`` or
        ``"other"``.

    Examples
    --------
    >>> assign_role("EMG Tib L"), assign_role("PLMr"), assign_role("Chin1-Chin2"), assign_role("Jambe gauche Imp")
    ('leg_left', 'leg_right', 'chin', 'other')
    """
    tokens = normalize_label(label)
    if not tokens:
        return "other"
    dim = str(physical_dimension).strip().lower()
    if any(t in _IMPEDANCE or t.startswith("imped") for t in tokens) or dim in _NON_SIGNAL_UNITS:
        return "other"
    joined = "".join(tokens)
    if joined in _EXACT:
        return _EXACT[joined]
    tset = set(tokens)
    # limbs: explicit tokens ("Leg L", "EMG Tib-L", "Jambe gauche") or compact ones ("LLEG", "PLMl", "RAT")
    for tok in tokens:
        m = _COMPACT_LEG.match(tok)
        if m:
            return f"leg_{_compact_side(m)}"
        m = _COMPACT_ARM.match(tok)
        if m:
            return f"arm_{_compact_side(m)}"
    if tset & _LEG:
        side = _side([t for t in tokens if t not in _LEG])
        if side is not None:
            return f"leg_{side}"
        # "AT" alone is too ambiguous; "Legs", "PLM", "Tibialis" are a both-legs channel
        return "leg_both" if tset & (_LEG - {"at"}) else "other"
    if tset & _ARM:
        side = _side([t for t in tokens if t not in _ARM])
        return f"arm_{side}" if side is not None else "other"
    if tset & _CHIN or any(t.startswith("chin") for t in tokens):
        return "chin"
    if any(_ECG.match(t) for t in tokens):
        return "ecg"
    if tset & _EOG:
        return "eog"
    if "eeg" in tset or all(_EEG_ELECTRODE.match(t) for t in tokens):
        return "eeg"
    if tset & {"spo2", "sao2", "saturation", "oxygen"}:
        return "spo2"
    if tset & {"position", "pos", "posangle", "body"}:
        return "position"
    if tset & _ACCEL or (len(tokens) == 2 and tokens[0] in {"x", "y", "z"} and tokens[1] == "axis"):
        return "accel"
    if tset & _EFFORT:
        return "resp_effort"
    if tset & _FLOW or ("resp" in tset and tset & {"oro", "nasal", "oronasal", "airflow"}):
        return "resp_flow"
    return "other"


def assign_roles(
    labels: Sequence[str],
    dimensions: Sequence[str] | None = None,
    *,
    channel_map: Mapping[str, str] | None = None,
    source: str | None = None,
    problems: list[str] | None = None,
) -> list[str]:
    """Assign a role to every label, then apply the user's overrides.

    Parameters
    ----------
    labels : sequence of str
        Unique channel labels, in file order.
    dimensions : sequence of str, optional
        Physical dimension of each label.
    channel_map : mapping, optional
        ``{"left": NAME, "right": NAME, "chin": NAME, "ecg": NAME}`` (any role name is accepted as a key too).
        NAME is matched exactly first, then case- and punctuation-insensitively. A channel named here takes
        the role; other channels that the table gave the same role fall back to ``"other"``.
    source : str, optional
        File name for messages.
    problems : list of str, optional
        When given, ambiguities (two channels that both look like the left leg) are appended here instead of
        being issued as :class:`TwitchlabWarning`.

    Returns
    -------
    list of str
        One role per label.

    Raises
    ------
    ChannelNotFoundError
        A NAME matches no channel (the message lists the channels and suggests the closest one).
    ParameterError
        A key is not a known role.
    """
    dims = list(dimensions) if dimensions is not None else [""] * len(labels)
    roles = [assign_role(lab, dim) for lab, dim in zip(labels, dims, strict=True)]
    table = list(roles)
    where = f" in {source}" if source else ""
    given: dict[int, tuple[str, str]] = {}  # channel index -> (role, the option that gave it)
    for key, name in (channel_map or {}).items():
        role = OVERRIDE_KEYS.get(str(key).strip().lower())
        if role is None:
            raise ParameterError(
                f"channel_map key {key!r} is not a role; use one of left, right, both, chin, ecg or "
                f"{', '.join(ROLES)}.{did_you_mean(str(key), OVERRIDE_KEYS)}"
            )
        idx = find_label(labels, name)
        if idx is None:
            raise ChannelNotFoundError(
                f"--channel {key}={name}: no channel {name!r}{where}. Channels are: {', '.join(labels)}."
                + did_you_mean(str(name), labels)
            )
        if idx in given and given[idx][0] != role:
            raise ParameterError(
                f"--channel {given[idx][1]} and --channel {key}={name} name the same channel {labels[idx]!r}"
                f"{where} for two roles ({given[idx][0]}, {role}); one channel can have one role. Name a "
                f"different channel for one of them (channels: {', '.join(labels)})."
            )
        given[idx] = (role, f"{key}={name}")
        roles = ["other" if (r == role and i != idx) else r for i, r in enumerate(roles)]
        roles[idx] = role
        if role in ("leg_left", "leg_right"):  # an explicit side replaces a generic both-legs guess
            roles = ["other" if r == "leg_both" else r for r in roles]
    notes = [] if not given else _emptied_legs(labels, table, roles, given, where)
    for role in ("leg_left", "leg_right", "leg_both"):
        found = [lab for lab, r in zip(labels, roles, strict=True) if r == role]
        if len(found) > 1:
            msg = (
                f"{len(found)} channels{where} look like {role.replace('_', ' ')}: {', '.join(found)}; the first "
                f"({found[0]}) is used. Pass --channel {_short_key(role)}=NAME to choose another."
            )
            notes.append(msg)
    for msg in notes:
        if problems is None:
            warnings.warn(msg, TwitchlabWarning, stacklevel=2)
        else:
            problems.append(msg)
    return roles


def _emptied_legs(
    labels: Sequence[str], table: list[str], roles: list[str], given: Mapping[int, tuple[str, str]], where: str
) -> list[str]:
    """Warnings for leg roles the alias table had filled that the overrides left empty.

    A channel that the table took for one leg, moved by ``--channel`` to another role, leaves its leg without
    a channel. The other legs' channels are not swapped in by guess: the warning names the missing leg, the
    channel that is no longer used and the option that would assign it.
    """
    out = []
    for idx, (role, option) in given.items():
        was = table[idx]
        if was == role or was not in _LEG_ROLES or was in roles:
            continue
        unused = [lab for lab, t, r in zip(labels, table, roles, strict=True) if t in _LEG_ROLES and r == "other"]
        hint = "".join(
            f" ({lab!r}, which looked like the {_HUMAN[table[labels.index(lab)]]}, is now unused)" for lab in unused[:1]
        )
        now = _HUMAN.get(role, role)
        other = f"--channel {_short_key(was)}={unused[0]!r}" if unused else f"--channel {_short_key(was)}=NAME"
        fix = f"If the legs were swapped, also pass {other}." if role in _LEG_ROLES else f"To score it, pass {other}."
        out.append(
            f"--channel {option}: {labels[idx]!r}{where} looked like the {_HUMAN[was]} and is now the {now}, so "
            f"there is no {_HUMAN[was]}{hint}: the night is scored without it. {fix}"
        )
    return out


_LEG_ROLES = ("leg_left", "leg_right", "leg_both")
_HUMAN = {"leg_left": "left leg", "leg_right": "right leg", "leg_both": "both-legs channel"}


def _short_key(role: str) -> str:
    return {"leg_left": "left", "leg_right": "right", "leg_both": "both"}.get(role, role)


def find_label(labels: Sequence[str], name: str) -> int | None:
    """Index of ``name`` among ``labels``: exact match first, then case- and punctuation-insensitive."""
    if name in labels:
        return list(labels).index(name)
    key = "".join(normalize_label(name))
    hits = [i for i, lab in enumerate(labels) if "".join(normalize_label(lab)) == key]
    return hits[0] if hits else None


def unique_labels(labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """Make labels unique: duplicates get ``-0``, ``-1``... suffixes in file order.

    Returns
    -------
    labels : list of str
        Unique labels.
    duplicated : list of str
        Labels that occurred more than once.
    """
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        if counts[lab] > 1:
            out.append(f"{lab}-{seen.get(lab, 0)}")
            seen[lab] = seen.get(lab, 0) + 1
        else:
            out.append(lab)
    dups = [lab for lab, c in counts.items() if c > 1]
    return out, dups
