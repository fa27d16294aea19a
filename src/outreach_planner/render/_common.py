"""Helpers shared by the map, the sheets and the GeoPackage: times, legs, look-ups, atomic files."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Workspace
from ..plan import Plan, Route, Step

Point = tuple[float, float]


def tzinfo(plan: Plan) -> dt.tzinfo | None:
    """The plan's time zone, or None when its name is unknown (times are then shown as stored)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(plan.timezone)
    except Exception:
        return None


def hhmm(t: dt.datetime, tz: dt.tzinfo | None) -> str:
    """Local ``HH:MM``."""
    return (t.astimezone(tz) if tz else t).strftime("%H:%M")


def tz_abbrev(plan: Plan) -> str:
    """``WITA``/``WIB``/``WIT`` for Indonesian zones, else the zone name."""
    return {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
            "Asia/Jayapura": "WIT"}.get(plan.timezone, plan.timezone)


def plan_id(plan: Plan) -> str:
    """``2026-W49 @ 2026-11-27 09:30``: the week and when the plan was made (local time)."""
    tz = tzinfo(plan)
    at = plan.generated_at.astimezone(tz) if tz else plan.generated_at
    return f"{plan.week} @ {at:%Y-%m-%d %H:%M}"


def team_index(ws: Workspace) -> dict[str, Any]:
    """Teams by id."""
    return {t.id: t for t in ws.teams}


def ordered_routes(plan: Plan, ws: Workspace) -> list[Route]:
    """Routes by team in workspace order, then by date."""
    order = {t.id: i for i, t in enumerate(ws.teams)}
    return sorted(plan.routes, key=lambda r: (order.get(r.team, len(order)), r.team, r.date))


def stop_numbers(route: Route) -> dict[int, int]:
    """Position of each visit step in ``route.steps`` -> its stop number (from 1)."""
    out, n = {}, 0
    for i, s in enumerate(route.steps):
        if s.type == "visit":
            n += 1
            out[i] = n
    return out


@dataclass(frozen=True)
class Leg:
    """A drive between two located steps of a route (breaks have no place and are skipped)."""

    index: int  # leg number in the route, from 1
    start: Step
    end: Step
    to_stop: int | None  # stop number of the destination (None: back at the office)


def legs(route: Route) -> Iterator[Leg]:
    """Consecutive pairs of located steps: office -> stop 1 -> ... -> office."""
    numbers = stop_numbers(route)
    located = [(i, s) for i, s in enumerate(route.steps) if s.location is not None]
    for k in range(1, len(located)):
        (_, a), (j, b) = located[k - 1], located[k]
        yield Leg(k, a, b, numbers.get(j))


def leg_path(travel, leg: Leg, profile: str) -> list[Point]:
    """The travel model's line for a leg, as (lon, lat) tuples."""
    pts = travel.path(tuple(leg.start.location), tuple(leg.end.location), profile)
    return [(float(x), float(y)) for x, y in pts] or [tuple(leg.start.location), tuple(leg.end.location)]


def route_path(travel, route: Route, profile: str) -> list[Point]:
    """The whole route as one line (legs joined, repeated joints dropped)."""
    line: list[Point] = []
    for leg in legs(route):
        for p in leg_path(travel, leg, profile):
            if not line or line[-1] != p:
                line.append(p)
    return line


def profile(ws: Workspace, team_id: str) -> str:
    """The team's travel profile (vehicle); ``car`` for an unknown team."""
    t = team_index(ws).get(team_id)
    return t.vehicle if t is not None else "car"


# --------------------------------------------------------------------------- field trips
def lodging_index(ws: Workspace) -> dict[str, Any]:
    """Lodgings of the workspace by id."""
    return {lg.id: lg for lg in getattr(ws, "lodgings", ())}


#: How a lodging kind reads in a sentence ("Berangkat dari <kind> <name>"); ``lainnya``: the name alone.
LODGING_KIND_WORDS: dict[str, dict[str, str]] = {
    "id": {"kantor_camat": "kantor camat", "balai_desa": "balai desa", "penginapan": "penginapan"},
    "en": {"kantor_camat": "district office", "balai_desa": "village hall", "penginapan": "guesthouse"},
}


def lodging_label(lodging, lang: str = "id") -> str:
    """``penginapan Losmen Sari``; the name alone when it already says what it is (``Kantor Camat Ngapa``)
    or the kind is ``lainnya``."""
    word = LODGING_KIND_WORDS.get(lang, LODGING_KIND_WORDS["id"]).get(getattr(lodging, "kind", ""), "")
    name = lodging.name
    if not word or word.lower() in name.lower() or LODGING_KIND_WORDS["id"].get(lodging.kind, "") in name.lower():
        return name
    return f"{word} {name}"


def place_label(ws: Workspace, place_id: str, lang: str = "id", fallback: str = "") -> str:
    """A route's start or end place: the lodging's label, else the office's name, else ``fallback``."""
    lg = lodging_index(ws).get(place_id)
    if lg is not None:
        return lodging_label(lg, lang)
    depot = next((d for d in ws.depots if d.id == place_id), None)
    return depot.name if depot is not None else (fallback or place_id)


def trip_routes(plan: Plan) -> dict[str, list[Route]]:
    """Trip id -> its team-days in date order (routes with ``trip`` set)."""
    out: dict[str, list[Route]] = {}
    for r in sorted(plan.routes, key=lambda r: (r.team, r.date)):
        if r.trip:
            out.setdefault(r.trip, []).append(r)
    return out


def trip_nights(routes: list[Route]) -> list[tuple[Route, str]]:
    """(route, lodging id) for each night of a trip: the days that end away from the base."""
    return [(r, r.end_place) for r in routes if r.away_night]


def night_step(route: Route) -> Step | None:
    """The ``night`` step that ends a day away (None on a day that ends at the base)."""
    last = route.steps[-1] if route.steps else None
    return last if last is not None and last.type == "night" else None


def start_step(route: Route) -> Step:
    """The day's ``start`` step (the first step when there is none)."""
    return next((s for s in route.steps if s.type == "start"), route.steps[0])


def end_step(route: Route) -> Step:
    """The step that ends the day: ``end`` (back at the base) or ``night`` (at a lodging)."""
    return next((s for s in reversed(route.steps) if s.type in ("end", "night")), route.steps[-1])


def trip_span(routes: list[Route], lang: str = "id", short: bool = True) -> tuple[str, str]:
    """Day names of a trip's first and last day (``("Sel", "Kam")``; ``short=False``: ``("Selasa", "Kamis")``)."""
    from .strings import labels

    days = labels(lang)["days_short" if short else "days"]
    return days[routes[0].date.weekday()], days[routes[-1].date.weekday()]


def trip_summary(routes: list[Route], ws: Workspace, lang: str = "id") -> str:
    """``Perjalanan dinas 2 malam: Selasa–Kamis, bermalam di Kantor Camat Ngapa (Sel), penginapan Sari (Rab)``."""
    from .strings import labels

    t = labels(lang)
    nights = trip_nights(routes)
    n = len(nights)
    first, last = trip_span(routes, lang, short=False)
    days = f"{first}–{last}" if routes[0].date != routes[-1].date else first
    short = labels(lang)["days_short"]
    by_place: dict[str, list[str]] = {}  # the same lodging on several nights is named once
    for r, where in nights:
        by_place.setdefault(where, []).append(short[r.date.weekday()])
    places = [f"{place_label(ws, where, lang)} ({', '.join(d)})" for where, d in by_place.items()]
    nights_text = t["trip_nights"].format(n=n) if (n != 1 or lang != "en") else "1 night"
    text = f"{t['trip']} {nights_text}: {days}"
    if places:
        text += ", " + t["trip_sleep"].format(places=", ".join(places))
    return text


# --------------------------------------------------------------------------- look-ups by visit id
def visit_target(ws: Workspace, visit_id: str | None):
    """The workspace entity a visit id points at: Village, School, HomeVisitRequest or Delivery (or None).

    Visit ids: ``vs:<village code>:<n>``, ``sc:<school id>``, ``hv:<request id>``, ``dl:<delivery id>``.
    """
    if not visit_id or ":" not in visit_id:
        return None
    prefix, rest = visit_id.split(":", 1)
    if prefix == "vs":
        return ws.village_index.get(rest.rsplit(":", 1)[0])
    if prefix == "sc":
        return next((s for s in ws.schools if s.id == rest), None)
    if prefix == "hv":
        return next((r for r in ws.requests if r.id == rest), None)
    if prefix == "dl":
        return next((d for d in ws.deliveries if d.id == rest), None)
    return None


# --------------------------------------------------------------------------- atomic files
def temp_path(out_dir: Path, name: str) -> Path:
    """A new hidden path next to ``out_dir / name`` that keeps the file's suffix (drivers need it)."""
    suffix = Path(name).suffix
    while True:
        path = out_dir / f".{Path(name).name}.{secrets.token_hex(6)}.tmp{suffix}"
        if not path.exists():
            return path


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path.parent, path.name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
    return path


def safe_name(text: str) -> str:
    """A file-name-safe version of a team id (letters, digits, ``-`` and ``_`` kept)."""
    out = "".join(c if (c.isalnum() or c in "-_") else "_" for c in text).strip("._")
    return out or "tim"
