"""The officers' tally form: written blank next to the plan, read back filled in.

``outcomes_form.csv`` and ``outcomes_form.xlsx`` have one row per visit of the plan:
the plan id, visit id, team, date, place (a shareable label: no resident names), kind and
the people expected per service, then the columns officers fill in: ``status``
(``done``/``missed`` for sessions and home visits, ``delivered``/``failed`` for deliveries,
``cancelled`` for a request that is no longer needed), ``reason`` (required unless done or
delivered) and ``served_<service>`` (people served per service).

:func:`read_outcomes_form` reads either file back; :func:`validate_outcomes` checks every
row against the plans and collects every problem before raising one ``InputError``.
A row whose status is blank (and numbers too) is a visit not reported yet; it is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, InputWarning, Problem
from ..i18n import _
from ..campaign.ledger import STATUSES, Outcome, plan_id_of
from ..model import Workspace
from ..plan import Plan
from .write_plan import DAY_NAMES_ID, KIND_LABELS_ID

FORM_CSV = "outcomes_form.csv"
FORM_XLSX = "outcomes_form.xlsx"
FORM_SHEET = "Hasil"
#: The session cap: a village or school session serves at most max(SESSION_OVER x expected, expected +
#: SESSION_EXTRA) people per service (turnout above the estimate happens; three times it is a typing error).
SESSION_OVER = 1.5
SESSION_EXTRA = 10


def served_cap(kind: str | None, expected: int) -> tuple[str, int]:
    """(name of the cap, most people a visit of ``kind`` expecting ``expected`` of a service may record).

    A home visit serves the one resident of its request: at most 1 person per service (others in
    the house are a new request or come to a session). A village or school session: the session
    cap, max(:data:`SESSION_OVER` x expected, expected + :data:`SESSION_EXTRA`). A delivery: none.
    """
    if kind == "home_visit":
        return _("form.cap_home", id="batas kunjungan rumah (satu warga yang meminta: 1 per layanan)",
                 en="home-visit cap (the one resident of its request: 1 per service)"), max(expected, 1)
    if kind == "delivery":
        return _("form.cap_delivery", id="batas antaran (antaran tidak melayani siapa pun)",
                 en="delivery cap (a delivery serves nobody)"), 0
    return (_("form.cap_session", id="batas sesi max({over} x perkiraan, perkiraan + {extra})",
              en="session cap max({over} x expected, expected + {extra})", over=f"{SESSION_OVER:g}",
              extra=SESSION_EXTRA),
            max(math.ceil(SESSION_OVER * expected), expected + SESSION_EXTRA))


#: Statuses of a night row of a field trip: ``stayed`` (slept away as planned, or where ``bermalam_di`` says),
#: ``returned`` (came back to the base that evening: the trip was cut short; give the reason).
NIGHT_STATUSES = ("stayed", "returned")
#: The Indonesian word of every status code: the form shows these by default, ``record`` accepts either and stores
#: the code in the ledger.
STATUS_WORDS_ID: dict[str, str] = {"done": "selesai", "missed": "tidak hadir", "delivered": "terkirim",
                                   "failed": "gagal", "cancelled": "batal", "stayed": "bermalam", "returned": "pulang"}
#: Indonesian word (lower case, single spaces) -> status code; also ``tidak_hadir`` / ``tidak-hadir``.
STATUS_CODES: dict[str, str] = {w: c for c, w in STATUS_WORDS_ID.items()} | {"tidak_hadir": "missed",
                                                                              "tidak-hadir": "missed"}


def status_code(value: str) -> str:
    """The status code of a form cell: an Indonesian word (any case, spaces) or the English code itself."""
    text = " ".join(str(value).strip().lower().split())
    return STATUS_CODES.get(text, text)


def status_label(code: str, lang: str | None = None) -> str:
    """How the form shows a status code: the Indonesian word, or the code itself in English."""
    from ..i18n import language

    return STATUS_WORDS_ID.get(code, code) if (lang or language()) == "id" else code


#: Visit ids of night rows: ``night:<trip id>:<date>``.
NIGHT_PREFIX = "night:"


def form_columns(ws: Workspace) -> list[str]:
    """Columns of the form: fixed ones, ``expected_<service>``, status, reason, ``served_<service>``.

    ``trip`` and ``bermalam_di`` (where the team sleeps after that day; empty: at its base) tell the days
    of a field trip; forms written before them read the same."""
    return ["plan_id", "visit_id", "team", "date", "day", "trip", "bermalam_di", "place", "village_code", "kind",
            "kind_id", *(f"expected_{s}" for s in ws.service_ids), "status", "allowed_status", "reason",
            *(f"served_{s}" for s in ws.service_ids)]


#: Headers of the xlsx form in Indonesian (the default): column key -> header. ``expected_<s>`` / ``served_<s>``
#: become ``Perkiraan <s>`` / ``Dilayani <s>``. In English the headers are the keys themselves (as in the CSV
#: form). :func:`read_outcomes_form` reads either.
FORM_HEADERS_ID: dict[str, str] = {
    "plan_id": "Id rencana", "visit_id": "Id kunjungan", "team": "Tim", "date": "Tanggal", "day": "Hari",
    "trip": "Perjalanan dinas", "bermalam_di": "Bermalam di", "place": "Tempat", "village_code": "Kode desa",
    "kind": "Kode kegiatan", "kind_id": "Kegiatan", "status": "Status", "allowed_status": "Status yang boleh",
    "reason": "Alasan",
}
_FORM_PREFIXES_ID = {"expected_": "Perkiraan ", "served_": "Dilayani "}


def form_header(column: str, lang: str | None = None) -> str:
    """The header the xlsx form shows for ``column`` (Indonesian by default, the key itself in English)."""
    from ..i18n import language

    if (lang or language()) != "id":
        return column
    for prefix, word in _FORM_PREFIXES_ID.items():
        if column.startswith(prefix):
            return word + column[len(prefix):]
    return FORM_HEADERS_ID.get(column, column)


def form_key(name: str) -> str:
    """The column key of a header already through :func:`column_name`: an Indonesian header or the key itself."""
    keys = {column_name(h): k for k, h in FORM_HEADERS_ID.items()}
    if name in keys:
        return keys[name]
    for prefix, word in _FORM_PREFIXES_ID.items():
        w = column_name(word) + "_"
        if name.startswith(w) and len(name) > len(w):
            return prefix + name[len(w):]
    return name


def night_id(route) -> str:
    """``night:<trip>:<date>``: the form's id of the night after a day away."""
    return f"{NIGHT_PREFIX}{route.trip or route.team}:{route.date.isoformat()}"


def _night_place(ws: Workspace, route) -> str:
    if not route.away_night:
        return ""
    lg = next((x for x in getattr(ws, "lodgings", ()) if x.id == route.end_place), None)
    return lg.name if lg is not None else route.end_place


def form_rows(plan: Plan, ws: Workspace, plan_id: str | None = None) -> list[dict[str, Any]]:
    """One blank row per visit step, by team, date and start time; after the visits of a day that ends away
    from the base (a field trip), a row for the night (``kind`` ``night``, status ``stayed``/``returned``)."""
    pid = plan_id or plan_id_of(plan)
    names = {t.id: t.name for t in ws.teams}
    rows = []
    for r in sorted(plan.routes, key=lambda r: (r.team, r.date)):
        night_at = _night_place(ws, r)
        base = {"plan_id": pid, "team": names.get(r.team, r.team), "date": r.date.isoformat(),
                "day": DAY_NAMES_ID[r.date.weekday()], "trip": r.trip or "", "bermalam_di": night_at}
        for s in sorted(r.visits, key=lambda s: s.start):
            row: dict[str, Any] = {
                **base, "visit_id": s.visit_id, "place": s.place, "village_code": s.village_code or "",
                "kind": s.kind, "kind_id": KIND_LABELS_ID.get(s.kind or "", ""),
            }
            for sid in ws.service_ids:
                row[f"expected_{sid}"] = s.expected.get(sid, 0)
            row.update(status="", allowed_status="/".join(map(status_label, STATUSES[s.kind or "village_session"])),
                       reason="")
            for sid in ws.service_ids:
                row[f"served_{sid}"] = ""
            rows.append(row)
        if r.away_night:
            last = r.steps[-1]
            row = {**base, "visit_id": night_id(r), "place": f"Bermalam di {night_at}",
                   "village_code": last.village_code or "", "kind": "night", "kind_id": KIND_LABELS_ID["night"]}
            row.update({f"expected_{sid}": "" for sid in ws.service_ids})
            row.update(status="", allowed_status="/".join(map(status_label, NIGHT_STATUSES)), reason="")
            row.update({f"served_{sid}": "" for sid in ws.service_ids})
            rows.append(row)
    return rows


def _csv_bytes(cols: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _xlsx_bytes(cols: list[str], rows: list[dict], plan_id: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = FORM_SHEET
    sh.append([form_header(c) for c in cols])
    for c in range(1, len(cols) + 1):
        sh.cell(row=1, column=c).font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    editable = {i + 1 for i, c in enumerate(cols) if c in ("status", "reason") or c.startswith("served_")}
    bermalam = cols.index("bermalam_di") + 1 if "bermalam_di" in cols else None
    date_col = cols.index("date") + 1
    for row in rows:
        sh.append([row[c] for c in cols])
        cell = sh.cell(row=sh.max_row, column=date_col)  # a real Excel date, not text
        cell.value, cell.number_format = dt.date.fromisoformat(row["date"]), "DD/MM/YYYY"
    for r in range(2, len(rows) + 2):
        for c in editable:
            sh.cell(row=r, column=c).fill = fill
        if bermalam and rows[r - 2].get("kind") == "night":  # where the team slept: the officer may correct it
            sh.cell(row=r, column=bermalam).fill = fill
    status_col = get_column_letter(cols.index("status") + 1)
    if rows:
        from ..i18n import _

        codes = ("done", "missed", "delivered", "failed", "cancelled", "stayed", "returned")
        dv = DataValidation(type="list", formula1='"' + ",".join(map(status_label, codes)) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="stop",
                            errorTitle=_("form.status_error_title", id="Status tidak dikenal", en="Unknown status"),
                            error=_("form.status_error", id="Pilih status dari daftar: {s}.",
                                    en="Choose a status from the list: {s}.", s=", ".join(map(status_label, codes))))
        sh.add_data_validation(dv)
        dv.add(f"{status_col}2:{status_col}{len(rows) + 1}")
        served = [i + 1 for i, c in enumerate(cols) if c.startswith("served_")]
        nv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop",
                            errorTitle=_("form.served_error_title", id="Bukan jumlah orang", en="Not a count"),
                            error=_("form.served_error", id="Isi bilangan bulat 0 atau lebih.",
                                    en="Enter a whole number, 0 or more."))
        sh.add_data_validation(nv)
        nv.add(f"{get_column_letter(served[0])}2:{get_column_letter(served[-1])}{len(rows) + 1}")
    sh.freeze_panes = "C2"
    sh.auto_filter.ref = sh.dimensions
    for i, c in enumerate(cols, 1):
        width = max([len(form_header(c)), 10 if c == "date" else 0] + [len(str(r[c])) for r in rows])
        sh.column_dimensions[get_column_letter(i)].width = min(50, width + 2)
    sh.page_setup.orientation = "landscape"  # print set-up: landscape, one page wide, header row on every page
    sh.page_setup.paperSize = sh.PAPERSIZE_A4
    sh.page_setup.fitToWidth, sh.page_setup.fitToHeight = 1, 0
    sh.sheet_properties.pageSetUpPr.fitToPage = True
    sh.print_title_rows = "1:1"
    sh.oddFooter.center.text = f"Rencana {plan_id}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_outcomes_form(plan: Plan, ws: Workspace, out_dir: Path, plan_id: str | None = None) -> dict[str, Path]:
    """Write the blank ``outcomes_form.csv`` and ``.xlsx`` into ``out_dir``, as one set (both or none).

    ``out_dir`` is an output folder or the staging folder of an open
    :func:`~outreach_planner.io.output_set.output_set` (then they join that set). Returns name -> final path.
    """
    from .output_set import output_set

    pid = plan_id or plan_id_of(plan)
    cols, rows = form_columns(ws), form_rows(plan, ws, pid)
    files = ((FORM_CSV, _csv_bytes(cols, rows)), (FORM_XLSX, _xlsx_bytes(cols, rows, pid)))
    with output_set(out_dir, claim=[name for name, _ in files]) as s:
        for name, data in files:
            (s.path / name).write_bytes(data)
    return {name: s.dest / name for name, _ in files}


#: Columns a form must have (after :func:`column_name`); ``served_<s>`` must be there for each ``expected_<s>``.
REQUIRED_COLUMNS = ("plan_id", "visit_id", "status")
def _fix() -> str:
    """What to give ``record`` instead, in the language in use."""
    return _("form.fix", id="catat outcomes_form.csv atau .xlsx yang ditulis plan, sesudah diisi, tanpa mengganti nama "
             "atau menghapus kolom", en="record the outcomes_form.csv or .xlsx that plan wrote, filled in, without "
             "renaming or deleting columns")


def _row1() -> str:
    return _("form.row", id="baris {n}", en="row {n}", n=1)


def column_name(header: Any) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and hyphens as ``_`` (``Status`` -> ``status``)."""
    text = "" if header is None else str(header).replace("\ufeff", "").strip().lower()
    return "_".join(text.replace("-", " ").split())


def _decode(data: bytes, name: str) -> str:
    """CSV bytes as text (:func:`~outreach_planner.io._text.decode`); a fallback from UTF-8 is an ``InputWarning``."""
    from ._text import decode

    decoded = decode(data)
    for note in decoded.notes:
        warnings.warn(InputWarning(f"{name}: {note}"), stacklevel=3)  # the note is in the language in use
    return decoded.text


def _check_header(header: list[str], name: str) -> None:
    if not any(header):
        raise InputError([Problem(name, _row1(), "", None, _("form.no_header", id="formulir ini tidak punya baris "
                                                             "judul kolom; {fix}", en="the form has no header row; "
                                                             "{fix}", fix=_fix()))])
    problems = []
    for col in REQUIRED_COLUMNS:
        if col not in header:
            problems.append(Problem(name, _row1(), col, None, _(
                "form.no_column", id="formulir ini tidak punya kolom '{col}' (kolom yang ada: {cols}); {fix}",
                en="the form has no column '{col}' (columns: {cols}); {fix}", col=col,
                cols=", ".join(h for h in header if h) or "-", fix=_fix())))
    for h in header:
        if h.startswith("expected_") and f"served_{h[9:]}" not in header:
            problems.append(Problem(name, _row1(), f"served_{h[9:]}", None, _(
                "form.no_served_column", id="formulir ini tidak punya kolom '{col}' untuk jumlah orang yang "
                "dilayani; {fix}", en="the form has no column '{col}' for the people served; {fix}",
                col=f"served_{h[9:]}", fix=_fix())))
    dups = sorted({h for h in header if h and header.count(h) > 1})
    if dups:
        problems.append(Problem(name, _row1(), dups[0], None, _("form.dup_column", id="kolom ini muncul lebih dari "
                                                                "sekali; simpan satu", en="the column appears more "
                                                                "than once; keep one")))
    if problems:
        raise InputError(problems)


def _csv_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise InputError([Problem(path.name, "", "", None, _(
            "form.xlsx_as_csv", id="ini buku kerja Excel, bukan berkas CSV; beri nama .xlsx, atau simpan dari Excel "
            "sebagai 'CSV UTF-8'", en="this is an Excel workbook, not a CSV file; name it .xlsx, or save it from "
            "Excel as 'CSV UTF-8'"))])
    text = _decode(data, path.name)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise InputError([Problem(path.name, "", "", None, _("form.empty", id="berkas ini kosong; {fix}",
                                                             en="the file is empty; {fix}", fix=_fix()))])
    # the delimiter: the one of , ; tab that splits the header into the form's columns (Excel in an Indonesian
    # or European locale saves CSV with ';')
    split = {d: [form_key(column_name(h)) for h in next(csv.reader([first], delimiter=d))] for d in (",", ";", "\t")}
    fits = [d for d, cols in split.items() if set(REQUIRED_COLUMNS) <= set(cols)]
    delim = fits[0] if fits else max(split, key=lambda d: len(split[d]))
    header = split[delim]
    _check_header(header, path.name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    next(reader)
    out = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, cells))
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            row[""] = cells[len(header):]
        out.append((reader.line_num, row))
    return out


def read_outcomes_form(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a filled form (CSV or XLSX) as ``(spreadsheet row number, {column: value})``.

    Column names go through :func:`column_name`. A CSV may be UTF-8 (with a BOM or not) or
    UTF-16 with a BOM; any other bytes are read as Windows-1252 with an ``InputWarning``; its
    delimiter may be ``,``, ``;`` or a tab. A form that cannot be read (empty, no header, a
    required column missing or renamed beyond recognition, no visit rows) raises
    ``InputError`` saying why and how to fix it.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), "", "", None, _("form.no_file", id="berkas tidak ditemukan",
                                                             en="no such file"))])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is an input problem
            raise InputError([Problem(path.name, "", "", None, _("form.cannot_read", id="buku kerja tidak dapat "
                                                                 "dibaca: {e}", en="cannot read the workbook: {e}",
                                                                 e=exc))]) from None
        try:
            sh = wb[FORM_SHEET] if FORM_SHEET in wb.sheetnames else wb.worksheets[0]
            it = sh.iter_rows(values_only=True)
            header = [form_key(column_name(h)) for h in next(it, ())]  # Indonesian headers or the keys
            _check_header(header, path.name)
            rows = [(i, dict(zip(header, vals))) for i, vals in enumerate(it, start=2)]
        finally:
            wb.close()
        rows = [(i, r) for i, r in rows if any(v not in (None, "") for v in r.values())]
    else:
        raise InputError([Problem(path.name, "", "", suffix, _("form.file_type", id="jenis berkas tidak dikenal; "
                                                               "pakai formulir .csv atau .xlsx", en="unknown file "
                                                               "type; use the .csv or .xlsx form"))])
    if not rows:
        raise InputError([Problem(path.name, "", "", None, _("form.no_rows", id="formulir ini punya judul kolom "
                                                             "tetapi tidak ada baris kunjungan; {fix}", en="the form "
                                                             "has a header but no visit rows; {fix}", fix=_fix()))])
    return rows


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _count(v: Any) -> int | None:
    """A non-negative whole number from a cell (blank: 0); None when it is not one."""
    if _blank(v):
        return 0
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v) if float(v).is_integer() and v >= 0 else None
    text = str(v).strip()
    try:
        f = float(text)
    except ValueError:
        return None
    return int(f) if f.is_integer() and f >= 0 else None


@dataclass(frozen=True)
class NightReport:
    """A night row of the form: where a team on a field trip slept (``returned``: at its base, trip cut short).

    ``place``: the lodging id it slept at (``stayed``; the planned one unless the form names another), empty
    for ``returned``."""

    plan_id: str
    night_id: str
    team: str
    date: str
    status: str
    place: str
    reason: str = ""


def validate_outcomes(rows: list[tuple[int, dict[str, Any]]], plans: dict[str, Plan], ws: Workspace,
                      source: str, nights: list[NightReport] | None = None) -> list[Outcome]:
    """Check every row and return the outcomes; any problem raises one ``InputError`` listing them all.

    Checks: the plan id is known and the visit is in that plan; a visit appears once; the
    status is allowed for the visit's kind; a reason is given unless done/delivered;
    served counts are whole numbers >= 0, only for done visits, none for deliveries, at most
    the visit's cap (:func:`served_cap`) and at most the village's eligible people; a
    ``served_`` column is of a service of the workspace; at least one row is reported.

    A night row of a field trip (``night:<trip>:<date>``) must be a night of that plan, with status
    ``stayed`` or ``returned`` (a reason required) and no people served; it makes no ``Outcome`` (the
    ledger records visits): it is appended to ``nights`` when a list is given.
    """
    problems: list[Problem] = []
    outcomes: list[Outcome] = []
    seen: dict[tuple[str, str], int] = {}
    unknown: set[str] = set()
    steps = {pid: {s.visit_id: s for _, s in p.visit_steps} for pid, p in plans.items()}
    night_routes = {pid: {night_id(r): r for r in p.routes if r.away_night} for pid, p in plans.items()}
    nights_seen = 0
    villages = ws.village_index
    sids = ws.service_ids
    columns = {c for _, r in rows for c in r}
    for c in sorted(columns):
        if c.startswith("served_") and c[7:] not in sids:
            problems.append(Problem(source, _row1(), c, None, _("form.unknown_service", id="bukan layanan wilayah "
                                                                "kerja ini ({sids}); perbaiki nama kolomnya",
                                                                en="not a service of the workspace ({sids}); fix "
                                                                "the column name", sids=", ".join(sids))))
    from ..i18n import language

    def words(codes) -> str:
        return ", ".join(map(status_label, codes))

    for n, row in rows:
        where = _("form.row", id="baris {n}", en="row {n}", n=n)

        def bad(fld: str, value: Any, msg: str) -> None:
            if str(source).lower().endswith((".xlsx", ".xlsm")):  # the column as the workbook heads it (Status)
                fld = form_header(fld)
            problems.append(Problem(source, where, fld, value, msg))  # noqa: B023 - used at once

        status = "" if _blank(row.get("status")) else status_code(row["status"])  # Indonesian word or code
        served_cells = {s: row.get(f"served_{s}") for s in sids}
        if not status:
            if any(not _blank(v) for v in served_cells.values()):
                bad("status", None, _("form.served_no_status", id="jumlah orang dilayani diisi tetapi statusnya kosong",
                                      en="people served are filled in but the status is blank"))
            continue  # not reported yet
        pid = "" if _blank(row.get("plan_id")) else str(row["plan_id"]).strip()
        vid = "" if _blank(row.get("visit_id")) else str(row["visit_id"]).strip()
        if pid not in steps:
            if pid not in unknown:  # once per plan, not on every row of it
                unknown.add(pid)
                bad("plan_id", pid or None, _("form.unknown_plan", id="rencana tidak dikenal: tidak ada di ledger, dan "
                                              "plan.json-nya tidak ada di sebelah formulir atau di out/<minggu>*/; "
                                              "berikan dengan --plan path/ke/plan.json", en="unknown plan: not in the "
                                              "ledger, and no plan.json of it next to the form or in out/<week>*/; "
                                              "give it with --plan path/to/plan.json"))
            continue
        if vid.startswith(NIGHT_PREFIX):
            route = night_routes[pid].get(vid)
            if route is None:
                bad("visit_id", vid, _("form.night_not_in_plan", id="malam ini tidak ada di rencana {p}",
                                       en="this night is not in plan {p}", p=pid))
                continue
            if (pid, vid) in seen:
                bad("visit_id", vid, _("form.night_twice", id="malam ini sudah dilaporkan di baris {r}",
                                       en="the night is already reported in row {r}", r=seen[pid, vid]))
                continue
            seen[pid, vid] = n
            reason = "" if _blank(row.get("reason")) else str(row["reason"]).strip()
            if status not in NIGHT_STATUSES:
                bad("status", status, _("form.night_status", id="tidak boleh untuk malam perjalanan dinas; yang boleh: "
                                        "{a}", en="not allowed for a night of a field trip; allowed: {a}",
                                        a=words(NIGHT_STATUSES)))
            elif status == "returned" and not reason:
                bad("reason", None, _("form.night_reason", id="tulis alasan tim pulang ke kantor (perjalanan "
                                      "dinasnya dipersingkat)", en="give the reason the team came back to its base "
                                      "(the trip was cut short)"))
            if any(not _blank(v) and _count(v) != 0 for v in served_cells.values()):
                bad("status", status, _("form.night_served", id="orang dilayani diisi pada baris malam; catat di "
                                        "baris kunjungannya", en="people served on a night row; record them on the "
                                        "visit rows"))
            place = "" if _blank(row.get("bermalam_di")) else str(row["bermalam_di"]).strip()
            lodging = route.end_place  # where it slept: as planned unless the officer wrote another lodging
            if status == "stayed" and place:
                known = {x.id.casefold(): x.id for x in ws.lodgings} | {x.name.casefold(): x.id for x in ws.lodgings}
                if place.casefold() in known:
                    lodging = known[place.casefold()]
                elif place != _night_place(ws, route):
                    bad("bermalam_di", place, _("form.not_lodging", id="bukan penginapan wilayah kerja ini: tulis "
                                                "nama atau id salah satu penginapan di lapisan lodgings (atau biarkan "
                                                "yang direncanakan)", en="not a lodging of the workspace: write the "
                                                "name or id of one of the lodgings layer (or leave the planned one)"))
                    continue
            nights_seen += 1
            if nights is not None:
                nights.append(NightReport(pid, vid, route.team, route.date.isoformat(), status,
                                          "" if status == "returned" else lodging, reason))
            continue
        step = steps[pid].get(vid)
        if step is None:
            bad("visit_id", vid or None, _("form.not_in_plan", id="kunjungan ini tidak ada di rencana {p}",
                                           en="this visit is not in plan {p}", p=pid))
            continue
        if (pid, vid) in seen:
            bad("visit_id", vid, _("form.twice", id="kunjungan ini sudah dilaporkan di baris {r}",
                                   en="the visit is already reported in row {r}", r=seen[pid, vid]))
            continue
        seen[pid, vid] = n
        allowed = STATUSES[step.kind or "village_session"]
        if status not in allowed:
            bad("status", status, _("form.bad_status", id="tidak boleh untuk {k}; yang boleh: {a}",
                                    en="not allowed for a {k}; allowed: {a}", a=words(allowed),
                                    k=KIND_LABELS_ID.get(step.kind or "", step.kind).lower()
                                    if language() == "id" else step.kind))
        reason = "" if _blank(row.get("reason")) else str(row["reason"]).strip()
        if status in allowed and status not in ("done", "delivered") and not reason:  # (a wrong status is said above)
            bad("reason", None, _("form.no_reason", id="tulis alasan kunjungan ini {s}", en="give the reason the visit "
                                  "was {s}", s=status_label(status)))
        people: dict[str, int] = {}
        vil = villages.get(step.village_code or "")
        for sid, cell in served_cells.items():
            k = _count(cell)
            if k is None:
                bad(f"served_{sid}", cell, _("form.not_count", id="harus bilangan bulat jumlah orang, 0 atau lebih",
                                             en="must be a whole number of people, 0 or more"))
                continue
            if not k:
                continue
            if status != "done":
                bad(f"served_{sid}", cell, _("form.served_not_done", id="orang dilayani pada kunjungan yang {s}; "
                                             "kosongkan atau pakai {done}", en="people served on a visit that is {s}; "
                                             "leave it blank or use {done}", s=status_label(status),
                                             done=status_label("done")))
                continue
            expected = step.expected.get(sid, 0)
            cap_name, cap = served_cap(step.kind, expected)
            if vil is not None and vil.eligible.get(sid, 0) < cap:
                cap_name, cap = _("form.cap_village", id="batas desa (jumlah wajib di {code})",
                                  en="village cap (eligible people of {code})", code=vil.code), vil.eligible.get(sid, 0)
            if k > cap:
                bad(f"served_{sid}", cell, _("form.over_cap", id="{k} orang lebih dari yang mungkin di sini: {cap_name} "
                                             "adalah {cap} (perkiraan {expected}) untuk {kind} {vid} ini; perbaiki "
                                             "angkanya", en="{k} people is more than is possible here: the {cap_name} "
                                             "is {cap} (expected {expected}) for this {kind} {vid}; correct the number",
                                             k=k, cap_name=cap_name, cap=cap, expected=expected, vid=vid,
                                             kind=KIND_LABELS_ID.get(step.kind or "", step.kind).lower()
                                             if language() == "id" else step.kind))
                continue
            people[sid] = k
        outcomes.append(Outcome(pid, vid, status, people, reason))
    if not outcomes and not problems and not nights_seen:
        problems.append(Problem(source, "", "status", None, _(
            "form.nothing", id="tidak ada yang dicatat: status setiap baris kosong; isi status ({words}) untuk "
            "kunjungan yang dilakukan", en="nothing to record: the status of every row is blank; fill in status "
            "({words}) for the visits made", words=", ".join(status_label(c) for c in
                                                             ("done", "missed", "delivered", "failed", "cancelled")))))
    if problems:
        raise InputError(problems)
    return outcomes


def plan_from_document(doc: dict[str, Any]) -> Plan:
    """The ``Plan`` of a ``plan.json`` document (see :func:`outreach_planner.io.write_plan.plan_document`)."""
    d = {k: v for k, v in doc.items() if k != "format_version"}
    d["routes"] = [{k: v for k, v in r.items() if k != "team_name"} for r in doc.get("routes", [])]
    d["unassigned"] = [{k: v for k, v in u.items() if k != "reason_text"} for u in doc.get("unassigned", [])]
    return Plan.model_validate(d)


__all__ = ["FORM_CSV", "FORM_XLSX", "NIGHT_STATUSES", "REQUIRED_COLUMNS", "STATUS_CODES", "STATUS_WORDS_ID", "NightReport",
           "night_id", "status_code", "status_label", "FORM_HEADERS_ID", "form_header", "form_key",
           "SESSION_EXTRA", "SESSION_OVER", "column_name", "form_columns", "form_rows", "plan_from_document", "read_outcomes_form", "served_cap", "validate_outcomes",
           "write_outcomes_form"]
