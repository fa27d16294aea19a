"""Teams, their days off, holidays and the calendar edited in forms that write ``workspace.toml``.

Every save follows one path (:func:`save`), under the lock the desk's data uploads take (``data_in._lock``), so
two planners saving at once (or a save and an upload) are serialised:

1. the current ``workspace.toml`` is parsed with tomlkit (comments, order and every other section kept) and the
   form's change is applied to that parse; the form's values are checked first (numbers, times, dates, known
   office and skills, unique team id), each problem a row in the page's language;
2. the new text is written to a hidden staging file in the workspace folder and read with
   :func:`outreach_planner.io.read_workspace` (every check the CLI makes, layers included);
3. only when it reads without an error: the previous file is kept as ``workspace.toml.bak`` and the staging file
   replaces ``workspace.toml`` (``os.replace``: a reader sees the old file or the new one, never half of one).

Requests name a team by id and a date or weekday by value; each is checked against the workspace (or parsed)
before use; no request value is ever part of a path.

Holiday names are kept as the comment after each date (``"2026-12-25",  # Natal``), as ``init`` writes them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..errors import InputError, InputWarning
from ..model.calendar import WEEKDAYS
from ..model.entities import Activity
from .strings import strings

ACTIVITIES: tuple[str, ...] = get_args(Activity)
TEAM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
#: Team keys and their defaults (``None``: no default, always written).
TEAM_DEFAULTS: dict[str, Any] = {"name": None, "members": [], "vehicle": "car", "activities": None, "services": [],
                                 "recording_kits": 0, "delivery_capacity": 0, "depot": None, "days": None,
                                 "shift": None, "field_trips": False, "max_nights_per_week": 3,
                                 "max_nights_in_row": 2, "home_days": [], "days_off": []}
TEAM_INTS = ("recording_kits", "delivery_capacity", "max_nights_per_week", "max_nights_in_row")
HOLIDAY_KINDS = ("holidays", "school_holidays")
#: List keys whose order means nothing (a form sends them in its own order).
ORDERLESS = frozenset({"activities", "services", "days", "home_days", "working_days"})


def _lock():
    from .data_in import _lock as lock  # the desk's one lock around writes of the workspace folder

    return lock


@dataclass
class Row:
    """One problem shown on the page: where (team / section), field, value, what to do."""

    where: str
    field: str
    value: str
    message: str


class FormProblems(Exception):
    def __init__(self, rows: list[Row]):
        super().__init__(f"{len(rows)} problem(s)")
        self.rows = rows


# ---- reading what the file says (for the page)
def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def _date_text(d: Any) -> str:
    return d.isoformat() if isinstance(d, dt.date) else str(d)


def _comment(group) -> str:
    c = getattr(group, "comment", None)
    return c.as_string().strip().lstrip("#").strip() if c is not None else ""


def holiday_entries(doc, kind: str) -> list[tuple[str, str]]:
    """(date text, name) of ``[calendar] <kind>`` with the name from each date's comment."""
    cal = doc.get("calendar", {})
    arr = cal.get(kind) if hasattr(cal, "get") else None
    if arr is None:
        return []
    groups = [g for g in getattr(arr, "_value", []) if getattr(g, "value", None) is not None]
    out = [(_date_text(_plain(g.value)), _comment(g)) for g in groups] if groups else \
        [(_date_text(x), "") for x in _plain(arr)]
    if len(out) == 1 and not out[0][1]:  # holidays = ["2026-12-25"]   # Natal
        trail = getattr(getattr(arr, "trivia", None), "comment", "") or ""
        out = [(out[0][0], trail.strip().lstrip("#").strip())]
    return out


def read_doc(folder: Path):
    import tomlkit

    return tomlkit.parse((folder / "workspace.toml").read_text(encoding="utf-8-sig"))


# ---- the version a form was rendered from
#: Keys a team form or the calendar form does not send (their own small forms add or remove one entry at a time,
#: on the file as it is then): a change to them does not make an open team or calendar form stale.
_NOT_IN_TEAM_FORM = frozenset({"days_off"})
_NOT_IN_CALENDAR_FORM = frozenset(HOLIDAY_KINDS)


def _version(value: Any) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def team_version(doc, tid: str) -> str | None:
    """The version of team ``tid``'s table as its form sends it (None: no such team)."""
    t = _team_table(doc, tid)
    return None if t is None else _version({k: v for k, v in _plain(t).items() if k not in _NOT_IN_TEAM_FORM})


def calendar_version(doc) -> str:
    cal = _plain(doc.get("calendar", {}))
    return _version({k: v for k, v in (cal if isinstance(cal, dict) else {}).items() if k not in _NOT_IN_CALENDAR_FORM})


def check_version(form, now: str | None, where: str, key: str, lang: str) -> None:
    """Refuse a form rendered from another version of its part of the file than the one there now (another planner
    saved in between): a problem row, nothing written. A form without a version (not one of the page's) is not
    checked."""
    sent = form.get("version")
    if sent and sent != now:
        raise FormProblems([Row(where, "", "", strings(lang)[key])])


# ---- checking form values
class _Check:
    def __init__(self, lang: str, where: str):
        self.s = strings(lang)
        self.where = where
        self.rows: list[Row] = []

    def add(self, field: str, value: Any, key: str, **kw) -> None:
        self.rows.append(Row(self.where, self.s["f_" + field.split(".")[0]] + (
            f" ({self.s['weekday_names'][field.split('.')[1]]})" if "." in field and field.split(".")[1] in WEEKDAYS
            else ""), "" if value is None else str(value), self.s[key].format(**kw)))

    def integer(self, field: str, text: str) -> int | None:
        try:
            n = int(str(text).strip())
        except ValueError:
            self.add(field, text, "p_int")
            return None
        if n < 0:
            self.add(field, text, "p_int")
            return None
        return n

    def date(self, field: str, text: str) -> dt.date | None:
        try:  # only YYYY-MM-DD (fromisoformat also takes 2026-W49, 20261202, ...)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text).strip()):
                raise ValueError(text)
            return dt.date.fromisoformat(str(text).strip())
        except ValueError:
            self.add(field, text, "p_date")
            return None

    def time_range(self, field: str, start: str, end: str, required: bool = False) -> str | None:
        """``"HH:MM-HH:MM"`` of two time inputs; None when both are empty (and not required)."""
        start, end = (start or "").strip(), (end or "").strip()
        if not start and not end:
            if required:
                self.add(field, "", "p_hours_needed")
            return None
        ms = [HHMM.match(x) for x in (start, end)]
        if not all(ms):
            self.add(field, f"{start}-{end}", "p_time")
            return None
        a, b = (int(m.group(1)) * 60 + int(m.group(2)) for m in ms)
        if max(a, b) > 24 * 60:
            self.add(field, f"{start}-{end}", "p_time")
            return None
        if b <= a:
            self.add(field, f"{start}-{end}", "p_end_before_start")
            return None
        return f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"

    def subset(self, field: str, values: list[str], allowed, required: bool = False) -> list[str]:
        bad = [v for v in values if v not in allowed]
        for v in bad:
            self.add(field, v, "p_unknown", known=", ".join(allowed))
        good = [v for v in allowed if v in values]  # the allowed order, no repeats
        if required and not good and not bad:
            self.add(field, "", "p_pick_one")
        return good


def team_from_form(form, lang: str, doc, tid: str | None) -> tuple[str, dict]:
    """(team id, the team's keys) from a team form; raises FormProblems. ``tid`` None: a new team."""
    teams = [_plain(t) for t in doc.get("teams", [])]
    depots = [str(d.get("id")) for d in _plain(doc.get("depots", [])) if isinstance(d, dict)]
    services = [str(x.get("id")) for x in _plain(doc.get("services", [])) if isinstance(x, dict)]
    speeds = _plain(doc.get("travel", {})).get("speed_kmh", {}) if isinstance(_plain(doc.get("travel", {})), dict) else {}
    vehicles = list(dict.fromkeys(["car", "motorbike", *speeds]))
    new = tid is None
    tid = (form.get("id") or "").strip() if new else tid
    c = _Check(lang, f"{strings(lang)['team']} {tid}" if tid else strings(lang)["new_team"])
    if new:
        if not TEAM_ID.match(tid):
            c.add("id", tid, "p_team_id")
        elif tid in {str(t.get("id")) for t in teams}:
            c.add("id", tid, "p_team_dup")
    name = (form.get("name") or "").strip()
    if not name:
        c.add("name", "", "p_required")
    depot = (form.get("depot") or "").strip()
    if depot not in depots:
        c.add("depot", depot, "p_unknown_office", known=", ".join(depots))
    vehicle = (form.get("vehicle") or "").strip()
    if vehicle not in vehicles:
        c.add("vehicle", vehicle, "p_unknown", known=", ".join(vehicles))
    out: dict[str, Any] = {"name": name, "depot": depot, "vehicle": vehicle,
                           "members": [m.strip() for m in (form.get("members") or "").splitlines() if m.strip()],
                           "activities": c.subset("activities", form.getlist("activities"), ACTIVITIES, True),
                           "services": c.subset("services", form.getlist("services"), services),
                           "days": c.subset("days", form.getlist("days"), WEEKDAYS, True),
                           "home_days": c.subset("home_days", form.getlist("home_days"), WEEKDAYS),
                           "field_trips": form.get("field_trips") in ("1", "on", "true")}
    for k in TEAM_INTS:
        out[k] = c.integer(k, form.get(k, str(TEAM_DEFAULTS[k])))
    shift = {}
    for wd in WEEKDAYS:
        r = c.time_range(f"shift.{wd}", form.get(f"shift_{wd}_start", ""), form.get(f"shift_{wd}_end", ""))
        if r:
            shift[wd] = r
    out["shift"] = shift or None
    if c.rows:
        raise FormProblems(c.rows)
    return tid, out


# ---- applying a change to the parsed file
def _team_table(doc, tid: str):
    for t in doc.get("teams", []):
        if str(t.get("id")) == tid:
            return t
    return None


def _set(table, key: str, value: Any, default: Any = None) -> None:
    """Set ``key`` only when it changes (its comment kept); a value equal to the default is not added."""
    import tomlkit

    if value is None or (key not in table and value == default):
        if value is None and key in table:
            del table[key]
        return
    if key in table and _plain(table[key]) == value:
        return
    if key in ORDERLESS and key in table and isinstance(value, list) and isinstance(_plain(table[key]), list) \
            and sorted(map(str, _plain(table[key]))) == sorted(map(str, value)):
        return  # the same days or skills in the file's own order
    if isinstance(value, dict):
        t = tomlkit.inline_table()
        t.update(value)
        value = t
    table[key] = value


def apply_team(doc, tid: str, keys: dict, new: bool) -> None:
    import tomlkit

    if new:
        t = tomlkit.table()
        t["id"] = tid
        for k, default in TEAM_DEFAULTS.items():
            if k in keys and keys[k] is not None and (default is None or keys[k] != default):
                _set(t, k, keys[k])
        if "teams" not in doc:
            doc["teams"] = tomlkit.aot()
        doc["teams"].append(t)
        return
    t = _team_table(doc, tid)
    for k, v in keys.items():
        _set(t, k, v, TEAM_DEFAULTS.get(k))


def remove_team(doc, tid: str) -> None:
    teams = doc["teams"]
    i = next(i for i, t in enumerate(teams) if str(t.get("id")) == tid)
    del teams[i]


def set_days_off(doc, tid: str, dates: list[str]) -> None:
    t = _team_table(doc, tid)
    if dates:
        _set(t, "days_off", sorted(set(dates)))
    elif "days_off" in t:
        del t["days_off"]


def set_holidays(doc, kind: str, entries: list[tuple[str, str]]) -> None:
    """``[calendar] <kind>`` as one date a line, each with its name as a comment."""
    import tomlkit

    arr = tomlkit.array()
    for d, name in sorted(dict(entries).items()):
        arr.add_line(d, comment=name.replace("\n", " ").strip() or None)
    if entries:
        arr.add_line(indent="")
    doc["calendar"][kind] = arr
    doc["calendar"][kind].trivia.comment = ""
    doc["calendar"][kind].trivia.comment_ws = ""


def _count(text) -> int:
    """The calendar form's number of break rows (0 when odd; at most 50)."""
    return min(int(text), 50) if isinstance(text, str) and text.isdigit() else 0


def calendar_from_form(form, lang: str) -> dict:
    """The calendar's working days, hours, school hours and breaks from the calendar form."""
    s = strings(lang)
    c = _Check(lang, s["calendar_title"])
    working = c.subset("working_days", form.getlist("working_days"), WEEKDAYS, True)
    hours, school = {}, {}
    for wd in WEEKDAYS:
        r = c.time_range(f"hours.{wd}", form.get(f"hours_{wd}_start", ""), form.get(f"hours_{wd}_end", ""),
                         required=wd in working)
        if r:
            hours[wd] = r
        r = c.time_range(f"school_hours.{wd}", form.get(f"school_{wd}_start", ""), form.get(f"school_{wd}_end", ""))
        if r:
            school[wd] = r
    breaks = []
    for i in range(_count(form.get("breaks_n")) + 1):
        name = (form.get(f"break_{i}_name") or "").strip()
        days = form.getlist(f"break_{i}_days")
        start, end = form.get(f"break_{i}_start", ""), form.get(f"break_{i}_end", "")
        if not name and not (start or "").strip() and not (end or "").strip():
            continue  # an empty row (the one for adding, or a break cleared to remove it)
        c.where = f"{s['break']} {name or i + 1}"
        if not name:
            c.add("break_name", "", "p_required")
        ds = c.subset("break_days", days, WEEKDAYS, True)
        r = c.time_range("break_time", start, end, required=True)
        if name and ds and r:
            a, b = r.split("-")
            breaks.append({"name": name, "days": ds, "start": a, "end": b})
    if c.rows:
        raise FormProblems(c.rows)
    return {"working_days": working, "hours": hours, "school_hours": school, "breaks": breaks}


def apply_calendar(doc, new: dict) -> None:
    import tomlkit

    cal = doc["calendar"]
    _set(cal, "working_days", new["working_days"])
    for key in ("hours", "school_hours"):
        if key not in cal:
            if not new[key]:
                continue
            cal[key] = tomlkit.table()
        tbl = cal[key]
        for wd in WEEKDAYS:
            if wd in new[key]:
                _set(tbl, wd, new[key][wd])
            elif wd in tbl:
                del tbl[wd]
    old = [{k: _plain(v) for k, v in b.items()} for b in cal.get("breaks", [])]
    if [{**b, "days": list(b.get("days", []))} for b in old] != new["breaks"]:
        if "breaks" in cal:
            del cal["breaks"]
        if new["breaks"]:
            aot = tomlkit.aot()
            for b in new["breaks"]:
                t = tomlkit.table()
                t.update(b)
                aot.append(t)
            cal["breaks"] = aot


# ---- the one way a change is written
#: The model's messages about teams and the calendar the page says its own way (in the form's words), by catalogue
#: key (:class:`outreach_planner.i18n.Message`), with the message value the page's text takes as ``known``.
_PAGE_TEXT = {"ws.team.unknown_depot": ("p_unknown_office", "known"), "ws.duplicate": ("p_team_dup", None),
              "ws.no_team": ("p_no_team", None), "ws.team.no_office_day": ("p_no_working_day", "days"),
              "ws.team.no_capacity": ("p_delivery_capacity", None), "ws.team.no_kit": ("p_recording_kits", None),
              "ws.team.no_service": ("p_no_service", None), "ws.break.whole_shift": ("p_break_whole", None),
              "ws.break.outside_every_shift": ("p_break_outside", None), "cal.range_order": ("p_end_before_start", None)}


def _translate(message: str, lang: str) -> str:
    """The model's most frequent messages about teams and the calendar in the page's words; any other message as
    the package gives it (already in the request's language)."""
    hit = _PAGE_TEXT.get(getattr(message, "key", ""))
    if not hit:
        return message
    key, value = hit
    return strings(lang)[key].format(known=getattr(message, "values", {}).get(value, "") if value else "")


def _rows_of(problems, lang: str) -> list[Row]:
    s = strings(lang)

    def where(text: str) -> str:  # "team 'tim1'" / "[[teams]] #1 (team 'tim1')" -> "Tim tim1"
        m = re.search(r"(?:team|tim) '([^']*)'", text or "")
        return f"{s['team']} {m.group(1)}" if m else text

    return [Row(where(p.where), s.get("f_" + p.field, p.field), "" if p.value is None else str(p.value),
                _translate(p.message, lang)) for p in problems]


def save(folder: Path, change, lang: str):
    """Apply ``change(doc)`` to ``folder``'s workspace.toml when the result is a valid workspace.

    Returns (problem rows, the new Workspace or None); nothing is written when there is a row. On a workspace
    that is not valid yet (a new regency without counts), a change that adds no problem of its own is written
    (the Workspace is then None).
    """
    import tomlkit

    from ..io import read_workspace

    toml = folder / "workspace.toml"
    with _lock():
        try:
            doc = tomlkit.parse(toml.read_text(encoding="utf-8-sig"))
        except Exception as exc:  # noqa: BLE001 - a file edited by hand into invalid TOML
            return [Row("workspace.toml", "", "", strings(lang)["p_bad_toml"].format(e=exc))], None
        try:
            change(doc)
        except FormProblems as exc:
            return exc.rows, None
        text = tomlkit.dumps(doc)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".workspace.toml.", suffix=".desk-stage")
        stage = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InputWarning)
                try:
                    ws = read_workspace(stage)  # the folder's layers, the staged workspace.toml
                except InputError as exc:
                    from .state import new_problems, problems_now

                    # a workspace that is not complete yet (a new regency without counts): saved when the change
                    # adds no problem of its own
                    added = new_problems(exc.problems, problems_now(folder))
                    if added:
                        return _rows_of(added, lang), None
                    ws = None
            bak = folder / ".workspace.toml.bak.desk-tmp"
            shutil.copy2(toml, bak)
            os.replace(bak, folder / "workspace.toml.bak")
            os.replace(stage, toml)
        finally:
            stage.unlink(missing_ok=True)
        return [], ws


# ---- the page's view of the file
def team_views(doc) -> list[dict]:
    out = []
    for t in doc.get("teams", []):
        p = {**{k: v for k, v in TEAM_DEFAULTS.items() if v is not None}, **{k: _plain(v) for k, v in t.items()}}
        shift = p.get("shift") or {}
        p["shift_parts"] = {wd: str(shift[wd]).replace("–", "-").split("-") for wd in shift if wd in WEEKDAYS}
        p["days_off"] = [_date_text(d) for d in p.get("days_off", [])]
        p["version"] = team_version(doc, str(t.get("id")))
        out.append(p)
    return out


def calendar_view(doc) -> dict:
    cal = _plain(doc.get("calendar", {}))

    def parts(table):
        return {wd: str(v).replace("–", "-").split("-") for wd, v in (table or {}).items()}

    return {"working_days": list(cal.get("working_days", [])), "hours": parts(cal.get("hours")),
            "school_hours": parts(cal.get("school_hours")),
            "breaks": [{**b, "start": _hhmm(b.get("start")), "end": _hhmm(b.get("end"))} for b in cal.get("breaks", [])],
            "holidays": holiday_entries(doc, "holidays"), "school_holidays": holiday_entries(doc, "school_holidays"),
            "version": calendar_version(doc)}


def typed_team(form) -> dict:
    """A team view of what a team form sent (shown again, as typed, beside its problems)."""
    v: dict[str, Any] = {k: form.get(k, "") for k in ("id", "name", "depot", "vehicle", *TEAM_INTS)}
    v["id"] = v["id"] or None
    v["members"] = [m for m in (form.get("members") or "").splitlines() if m.strip()]
    for k in ("activities", "services", "days", "home_days"):
        v[k] = form.getlist(k)
    v["field_trips"] = form.get("field_trips") in ("1", "on", "true")
    v["shift_parts"] = {wd: [form.get(f"shift_{wd}_start", ""), form.get(f"shift_{wd}_end", "")] for wd in WEEKDAYS}
    v["version"] = form.get("version", "")  # the version it was rendered from (a refused stale form stays stale)
    return v


def typed_calendar(form, cal: dict) -> dict:
    """The calendar view of what the calendar form sent (holidays from the file)."""
    n = _count(form.get("breaks_n"))
    breaks = [{"name": form.get(f"break_{i}_name", ""), "days": form.getlist(f"break_{i}_days"),
               "start": form.get(f"break_{i}_start", ""), "end": form.get(f"break_{i}_end", "")}
              for i in range(n + 1)]
    return {**cal, "working_days": form.getlist("working_days"),
            "hours": {wd: [form.get(f"hours_{wd}_start", ""), form.get(f"hours_{wd}_end", "")] for wd in WEEKDAYS},
            "school_hours": {wd: [form.get(f"school_{wd}_start", ""), form.get(f"school_{wd}_end", "")]
                             for wd in WEEKDAYS},
            "breaks": [b for b in breaks if b["name"] or b["start"] or b["end"]], "version": form.get("version", "")}


def _hhmm(v: Any) -> str:
    if isinstance(v, int):
        return f"{v // 60:02d}:{v % 60:02d}"
    return str(v or "")


def install(app, *, page, wsh, config, lang_of) -> None:
    """The /settings page and its forms on ``app`` (called once by create_app)."""
    folder: Path = config.workspace

    def show(request: Request, status: int = 200, problems=None, saved=None, open_team=None, typed=None):
        """The page; ``typed``: a team's or the calendar's form as sent, shown again beside its problems."""
        try:
            doc = read_doc(folder)
        except Exception:  # noqa: BLE001 - not TOML (edited by hand): the banner shows the reader's problem
            return page(request, "incomplete.html", status=200 if request.method == "GET" else 409, nav="settings",
                        message=strings(lang_of(request))["settings_unreadable"])
        ws = wsh.draft()  # a workspace without counts yet (or with a problem): its teams are still edited here
        speeds = list(dict.fromkeys(["car", "motorbike", *ws.travel.speed_kmh]))
        teams, cal = team_views(doc), calendar_view(doc)
        if typed and typed[0] == "calendar":
            cal = typed_calendar(typed[1], cal)
        elif typed:
            teams = [{**t, **typed_team(typed[1]), "id": t["id"], "days_off": t["days_off"]}
                     if t["id"] == typed[0] else t for t in teams]
        new_team = typed_team(typed[1]) if typed and typed[0] == "+new" else None
        from ..render.strings import format_date

        def day_label(text: str) -> str:  # "Kamis, 3 Desember 2026 (2026-12-03)"
            try:
                return f"{format_date(dt.date.fromisoformat(text), lang_of(request))} ({text})"
            except ValueError:
                return text

        return page(request, "settings.html", status=status, teams=teams, cal=cal, new_team=new_team,
                    day_label=day_label,
                    depots=[(d.id, d.name) for d in ws.depots], services=[x.id for x in ws.services],
                    vehicles=speeds, activities=ACTIVITIES, weekdays=WEEKDAYS, problems=problems, saved=saved,
                    open_team=open_team)

    def done(request: Request, rows, what: str, anchor: str, team=None, typed=None):
        if rows:
            return show(request, status=422, problems=rows, open_team=team, typed=typed)
        wsh.refresh()  # the next page and the next plan read the new file
        request.session["settings_saved"] = what
        request.session["settings_open"] = team
        return RedirectResponse(f"/settings#{anchor}", status_code=303)

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request):
        saved = request.session.pop("settings_saved", None)
        return show(request, saved=saved, open_team=request.session.pop("settings_open", None))

    async def team_form(request: Request, tid: str | None):
        form = await request.form()
        lang = lang_of(request)
        new = tid is None

        def change(doc):
            if not new and _team_table(doc, tid) is None:
                raise FormProblems([Row(tid, "", "", strings(lang)["not_found"])])
            if not new:
                check_version(form, team_version(doc, tid), f"{strings(lang)['team']} {tid}", "p_stale_team", lang)
            team_id, keys = team_from_form(form, lang, doc, None if new else tid)
            apply_team(doc, team_id, keys, new)
            change.team = team_id

        change.team = tid or "new"
        rows, _ = save(folder, change, lang)
        return done(request, rows, "team_added" if new else "team", f"team-{change.team}",
                    team=(tid or "+new") if rows else change.team, typed=(tid or "+new", form))

    @app.get("/settings/{rest:path}")
    def settings_back(rest: str):
        """A form's address opened by GET (the language switch on a page with problems, a reload): the page."""
        return RedirectResponse("/settings", status_code=303)

    @app.post("/settings/teams", response_class=HTMLResponse)
    async def team_add(request: Request):
        return await team_form(request, None)

    @app.post("/settings/teams/{tid}", response_class=HTMLResponse)
    async def team_save(request: Request, tid: str):
        return await team_form(request, tid)

    @app.post("/settings/teams/{tid}/remove", response_class=HTMLResponse)
    def team_remove(request: Request, tid: str):
        lang = lang_of(request)

        def change(doc):
            if _team_table(doc, tid) is None:
                raise FormProblems([Row(tid, "", "", strings(lang)["not_found"])])
            remove_team(doc, tid)

        return done(request, save(folder, change, lang)[0], "team_removed", "teams")

    @app.post("/settings/teams/{tid}/days-off", response_class=HTMLResponse)
    async def team_days_off(request: Request, tid: str):
        form = await request.form()
        lang = lang_of(request)

        def change(doc):
            t = _team_table(doc, tid)
            if t is None:
                raise FormProblems([Row(tid, "", "", strings(lang)["not_found"])])
            c = _Check(lang, f"{strings(lang)['team']} {tid}")
            d = c.date("days_off", form.get("date", ""))
            if c.rows:
                raise FormProblems(c.rows)
            have = [_date_text(x) for x in _plain(t.get("days_off", []))]
            if form.get("action") == "remove":
                have = [x for x in have if x != d.isoformat()]
            else:
                have.append(d.isoformat())
            set_days_off(doc, tid, have)

        return done(request, save(folder, change, lang)[0], "days_off", f"team-{tid}", team=tid)

    @app.post("/settings/calendar", response_class=HTMLResponse)
    async def calendar_save(request: Request):
        form = await request.form()
        lang = lang_of(request)

        def change(doc):
            check_version(form, calendar_version(doc), strings(lang)["calendar_title"], "p_stale_calendar", lang)
            apply_calendar(doc, calendar_from_form(form, lang))

        return done(request, save(folder, change, lang)[0], "calendar", "calendar", typed=("calendar", form))

    @app.post("/settings/holidays", response_class=HTMLResponse)
    async def holidays_save(request: Request):
        form = await request.form()
        lang = lang_of(request)
        kind = form.get("kind", "holidays")

        def change(doc):
            s = strings(lang)
            c = _Check(lang, s["holidays_title"] if kind == "holidays" else s["school_holidays_title"])
            if kind not in HOLIDAY_KINDS:
                raise FormProblems([Row("", "", str(kind), s["not_found"])])
            d = c.date("holiday_date", form.get("date", ""))
            if c.rows:
                raise FormProblems(c.rows)
            entries = dict(holiday_entries(doc, kind))
            if form.get("action") == "remove":
                entries.pop(d.isoformat(), None)
            else:
                entries[d.isoformat()] = (form.get("name") or "").strip()[:120]
            set_holidays(doc, kind, list(entries.items()))

        return done(request, save(folder, change, lang)[0], "holidays", "holidays")
