"""Calendar: working days, daily hours, breaks, holidays, school hours and visit windows.

Times of day are minutes after local midnight (int). Text form is ``"HH:MM-HH:MM"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from ..i18n import _
from ..units import hhmm_to_minutes, minutes_to_hhmm

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def parse_range(text: str) -> tuple[int, int]:
    """``"08:00-16:00"`` -> ``(480, 960)``. Raises ValueError on bad text."""
    parts = str(text).replace("–", "-").split("-")
    if len(parts) != 2:
        raise ValueError(_("cal.range", id="seharusnya 'HH:MM-HH:MM', tertulis {t}", en="expected 'HH:MM-HH:MM', got {t}",
                           t=repr(text)))
    return hhmm_to_minutes(parts[0]), hhmm_to_minutes(parts[1])


class DayRange(BaseModel):
    """A span within one day, in minutes after midnight, ``start < end``."""

    model_config = _FROZEN
    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        if isinstance(data, str):
            s, e = parse_range(data)
            return {"start": s, "end": e}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> DayRange:
        if self.end <= self.start:
            raise ValueError(_("cal.range_order", id="selesai ({end}) sebelum atau tepat saat mulai ({start}); jam "
                               "selesai harus lebih lambat dari jam mulai", en="closes ({end}) before or when it opens "
                               "({start}); the end must be later than the start",
                               end=minutes_to_hhmm(self.end), start=minutes_to_hhmm(self.start)))
        return self

    def __str__(self) -> str:
        return f"{minutes_to_hhmm(self.start)}-{minutes_to_hhmm(self.end)}"


class Break(BaseModel):
    """A break every team takes on the given weekdays (lunch, Friday prayers)."""

    model_config = _FROZEN
    name: str
    days: tuple[Weekday, ...]
    start: StrictInt = Field(ge=0, le=24 * 60, description="minutes after midnight")
    end: StrictInt = Field(ge=0, le=24 * 60, description="minutes after midnight")

    @model_validator(mode="before")
    @classmethod
    def _parse_times(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            for k in ("start", "end"):
                if isinstance(data.get(k), str):
                    data[k] = hhmm_to_minutes(data[k])
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Break:
        if self.end <= self.start:
            raise ValueError(_("cal.break_order", id="istirahat '{name}' selesai sebelum mulai",
                               en="break '{name}' ends before it starts", name=self.name))
        return self

    @property
    def duration(self) -> int:
        """Length in minutes."""
        return self.end - self.start


class Window(BaseModel):
    """When a resident can receive a visit: a weekday (every week) or a date, and hours."""

    model_config = _FROZEN
    day: Weekday | dt.date
    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        if isinstance(data, str):
            text = data.strip()
            day, _sep, hours = text.partition(" ")
            day = day.strip().lower()
            if not hours.strip():
                raise ValueError(_("cal.window", id="seharusnya 'HARI HH:MM-HH:MM' (mis. 'mon 08:00-12:00'), tertulis "
                                   "{t}", en="expected 'DAY HH:MM-HH:MM' (e.g. 'mon 08:00-12:00'), got {t}",
                                   t=repr(data)))
            s, e = parse_range(hours.strip())
            if day not in WEEKDAYS:
                try:
                    day = dt.date.fromisoformat(day)
                except ValueError:
                    raise ValueError(_("cal.window_day", id="hari {d} bukan nama hari ({days}) dan bukan tanggal ISO "
                                       "(YYYY-MM-DD)", en="day {d} is neither a weekday ({days}) nor an ISO date "
                                       "(YYYY-MM-DD)", d=repr(day), days=", ".join(WEEKDAYS))) from None
            return {"day": day, "start": s, "end": e}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError(_("cal.window_order", id="jam kunjungan selesai ({end}) sebelum mulai ({start})",
                               en="window closes ({end}) before it opens ({start})",
                               end=minutes_to_hhmm(self.end), start=minutes_to_hhmm(self.start)))
        return self

    def applies_to(self, date: dt.date) -> bool:
        """Whether the window is open on ``date``."""
        if isinstance(self.day, dt.date):
            return self.day == date
        return WEEKDAYS[date.weekday()] == self.day

    def __str__(self) -> str:
        day = self.day.isoformat() if isinstance(self.day, dt.date) else self.day
        return f"{day} {minutes_to_hhmm(self.start)}-{minutes_to_hhmm(self.end)}"


class Calendar(BaseModel):
    """Working week of the office.

    ``hours`` gives the default shift per weekday; a day not in ``working_days``
    or listed in ``holidays`` has no shift. ``school_hours`` gives when schools
    receive a session (a weekday missing there is not a school day).
    """

    model_config = _FROZEN
    working_days: tuple[Weekday, ...]
    hours: dict[Weekday, DayRange]
    breaks: tuple[Break, ...] = ()
    holidays: tuple[dt.date, ...] = ()
    school_hours: dict[Weekday, DayRange] = Field(default_factory=dict)
    school_holidays: tuple[dt.date, ...] = ()

    @model_validator(mode="after")
    def _hours_for_each_day(self) -> Calendar:
        missing = [d for d in self.working_days if d not in self.hours]
        if missing:
            raise ValueError(_("cal.no_hours", id="hari kerja tanpa jam kerja: {days} (tambahkan di [calendar.hours])",
                               en="working days without hours: {days} (add them to [calendar.hours])",
                               days=", ".join(missing)))
        return self

    def is_working_day(self, date: dt.date) -> bool:
        """True when the office works on ``date``."""
        return WEEKDAYS[date.weekday()] in self.working_days and date not in self.holidays

    def shift(self, date: dt.date) -> DayRange | None:
        """The office's shift on ``date`` (None when closed)."""
        if not self.is_working_day(date):
            return None
        return self.hours[WEEKDAYS[date.weekday()]]  # type: ignore[index]

    def breaks_on(self, date: dt.date) -> list[Break]:
        """Breaks on ``date``."""
        wd = WEEKDAYS[date.weekday()]
        return [b for b in self.breaks if wd in b.days]

    def school_window(self, date: dt.date) -> DayRange | None:
        """School hours on ``date`` (None when schools are closed)."""
        if date in self.school_holidays or date in self.holidays:
            return None
        return self.school_hours.get(WEEKDAYS[date.weekday()])  # type: ignore[arg-type]
