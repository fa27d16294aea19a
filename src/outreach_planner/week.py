"""The planning week: ISO week <-> dates, and weekly absolute time (seconds after Monday 00:00 local)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAY_S = 86_400
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    """An ISO week in a time zone. Absolute times are seconds after its Monday 00:00."""

    year: int
    number: int
    timezone: str = "Asia/Makassar"

    @classmethod
    def parse(cls, text: str, timezone: str = "Asia/Makassar") -> Week:
        """``"2026-W49"`` -> Week. Raises ValueError on bad text."""
        m = _ISO_WEEK.match(text.strip())
        if not m:
            from .i18n import _

            raise ValueError(_("week.bad", id="perlu minggu ISO seperti 2026-W49, tertulis {t}",
                               en="expected an ISO week like 2026-W49, got {t}", t=repr(text)))
        year, num = int(m.group(1)), int(m.group(2))
        try:
            dt.date.fromisocalendar(year, num, 1)  # raises for W60, or W53 in a 52-week year
        except ValueError:
            from .i18n import _

            raise ValueError(_("week.no_such", id="tahun {y} tidak punya minggu ke-{n} (tertulis {t})",
                               en="{y} has no week {n} (got {t})", y=year, n=num, t=repr(text))) from None
        return cls(year, num, timezone)

    @classmethod
    def following(cls, today: dt.date, timezone: str = "Asia/Makassar") -> Week:
        """The week that starts on the next Monday after ``today`` (the week being planned)."""
        monday = today + dt.timedelta(days=7 - today.weekday())
        y, n, _ = monday.isocalendar()
        return cls(y, n, timezone)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> dt.date:
        """Monday of the week."""
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def dates(self) -> list[dt.date]:
        """Monday..Sunday."""
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    @property
    def tz(self) -> ZoneInfo:
        """The time zone."""
        return ZoneInfo(self.timezone)

    def abs_s(self, date: dt.date, minutes: int | float = 0) -> int:
        """Seconds after Monday 00:00 of ``minutes`` after midnight on ``date``."""
        return (date - self.monday).days * DAY_S + int(round(minutes * 60))

    def to_datetime(self, abs_s: int) -> dt.datetime:
        """Absolute seconds -> aware local datetime."""
        naive = dt.datetime.combine(self.monday, dt.time()) + dt.timedelta(seconds=int(abs_s))
        return naive.replace(tzinfo=self.tz)

    def from_datetime(self, when: dt.datetime) -> int:
        """Aware datetime -> absolute seconds in this week's zone."""
        local = when.astimezone(self.tz).replace(tzinfo=None)
        return int((local - dt.datetime.combine(self.monday, dt.time())).total_seconds())


def monday_of(text: object) -> dt.date | None:
    """The Monday of an ISO week written ``2026-W49``; None when ``text`` is no such week (e.g. ``awal``)."""
    m = _ISO_WEEK.match(str(text).strip())
    if not m:
        return None
    try:
        return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        return None
