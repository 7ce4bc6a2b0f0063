"""Counting days as the Civil Code counts them (Arts. 200–204; SPEC §2 "Counting days").

- Art. 201: a period counted in days starts the day after its trigger, so a period of N days from
  D has D + N as its last day (its *nominal* end).
- Art. 203: when that last day is a statutory rest day — a Saturday or Sunday, or a public holiday —
  the period ends on the next working day. An adjusted working day (调休: a Saturday or Sunday the
  State Council makes a working day) is a working day.

The PRC public-holiday calendar ships as versioned data, one file a year (domain/holidays/<year>.json):
the State Council notice(s), the holidays with their festival, the adjusted working days. Files are
checked on load; a bad one stops the load with a CalendarError naming the file and the field. A year
without a file counts weekends only, and every period ending in it says so (`calendar_known` False,
`warning`); so does a year whose file is provisional (no notice published yet).

`period_end(trigger, days)` is the one function for a day-counted period's end; `last_day(nominal)`
applies Art. 203 to a last day computed otherwise (months and years, or a paused count).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

__all__ = [
    "Calendar",
    "CalendarError",
    "PeriodEnd",
    "default_calendar",
    "is_working_day",
    "last_day",
    "load_calendar",
    "period_end",
    "rest_reason",
]

DAY = timedelta(days=1)
STATUSES = ("published", "provisional")


class CalendarError(ValueError):
    """A holiday file that does not validate: names the file and the field."""

    def __init__(self, source: str, field_path: str, message: str) -> None:
        self.source, self.field_path = source, field_path
        super().__init__(f"{source}: {field_path + ': ' if field_path else ''}{message}")


@dataclass(frozen=True)
class HolidayYear:
    """One year's arrangement as published (or provisional)."""

    year: int
    status: str  # published | provisional
    notices: tuple[Mapping[str, str], ...]
    holidays: Mapping[date, str]  # day → festival
    working_days: Mapping[date, str]  # adjusted working day (调休) → the festival it makes up for
    notes: str = ""


@dataclass(frozen=True)
class PeriodEnd:
    """The end of a period: `nominal` is its last day as counted, `due` the day it really ends."""

    due: date
    nominal: date
    moved_because: str | None  # why due is after nominal, e.g. "2025-10-04 is a public holiday …"
    calendar_known: bool  # False: a year it touches has no (or only a provisional) holiday calendar
    warning: str | None = field(default=None)  # what calendar_known False means, for the clock to show

    @property
    def moved(self) -> bool:
        return self.due != self.nominal


class Calendar:
    """Rest days and working days from the holiday years it holds."""

    def __init__(self, years: Iterable[HolidayYear]) -> None:
        self._years = {y.year: y for y in years}
        self._holidays: dict[date, str] = {}
        self._working: dict[date, str] = {}
        for year in sorted(self._years.values(), key=lambda y: y.year):
            self._holidays.update(year.holidays)
            self._working.update(year.working_days)
        self._last_days: dict[date, PeriodEnd] = {}  # a calendar never changes: each answer once

    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self._years))

    def year(self, year: int) -> HolidayYear | None:
        return self._years.get(year)

    def status(self, year: int) -> str:
        """published | provisional | missing."""
        found = self._years.get(year)
        return "missing" if found is None else found.status

    def is_working_day(self, day: date) -> bool:
        if day in self._working:
            return True
        return day not in self._holidays and day.weekday() < 5

    def rest_reason(self, day: date) -> str | None:
        """Why `day` is a rest day ("a public holiday (National Day)", "a Saturday"), or None."""
        if self.is_working_day(day):
            return None
        if day in self._holidays:
            return f"a public holiday ({self._holidays[day]})"
        return "a Saturday" if day.weekday() == 5 else "a Sunday"

    def warning(self, years: Iterable[int]) -> str | None:
        """What to tell about years without a published calendar (None when all are published)."""
        notes = []
        for year in sorted(set(years)):
            status = self.status(year)
            if status == "missing":
                notes.append(f"no public-holiday calendar for {year}: only weekends are counted as rest days")
            elif status == "provisional":
                notes.append(
                    f"the {year} public-holiday calendar is provisional (statutory holidays only, "
                    "no State Council notice yet)"
                )
        return "; ".join(notes) or None

    def last_day(self, nominal: date) -> PeriodEnd:
        """Art. 203: a period whose last day is a rest day ends on the next working day."""
        known = self._last_days.get(nominal)
        if known is None:
            known = self._last_days[nominal] = self._count_last_day(nominal)
        return known

    def _count_last_day(self, nominal: date) -> PeriodEnd:
        due = nominal
        while not self.is_working_day(due):
            due += DAY
        reason = None
        if due != nominal:
            reason = f"{nominal.isoformat()} is {self.rest_reason(nominal)}; moved to {due.isoformat()}"
        warning = self.warning(range(nominal.year, due.year + 1))
        return PeriodEnd(
            due=due, nominal=nominal, moved_because=reason, calendar_known=warning is None, warning=warning
        )

    def period_end(self, trigger: date, days: int) -> PeriodEnd:
        """A period of `days` days from `trigger`: counted from the next day (Art. 201), off a rest day
        (Art. 203)."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(f"days must be a whole number of days, not {days!r}")
        return self.last_day(trigger + days * DAY)


# -- loading -------------------------------------------------------------------------------------


def load_calendar(directory: Traversable | None = None) -> Calendar:
    """Load and validate every <year>.json in `directory` (default: the shipped domain/holidays/)."""
    folder = directory if directory is not None else resources.files("domain").joinpath("holidays")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json") and f.is_file()), key=lambda f: f.name)
    years = [_read_file(f) for f in files]
    return Calendar(years)


@functools.cache
def default_calendar() -> Calendar:
    """The shipped calendar, loaded once."""
    return load_calendar()


def _read_file(file: Traversable) -> HolidayYear:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise CalendarError(file.name, "", f"is not valid JSON ({error})") from None
    return parse_year(data, file.name)


def parse_year(data: Any, source: str) -> HolidayYear:
    """Check one year's file field by field."""
    if not isinstance(data, dict):
        raise CalendarError(source, "", "must be a JSON object")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 2200:
        raise CalendarError(source, "year", "must be a year")
    if source.endswith(".json") and source != f"{year}.json":
        raise CalendarError(source, "year", f"{year} must be in a file named {year}.json")
    status = data.get("status")
    if status not in STATUSES:
        raise CalendarError(source, "status", f"must be one of {', '.join(STATUSES)}")
    notices = data.get("notices")
    if not isinstance(notices, list):
        raise CalendarError(source, "notices", "must be a list")
    for i, notice in enumerate(notices):
        for key in ("title", "number", "date"):
            if not isinstance(notice, dict) or not isinstance(notice.get(key), str) or not notice[key].strip():
                raise CalendarError(source, f"notices[{i}].{key}", "must be a non-empty text")
        _date(notice["date"], source, f"notices[{i}].date")
    if status == "published" and not notices:
        raise CalendarError(source, "notices", "a published year names the State Council notice")
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise CalendarError(source, "notes", "must be text")
    first, last = date(year - 1, 12, 1), date(year + 1, 1, 31)  # New Year may reach across
    holidays: dict[date, str] = {}
    entries = data.get("holidays")
    if not isinstance(entries, list) or not entries:
        raise CalendarError(source, "holidays", "must be a non-empty list")
    for i, entry in enumerate(entries):
        where = f"holidays[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise CalendarError(source, f"{where}.name", "must be a non-empty text")
        start, end = _date(entry.get("from"), source, f"{where}.from"), _date(entry.get("to"), source, f"{where}.to")
        if end < start:
            raise CalendarError(source, f"{where}.to", "must not be before from")
        if start < first or end > last:
            raise CalendarError(source, where, f"must fall in {year}")
        day = start
        while day <= end:
            if day in holidays:
                raise CalendarError(source, where, f"{day} is listed twice")
            holidays[day] = entry["name"]
            day += DAY
    working: dict[date, str] = {}
    entries = data.get("adjusted_working_days")
    if not isinstance(entries, list):
        raise CalendarError(source, "adjusted_working_days", "must be a list")
    for i, entry in enumerate(entries):
        where = f"adjusted_working_days[{i}]"
        day = _date(entry.get("date") if isinstance(entry, dict) else None, source, f"{where}.date")
        if day.year != year:
            raise CalendarError(source, f"{where}.date", f"must fall in {year}")
        if day.weekday() < 5:
            raise CalendarError(source, f"{where}.date", f"{day} is a weekday, always a working day")
        if day in holidays or day in working:
            raise CalendarError(source, f"{where}.date", f"{day} is also a holiday or listed twice")
        made_up = entry.get("for")
        if not isinstance(made_up, str) or not made_up.strip():
            raise CalendarError(source, f"{where}.for", "must name the holiday it makes up for")
        working[day] = made_up
    return HolidayYear(
        year=year, status=status, notices=tuple(notices), holidays=holidays, working_days=working, notes=notes
    )


def _date(value: Any, source: str, field_path: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CalendarError(source, field_path, "must be a date YYYY-MM-DD") from None


# -- the functions the domain uses (the shipped calendar) ----------------------------------------


def is_working_day(day: date) -> bool:
    return default_calendar().is_working_day(day)


def rest_reason(day: date) -> str | None:
    return default_calendar().rest_reason(day)


def period_end(trigger: date, days: int) -> PeriodEnd:
    """The end of a period of `days` days from `trigger` (Arts. 201, 203), by the shipped calendar."""
    return default_calendar().period_end(trigger, days)


@functools.lru_cache(maxsize=8192)
def last_day(nominal: date) -> PeriodEnd:
    """Art. 203 applied to a last day counted otherwise (months, years, a paused count)."""
    return default_calendar().last_day(nominal)
