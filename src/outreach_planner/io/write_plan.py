"""Write a weekly ``Plan`` as ``plan.json``, ``schedule.csv`` and ``schedule.xlsx``.

``plan.json`` is the documented contract (``docs/plan-format.md``); the CSV and the
workbook are views of the same plan for people: one row per visit or break, local
``HH:MM`` times, minutes and kilometres, Indonesian day names and labels.

The files are written as one set with the other outputs of ``plan``
(:mod:`outreach_planner.io.output_set`): a failure or a kill leaves the earlier outputs
untouched and no temporary file behind.

Steps carry shareable place labels only: nothing here reads resident names, addresses
or NIKs from the workspace.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..model import Workspace
from ..plan import REASONS, Plan, Step

#: Version of the ``plan.json`` layout; bumped on any incompatible change.
FORMAT_VERSION = 1

PLAN_JSON = "plan.json"
SCHEDULE_CSV = "schedule.csv"
SCHEDULE_XLSX = "schedule.xlsx"

#: Indonesian day names, Monday first (``date.weekday()`` order).
DAY_NAMES_ID: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

#: Indonesian labels of visit kinds (and of breaks) for printed sheets.
KIND_LABELS_ID: dict[str, str] = {
    "village_session": "Sesi desa",
    "school_session": "Sesi sekolah",
    "home_visit": "Kunjungan rumah",
    "delivery": "Antar dokumen",
    "break": "Istirahat",
    "night": "Bermalam",
}

SUMMARY_SHEET = "Ringkasan"
UNASSIGNED_SHEET = "Tidak terjadwal"


# --------------------------------------------------------------------------- plan.json
def _team_names(ws: Workspace) -> dict[str, str]:
    return {t.id: t.name for t in ws.teams}


def _step_json(step: Step, service_order: dict[str, int]) -> dict[str, Any]:
    d = step.model_dump(mode="json")
    # services in the workspace's declaration order, whatever order the engine produced
    d["expected"] = dict(sorted(d["expected"].items(), key=lambda kv: (service_order.get(kv[0], 1 << 30), kv[0])))
    return d


def plan_document(plan: Plan, ws: Workspace) -> dict[str, Any]:
    """The ``plan.json`` document as plain JSON types (see ``docs/plan-format.md``)."""
    names = _team_names(ws)
    order = {sid: i for i, sid in enumerate(ws.service_ids)}
    head = plan.model_dump(mode="json", include={"week", "workspace", "generated_at", "engine", "timezone", "summary"})
    routes = []
    for r in plan.routes:
        routes.append({
            "team": r.team,
            "team_name": names.get(r.team, r.team),
            "date": r.date.isoformat(),
            "depot": r.depot,
            "start_at": r.start_at,
            "end_at": r.end_at,
            "trip": r.trip,
            "steps": [_step_json(s, order) for s in r.steps],
        })
    unassigned = []
    for u in plan.unassigned:
        unassigned.append({
            "visit_id": u.visit_id,
            "kind": u.kind,
            "reason": u.reason,
            "reason_text": REASONS[u.reason],
            "detail": u.detail,
            "detail_id": u.detail_id,
            "value": u.value,
            "village_code": u.village_code,
            "needed_value": u.needed_value,
            "displaces": list(u.displaces),
            "team": u.team,
            "date": u.date.isoformat() if u.date else None,
            "would_fit": u.would_fit,
            "added_travel_s": u.added_travel_s,
        })
    return {
        "format_version": FORMAT_VERSION,
        "week": head["week"],
        "workspace": head["workspace"],
        "generated_at": head["generated_at"],
        "engine": head["engine"],
        "timezone": head["timezone"],
        "summary": head["summary"],
        "routes": routes,
        "unassigned": unassigned,
    }


def _write_json(fh: IO[bytes], plan: Plan, ws: Workspace) -> None:
    text = json.dumps(plan_document(plan, ws), indent=2, ensure_ascii=False) + "\n"
    fh.write(text.encode("utf-8"))


# --------------------------------------------------------------------------- schedule rows
def _hhmm(t: dt.datetime, tz: dt.tzinfo | None) -> str:
    return (t.astimezone(tz) if tz else t).strftime("%H:%M")


def _tz(plan: Plan) -> dt.tzinfo | None:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(plan.timezone)
    except Exception:  # an unknown zone name: keep the times as the plan gives them
        return None


def schedule_columns(ws: Workspace) -> list[str]:
    """Columns of ``schedule.csv``: fixed ones plus ``expected_<service>`` per workspace service."""
    return [
        "team", "team_name", "date", "day", "stop_no", "type", "kind", "kind_id", "visit_id", "place",
        "village_code", "arrival", "start", "end", "travel_min", "distance_km",
        *(f"expected_{sid}" for sid in ws.service_ids),
        "value", "why", "why_en", "trip", "start_place", "end_place",
    ]


def place_name(ws: Workspace, place_id: str) -> str:
    """Name of a route's start or end place: a lodging of the workspace or an office (else the id)."""
    for lg in getattr(ws, "lodgings", ()):
        if lg.id == place_id:
            return lg.name
    return next((d.name for d in ws.depots if d.id == place_id), place_id)


def schedule_rows(plan: Plan, ws: Workspace) -> list[dict[str, Any]]:
    """One row per visit and break step, sorted by team id, date and start time.

    ``stop_no`` numbers the visits of a team-day from 1; breaks have no number.
    Breaks leave ``kind``, ``visit_id`` and the expected counts empty.
    """
    from ..planning.why import visit_why

    names = _team_names(ws)
    tz = _tz(plan)
    keyed: list[tuple[tuple, dict[str, Any]]] = []
    for r in plan.routes:
        stop = 0
        start_place, end_place = place_name(ws, r.start_place), place_name(ws, r.end_place)
        for pos, s in enumerate(r.steps):
            if s.type not in ("visit", "break", "night"):
                continue
            is_visit = s.type == "visit"
            if is_visit:
                stop += 1
            row: dict[str, Any] = {
                "team": r.team,
                "team_name": names.get(r.team, r.team),
                "date": r.date.isoformat(),
                "day": DAY_NAMES_ID[r.date.weekday()],
                "stop_no": stop if is_visit else "",
                "type": s.type,
                "kind": s.kind or "",
                "kind_id": KIND_LABELS_ID[s.kind] if is_visit and s.kind else KIND_LABELS_ID[s.type],
                "visit_id": s.visit_id or "",
                "place": f"Bermalam di {end_place}" if s.type == "night" else s.place,
                "village_code": s.village_code or "",
                "arrival": _hhmm(s.arrival, tz),
                "start": _hhmm(s.start, tz),
                "end": _hhmm(s.end, tz),
                "travel_min": round(s.travel_s / 60, 1),
                "distance_km": round(s.distance_m / 1000, 1),
            }
            for sid in ws.service_ids:
                row[f"expected_{sid}"] = s.expected.get(sid, 0) if is_visit else ""
            row["value"] = round(s.value, 3) if is_visit else ""
            if is_visit:
                row["why"], row["why_en"] = visit_why(s, ws, "id"), visit_why(s, ws, "en")
            else:
                row["why"] = row["why_en"] = ""
            row.update(trip=r.trip or "", start_place=start_place, end_place=end_place)
            keyed.append(((r.team, r.date, s.start, pos), row))
    keyed.sort(key=lambda kr: kr[0])
    return [row for _, row in keyed]


def _write_csv(fh: IO[bytes], plan: Plan, ws: Workspace) -> None:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=schedule_columns(ws), lineterminator="\n")
    writer.writeheader()
    writer.writerows(schedule_rows(plan, ws))
    fh.write(buf.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------- schedule.xlsx
_INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet_name(team_id: str, taken: set[str]) -> str:
    base = (team_id.translate(_INVALID_SHEET_CHARS).strip("'") or "tim")[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


#: Columns of the sheet of visits left out (its headers: :func:`unassigned_header`). The sheet is for people: the
#: activity, the reason and its explanation in the sheet's language only (the codes and the other language stay in
#: ``plan.json``); ``visit_id`` and ``village_code`` stay: they are the ids the office's records and the
#: outcomes form use.
UNASSIGNED_COLUMNS = ("visit_id", "kind_id", "village_code", "reason_text", "detail", "value", "needed_value",
                      "displaces", "team", "date")

#: Columns of schedule.csv left out of the team sheets of schedule.xlsx: ``team`` (the sheet is the team's),
#: ``kind`` (the code of ``kind_id``'s words) and ``why_en`` (``why`` is in the sheet's language).
XLSX_DROPPED = ("team", "kind", "why_en")


def xlsx_columns(ws: Workspace) -> list[str]:
    """The columns of a team sheet of schedule.xlsx: those of :func:`schedule_columns` but :data:`XLSX_DROPPED`."""
    return [c for c in schedule_columns(ws) if c not in XLSX_DROPPED]


def xlsx_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A schedule.csv row as a person reads it in ``lang``: the step's type, the activity and the day in words,
    ``why`` in ``lang`` (the CSV keeps the codes and both texts: it is for other tools)."""
    from ..render.strings import labels

    t = labels(lang)
    out = dict(row)
    out["type"] = t["step_type"].get(row["type"], row["type"])
    if row["kind"]:
        out["kind_id"] = t["kind"].get(row["kind"], row["kind_id"])
    elif row["type"] in ("break", "night"):
        out["kind_id"] = t["break"] if row["type"] == "break" else t["step_type"]["night"]
    out["day"] = t["days"][dt.date.fromisoformat(row["date"]).weekday()]
    if row["type"] == "night":
        out["place"] = t["night_at"].format(place=row["end_place"])
    if lang != "id":
        out["why"] = row["why_en"]
    return out


def summary_sheet_name() -> str:
    """``Ringkasan`` (:data:`SUMMARY_SHEET`), ``Summary`` in English."""
    from ..i18n import _

    return _("xlsx.summary_sheet", id="Ringkasan", en="Summary")


def unassigned_sheet_name() -> str:
    """``Tidak terjadwal`` (:data:`UNASSIGNED_SHEET`), ``Left out`` in English."""
    from ..i18n import _

    return _("xlsx.unassigned_sheet", id="Tidak terjadwal", en="Left out")


def unassigned_header(column: str) -> str:
    """The header of a column of the sheet of visits left out, in the language in use."""
    from ..i18n import _

    heads = {"reason": _("xlsx.reason_code", id="Kode alasan", en="Reason code"),
             "reason_text": _("xlsx.reason", id="Alasan", en="Reason"),
             "detail": _("xlsx.explanation_col", id="Penjelasan", en="Explanation"),
             "needed_value": _("xlsx.needed_value", id="Nilai yang diperlukan", en="Value needed"),
             "displaces": _("xlsx.displaces", id="Menggeser", en="Would push out"),
             "team": _("xlsx.team", id="Tim", en="Team")}
    return heads.get(column) or xlsx_header(column)


def xlsx_header(column: str) -> str:
    """The header schedule.xlsx shows for a column of schedule.csv (whose names stay as they are: they are data
    for other tools), in the language in use; ``expected_<service>`` and unknown names stay as they are."""
    from ..i18n import _

    heads = {
        "team_name": _("xlsx.team_name", id="Tim", en="Team"), "date": _("xlsx.date", id="Tanggal", en="Date"),
        "day": _("xlsx.day", id="Hari", en="Day"), "stop_no": _("xlsx.stop_no", id="No", en="Stop"),
        "type": _("xlsx.type", id="Jenis langkah", en="Step"), "kind": _("xlsx.kind", id="Kode kegiatan", en="Kind"),
        "kind_id": _("xlsx.kind_id", id="Kegiatan", en="Activity"),
        "visit_id": _("xlsx.visit_id", id="Id kunjungan", en="Visit id"),
        "place": _("xlsx.place", id="Tempat", en="Place"),
        "village_code": _("xlsx.village_code", id="Kode desa", en="Village code"),
        "arrival": _("xlsx.arrival", id="Tiba", en="Arrival"), "start": _("xlsx.start", id="Mulai", en="Start"),
        "end": _("xlsx.end", id="Selesai", en="End"),
        "travel_min": _("xlsx.travel_min", id="Perjalanan (menit)", en="Travel (min)"),
        "distance_km": _("xlsx.distance_km", id="Jarak (km)", en="Distance (km)"),
        "value": _("xlsx.value", id="Nilai", en="Value"), "why": _("xlsx.why", id="Alasan", en="Why"),
        "trip": _("xlsx.trip", id="Perjalanan dinas", en="Field trip"),
        "start_place": _("xlsx.start_place", id="Berangkat dari", en="Starts at"),
        "end_place": _("xlsx.end_place", id="Berakhir di", en="Ends at"),
    }
    if column.startswith("expected_"):
        from ..render.strings import short_service

        return _("xlsx.expected", id="Perkiraan {s}", en="Expected {s}", s=short_service(column[len("expected_"):]))
    return heads.get(column, column)


def _fit_columns(sheet, widths: dict[int, float] | None = None, cap: float = 60) -> None:
    from openpyxl.utils import get_column_letter

    best: dict[int, float] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value if isinstance(cell.value, str) else f"{cell.value}"
            if isinstance(cell.value, float) and cell.number_format.endswith("%"):
                text = "100.0%"
            best[cell.column] = max(best.get(cell.column, 0), len(text))
    for col, length in best.items():
        sheet.column_dimensions[get_column_letter(col)].width = min(cap, max(6.0, length + 2))
    for col, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(col)].width = width


def _print_setup(sheet, title: str, header_row: int | None = 1) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddHeader.center.text = title
    sheet.oddFooter.right.text = "&P / &N"


def _table(sheet, header: list[str], rows: list[list[Any]], start_row: int, bold) -> int:
    """Write a header and rows from ``start_row``; returns the next free row."""
    for c, h in enumerate(header, 1):
        sheet.cell(row=start_row, column=c, value=h).font = bold
    r = start_row
    for r, values in enumerate(rows, start_row + 1):
        for c, v in enumerate(values, 1):
            sheet.cell(row=r, column=c, value=v)
    return r + 2


def _summary_sheet(sheet, plan: Plan, ws: Workspace, bold, title_font) -> None:
    from ..i18n import _, language
    from ..render.strings import format_date, labels, week_words

    lang = language()
    s = plan.summary
    tz = _tz(plan)
    names = _team_names(ws)
    svc_names = {sv.id: sv.name_id if lang == "id" else sv.name for sv in ws.services}
    kind_label = {**labels(lang)["kind"], "break": labels(lang)["break"]}
    sheet["A1"] = _("xlsx.title", id="Rencana jemput bola minggu {w}", en="Outreach plan for the week of {w}",
                    w=week_words(plan.week, lang, {r.date for r in plan.routes}))
    sheet["A1"].font = title_font
    dates_of_week = sorted({r.date for r in plan.routes})
    try:
        from ..week import Week

        week_dates = Week.parse(plan.week, plan.timezone).dates
    except Exception:
        week_dates = dates_of_week
    info = [
        (_("xlsx.area", id="Wilayah", en="Area"), plan.workspace),
        (_("xlsx.week", id="Minggu", en="Week"),
         _("xlsx.week_span", id="{w} ({a} s.d. {b})", en="{w} ({a} to {b})", w=plan.week,
           a=f"{week_dates[0]:%d-%m-%Y}", b=f"{week_dates[-1]:%d-%m-%Y}") if week_dates else plan.week),
        (_("xlsx.made", id="Dibuat", en="Made"),
         (plan.generated_at.astimezone(tz) if tz else plan.generated_at).strftime("%Y-%m-%d %H:%M %z")),
        (_("xlsx.engine", id="Mesin (engine)", en="Engine"),
         _("xlsx.engine_text", id="{e}, status {st}, model perjalanan {t}", en="{e}, status {st}, travel model {t}",
           e=plan.engine, st=s.get("solver_status", ""), t=s.get("travel_model", ""))),
        (_("xlsx.tz", id="Zona waktu", en="Time zone"), plan.timezone),
    ]
    row = 3
    for label, value in info:
        sheet.cell(row=row, column=1, value=label).font = bold
        sheet.cell(row=row, column=2, value=value)
        row += 1
    row += 1

    # totals
    sheet.cell(row=row, column=1, value=_("xlsx.total", id="Total", en="Totals")).font = title_font
    row += 1
    by_kind, cand = s.get("scheduled_by_kind", {}), s.get("candidates_by_kind", {})
    kinds = [k for k in KIND_LABELS_ID if k in cand or k in by_kind]
    kind_rows = [[kind_label.get(k, KIND_LABELS_ID[k]), by_kind.get(k, 0), cand.get(k, 0)] for k in kinds]
    kind_rows.append([_("xlsx.all_visits", id="Semua kunjungan", en="All visits"), s.get("scheduled_visits", 0),
                      s.get("candidate_visits", 0)])
    row = _table(sheet, [_("xlsx.visit_kind", id="Jenis kunjungan", en="Kind of visit"),
                         _("xlsx.scheduled", id="Terjadwal", en="Scheduled"),
                         _("xlsx.candidates", id="Kandidat", en="Candidates")], kind_rows, row, bold)
    figures = [
        [_("xlsx.value_collected", id="Nilai terkumpul (poin)", en="Value collected (points)"), s.get("value_collected")],
        [_("xlsx.value_available", id="Nilai tersedia (poin)", en="Value available (points)"), s.get("value_available")],
        [_("xlsx.travel_hours", id="Waktu perjalanan (jam)", en="Travel time (hours)"), s.get("travel_hours")],
        [_("xlsx.distance", id="Jarak tempuh (km)", en="Distance (km)"), s.get("distance_km")],
        [_("xlsx.team_days", id="Hari-tim terpakai / tersedia", en="Team-days used / available"),
         f"{len(plan.routes)} / {s.get('team_days_available', '')}"],
        [_("xlsx.nights", id="Malam di luar (perjalanan dinas)", en="Nights away (field trips)"),
         sum(1 for r in plan.routes if r.away_night)],
    ]
    row = _table(sheet, [_("xlsx.figure", id="Angka", en="Figure"), _("xlsx.value", id="Nilai", en="Value")],
                 figures, row, bold)

    # coverage
    sheet.cell(row=row, column=1, value=_("xlsx.coverage", id="Cakupan kabupaten: sebelum → sesudah minggu ini",
                                          en="Regency coverage: before → after the week")).font = title_font
    row += 1
    cov_rows = [[svc_names.get(c["service"], c["service"]), c["target"], c["before"], c["after"],
                 c["expected_people"], c["still_needed_after"]] for c in s.get("coverage", [])]
    first = row + 1
    row = _table(sheet, [_("xlsx.service", id="Layanan", en="Service"), _("xlsx.target", id="Target", en="Target"),
                         _("xlsx.before", id="Sebelum", en="Before"), _("xlsx.after", id="Sesudah", en="After"),
                         _("xlsx.people", id="Orang dilayani", en="People served"),
                         _("xlsx.still_needed", id="Masih kurang", en="Still needed")], cov_rows, row, bold)
    for r in range(first, first + len(cov_rows)):
        for c in (2, 3, 4):
            sheet.cell(row=r, column=c).number_format = "0.0%"

    # visits per team per day
    sheet.cell(row=row, column=1, value=_("xlsx.per_day", id="Kunjungan per tim per hari",
                                          en="Visits per team per day")).font = title_font
    row += 1
    days = [d for d in week_dates if ws.calendar.is_working_day(d) or d in dates_of_week]
    visits = {(r.team, r.date): len(r.visits) for r in plan.routes}
    team_ids = [t.id for t in ws.teams] + sorted({r.team for r in plan.routes} - {t.id for t in ws.teams})
    grid = []
    for tid in team_ids:
        counts = [visits.get((tid, d), 0) for d in days]
        grid.append([names.get(tid, tid), *counts, sum(counts)])
    total = _("xlsx.sum", id="Jumlah", en="Total")
    grid.append([total, *(sum(visits.get((t, d), 0) for t in team_ids) for d in days), sum(visits.values())])
    header = [_("xlsx.team_name", id="Tim", en="Team"), *(format_date(d, lang, short=True) for d in days), total]
    row = _table(sheet, header, grid, row, bold)

    # unassigned by reason
    sheet.cell(row=row, column=1, value=_("xlsx.by_reason", id="Tidak terjadwal menurut alasan",
                                          en="Left out by reason")).font = title_font
    row += 1
    counts = Counter(u.reason for u in plan.unassigned)
    texts = labels(lang)["unassigned_reason"]  # the codes stay (data); their texts in the language in use
    reason_rows = [[texts.get(code, text), counts.get(code, 0)] for code, text in REASONS.items()]
    reason_rows.append([total, len(plan.unassigned)])
    _table(sheet, [_("xlsx.reason", id="Alasan", en="Reason"), total], reason_rows, row, bold)

    _fit_columns(sheet, {1: 32, 2: 14, 3: 14, 4: 12, 5: 15, 6: 14})
    _print_setup(sheet, f"{sheet.title} {plan.week}", header_row=None)
    sheet.page_setup.orientation = "portrait"
    sheet.print_options.gridLines = False


def _write_xlsx(fh: IO[bytes], plan: Plan, ws: Workspace) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold, title_font = Font(bold=True), Font(bold=True, size=13)
    wb = Workbook()
    summary = wb.active
    summary.title = summary_sheet_name()
    _summary_sheet(summary, plan, ws, bold, title_font)

    from ..i18n import language

    lang = language()
    columns = xlsx_columns(ws)
    rows = [xlsx_row(r, lang) for r in schedule_rows(plan, ws)]
    taken = {summary_sheet_name().lower(), unassigned_sheet_name().lower()}
    names = _team_names(ws)
    team_ids = [t.id for t in ws.teams if any(r.team == t.id for r in plan.routes)]
    team_ids += sorted({r.team for r in plan.routes} - set(team_ids))
    wrap = Alignment(wrap_text=True, vertical="top")
    dates, times = {"date"}, {"arrival", "start", "end"}
    for tid in team_ids:
        sheet = wb.create_sheet(_sheet_name(names.get(tid, tid), taken))  # by team name (31 chars, no []:*?/\)
        sheet.append([xlsx_header(c) for c in columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            if row["team"] == tid:  # real Excel dates and times, not text
                sheet.append([None if row[c] == "" else dt.date.fromisoformat(row[c]) if c in dates else
                              dt.time.fromisoformat(row[c]) if c in times else row[c] for c in columns])
        for c in columns:
            if c in dates or c in times:
                col = columns.index(c) + 1
                for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                    cell.number_format = "DD/MM/YYYY" if c in dates else "HH:MM"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        _fit_columns(sheet)
        for name in ("place", "why"):
            col = columns.index(name) + 1
            for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.alignment = wrap
        _print_setup(sheet, f"{names.get(tid, tid)} ({tid}) - {plan.week}")

    from ..render.strings import labels

    sheet = wb.create_sheet(unassigned_sheet_name())
    sheet.append([unassigned_header(c) for c in UNASSIGNED_COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
    texts, kinds = labels(lang)["unassigned_reason"], labels(lang)["kind"]
    for u in plan.unassigned:
        sheet.append([u.visit_id, kinds.get(u.kind, KIND_LABELS_ID[u.kind]), u.village_code,
                      texts.get(u.reason, REASONS[u.reason]), (u.detail_id or u.detail) if lang == "id" else u.detail,
                      round(u.value, 3), None if u.needed_value is None else round(u.needed_value, 3),
                      " ".join(u.displaces) or None, names.get(u.team, u.team) if u.team else None,
                      u.date if u.date else None])
        if u.date:
            sheet.cell(row=sheet.max_row, column=len(UNASSIGNED_COLUMNS)).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_columns(sheet)
    _print_setup(sheet, f"{sheet.title} {plan.week}")

    # reproducible document properties: the plan's timestamp, not the time of writing
    when = plan.generated_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = when
    wb.properties.title = summary["A1"].value
    wb.save(fh)


# --------------------------------------------------------------------------- writing as a set
_WRITERS: tuple[tuple[str, Callable[[IO[bytes], Plan, Workspace], None]], ...] = (
    (PLAN_JSON, lambda fh, plan, ws: _write_json(fh, plan, ws)),
    (SCHEDULE_CSV, lambda fh, plan, ws: _write_csv(fh, plan, ws)),
    (SCHEDULE_XLSX, lambda fh, plan, ws: _write_xlsx(fh, plan, ws)),
)


def write_plan_outputs(plan: Plan, ws: Workspace, out_dir: Path) -> dict[str, Path]:
    """Write ``plan.json``, ``schedule.csv`` and ``schedule.xlsx`` into ``out_dir``, as one set.

    The files are written through :func:`outreach_planner.io.output_set.output_set`: into the staging
    folder of the set ``out_dir`` belongs to (``plan`` writes all its outputs as one set), or else into a
    new set of their own that replaces these three files of ``out_dir`` at once and keeps its other
    files. A failure or a kill leaves the previous outputs as they were and no partial file behind.

    Parameters
    ----------
    plan
        The weekly plan.
    ws
        The workspace it was made for (team names, service ids, calendar).
    out_dir
        Output folder (created with parents if missing), or the staging folder of an open output set.

    Returns
    -------
    dict[str, Path]
        File name (``plan.json``, ``schedule.csv``, ``schedule.xlsx``) -> its path in the output folder.
    """
    from .output_set import output_set

    with output_set(out_dir, claim=[name for name, _ in _WRITERS]) as s:
        for name, writer in _WRITERS:
            with open(s.path / name, "wb") as fh:
                writer(fh, plan, ws)
    return {name: s.dest / name for name, _ in _WRITERS}


__all__ = [
    "DAY_NAMES_ID",
    "FORMAT_VERSION",
    "KIND_LABELS_ID",
    "plan_document",
    "schedule_columns",
    "schedule_rows",
    "write_plan_outputs",
]
