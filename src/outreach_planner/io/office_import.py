"""``outreach-planner import WS OFFICE.xlsx``: the office's own coverage table into the workspace.

Offices keep their tables with title rows above the header, merged group headers (``KTP-EL`` over
``WAJIB`` | ``SUDAH REKAM``), a column-number row under the header, kecamatan group rows, a total row, codes
with or without dots and village names spelled their own way. This module:

1. finds the header (the row, within the first rows, whose labels, with the merged group above them, name the
   most known columns) and proposes a **column mapping** (``import/<file>.columns.csv``);
2. matches every data row to a reference village of the workspace: by code first, then by name within the
   kecamatan (exact after normalising, then fuzzy with :mod:`difflib`), and writes the **row mapping**
   (``import/<file>.rows.csv``) with how each row matched;
3. writes the counts into the villages layer only when every row is matched or deliberately left out
   (``skip`` in the ``decision`` column). The planner edits the two CSV files (in Excel) and runs the same
   command again: decisions in them win over the proposals.

Fuzzy matching uses the standard library's :class:`difflib.SequenceMatcher` (no new dependency; a regency has a
few hundred villages, so speed does not matter, and the decision threshold is what needs care).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem
from ..i18n import _
from ..reference import normalise_code

#: Columns that name a row's village, in every kind of table: target -> header aliases (normalised: upper
#: case, words only). A header matches an alias when it holds all of the alias's words; the alias with the most
#: words wins.
VILLAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "village_code": ("KODE DESA", "KODE WILAYAH", "KODE KEMENDAGRI", "KODE KELURAHAN", "KD DESA", "KODE"),
    "village_name": ("NAMA DESA", "NAMA KELURAHAN", "DESA KELURAHAN", "NAMA WILAYAH", "DESA", "KELURAHAN"),
    "district": ("KECAMATAN", "NAMA KECAMATAN", "KEC"),
}

#: The kinds of table ``import`` reads: kind -> (workspace layer, its own columns: target -> aliases, targets
#: required besides the village). The villages kind writes counts into the villages layer; the others replace
#: their CSV layer.
KINDS: dict[str, tuple[str, dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "villages": ("villages", {
        "ektp_eligible": ("WAJIB KTP", "WAJIB E KTP", "WAJIB KTP EL", "KTP WAJIB", "KTP EL WAJIB"),
        "ektp_covered": ("SUDAH REKAM", "SUDAH PEREKAMAN", "SUDAH MEREKAM", "KTP SUDAH", "TELAH REKAM"),
        "kia_eligible": ("JUMLAH ANAK", "WAJIB KIA", "ANAK 0 17", "KIA WAJIB", "KIA JUMLAH"),
        "kia_covered": ("PUNYA KIA", "SUDAH KIA", "MEMILIKI KIA", "KIA SUDAH", "KIA PUNYA", "KIA MEMILIKI"),
        "akta_eligible": ("WAJIB AKTA", "AKTA WAJIB", "ANAK 0 18", "JUMLAH ANAK 0 18"),
        "akta_covered": ("PUNYA AKTA", "SUDAH AKTA", "MEMILIKI AKTA", "AKTA SUDAH", "AKTA PUNYA", "AKTA MEMILIKI"),
    }, ()),
    "schools": ("schools", {
        "npsn": ("NPSN",),
        "name": ("NAMA SEKOLAH", "SEKOLAH", "NAMA SATUAN PENDIDIKAN", "SATUAN PENDIDIKAN"),
        "level": ("JENJANG", "BENTUK PENDIDIKAN", "TINGKAT"),
        "lon": ("BUJUR", "LONGITUDE", "LON"),
        "lat": ("LINTANG", "LATITUDE", "LAT"),
        "ektp_needed": ("SISWA WAJIB KTP", "SISWA 17", "BELUM REKAM", "SISWA BELUM REKAM", "PEMULA"),
        "kia_needed": ("BELUM KIA", "SISWA BELUM KIA", "SISWA KIA"),
        "id": ("ID",),
        "notes": ("CATATAN", "KETERANGAN"),
    }, ("npsn", "name")),
    "home_visit_requests": ("home_visit_requests", {
        "name": ("NAMA", "NAMA PEMOHON", "NAMA WARGA", "NAMA LENGKAP"),
        "nik": ("NIK",),
        "reason": ("ALASAN", "KONDISI", "KATEGORI", "JENIS KEBUTUHAN"),
        "services": ("LAYANAN", "JENIS LAYANAN", "KEBUTUHAN LAYANAN", "PERMOHONAN"),
        "address": ("ALAMAT", "DUSUN", "ALAMAT LENGKAP"),
        "lon": ("BUJUR", "LONGITUDE", "LON"),
        "lat": ("LINTANG", "LATITUDE", "LAT"),
        "windows": ("WAKTU BISA", "JADWAL", "WAKTU KUNJUNGAN"),
        "requested_on": ("TANGGAL PERMOHONAN", "TANGGAL MOHON", "TGL PERMOHONAN", "TANGGAL"),
        "notes": ("CATATAN", "KETERANGAN"),
        "id": ("ID",),
    }, ("name", "reason", "services", "requested_on")),
    "deliveries": ("deliveries", {
        "document": ("JENIS DOKUMEN", "DOKUMEN", "NAMA DOKUMEN"),
        "recipient": ("NAMA PENERIMA", "PENERIMA", "NAMA"),
        "address": ("ALAMAT", "DUSUN", "ALAMAT LENGKAP"),
        "lon": ("BUJUR", "LONGITUDE", "LON"),
        "lat": ("LINTANG", "LATITUDE", "LAT"),
        "ready_on": ("TANGGAL CETAK", "TGL CETAK", "SIAP", "TANGGAL SIAP", "DICETAK"),
        "due_on": ("BATAS", "BATAS WAKTU", "TENGGAT", "JATUH TEMPO", "BATAS ANTAR"),
        "id": ("ID",),
    }, ("document", "recipient", "ready_on")),
}
#: For a kind the table must name, beyond the village: these targets mark it (auto-detection).
_MARKS = {"schools": {"npsn"}, "home_visit_requests": {"reason", "services", "nik"},
          "deliveries": {"document", "recipient", "ready_on"}}

#: Header words that mark a derived column (a percentage, a gap): never a count.
DERIVED_WORDS = {"PERSEN", "PERSENTASE", "CAKUPAN", "SISA", "KURANG", "TARGET"}
#: In a coverage table "BELUM" (not yet) marks a gap column too; in a school list it is what is needed.
DERIVED_WORDS_COUNTS = DERIVED_WORDS | {"BELUM"}
_VILLAGE_KEYS = ("village_code", "village_name", "district")
HEADER_SEARCH_ROWS = 20
#: A fuzzy name match is accepted alone at this similarity (0..1) when the next best is at least MARGIN lower.
FUZZY_ACCEPT = 0.85
FUZZY_MARGIN = 0.05
#: Below this similarity a name is not even proposed.
FUZZY_SUGGEST = 0.6
SKIP_WORDS = {"skip", "lewati", "lewat", "abaikan"}
IMPORT_DIR = "import"
ROW_FIELDS = ["sheet", "row", "code_in_file", "name_in_file", "kecamatan_in_file", "match", "score",
              "village_code", "village_name", "decision", "suggestion"]
COLUMN_FIELDS = ["sheet", "column", "header_in_file", "maps_to"]


def words(text: object) -> str:
    """Upper case, every run of non-letters/digits one space: ``"Kode  Desa/Kel."`` -> ``"KODE DESA KEL"``."""
    return " ".join(re.sub(r"[^0-9A-Za-z]+", " ", str(text or "")).upper().split())


_PREFIX = re.compile(r"^(DESA|DS|KELURAHAN|KEL|KECAMATAN|KEC)\s+")


def name_key(text: object) -> str:
    """A village or kecamatan name for comparison: words, a leading ``DESA``/``KEL.``/``KEC.`` dropped,
    no spaces (``"Lapao-pao"``, ``"LAPAO PAO"`` and ``"Desa Lapaopao"`` agree)."""
    w = words(text)
    w = _PREFIX.sub("", w)
    return w.replace(" ", "")


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


# --------------------------------------------------------------------------- reading the sheet
@dataclass
class Sheet:
    """One worksheet as a grid of values, merged ranges filled with their top-left value."""

    name: str
    grid: list[list[object]]


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a workbook (``.xlsx``) or the one table of a ``.csv``."""
    if path.suffix.lower() == ".csv":
        from ._text import decode

        text = decode(path.read_bytes()).text
        # the separator that splits the most rows into the most cells (title rows above the header have one)
        best = max((",", ";", "\t"), key=lambda d: sum(len(r) for r in csv.reader(io.StringIO(text), delimiter=d)))
        grid = [[c if c.strip() else None for c in r] for r in csv.reader(io.StringIO(text), delimiter=best)]
        return [Sheet(path.stem, grid)]
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)  # not read_only: merged ranges are needed
    sheets = []
    for ws in wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
            for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    row = grid[r - 1]
                    while len(row) < c:
                        row.append(None)
                    row[c - 1] = top
        sheets.append(Sheet(ws.title, grid))
    wb.close()
    return sheets


def _aliases(kind: str) -> dict[str, tuple[str, ...]]:
    return {**VILLAGE_ALIASES, **KINDS[kind][1]}


def _label_target(label: str, kind: str) -> tuple[str | None, int]:
    """The known column of ``kind`` a header label names, with its score (0: none)."""
    toks = set(label.split())
    derived = DERIVED_WORDS_COUNTS if kind == "villages" else DERIVED_WORDS
    if not toks or toks & derived:
        return None, 0
    best, score, tie = None, 0, False
    for target, aliases in _aliases(kind).items():
        for a in aliases:
            aw = a.split()
            if set(aw) <= toks:
                sc = len(aw) * 10 - (len(toks) - len(aw))
                if sc > score:
                    best, score, tie = target, sc, False
                elif sc == score and target != best:
                    tie = True
    return (None, 0) if tie else (best, score)


def _words_pct(v: object) -> str:
    """:func:`words`, with ``%`` kept as the word PERSEN (a percentage column is never a count)."""
    return words(str(v or "").replace("%", " PERSEN "))


def _labels(grid: list[list[object]], at: int) -> list[str]:
    """Header labels of row ``at``: the row's own text, preceded by the group header above it when the row
    above has two or more different values (a merged group header; a one-value row above is a title)."""
    width = max((len(r) for r in grid[: at + 1]), default=0)
    row = grid[at] + [None] * (width - len(grid[at]))
    above = (grid[at - 1] + [None] * width)[:width] if at > 0 else [None] * width
    group = len({words(v) for v in above if words(v)}) >= 2
    out = []
    for c in range(width):
        own, up = _words_pct(row[c]), _words_pct(above[c]) if group else ""
        out.append(own if not up or up == own else f"{up} {own}")
    return out


@dataclass
class ColumnMap:
    """Where each known column is, for one sheet: target -> column index (0-based)."""

    header_row: int  # 0-based index of the header row
    columns: dict[str, int]
    labels: list[str]


def propose_columns(sheet: Sheet, kind: str = "villages") -> ColumnMap | None:
    """The header row and column mapping of ``sheet`` for a table of ``kind``, or None when no row names the
    village (code or name) and, for a coverage table, a count column, or for another kind its required
    columns."""
    best: ColumnMap | None = None
    best_hits = 0
    required = set(KINDS[kind][2])
    for at in range(min(HEADER_SEARCH_ROWS, len(sheet.grid))):
        labels = _labels(sheet.grid, at)
        found: dict[str, tuple[int, int]] = {}
        for c, lab in enumerate(labels):
            target, score = _label_target(lab, kind)
            if target and (target not in found or score > found[target][1]):
                found[target] = (c, score)
        own = [t for t in found if t not in _VILLAGE_KEYS]
        if not ({"village_code", "village_name"} & set(found)) or not own or not required <= set(found):
            continue
        if len(found) > best_hits:
            best_hits = len(found)
            best = ColumnMap(at, {t: c for t, (c, _s) in found.items()}, labels)
    return best


def detect_kind(sheets: list[Sheet]) -> str:
    """The kind of table: the first of schools, home-visit requests, deliveries whose required and marking
    columns a sheet names, else a coverage table (villages)."""
    for kind in ("schools", "home_visit_requests", "deliveries"):
        for sheet in sheets:
            cmap = propose_columns(sheet, kind)
            if cmap and _MARKS[kind] & set(cmap.columns):
                return kind
    return "villages"


# --------------------------------------------------------------------------- matching rows
@dataclass
class Row:
    """One data row of the office's table and its match."""

    sheet: str
    row: int  # spreadsheet row number (1-based)
    code: str  # the village code, name and kecamatan as the file has them
    name: str
    kecamatan: str
    counts: dict[str, object]  # the row's other mapped cells: target -> value
    match: str = ""  # code | name | fuzzy | "" (not matched) | duplicate | conflict | edited | skipped
    score: float = 0.0  # 1 for a code or exact name match, the similarity for a fuzzy one or a suggestion
    village_code: str = ""
    decision: str = ""
    suggestion: str = ""


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _numbering_row(cells: list[object]) -> bool:
    """The row of column numbers under many office headers: (1) (2) (3) ... or 1 2 3 ..."""
    vals = [words(v) for v in cells if not _is_blank(v)]
    nums = [int(v) for v in vals if v.isdigit()]
    return len(vals) >= 3 and len(nums) == len(vals) and nums == sorted(nums) and nums[0] <= 2


def data_rows(sheet: Sheet, cmap: ColumnMap) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows below the header: (village rows, skipped rows as (row number, why))."""
    rows, skipped = [], []
    current_kec = ""
    count_cols = {t: c for t, c in cmap.columns.items() if t not in _VILLAGE_KEYS}

    def cell(cells, target):
        c = cmap.columns.get(target)
        return cells[c] if c is not None and c < len(cells) else None

    for i in range(cmap.header_row + 1, len(sheet.grid)):
        cells = sheet.grid[i]
        n = i + 1
        if all(_is_blank(v) for v in cells):
            continue
        if _numbering_row(cells):
            skipped.append((n, "numbering"))
            continue
        code = "" if _is_blank(cell(cells, "village_code")) else str(cell(cells, "village_code")).strip()
        name = "" if _is_blank(cell(cells, "village_name")) else str(cell(cells, "village_name")).strip()
        kec = "" if _is_blank(cell(cells, "district")) else str(cell(cells, "district")).strip()
        counts = {t: cells[c] if c < len(cells) else None for t, c in count_cols.items()}
        text = words(f"{code} {name} {kec}")
        if re.search(r"\b(JUMLAH|TOTAL|SUB TOTAL|SUBTOTAL)\b", text):
            skipped.append((n, "total"))
            continue
        if all(_is_blank(v) for v in counts.values()):
            label = name or code or kec
            if label and (words(label).startswith(("KEC ", "KECAMATAN ")) or not code):
                current_kec = label  # a kecamatan group row above its villages
                skipped.append((n, "kecamatan"))
            else:
                skipped.append((n, "empty"))
            continue
        rows.append(Row(sheet.name, n, code, name, kec or current_kec, counts))
    return rows, skipped


def match_rows(rows: list[Row], villages: list) -> None:
    """Match every row to a village (objects with code, name, district_code, district_name): by code, then by
    name within the kecamatan, then fuzzy; two rows on one village both become ``duplicate``."""
    by_code = {v.code: v for v in villages}
    kec_names = {}
    for v in villages:
        kec_names.setdefault(name_key(v.district_name), v.district_code)
    by_kec: dict[str, list] = {}
    for v in villages:
        by_kec.setdefault(v.district_code, []).append(v)

    def find_kec(text: str) -> str | None:
        k = name_key(text)
        if not k:
            return None
        if k in kec_names:
            return kec_names[k]
        code = normalise_code(text)
        if code.count(".") == 2 and any(v.district_code == code for v in villages):
            return code
        scored = sorted(((_similar(k, key), dc) for key, dc in kec_names.items()), reverse=True)
        if scored and scored[0][0] >= FUZZY_ACCEPT and (len(scored) == 1 or scored[0][0] - scored[1][0] >= FUZZY_MARGIN):
            return scored[0][1]
        return None

    by_key: dict[str, list] = {}
    for v in villages:
        by_key.setdefault(name_key(v.name), []).append(v)
    for r in rows:
        code = normalise_code(r.code) if r.code else ""
        if code in by_code:
            key, ref = name_key(r.name), by_code[code]
            others = [v for v in by_key.get(key, []) if v.code != code] if key else []
            if key and key != name_key(ref.name) and others and _similar(key, name_key(ref.name)) < FUZZY_ACCEPT:
                # the code names one village, the name another: a wrong code or a wrong name
                r.match, r.score = "conflict", 0.0
                r.suggestion = _("import.conflict", id="kode {c} = {a}; nama = {b}", en="code {c} = {a}; name = {b}",
                                 c=code, a=ref.name, b=" / ".join(f"{v.code} {v.name}" for v in others))
                continue
            r.match, r.score, r.village_code = "code", 1.0, code
            if key and key != name_key(ref.name):
                r.suggestion = _("import.name_differs", id="nama di berkas berbeda dari {n}",
                                 en="the name in the file differs from {n}", n=ref.name)
            continue
        kec = find_kec(r.kecamatan) if r.kecamatan else None
        pool = by_kec.get(kec, []) if kec else villages
        key = name_key(r.name)
        exact = [v for v in pool if name_key(v.name) == key] if key else []
        if len(exact) == 1:
            r.match, r.score, r.village_code = "name", 1.0, exact[0].code
            continue
        if len(exact) > 1:
            r.suggestion = " / ".join(f"{v.code} {v.name}" for v in exact)
            continue
        scored = sorted(((_similar(key, name_key(v.name)), v.code) for v in pool), reverse=True) if key else []
        if not scored:
            continue
        top, second = scored[0][0], scored[1][0] if len(scored) > 1 else 0.0
        if top >= FUZZY_ACCEPT and top - second >= FUZZY_MARGIN:
            r.match, r.score, r.village_code = "fuzzy", round(top, 2), scored[0][1]
        elif top >= FUZZY_SUGGEST:
            r.score = round(top, 2)
            r.suggestion = " / ".join(f"{c} {by_code[c].name} ({s:.2f})" for s, c in scored[:3] if s >= FUZZY_SUGGEST)


# --------------------------------------------------------------------------- mapping files
def mark_duplicates(rows: list[Row]) -> None:
    """Rows (not left out) that name the same village all become ``duplicate``: a decision is needed."""
    seen: dict[str, list[Row]] = {}
    for r in rows:
        if r.village_code and r.decision != "skip":
            seen.setdefault(r.village_code, []).append(r)
    for code, rs in seen.items():
        if len(rs) > 1:
            for r in rs:
                r.match, r.suggestion = "duplicate", _(
                    "import.dup_suggest", id="baris {rows} sama-sama {code}", en="rows {rows} all match {code}",
                    rows=", ".join(str(x.row) for x in rs), code=code)


def _read_csv(path: Path) -> list[dict[str, str]]:
    from ._text import read_csv_rows

    parsed = read_csv_rows(path.read_bytes(), expected=["sheet", "row"])
    rows = [list(r) for r in parsed.rows]
    if not rows:
        return []
    head = [str(h).strip() for h in rows[0]]
    return [{h: (str(r[i]).strip() if i < len(r) and r[i] is not None else "") for i, h in enumerate(head)}
            for r in rows[1:]]


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))  # BOM: Excel opens it as UTF-8


def mapping_paths(workspace: Path, source: Path) -> tuple[Path, Path]:
    """The column and row mapping files of ``source`` in the workspace: ``import/<stem>.columns.csv`` and
    ``import/<stem>.rows.csv``."""
    d = workspace / IMPORT_DIR
    return d / f"{source.stem}.columns.csv", d / f"{source.stem}.rows.csv"


def _apply_column_file(path: Path, sheet: Sheet, cmap: ColumnMap, problems: list[Problem], kind: str) -> None:
    """Decisions of an edited ``columns.csv``: a ``maps_to`` changed or emptied wins over the proposal."""
    from openpyxl.utils import column_index_from_string

    if not path.is_file():
        return
    targets = set(_aliases(kind))
    chosen: dict[str, int] = {}
    rows = [r for r in _read_csv(path) if r.get("sheet") == sheet.name]
    if not rows:
        return
    for r in rows:
        t = r.get("maps_to", "").strip()
        if not t:
            continue
        if t not in targets:
            problems.append(Problem(path.name, _("import.where_column", id="kolom {c}", en="column {c}",
                                                 c=r.get("column")), "maps_to", t, _(
                "import.bad_target", id="kolom tujuan tidak dikenal; pilih salah satu: {allowed}",
                en="unknown target column; use one of: {allowed}", allowed=", ".join(sorted(targets)))))
            continue
        try:
            chosen[t] = column_index_from_string(r.get("column", "").strip()) - 1
        except ValueError:
            problems.append(Problem(path.name, _("import.where_column", id="kolom {c}", en="column {c}",
                                                 c=r.get("column")), "column", r.get("column"), _(
                "import.bad_column", id="bukan huruf kolom Excel (A, B, ...)", en="not an Excel column letter (A, B, ...)")))
    cmap.columns = chosen


def _write_column_file(path: Path, sheets: list[tuple[Sheet, ColumnMap]]) -> None:
    from openpyxl.utils import get_column_letter

    rows = []
    for sheet, cmap in sheets:
        inv = {c: t for t, c in cmap.columns.items()}
        for c, label in enumerate(cmap.labels):
            if label or c in inv:
                rows.append({"sheet": sheet.name, "column": get_column_letter(c + 1), "header_in_file": label,
                             "maps_to": inv.get(c, "")})
    _write_csv(path, COLUMN_FIELDS, rows)


def _apply_row_file(path: Path, rows: list[Row], valid: set[str]) -> list[Problem]:
    """Decisions of an edited ``rows.csv``: for a row with the same sheet, row number, code and name, its
    ``village_code`` and ``decision`` (``skip``) win over the proposal."""
    problems: list[Problem] = []
    if not path.is_file():
        return problems
    edits = {(e.get("sheet", ""), e.get("row", "")): e for e in _read_csv(path)}
    for r in rows:
        e = edits.get((r.sheet, str(r.row)))
        if not e or e.get("code_in_file", "") != r.code or e.get("name_in_file", "") != r.name:
            continue  # the sheet changed under the mapping: propose again
        decision = e.get("decision", "").strip().lower()
        code = normalise_code(e.get("village_code", "")) if e.get("village_code", "").strip() else ""
        if decision in SKIP_WORDS:
            r.decision, r.match, r.village_code = "skip", "skipped", ""
        elif code and code != r.village_code:
            if code not in valid:
                problems.append(Problem(path.name, _("import.where_row", id="baris {r}", en="row {r}", r=r.row),
                                        "village_code", code, _(
                    "import.bad_code", id="kode desa tidak ada di wilayah kerja ini",
                    en="no village with this code in the workspace")))
                continue
            r.village_code, r.match, r.score, r.decision = code, "edited", 1.0, "ok"
    return problems


def _row_record(r: Row, names: dict[str, str]) -> dict:
    return {"sheet": r.sheet, "row": r.row, "code_in_file": r.code, "name_in_file": r.name,
            "kecamatan_in_file": r.kecamatan, "match": r.match or "none", "score": f"{r.score:.2f}",
            "village_code": r.village_code, "village_name": names.get(r.village_code, ""),
            "decision": r.decision, "suggestion": r.suggestion}


# --------------------------------------------------------------------------- counts
def parse_count(v: object) -> int | None:
    """A count cell: an int, a whole float, or text with ``.``/``,``/space thousands separators
    (``"1.234"``, ``"1 234"``); None for a blank or ``-``. ValueError otherwise."""
    if _is_blank(v) or (isinstance(v, str) and v.strip() in {"-", "–"}):
        return None
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, int):
        n = v
    elif isinstance(v, float):
        if not v.is_integer():
            raise ValueError(v)
        n = int(v)
    else:
        s = str(v).strip().replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", s):
            s = s.replace(".", "").replace(",", "")
        if not s.isdigit():
            raise ValueError(v)
        n = int(s)
    if n < 0:
        raise ValueError(v)
    return n


@dataclass
class ImportResult:
    """What ``import_table`` found and did."""

    kind: str
    written: bool
    rows: list[Row]
    skipped: list[tuple[str, int, str]]  # (sheet, row, why)
    unresolved: list[Row]
    columns: dict[str, dict[str, int]]  # sheet -> target -> column index
    column_file: Path
    row_file: Path
    updated: int = 0
    layer: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def _workspace_layers(workspace: Path) -> dict:
    import tomllib

    cfg = tomllib.loads((workspace / "workspace.toml").read_text(encoding="utf-8"))
    return cfg.get("layers", {}) if isinstance(cfg.get("layers"), dict) else {}


def _layer_path(spec: object) -> str | None:
    return spec.get("path") if isinstance(spec, dict) else spec  # type: ignore[return-value]


def _sheet_row(r: Row) -> str:
    """Where a row of the office's workbook is: its sheet and spreadsheet row number."""
    return _("import.where_sheet_row", id="{s} baris {r}", en="{s} row {r}", s=r.sheet, r=r.row)


def _villages_layer(workspace: Path) -> Path:
    path = _layer_path(_workspace_layers(workspace).get("villages"))
    if not path or Path(path).suffix.lower() not in (".geojson", ".json", ".csv"):
        raise InputError([Problem("workspace.toml", "[layers]", "villages", path, _(
            "import.layer_kind", id="impor menulis ke lapisan desa GeoJSON (seperti buatan init) atau CSV; konversi dulu: "
            "outreach-planner convert WS --to geojson --out BARU",
            en="import writes into a GeoJSON (as init makes it) or CSV villages layer; convert first: "
            "outreach-planner convert WS --to geojson --out NEW"))])
    return workspace / path


@dataclass(frozen=True)
class _V:
    code: str
    name: str
    district_code: str
    district_name: str
    lon: float
    lat: float


def _stop_point(feature: dict) -> tuple[float, float]:
    """A village feature's stop point: its lon/lat properties, else a point inside its geometry (as the reader)."""
    p = feature["properties"]
    if p.get("lon") is not None and p.get("lat") is not None:
        return float(p["lon"]), float(p["lat"])
    from shapely.geometry import shape

    geom = shape(feature["geometry"])
    pt = geom if geom.geom_type == "Point" else geom.representative_point()
    return pt.x, pt.y


def import_counts(workspace: Path, source: Path, kind: str | None = None) -> ImportResult:
    """Read the office table ``source`` (kind detected from its headers unless given: ``villages`` for a
    coverage table, ``schools``, ``home_visit_requests``, ``deliveries``), propose mappings, write them to
    ``workspace/import/``, and write into the workspace when every row is matched or left out (``written``):
    a coverage table's counts into the villages layer, another kind's rows as its CSV layer (replacing it).
    Raises ``InputError`` for a file without a recognisable header, bad values or bad edits (nothing written)."""
    layer = _villages_layer(workspace)
    data = _load_villages(layer)
    villages = [_V(str(f["properties"]["code"]), str(f["properties"]["name"]), str(f["properties"]["district_code"]),
                   str(f["properties"]["district_name"]), *_stop_point(f)) for f in data["features"]]
    names = {v.code: v.name for v in villages}
    col_file, row_file = mapping_paths(workspace, source)
    problems: list[Problem] = []
    sheets = read_sheets(source)
    kind = kind or detect_kind(sheets)
    maps: list[tuple[Sheet, ColumnMap]] = []
    for sheet in sheets:
        cmap = propose_columns(sheet, kind)
        if cmap is None:
            continue
        _apply_column_file(col_file, sheet, cmap, problems, kind)
        maps.append((sheet, cmap))
    if not maps:
        raise InputError([Problem(source.name, "", "", None, _(
            "import.no_header",
            id="tidak ada baris judul kolom yang dikenali (perlu KODE DESA atau NAMA DESA, dan misalnya WAJIB KTP, "
            "SUDAH REKAM; untuk sekolah NPSN dan NAMA SEKOLAH) di {n} baris pertama lembar mana pun",
            en="no recognisable header (needs KODE DESA or NAMA DESA and e.g. WAJIB KTP, SUDAH REKAM; for schools "
            "NPSN and NAMA SEKOLAH) in the first {n} rows of any sheet", n=HEADER_SEARCH_ROWS))])
    rows: list[Row] = []
    skipped: list[tuple[str, int, str]] = []
    for sheet, cmap in maps:
        rs, sk = data_rows(sheet, cmap)
        rows += rs
        skipped += [(sheet.name, n, why) for n, why in sk]
    match_rows(rows, villages)
    problems += _apply_row_file(row_file, rows, set(names))
    if kind == "villages":
        mark_duplicates(rows)
    _write_column_file(col_file, maps)
    _write_csv(row_file, ROW_FIELDS, [_row_record(r, names) for r in rows])
    unresolved = [r for r in rows if r.decision != "skip" and (not r.village_code or r.match == "duplicate")]
    columns = {s.name: dict(c.columns) for s, c in maps}
    result = ImportResult(kind, False, rows, skipped, unresolved, columns, col_file, row_file, problems=problems)
    if problems:
        raise InputError(problems)
    if unresolved:
        return result
    kept = [r for r in rows if r.decision != "skip"]
    if kind == "villages":
        result.updated = _write_counts(layer, data, kept, source, problems)
        result.layer = layer
    else:
        from . import office_layers

        by_code = {v.code: v for v in villages}
        result.layer, result.updated = office_layers.write_layer(workspace, kind, kept, by_code, source, problems)
    result.written = True
    return result


def _write_counts(layer: Path, data: dict, rows: list[Row], source: Path, problems: list[Problem]) -> int:
    """Check the numbers of the matched rows, then write them into the villages layer (all or nothing)."""
    updates: dict[str, dict[str, int]] = {}
    for r in rows:
        vals = {}
        for t, v in r.counts.items():
            try:
                n = parse_count(v)
            except ValueError:
                problems.append(Problem(source.name, _sheet_row(r), t, v, _(
                    "import.bad_number", id="bukan bilangan bulat >= 0", en="not a whole number >= 0")))
                continue
            if n is not None:
                vals[t] = n
        for sid in {t.rsplit("_", 1)[0] for t in vals}:
            e, c = vals.get(f"{sid}_eligible"), vals.get(f"{sid}_covered")
            if e is not None and c is not None and c > e * 1.05 + 1:
                problems.append(Problem(source.name, _sheet_row(r), f"{sid}_covered", c, _(
                    "import.over", id="lebih besar dari {e} (wajib/jumlah): kolom tertukar?",
                    en="above {e} (eligible): columns swapped?", e=e)))
        updates[r.village_code] = vals
    if problems:
        raise InputError(problems)
    for f in data["features"]:
        vals = updates.get(str(f["properties"]["code"]))
        if vals:
            f["properties"].update(vals)
    _save_villages(layer, data)
    return len(updates)


def _load_villages(layer: Path) -> dict:
    """The villages layer as GeoJSON-like data; a CSV layer's rows become features without geometry (their
    ``wkt`` column, when there is one, gives the point when ``lon``/``lat`` are empty)."""
    if layer.suffix.lower() != ".csv":
        return json.loads(layer.read_text(encoding="utf-8"))
    from shapely import from_wkt
    from shapely.geometry import mapping

    from ._text import read_csv_rows

    parsed = read_csv_rows(layer.read_bytes(), expected=["code", "name"])
    head = [h.strip() for h in parsed.rows[0]] if parsed.rows else []
    feats = []
    for r in parsed.rows[1:]:
        props = {h: (r[i] if i < len(r) else "") for i, h in enumerate(head)}
        for k in ("lon", "lat"):
            props[k] = props.get(k) or None
        wkt = props.get("wkt") or ""
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(from_wkt(wkt)) if wkt else None})
    return {"type": "FeatureCollection", "features": feats, "_csv": {"fields": head, "delimiter": parsed.delimiter}}


def _save_villages(layer: Path, data: dict) -> None:
    """Write ``data`` back in the layer's own format (a CSV keeps its columns, count columns added at the end)."""
    tmp = layer.with_name(f".{layer.name}.tmp")
    if "_csv" not in data:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        fields = list(data["_csv"]["fields"])
        for f in data["features"]:
            fields += [k for k in f["properties"] if k not in fields]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields, delimiter=data["_csv"]["delimiter"], lineterminator="\n")
        w.writeheader()
        w.writerows({k: ("" if v is None else v) for k, v in f["properties"].items()} for f in data["features"])
        tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, layer)


#: The same function under the name the CLI uses.
import_table = import_counts
