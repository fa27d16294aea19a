"""The office's lists of schools (NPSN), home-visit requests and deliveries as workspace layers.

Called by :func:`~outreach_planner.io.office_import.import_counts` once every row names its village: the
cells are turned into the layer's columns (docs/workspace.md), checked with the workspace reader's own row
checks, and written as ``schools.csv`` / ``home_visit_requests.csv`` / ``deliveries.csv`` (replacing the layer;
the ``[layers]`` entry is added when missing). A place without coordinates gets its village's stop point,
marked in ``notes`` (schools) as approximate. Names, addresses and NIKs never appear in messages; a NIK is
shown masked.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..i18n import _
from ..model import Service, mask_nik

_MONTHS = {"JAN": 1, "JANUARI": 1, "FEB": 2, "FEBRUARI": 2, "PEB": 2, "MAR": 3, "MARET": 3, "APR": 4, "APRIL": 4,
           "MEI": 5, "MAY": 5, "JUN": 6, "JUNI": 6, "JUL": 7, "JULI": 7, "AGU": 8, "AGT": 8, "AGS": 8,
           "AGUSTUS": 8, "AUG": 8, "SEP": 9, "SEPT": 9, "SEPTEMBER": 9, "OKT": 10, "OKTOBER": 10, "OCT": 10,
           "NOV": 11, "NOPEMBER": 11, "NOVEMBER": 11, "DES": 12, "DESEMBER": 12, "DEC": 12}
REASONS = {"elderly": ("LANSIA", "LANJUT USIA", "ELDERLY", "USIA LANJUT", "MANULA"),
           "disabled": ("DISABILITAS", "DIFABEL", "CACAT", "DISABLED", "PENYANDANG DISABILITAS", "TUNA"),
           "sick": ("SAKIT", "SICK", "SAKIT KERAS", "STROKE", "LUMPUH", "ODGJ")}
SERVICE_WORDS = {"ektp": ("KTP", "EKTP", "E KTP", "KTP EL", "KTPEL", "PEREKAMAN", "REKAM"),
                 "kia": ("KIA", "KARTU IDENTITAS ANAK"),
                 "akta": ("AKTA", "AKTA KELAHIRAN", "AKTE", "AKTE KELAHIRAN"),
                 "kk": ("KK", "KARTU KELUARGA")}
FILES = {"schools": "schools.csv", "home_visit_requests": "home_visit_requests.csv", "deliveries": "deliveries.csv"}


def _w(text: object) -> str:
    return " ".join(re.sub(r"[^0-9A-Za-z]+", " ", str(text or "")).upper().split())


def parse_date(v: object) -> dt.date:
    """A date cell: a date/datetime, ``YYYY-MM-DD``, ``DD/MM/YYYY`` or ``DD-MM-YYYY``, or ``2 November 2026``
    (Indonesian or English month names, abbreviated or not). ValueError otherwise."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", s):
        month = _MONTHS.get(m[2].upper())
        if month:
            return dt.date(int(m[3]), month, int(m[1]))
    raise ValueError(v)


def parse_reason(v: object) -> str:
    """``elderly``, ``disabled`` or ``sick`` from the office's words (lansia, disabilitas, sakit, ...)."""
    text = f" {_w(v)} "
    for reason, words in REASONS.items():
        if any(f" {w} " in text for w in words) or text.strip().lower() == reason:
            return reason
    raise ValueError(v)


def parse_services(v: object, known: list[str], services=()) -> list[str]:
    """Service ids from a cell like ``KTP-el, KIA dan Akta`` (``,``, ``;``, ``/``, ``+``, ``dan``, ``&``): the
    office's words of :data:`SERVICE_WORDS`, a service's id, or the Indonesian or English name of one of the
    declared ``services``."""
    out = []
    named = {_w(n).replace(" ", ""): s.id for s in services for n in (s.name_id, s.name, s.id) if _w(n)}
    for part in re.split(r"[,;/+&]|\bdan\b", str(v or ""), flags=re.IGNORECASE):
        w = _w(part)
        if not w:
            continue
        sid = next((s for s, words in SERVICE_WORDS.items() if w in words or w.replace(" ", "") in
                    {x.replace(" ", "") for x in words}), w.lower() if w.lower() in known
                   else named.get(w.replace(" ", "")))
        if sid is None or sid not in known:
            raise ValueError(part.strip())
        if sid not in out:
            out.append(sid)
    if not out:
        raise ValueError(v)
    return out


def parse_nik(v: object) -> str:
    """A NIK cell as text of 16 digits (empty allowed). A number cell is refused: Excel keeps 15 digits."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        raise ValueError("number")
    s = str(v).strip().lstrip("'").replace(" ", "")
    if not re.fullmatch(r"\d{16}", s):
        raise ValueError("digits")
    return s


def _float(v: object) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return float(str(v).strip().replace(",", "."))


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _stable_id(prefix: str, *parts: object) -> str:
    """An id that stays the same when the same list is imported again (no personal data in it: a hash)."""
    h = hashlib.sha1("|".join(_text(p).upper() for p in parts).encode("utf-8")).hexdigest()[:10]
    return f"{prefix}{h}"


def _services(workspace: Path) -> list[Service]:
    cfg = tomllib.loads((workspace / "workspace.toml").read_text(encoding="utf-8"))
    return [Service(**s) for s in cfg.get("services", [])]


def _register(workspace: Path, kind: str, file: str) -> None:
    """Add ``kind = "file"`` to ``[layers]`` of workspace.toml when missing (the file is otherwise kept as is)."""
    toml = workspace / "workspace.toml"
    text = toml.read_text(encoding="utf-8")
    layers = tomllib.loads(text).get("layers", {})
    if kind in layers:
        return
    m = re.search(r"^\[layers\][^\n]*\n", text, flags=re.MULTILINE)
    line = f'{kind} = "{file}"\n'
    text = text[:m.end()] + line + text[m.end():] if m else text.rstrip("\n") + f"\n\n[layers]\n{line}"
    tmp = toml.with_name(".workspace.toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, toml)


@dataclass
class Pending:
    """A layer checked and staged beside its file (``tmp``), not yet in place: :meth:`commit` or :meth:`discard`."""

    workspace: Path
    kind: str
    name: str  # the layer's path in workspace.toml
    path: Path
    tmp: Path
    count: int
    same: bool  # the layer already has this content (read as the workspace reader reads it)

    def commit(self) -> bool:
        """Put the layer in place (registered in ``[layers]``); an unchanged layer's file is left untouched.
        Whether the file changed."""
        if self.same:
            self.tmp.unlink(missing_ok=True)
            return False
        os.replace(self.tmp, self.path)
        _register(self.workspace, self.kind, self.name)
        return True

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def write_layer(workspace: Path, kind: str, rows: list, villages: dict, source: Path,
                problems: list[Problem]) -> tuple[Path, int]:
    """Turn the matched ``rows`` of ``kind`` into its CSV layer, check it, write it. Returns (path, rows)."""
    ready = prepare_layer(workspace, kind, rows, villages, source, problems)
    ready.commit()
    return ready.path, ready.count


def prepare_layer(workspace: Path, kind: str, rows: list, villages: dict, source: Path,
                  problems: list[Problem]) -> Pending:
    """Turn the matched ``rows`` of ``kind`` into its CSV layer and check it (``InputError``), staged beside the
    layer's file; whether its content differs from the layer's is compared on what the reader reads."""
    from .read import _Collector, _csv_table, _deliveries, _requests, _schools, layer_schema

    services = _services(workspace)
    sids = [s.id for s in services]
    cols = list(layer_schema(kind, tuple(services)))
    cols = [c for c in cols if c != "wkt"]
    records = []
    seen: dict[str, int] = {}
    for r in rows:
        c, v = r.counts, villages[r.village_code]
        where = _("import.where_sheet_row", id="{s} baris {r}", en="{s} row {r}", s=r.sheet, r=r.row)
        rec: dict[str, object] = {"village_code": r.village_code}

        def bad(field: str, shown: object, en: str, id_: str) -> None:
            problems.append(Problem(source.name, where, field, shown, _(f"import.bad_{kind}_{field}", id=id_, en=en)))

        lon, lat = None, None
        try:
            lon, lat = _float(c.get("lon")), _float(c.get("lat"))
        except ValueError:
            bad("lon/lat", None, "not a number", "bukan angka")
        approximate = lon is None or lat is None
        rec["lon"], rec["lat"] = (v.lon, v.lat) if approximate else (lon, lat)
        if kind == "schools":
            npsn, own_id = _text(c.get("npsn")), _text(c.get("id"))  # an ID column: a list out of the workspace
            if (npsn or not own_id) and not re.fullmatch(r"[0-9A-Za-z]{8}", npsn):
                bad("npsn", npsn, "an NPSN has 8 characters", "NPSN terdiri dari 8 karakter")
            rec.update(id=own_id or npsn, name=_text(c.get("name")), level=_text(c.get("level")),
                       notes=_text(c.get("notes")) or (_("import.approx_school", id="lokasi perkiraan (titik desa)",
                               en="approximate location (village point)") if approximate else ""))
            for s in services:
                if s.at_schools:
                    raw = c.get(f"{s.id}_needed")
                    try:
                        from .office_import import parse_count

                        n = parse_count(raw)
                    except ValueError:
                        bad(f"{s.id}_needed", raw, "not a whole number >= 0", "bukan bilangan bulat >= 0")
                        n = 0
                    rec[f"{s.id}_needed"] = 0 if n is None else n
            key = str(rec["id"])
        elif kind == "home_visit_requests":
            try:
                rec["nik"] = parse_nik(c.get("nik"))
            except ValueError as exc:
                shown = mask_nik(re.sub(r"\D", "", _text(c.get("nik"))))
                if str(exc) == "number":
                    bad("nik", shown, "the NIK is stored as a number (Excel keeps 15 digits, the last is lost): "
                        "format the column as Text and type it again",
                        "NIK tersimpan sebagai angka (Excel hanya menyimpan 15 digit, digit terakhir hilang): "
                        "format kolom sebagai Teks lalu ketik ulang")
                else:
                    bad("nik", shown, "a NIK has 16 digits", "NIK terdiri dari 16 digit")
            try:
                rec["reason"] = parse_reason(c.get("reason"))
            except ValueError:
                bad("reason", _text(c.get("reason"))[:20], "use lansia, disabilitas or sakit",
                    "pakai lansia, disabilitas atau sakit")
            try:
                rec["services"] = ";".join(parse_services(c.get("services"), sids, services))
            except ValueError as exc:
                bad("services", str(exc)[:20], f"unknown service; known: {', '.join(sids)} (KTP-el, KIA, Akta)",
                    f"layanan tidak dikenal; yang ada: {', '.join(sids)} (KTP-el, KIA, Akta)")
            try:
                rec["requested_on"] = parse_date(c.get("requested_on")).isoformat()
            except ValueError:
                bad("requested_on", _text(c.get("requested_on"))[:20], "not a date (e.g. 2026-11-02 or 02/11/2026)",
                    "bukan tanggal (mis. 2026-11-02 atau 02/11/2026)")
            rec.update(name=_text(c.get("name")), address=_text(c.get("address")), windows=_text(c.get("windows")),
                       notes=_text(c.get("notes")))
            rec["id"] = _text(c.get("id")) or _stable_id("hv", rec.get("nik") or rec["name"], r.village_code,
                                                         rec.get("requested_on"))
            key = str(rec["id"])
        else:  # deliveries
            for f in ("ready_on", "due_on"):
                if c.get(f) is None or _text(c.get(f)) == "":
                    continue
                try:
                    rec[f] = parse_date(c.get(f)).isoformat()
                except ValueError:
                    bad(f, _text(c.get(f))[:20], "not a date (e.g. 2026-11-02 or 02/11/2026)",
                        "bukan tanggal (mis. 2026-11-02 atau 02/11/2026)")
            rec.update(document=_text(c.get("document")), recipient=_text(c.get("recipient")),
                       address=_text(c.get("address")))
            rec["id"] = _text(c.get("id")) or _stable_id("dl", rec["recipient"], rec["document"], r.village_code,
                                                         rec.get("ready_on"))
            key = str(rec["id"])
        if key in seen:
            problems.append(Problem(source.name, where, "id", key if kind == "schools" else None, _(
                "import.dup_row", id="sama dengan baris {n}", en="the same as row {n}", n=seen[key])))
        seen.setdefault(key, r.row)
        records.append(rec)
    if problems:
        raise InputError(problems)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(records)
    layers = tomllib.loads((workspace / "workspace.toml").read_text(encoding="utf-8")).get("layers", {})
    spec = layers.get(kind)
    name = (spec.get("path") if isinstance(spec, dict) else spec) or FILES[kind]
    if Path(name).suffix.lower() != ".csv":
        raise InputError([Problem("workspace.toml", "[layers]", kind, name, _(
            "import.layer_csv", id="impor menulis lapisan ini sebagai CSV; ubah path-nya ke {f}",
            en="import writes this layer as CSV; change its path to {f}", f=FILES[kind]))])
    path = workspace / name
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    out = _Collector()
    readers = {"schools": _schools, "home_visit_requests": _requests, "deliveries": _deliveries}
    new = readers[kind](_csv_table(tmp, kind, out), tuple(services), None, out)
    if out.problems:
        tmp.unlink()
        raise InputError([Problem(source.name, p.where, p.field, p.value, p.message) for p in out.problems])
    same = False
    if kind in layers and path.is_file():
        old_out = _Collector()
        try:
            old = readers[kind](_csv_table(path, kind, old_out), tuple(services), None, old_out)
            same = not old_out.problems and old == new
        except Exception:  # noqa: BLE001 - an unreadable old layer is replaced
            same = False
    return Pending(workspace, kind, name, path, tmp, len(records), same)
