"""The desk's Excel template: one sheet per layer with Indonesian headers, filled with the workspace's rows.

The headers are the office import's own Indonesian column names
(:func:`~outreach_planner.io.office_import.kind_columns`: the first name of each column, for every service the
workspace declares), so a filled template comes back in through
:func:`~outreach_planner.io.office_import.import_counts`, which imports it sheet by sheet (:data:`SHEETS`). Excel's data
validation rejects wrong entries while the office types: whole numbers >= 0 for counts, drop-down lists for
village codes, kecamatan, reasons, services and school levels (the long lists on the hidden sheet ``Daftar``),
real dates, 16-character NIKs, coordinates inside the workspace's area.
"""

from __future__ import annotations

import datetime as dt
import io
from itertools import combinations

from ..io.office_import import VILLAGE_ALIASES, kind_columns

#: layer -> the sheet's name in the template
SHEETS = {"villages": "Desa", "schools": "Sekolah", "home_visit_requests": "Kunjungan rumah", "deliveries": "Antaran"}
GUIDE = "Petunjuk"
LISTS = "Daftar"
#: Rows below the data that still carry the validation (new rows typed by the office).
SPARE_ROWS = 300
REASON_WORDS = {"elderly": "lansia", "disabled": "disabilitas", "sick": "sakit"}
SERVICE_WORDS = {"ektp": "KTP-el", "kia": "KIA", "akta": "Akta", "kk": "KK"}
#: A fuller header than the import's first name (still one of its names).
_OWN_HEADERS = {"due_on": "BATAS WAKTU"}
LEVELS = ("SD", "MI", "SMP", "MTS", "SMA", "MA", "SMK", "SLB")


def header(kind: str, target: str, services=()) -> str:
    """The Indonesian header of ``target`` in a table of ``kind``: the import's first name for it (``services``:
    the workspace's, for the names of a service beyond the default ones)."""
    return _OWN_HEADERS.get(target) or {**VILLAGE_ALIASES, **kind_columns(kind, services)}[target][0]


def service_text(services) -> str:
    """``("ektp", "akta")`` -> ``"KTP-el, Akta"`` (the words the import reads back)."""
    return ", ".join(SERVICE_WORDS.get(s, s) for s in services)


def columns(kind: str, ws) -> list[tuple[str, str, int]]:
    """(import target, header, width) of each column of the sheet of ``kind``."""
    own = kind_columns(kind, ws.services)
    if kind == "villages":
        cols = [("village_code", 16), ("village_name", 24), ("district", 20)]
        for s in ws.services:
            cols += [(t, 13) for t in (f"{s.id}_eligible", f"{s.id}_covered") if t in own]
    elif kind == "schools":
        cols = [("id", 18), ("npsn", 11), ("name", 30), ("level", 9), ("village_code", 16), ("lon", 12), ("lat", 12)]
        cols += [(f"{s.id}_needed", 15) for s in ws.services if s.at_schools and f"{s.id}_needed" in own]
        cols += [("notes", 30)]
    elif kind == "home_visit_requests":
        cols = [("id", 12), ("name", 24), ("nik", 19), ("reason", 13), ("services", 18), ("village_code", 16),
                ("address", 26), ("lon", 12), ("lat", 12), ("windows", 26), ("requested_on", 14), ("notes", 26)]
    else:
        cols = [("id", 12), ("document", 18), ("recipient", 24), ("village_code", 16), ("address", 26), ("lon", 12),
                ("lat", 12), ("ready_on", 14), ("due_on", 14)]
    return [(t, header(kind, t, ws.services), w) for t, w in cols]


def _rows(kind: str, ws) -> list[dict]:
    if kind == "villages":
        out = []
        for v in sorted(ws.villages, key=lambda v: (v.district_name, v.code)):
            row = {"village_code": v.code, "village_name": v.name, "district": v.district_name}
            for s in ws.services:
                row[f"{s.id}_eligible"], row[f"{s.id}_covered"] = v.eligible[s.id], v.covered[s.id]
            out.append(row)
        return out
    if kind == "schools":
        return [{"id": s.id, "npsn": s.id if len(s.id) == 8 and s.id.isalnum() else None, "name": s.name,
                 "level": s.level, "village_code": s.village_code, "lon": s.lon, "lat": s.lat, "notes": s.notes,
                 **{f"{k}_needed": n for k, n in s.needed.items()}} for s in ws.schools]
    if kind == "home_visit_requests":
        return [{"id": r.id, "name": r.name, "nik": r.nik or None, "reason": REASON_WORDS.get(r.reason, r.reason),
                 "services": service_text(r.services), "village_code": r.village_code, "address": r.address,
                 "lon": r.lon, "lat": r.lat, "windows": "; ".join(str(w) for w in r.windows),
                 "requested_on": r.requested_on, "notes": r.notes} for r in ws.requests]
    return [{"id": d.id, "document": d.document, "recipient": d.recipient, "village_code": d.village_code,
             "address": d.address, "lon": d.lon, "lat": d.lat, "ready_on": d.ready_on, "due_on": d.due_on}
            for d in ws.deliveries]


def _service_combinations(ws) -> list[str]:
    ids = [s.id for s in ws.services]
    return [service_text(c) for n in range(1, len(ids) + 1) for c in combinations(ids, n)]


def template_workbook(ws, text: dict) -> bytes:
    """The template of ``ws`` as .xlsx bytes; ``text``: the page language's strings (the guide sheet)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = GUIDE
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    codes = sorted(v.code for v in ws.villages)
    kec = sorted({v.district_name for v in ws.villages})
    levels = list(dict.fromkeys([*LEVELS, *sorted({s.level for s in ws.schools if s.level})]))
    named = {"codes": codes, "kecamatan": kec, "levels": levels, "services": _service_combinations(ws),
             "reasons": list(REASON_WORDS.values())}
    ranges = {}
    for i, (key, values) in enumerate(named.items(), 1):
        letter = get_column_letter(i)
        lists.cell(row=1, column=i, value=key.upper())
        for r, v in enumerate(values, 2):
            lists.cell(row=r, column=i, value=v)
        ranges[key] = f"{LISTS}!${letter}$2:${letter}${max(2, len(values) + 1)}"
    lon = [v.lon for v in ws.villages if v.lon is not None] or [0.0]  # a draft's village may have no point
    lat = [v.lat for v in ws.villages if v.lat is not None] or [0.0]
    box = {"lon": (min(lon) - 0.5, max(lon) + 0.5), "lat": (min(lat) - 0.5, max(lat) + 0.5)}
    first_day, last_day = to_excel(dt.date(2000, 1, 1)), to_excel(dt.date(2100, 12, 31))
    bold, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B4F6C")
    fill = PatternFill("solid", fgColor="FFF2CC")  # the cells the office types in

    def dv(kind: str, **kw) -> DataValidation:
        return DataValidation(type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True,
                              errorTitle=text["tpl_err_title"], **kw)

    for kind, title in SHEETS.items():
        sh = wb.create_sheet(title)
        cols = columns(kind, ws)
        rows = _rows(kind, ws)
        for c, (_t, head, width) in enumerate(cols, 1):
            cell = sh.cell(row=1, column=c, value=head)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sh.column_dimensions[get_column_letter(c)].width = width
        for r, row in enumerate(rows, 2):
            for c, (t, _h, _w) in enumerate(cols, 1):
                sh.cell(row=r, column=c, value=row.get(t))
        last = len(rows) + 1 + (0 if kind == "villages" else SPARE_ROWS)
        sh.freeze_panes = "D2" if kind == "villages" else "B2"
        sh.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(2, len(rows) + 1)}"
        counts = dv("whole", operator="greaterThanOrEqual", formula1="0", error=text["tpl_err_count"])
        checks = {
            "codes": dv("list", formula1=ranges["codes"], error=text["tpl_err_code"]),
            "kecamatan": dv("list", formula1=ranges["kecamatan"], error=text["tpl_err_list"]),
            "levels": dv("list", formula1=ranges["levels"], error=text["tpl_err_list"]),
            "services": dv("list", formula1=ranges["services"], error=text["tpl_err_list"]),
            "reasons": dv("list", formula1=ranges["reasons"], error=text["tpl_err_list"]),
            "date": dv("date", operator="between", formula1=str(int(first_day)), formula2=str(int(last_day)),
                       error=text["tpl_err_date"]),
            "nik": dv("textLength", operator="equal", formula1="16", error=text["tpl_err_nik"]),
            "npsn": dv("textLength", operator="equal", formula1="8", error=text["tpl_err_npsn"]),
            "lon": dv("decimal", operator="between", formula1=f"{box['lon'][0]:.4f}", formula2=f"{box['lon'][1]:.4f}",
                      error=text["tpl_err_point"]),
            "lat": dv("decimal", operator="between", formula1=f"{box['lat'][0]:.4f}", formula2=f"{box['lat'][1]:.4f}",
                      error=text["tpl_err_point"]),
            "counts": counts,
        }
        used = set()
        for c, (t, _h, _w) in enumerate(cols, 1):
            letter = get_column_letter(c)
            key = ("codes" if t == "village_code" else "kecamatan" if t == "district" else "levels" if t == "level"
                   else "services" if t == "services" else "reasons" if t == "reason"
                   else "date" if t in ("requested_on", "ready_on", "due_on") else "nik" if t == "nik"
                   else "npsn" if t == "npsn" else "lon" if t == "lon" else "lat" if t == "lat"
                   else "counts" if t.endswith(("_eligible", "_covered", "_needed")) else None)
            if key is None:
                continue
            checks[key].add(f"{letter}2:{letter}{last}")
            used.add(key)
            if key == "date":
                for r in range(2, last + 1):
                    sh.cell(row=r, column=c).number_format = "DD/MM/YYYY"
            if key == "nik":
                for r in range(2, last + 1):
                    sh.cell(row=r, column=c).number_format = "@"  # text: Excel keeps only 15 digits of a number
            if key == "counts":
                for r in range(2, len(rows) + 2):
                    sh.cell(row=r, column=c).fill = fill
        for key in sorted(used):
            sh.add_data_validation(checks[key])
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))  # the hidden lists last
    guide.column_dimensions["A"].width = 110
    guide.cell(row=1, column=1, value=text["tpl_guide_title"].format(name=ws.regency.name)).font = Font(bold=True,
                                                                                                          size=13)
    for r, line in enumerate(text["tpl_guide"], 3):
        guide.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    wb.active = 1  # open on the villages' counts
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
