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
   (``lewati`` or ``skip`` in the ``keputusan`` column). The planner edits the two CSV files (in Excel) and runs
   the same command again: decisions in them win over the proposals, and a decision that is refused (a code of
   no village of the workspace) stays in the file as typed, marked ``salah`` with the problem in ``masalah``.

The mapping files have Indonesian headers (:data:`ROW_HEADERS`, :data:`COLUMN_HEADERS`); files with the English
headers of earlier versions are still read. Each sheet of a workbook is read as the kind of table its headers
name (:func:`sheet_kind`), so the desk's template (a sheet per layer) comes in sheet by sheet, all or nothing. A
layer whose content the import would not change is not rewritten.

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
#: Decision words that leave a row out (Indonesian and English), and words that confirm a row's village.
SKIP_WORDS = {"skip", "lewati", "lewat", "lewatkan", "abaikan"}
OK_WORDS = {"ok", "oke", "ya", "setuju", "terima", "benar"}
IMPORT_DIR = "import"
#: The mapping files' columns: the name used in this module (English, as files before this version had them:
#: still read) -> the header written (Indonesian: an office worker edits these files in Excel).
ROW_HEADERS = {"sheet": "lembar", "row": "baris", "code_in_file": "kode_di_berkas", "name_in_file": "nama_di_berkas",
               "kecamatan_in_file": "kecamatan_di_berkas", "match": "cocok", "score": "skor",
               "village_code": "kode_desa", "village_name": "nama_desa", "decision": "keputusan",
               "suggestion": "usulan", "problem": "masalah"}
COLUMN_HEADERS = {"sheet": "lembar", "column": "kolom", "header_in_file": "judul_di_berkas",
                  "maps_to": "kolom_tujuan", "problem": "masalah"}
ROW_FIELDS = list(ROW_HEADERS)
COLUMN_FIELDS = list(COLUMN_HEADERS)
#: How a row matched, as the rows file says it (Indonesian words; the code in :class:`Row`).
MATCH_WORDS = {"code": "kode", "name": "nama", "fuzzy": "mirip", "": "belum", "duplicate": "ganda",
               "conflict": "kode_nama_beda", "edited": "disunting", "skipped": "dilewati", "invalid": "salah"}


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


def _service_names(service) -> list[str]:
    """A service's names as header words: its Indonesian name, its id, its English name (``kk``,
    ``Kartu Keluarga``, ``Family card`` -> ``KARTU KELUARGA``, ``KK``, ``FAMILY CARD``)."""
    names = [words(getattr(service, "name_id", "")), words(str(service.id).replace("_", " ")),
             words(getattr(service, "name", ""))]
    return list(dict.fromkeys(n for n in names if n))


def kind_columns(kind: str, services=()) -> dict[str, tuple[str, ...]]:
    """The own columns of a table of ``kind`` (target -> header aliases, the first is the template's header):
    :data:`KINDS`, and for each declared service (``workspace.toml``) without names there, names derived from it:
    ``WAJIB <NAME>`` / ``SUDAH <NAME>`` (also ``PUNYA``, ``MEMILIKI``) for a coverage table, ``BELUM <NAME>`` /
    ``SISWA BELUM <NAME>`` for a school list (a service with ``at_schools``); ``<NAME>`` is its Indonesian name,
    its id or its English name."""
    own = dict(KINDS[kind][1])
    for s in services or ():
        names = _service_names(s)
        if kind == "villages":
            for target, lead in ((f"{s.id}_eligible", ("WAJIB",)), (f"{s.id}_covered", ("SUDAH", "PUNYA", "MEMILIKI"))):
                if target not in own:
                    own[target] = tuple(f"{w} {n}" for n in names for w in lead)
        elif kind == "schools" and getattr(s, "at_schools", False) and f"{s.id}_needed" not in own:
            own[f"{s.id}_needed"] = tuple(f"{w} {n}" for n in names for w in ("BELUM", "SISWA BELUM"))
    return own


def _aliases(kind: str, services=()) -> dict[str, tuple[str, ...]]:
    return {**VILLAGE_ALIASES, **kind_columns(kind, services)}


def _label_target(label: str, kind: str, services=()) -> tuple[str | None, int]:
    """The known column of ``kind`` a header label names, with its score (0: none)."""
    toks = set(label.split())
    derived = DERIVED_WORDS_COUNTS if kind == "villages" else DERIVED_WORDS
    if not toks or toks & derived:
        return None, 0
    best, score, tie = None, 0, False
    for target, aliases in _aliases(kind, services).items():
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
    #: the planner's refused edits of the columns file, kept as typed: column letter -> (typed target, problem)
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)


def propose_columns(sheet: Sheet, kind: str = "villages", services=()) -> ColumnMap | None:
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
            target, score = _label_target(lab, kind, services)
            if target and (target not in found or score > found[target][1]):
                found[target] = (c, score)
        own = [t for t in found if t not in _VILLAGE_KEYS]
        if not ({"village_code", "village_name"} & set(found)) or not own or not required <= set(found):
            continue
        if len(found) > best_hits:
            best_hits = len(found)
            best = ColumnMap(at, {t: c for t, (c, _s) in found.items()}, labels)
    return best


def detect_kind(sheets: list[Sheet], services=()) -> str:
    """The kind of table: the first of schools, home-visit requests, deliveries whose required and marking
    columns a sheet names, else a coverage table (villages)."""
    for kind in ("schools", "home_visit_requests", "deliveries"):
        for sheet in sheets:
            cmap = propose_columns(sheet, kind, services)
            if cmap and _MARKS[kind] & set(cmap.columns):
                return kind
    return "villages"


#: The order in which the sheets of a workbook holding several kinds of table are imported.
KIND_ORDER = ("villages", "schools", "home_visit_requests", "deliveries")


def sheet_kind(sheet: Sheet, services=()) -> str | None:
    """The kind of table one sheet holds (as :func:`detect_kind`), or None when it is no table the import
    reads (a guide, a list sheet, a summary without villages)."""
    kind = detect_kind([sheet], services)
    if kind == "villages" and propose_columns(sheet, "villages", services) is None:
        return None
    return kind


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
    decision: str = ""  # skip | ok | "" (the planner's decision, normalised)
    suggestion: str = ""
    typed_code: str = ""  # a village code the planner typed that was refused, kept as typed
    typed_decision: str = ""  # the planner's decision word as typed (kept in the rows file)
    problem: str = ""  # why the planner's edit of this row was refused


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


def _canonical(header: str) -> str:
    """A mapping file's header as this module names it: an Indonesian header (written since the files are
    Indonesian) or an English one (files written before) -> the English name; any other header unchanged."""
    h = str(header).strip().lstrip("\ufeff").lower()
    for table in (ROW_HEADERS, COLUMN_HEADERS):
        for key, shown in table.items():
            if h in (key, shown):
                return key
    return str(header).strip()


def read_mapping(path: Path) -> list[dict[str, str]]:
    """The rows of a mapping file (``columns.csv`` or ``rows.csv``, Indonesian or English headers, as Excel
    saves it: ``,`` or ``;``, UTF-8 or cp1252) as dicts keyed by the English names (``sheet``, ``maps_to``,
    ``village_code``, ``decision``, ...). An absent file has none."""
    from ._text import read_csv_rows

    if not path.is_file():
        return []
    parsed = read_csv_rows(path.read_bytes(), expected=["sheet", "row", "lembar", "baris"])
    rows = [list(r) for r in parsed.rows]
    if not rows:
        return []
    head = [_canonical(h) for h in rows[0]]
    return [{h: (str(r[i]).strip() if i < len(r) and r[i] is not None else "") for i, h in enumerate(head)}
            for r in rows[1:]]


_read_csv = read_mapping


def _write_csv(path: Path, headers: dict[str, str], rows: list[dict]) -> None:
    """Write ``rows`` (keyed by the English names of ``headers``) under the Indonesian headers."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers.values())
    w.writerows([r.get(k, "") for k in headers] for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))  # BOM: Excel opens it as UTF-8


def mapping_paths(workspace: Path, source: Path) -> tuple[Path, Path]:
    """The column and row mapping files of ``source`` in the workspace: ``import/<stem>.columns.csv`` and
    ``import/<stem>.rows.csv``."""
    d = workspace / IMPORT_DIR
    return d / f"{source.stem}.columns.csv", d / f"{source.stem}.rows.csv"


def _apply_column_file(path: Path, sheet: Sheet, cmap: ColumnMap, problems: list[Problem], kind: str,
                       services=()) -> None:
    """Decisions of an edited ``columns.csv``: a ``kolom_tujuan`` (``maps_to``) changed or emptied wins over the
    proposal. A target or column letter that is refused is kept in the file as typed, with the problem."""
    from openpyxl.utils import column_index_from_string

    targets = set(_aliases(kind, services))
    chosen: dict[str, int] = {}
    rows = [r for r in read_mapping(path) if r.get("sheet") == sheet.name]
    if not rows:
        return
    for r in rows:
        t = r.get("maps_to", "").strip()
        letter = r.get("column", "").strip()
        if not t:
            continue
        if t not in targets:
            msg = _("import.bad_target", id="kolom tujuan tidak dikenal; pilih salah satu: {allowed}",
                    en="unknown target column; use one of: {allowed}", allowed=", ".join(sorted(targets)))
            problems.append(Problem(path.name, _("import.where_column", id="kolom {c}", en="column {c}", c=letter),
                                    COLUMN_HEADERS["maps_to"], t, msg))
            cmap.refused[letter] = (t, msg)
            continue
        try:
            chosen[t] = column_index_from_string(letter) - 1
        except ValueError:
            msg = _("import.bad_column", id="bukan huruf kolom Excel (A, B, ...)",
                    en="not an Excel column letter (A, B, ...)")
            problems.append(Problem(path.name, _("import.where_column", id="kolom {c}", en="column {c}", c=letter),
                                    COLUMN_HEADERS["column"], letter, msg))
            cmap.refused[letter] = (t, msg)
    cmap.columns = chosen


def _write_column_file(path: Path, sheets: list[tuple[Sheet, ColumnMap]]) -> None:
    from openpyxl.utils import get_column_letter

    rows = []
    for sheet, cmap in sheets:
        inv = {c: t for t, c in cmap.columns.items()}
        letters = set()
        for c, label in enumerate(cmap.labels):
            letter = get_column_letter(c + 1)
            letters.add(letter)
            typed, problem = cmap.refused.get(letter, (inv.get(c, ""), ""))
            if label or c in inv or problem:
                rows.append({"sheet": sheet.name, "column": letter, "header_in_file": label, "maps_to": typed,
                             "problem": problem})
        for letter, (typed, problem) in cmap.refused.items():  # a letter that names no column of the sheet
            if letter not in letters:
                rows.append({"sheet": sheet.name, "column": letter, "header_in_file": "", "maps_to": typed,
                             "problem": problem})
    _write_csv(path, COLUMN_HEADERS, rows)


def _apply_row_file(path: Path, rows: list[Row], valid: set[str]) -> list[Problem]:
    """Decisions of an edited ``rows.csv``: for a row with the same sheet, row number, code and name, its
    ``kode_desa`` (``village_code``) and ``keputusan`` (``decision``: ``lewati``/``skip`` leaves it out) win over
    the proposal. A decision that is refused (a code of no village of the workspace, an unknown word) is kept
    as typed (the row is marked ``salah`` and the problem written next to it), so that the planner corrects it
    instead of typing it again."""
    problems: list[Problem] = []
    edits = {(e.get("sheet", ""), e.get("row", "")): e for e in read_mapping(path)}
    for r in rows:
        e = edits.get((r.sheet, str(r.row)))
        if not e or e.get("code_in_file", "") != r.code or e.get("name_in_file", "") != r.name:
            continue  # the sheet changed under the mapping: propose again
        typed_decision = e.get("decision", "").strip()
        typed_code = e.get("village_code", "").strip()
        decision = typed_decision.lower()
        code = normalise_code(typed_code) if typed_code else ""
        where = _("import.where_row", id="baris {r}", en="row {r}", r=r.row)

        def refuse(field_: str, value: str, msg: str) -> None:
            problems.append(Problem(path.name, where, ROW_HEADERS[field_], value, msg))
            r.match, r.score, r.village_code, r.decision = "invalid", 0.0, "", ""
            r.typed_code, r.typed_decision, r.problem = typed_code, typed_decision, msg

        if decision in SKIP_WORDS:
            r.decision, r.match, r.village_code, r.typed_decision = "skip", "skipped", "", typed_decision
        elif decision and decision not in OK_WORDS:
            refuse("decision", typed_decision, _(
                "import.bad_decision", id="keputusan tidak dikenal; tulis lewati (atau skip) untuk melewatkan baris, "
                "atau kosongkan dan isi kode_desa", en="unknown decision; write lewati (or skip) to leave the row "
                "out, or leave it empty and fill in kode_desa"))
        elif code and code != r.village_code:
            if code not in valid:
                refuse("village_code", typed_code, _(
                    "import.bad_code", id="kode desa tidak ada di wilayah kerja ini",
                    en="no village with this code in the workspace"))
                continue
            r.village_code, r.match, r.score, r.decision = code, "edited", 1.0, "ok"
            r.typed_decision = typed_decision
        elif code and typed_decision:
            r.decision, r.typed_decision = "ok", typed_decision  # the proposal confirmed
    return problems


def _row_record(r: Row, names: dict[str, str]) -> dict:
    code = r.typed_code if r.match == "invalid" else r.village_code
    return {"sheet": r.sheet, "row": r.row, "code_in_file": r.code, "name_in_file": r.name,
            "kecamatan_in_file": r.kecamatan, "match": MATCH_WORDS.get(r.match, r.match), "score": f"{r.score:.2f}",
            "village_code": code, "village_name": names.get(code, ""),
            "decision": r.typed_decision or r.decision, "suggestion": r.suggestion, "problem": r.problem}


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
    """What ``import_table`` found and did. For a workbook whose sheets hold several kinds of table, ``parts``
    has one result per kind (villages first), and ``kind``, ``updated`` and ``layer`` are those of the first."""

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
    parts: list["ImportResult"] = field(default_factory=list)
    changed: bool = False  # the layer's content differed (else the file was left untouched)


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


def _services(workspace: Path) -> tuple:
    """The services of ``workspace.toml`` (for the column names of services beyond the three default ones);
    none when they do not read (the workspace reader reports that)."""
    import tomllib

    from ..model import Service

    try:
        cfg = tomllib.loads((workspace / "workspace.toml").read_text(encoding="utf-8"))
        return tuple(Service(**s) for s in cfg.get("services", []))
    except Exception:  # noqa: BLE001 - a bad [[services]] entry: `check` says what is wrong
        return ()


def _layer_has_rows(workspace: Path, kind: str) -> bool:
    """Whether the workspace's layer of ``kind`` has data rows (a non-CSV layer is taken to have some)."""
    path = _layer_path(_workspace_layers(workspace).get(kind))
    if not path or not (workspace / path).is_file():
        return False
    if Path(path).suffix.lower() != ".csv":
        return True
    from ._text import read_csv_rows

    return len(read_csv_rows((workspace / path).read_bytes()).rows) > 1


def import_counts(workspace: Path, source: Path, kind: str | None = None) -> ImportResult:
    """Read the office table ``source``, propose mappings, write them to ``workspace/import/``, and write into
    the workspace when every row is matched or left out (``written``): a coverage table's counts into the villages
    layer, another kind's rows as its CSV layer (replacing it). Each sheet's kind is told from its headers
    (``villages`` for a coverage table, ``schools``, ``home_visit_requests``, ``deliveries``), so a workbook with
    a sheet of each (the desk's template) is imported sheet by sheet, villages first, all or nothing; ``kind``
    reads every sheet as that kind. In such a workbook a sheet without rows is left alone when the workspace
    has no rows of its layer either. A layer whose content would not change is not rewritten.
    Raises ``InputError`` for a file without a recognisable header, bad values or bad edits (nothing written)."""
    layer = _villages_layer(workspace)
    data = _load_villages(layer)
    villages = [_V(str(f["properties"]["code"]), str(f["properties"]["name"]), str(f["properties"]["district_code"]),
                   str(f["properties"]["district_name"]), *_stop_point(f)) for f in data["features"]]
    names = {v.code: v.name for v in villages}
    services = _services(workspace)
    col_file, row_file = mapping_paths(workspace, source)
    problems: list[Problem] = []
    sheets = read_sheets(source)
    groups: dict[str, list[tuple[Sheet, ColumnMap]]] = {}
    for sheet in sheets:
        k = kind or sheet_kind(sheet, services)
        cmap = propose_columns(sheet, k, services) if k else None
        if cmap is None:
            continue
        _apply_column_file(col_file, sheet, cmap, problems, k, services)
        groups.setdefault(k, []).append((sheet, cmap))
    if not groups:
        raise InputError([Problem(source.name, "", "", None, _(
            "import.no_header",
            id="tidak ada baris judul kolom yang dikenali (perlu KODE DESA atau NAMA DESA, dan misalnya WAJIB KTP, "
            "SUDAH REKAM; untuk sekolah NPSN dan NAMA SEKOLAH) di {n} baris pertama lembar mana pun",
            en="no recognisable header (needs KODE DESA or NAMA DESA and e.g. WAJIB KTP, SUDAH REKAM; for schools "
            "NPSN and NAMA SEKOLAH) in the first {n} rows of any sheet", n=HEADER_SEARCH_ROWS))])
    parts: list[ImportResult] = []
    for k in sorted(groups, key=KIND_ORDER.index):
        rows: list[Row] = []
        skipped: list[tuple[str, int, str]] = []
        for sheet, cmap in groups[k]:
            rs, sk = data_rows(sheet, cmap)
            rows += rs
            skipped += [(sheet.name, n, why) for n, why in sk]
        if len(groups) > 1 and not rows and k != "villages" and not _layer_has_rows(workspace, k):
            continue  # an empty sheet (of the template) for a layer the workspace does not have
        match_rows(rows, villages)
        problems += _apply_row_file(row_file, rows, set(names))
        if k == "villages":
            mark_duplicates(rows)
        unresolved = [r for r in rows if r.decision != "skip" and (not r.village_code or r.match == "duplicate")]
        parts.append(ImportResult(k, False, rows, skipped, unresolved, {s.name: dict(c.columns) for s, c in groups[k]},
                                  col_file, row_file))
    _write_column_file(col_file, [m for k in sorted(groups, key=KIND_ORDER.index) for m in groups[k]])
    _write_csv(row_file, ROW_HEADERS, [_row_record(r, names) for p in parts for r in p.rows])
    if not parts:  # every sheet with a header was empty: nothing to do
        parts.append(ImportResult(next(iter(groups)), False, [], [], [], {}, col_file, row_file))
    first = parts[0]
    result = ImportResult(first.kind, False, [r for p in parts for r in p.rows], [s for p in parts for s in p.skipped],
                          [r for p in parts for r in p.unresolved], {s: c for p in parts for s, c in p.columns.items()},
                          col_file, row_file, problems=problems, parts=parts)
    # every part is checked (its matched rows) before any is written: all or nothing, and the bad values of one
    # sheet are reported with the unmatched rows of another
    from . import office_layers

    by_code = {v.code: v for v in villages}
    pending: list[tuple[ImportResult, object]] = []
    for p in parts:
        kept = [r for r in p.rows if r.decision != "skip" and r.village_code and r.village_code in by_code]
        try:
            if p.kind == "villages":
                pending.append((p, _count_updates(kept, source, [])))
            else:
                pending.append((p, office_layers.prepare_layer(workspace, p.kind, kept, by_code, source, [])))
        except InputError as exc:
            problems += exc.problems
    if problems or result.unresolved:
        for _p, ready in pending:
            if not isinstance(ready, dict):
                ready.discard()
        if problems:
            raise ImportProblems(problems, result)
        return result
    for p, ready in pending:
        if isinstance(ready, dict):
            p.changed = _apply_counts(layer, data, ready)
            p.layer, p.updated = layer, len(ready)
        else:
            p.changed = ready.commit()
            p.layer, p.updated = ready.path, ready.count
        p.written = True
    result.written, result.layer, result.updated, result.changed = True, first.layer, first.updated, first.changed
    return result


class ImportProblems(InputError):
    """The import's problems (nothing written), with what it found (:class:`ImportResult`: the rows, the
    unmatched ones) for a caller that shows both."""

    def __init__(self, problems: list[Problem], result: ImportResult):
        super().__init__(problems)
        self.result = result


def _count_updates(rows: list[Row], source: Path, problems: list[Problem]) -> dict[str, dict[str, int]]:
    """The counts of the matched rows, checked: village code -> target -> count. Raises ``InputError``."""
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
    return updates


def _same_value(old: object, new: int) -> bool:
    """Whether a layer's count ``old`` (an int from GeoJSON, text from a CSV layer) already is ``new``."""
    if old == new:
        return True
    try:
        return parse_count(old) == new
    except ValueError:
        return False


def _apply_counts(layer: Path, data: dict, updates: dict[str, dict[str, int]]) -> bool:
    """Write the counts into the villages layer; the file is left untouched when no count changes. Whether
    it changed."""
    changed = False
    for f in data["features"]:
        vals = updates.get(str(f["properties"]["code"]))
        if vals:
            props = f["properties"]
            if any(k not in props or not _same_value(props[k], n) for k, n in vals.items()):
                changed = True
                props.update(vals)
    if changed:
        _save_villages(layer, data)
    return changed


def _write_counts(layer: Path, data: dict, rows: list[Row], source: Path, problems: list[Problem]) -> int:
    """Check the numbers of the matched rows, then write them into the villages layer (all or nothing)."""
    updates = _count_updates(rows, source, problems)
    _apply_counts(layer, data, updates)
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
        m = re.match(r"\{[ \t]*\r?\n( +)", layer.read_text(encoding="utf-8")[:200]) if layer.is_file() else None
        indent = len(m.group(1)) if m else None  # a layer laid out on several lines stays so
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")
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
