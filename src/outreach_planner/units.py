"""The one place where physical quantities are scaled to the integers the solvers need.

Times are seconds (int), distances metres (int), values are scaled by ``VALUE_SCALE``.
"""

from __future__ import annotations

import math

from .i18n import _

#: Value points are multiplied by this before they become integer solver penalties.
VALUE_SCALE = 1000


def seconds(minutes: float) -> int:
    """Minutes -> whole seconds (rounded up, so a duration is never understated)."""
    return int(math.ceil(minutes * 60 - 1e-9))


def metres(m: float) -> int:
    """Metres (float) -> whole metres, rounded to nearest."""
    return int(round(m))


def scaled_value(value: float) -> int:
    """Value points -> integer penalty units."""
    return int(round(value * VALUE_SCALE))


def hhmm_to_minutes(text: str) -> int:
    """Parse ``"HH:MM"`` into minutes after midnight. Raises ValueError on bad text."""
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(_("units.hhmm", id="seharusnya HH:MM (24 jam), tertulis {t}", en="expected HH:MM, got {t}",
                           t=repr(text)))
    h, m = int(parts[0]), int(parts[1])
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m != 0):
        raise ValueError(_("units.not_time", id="bukan jam yang valid: {t}", en="not a time of day: {t}", t=repr(text)))
    return h * 60 + m


def minutes_to_hhmm(minutes: int) -> str:
    """Minutes after midnight -> ``"HH:MM"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
