"""Text files as planners save them: decoding, CSV delimiters and header rows.

Shared by the workspace reader and the tally-form reader. Pure functions on bytes and
lists of cells; the caller turns the notes into warnings (or problems) with its own file name.

- :func:`decode` reads UTF-8 (a byte-order mark is skipped) or UTF-16 with its byte-order mark, and falls back to Windows-1252
  (a superset of Latin-1's printable range, what Excel on Windows writes as "CSV") with a note.
- :func:`sniff_delimiter` picks ``,``, ``;`` or tab from the header line (Excel in an
  Indonesian locale writes ``;``-separated CSV, because the decimal separator is a comma).
- :func:`read_csv_rows` combines both and returns every record with its row number.
- :func:`find_header` finds the header row below title rows (a sheet with a title or a merged
  group header above the real one).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BOM = "\ufeff"
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon (;)", "\t": "tab"}
#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 20


@dataclass
class Decoded:
    """Text of a file and what was done to read it."""

    text: str
    encoding: str  # "utf-8" or "cp1252" / "latin-1"
    had_bom: bool
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> Decoded:
    """Bytes -> text: UTF-8 (BOM skipped), else Windows-1252, else Latin-1 (never fails).

    A fallback adds a note naming the first byte that is not UTF-8 and how to fix the file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark ("Unicode text" in Excel)
        return Decoded(data.decode("utf-16"), "utf-16", True)
    had_bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
        return Decoded(text, "utf-8", had_bom)
    except UnicodeDecodeError as exc:
        pos = exc.start
    line = data.count(b"\n", 0, pos) + 1
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
        label = "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined in cp1252
        text, encoding = data.decode("latin-1"), "latin-1"
        label = "Latin-1"
    if text.startswith(BOM):
        text = text[1:]
    from ..i18n import _

    note = _("text.not_utf8", id="berkas ini bukan UTF-8 (byte 0x{b} di baris {line}); dibaca sebagai {label}: "
             "periksa huruf beraksen, lalu simpan sebagai UTF-8", en="the file is not UTF-8 (byte 0x{b} on line "
             "{line}); it was read as {label}: check accented letters, and save it as UTF-8",
             b=f"{data[pos]:02x}", line=line, label=label)
    return Decoded(text, encoding, had_bom, [note])


def _fields(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def sniff_delimiter(text: str, expected: Iterable[str] = ()) -> str:
    """The delimiter of the header line: the one of ``, ; tab`` splitting it into the most fields.

    When ``expected`` column names are given, the delimiter that yields most of them wins
    (so a comma inside a ``;``-separated header does not decide). Ties go to the comma.
    """
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    wanted = set(expected)

    def score(d: str) -> tuple[int, int]:
        cells = [c.strip() for c in next(csv.reader([first], delimiter=d), [])]
        return (len(wanted & set(cells)), len(cells))

    best = max(DELIMITERS, key=lambda d: (score(d), d == ","))
    return best


def delimiter_name(delimiter: str) -> str:
    """``";"`` -> ``"semicolon (;)"``."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


@dataclass
class CsvRows:
    """Records of a CSV file: ``rows[i]`` is on spreadsheet row ``numbers[i]`` (1-based)."""

    rows: list[list[str]]
    numbers: list[int]
    delimiter: str
    decoded: Decoded


def read_csv_rows(data: bytes, expected: Iterable[str] = ()) -> CsvRows:
    """Decode, sniff the delimiter and split into records; blank records are dropped.

    Row numbers count every record, blank ones included, as a spreadsheet shows the file.
    """
    decoded = decode(data)
    delimiter = sniff_delimiter(decoded.text, expected)
    rows, numbers = [], []
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter)
    for n, record in enumerate(reader, 1):
        if not any(c.strip() for c in record):
            continue
        rows.append(record)
        numbers.append(n)
    return CsvRows(rows, numbers, delimiter, decoded)


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v != v:  # NaN
        return ""
    return str(v).strip()


def find_header(grid: Sequence[Sequence[object]], required: Iterable[str],
                search_rows: int = HEADER_SEARCH_ROWS) -> int | None:
    """Index of the header row: the first row (of the first ``search_rows``) holding every
    ``required`` column name. ``None`` when no row does."""
    need = set(required)
    for i, row in enumerate(grid[:search_rows]):
        if need <= {_cell_text(c) for c in row}:
            return i
    return None


def best_header_guess(grid: Sequence[Sequence[object]], required: Iterable[str],
                      search_rows: int = HEADER_SEARCH_ROWS) -> tuple[int, int]:
    """(index, how many ``required`` names it holds) of the row holding most of them."""
    need = set(required)
    best = (0, -1)
    for i, row in enumerate(grid[:search_rows]):
        n = len(need & {_cell_text(c) for c in row})
        if n > best[1]:
            best = (i, n)
    return best
