"""Data in for the desk: an upload checked in a staging copy of the workspace, applied only when valid.

Two ways in. A filled template (:mod:`.template`) or an office's own table goes through the office import
(:func:`import_upload` calls :func:`outreach_planner.io.office_import.import_counts` with the whole file, as the
CLI does: the import reads a template sheet by sheet; the planner's decisions on unmatched rows are written into
the import's row mapping, as a planner editing it would); a layer file in the workspace format (or a workbook with sheets named as layers) goes through
:func:`check_and_apply`.

The upload is written into a temporary copy of the workspace folder with ``workspace.toml``'s ``[layers]``
entry pointing at it, and that copy is read with :func:`outreach_planner.io.read_workspace` (every check the CLI
makes). Only when it reads without an error is the file copied into the workspace folder (as ``<layer><suffix>``)
and ``workspace.toml`` replaced (atomically; the previous one kept as ``workspace.toml.bak``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, InputWarning, Problem
from ..i18n import _

#: Layers a planner may replace from the desk.
LAYERS = ("villages", "schools", "home_visit_requests", "deliveries")
#: File types accepted for a layer.
SUFFIXES = (".csv", ".xlsx", ".geojson", ".gpkg")
#: The "layer" of a whole workbook: every sheet named as a layer replaces that layer.
WORKBOOK = "workbook"
WORKBOOK_FILE = "workspace.xlsx"
_lock = threading.Lock()


def _toml_with_layer(text: str, layer: str, file_name: str) -> str:
    """``workspace.toml`` text with ``[layers] <layer>`` set to ``file_name`` (a one-line entry, added if missing)."""
    lines = text.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "[layers]")
    except StopIteration:
        raise InputError(_("desk.no_layers", id="workspace.toml tidak punya bagian [layers] untuk {layer}",
                           en="workspace.toml has no [layers] section to put {layer} in", layer=layer)) from None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    entry = f'{layer} = "{file_name}"'
    key = re.compile(rf"^\s*{re.escape(layer)}\s*=")
    for i in range(start + 1, end):
        if key.match(lines[i]):
            value = lines[i].split("=", 1)[1].strip()
            if value.startswith("{") and not value.rstrip().endswith("}"):
                raise InputError(_("desk.layer_multiline", id="workspace.toml: isian [layers] untuk {layer} lebih dari "
                                   "satu baris; ubah secara manual", en="workspace.toml: the [layers] entry of {layer} "
                                   "spans several lines; edit it by hand", layer=layer))
            lines[i] = entry
            break
    else:
        lines.insert(end, entry)
    return "\n".join(lines) + "\n"


def file_name(layer: str, suffix: str) -> str:
    """The name the upload gets in the workspace folder."""
    return WORKBOOK_FILE if layer == WORKBOOK else f"{layer}{suffix}"


def _workbook_layers(data: bytes) -> list[str]:
    import io

    import openpyxl

    try:
        names = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    except Exception:  # noqa: BLE001 - not a workbook openpyxl reads
        names = []
    found = [name for name in LAYERS if name in names]
    if not found:
        raise InputError([Problem(WORKBOOK_FILE, "", "sheet", ", ".join(names) or None,
                                  _("desk.no_layer_sheet", id="tidak ada lembar yang bernama seperti layer; beri nama "
                                    "lembar {names}", en="no sheet is named as a layer; name the sheets {names}",
                                    names=", ".join(LAYERS)))])
    return found


def _stage(folder: Path, tmp: Path, layer: str, suffix: str, data: bytes) -> Path:
    """A copy of the workspace in ``tmp`` with the upload as ``layer`` (or every layer of a workbook)."""
    stage = tmp / "ws"
    shutil.copytree(folder, stage, ignore=shutil.ignore_patterns(".cache", "ledger.sqlite*", "out", "*.bak"))
    name = file_name(layer, suffix)
    layers = _workbook_layers(data) if layer == WORKBOOK else [layer]
    (stage / name).write_bytes(data)
    toml = stage / "workspace.toml"
    text = toml.read_text(encoding="utf-8-sig")
    for one in layers:  # a workbook's sheet is found by the layer's name (the default of `sheet`)
        text = _toml_with_layer(text, one, name)
    toml.write_text(text, encoding="utf-8")
    return stage


def check_and_apply(folder: Path, layer: str, suffix: str, data: bytes) -> tuple[list, list[str], object | None]:
    """(problems, warnings, the new workspace or None). Applies the upload only when there is no problem."""
    from ..io import read_workspace

    if layer not in (*LAYERS, WORKBOOK) or suffix not in SUFFIXES or (layer == WORKBOOK and suffix != ".xlsx"):
        raise ValueError(_("desk.unknown_layer", id="layer atau jenis berkas tidak dikenal",
                           en="unknown layer or file type"))
    with _lock, tempfile.TemporaryDirectory(prefix="desk-data-") as tmp:
        try:
            stage = _stage(folder, Path(tmp), layer, suffix, data)
        except InputError as exc:
            return exc.problems, [], None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            try:
                ws = read_workspace(stage)
            except InputError as exc:
                return exc.problems, [str(w.message) for w in caught], None
        said = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
        # valid: the file, then workspace.toml (atomic replace; the previous one kept as workspace.toml.bak)
        name = file_name(layer, suffix)
        part = folder / f".{name}.desk-tmp"
        part.write_bytes(data)
        os.replace(part, folder / name)
        toml = folder / "workspace.toml"
        shutil.copy2(toml, folder / "workspace.toml.bak")
        new = folder / ".workspace.toml.desk-tmp"
        new.write_text((stage / "workspace.toml").read_text(encoding="utf-8"), encoding="utf-8")
        os.replace(new, toml)
        return [], said, ws


def template_workbook(ws, text: dict) -> bytes:
    """The desk's Excel template (:mod:`.template`): Indonesian sheets and headers, the workspace's rows, data
    validation."""
    from .template import template_workbook as build

    return build(ws, text)


# --------------------------------------------------------------------------- the template and office tables
# A filled template, an office's own table (.xlsx or .csv) and every later decision on its unmatched rows come in
# through the office import (io.office_import.import_counts), run in a staging copy of the workspace; the copy is
# then read with read_workspace, and only when both say nothing is wrong are its changed files copied back.

#: A stored upload waiting for decisions: ``<state>/uploads/<token>.bin`` (+ ``.json``: the shown name). It may
#: hold residents' names and NIKs: the folder is its owner's only (0o700), each file too (0o600); it is deleted
#: when its decisions are applied, when the planner cancels, when it can no longer be decided (problems), and
#: :data:`UPLOAD_HOURS` after it came (at the next upload, decision, or start of the desk). Nothing of it is logged.
TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_HOURS = 12


@dataclass
class Found:
    """What an upload through the import found (nothing is written unless ``applied``)."""

    problems: list[dict] = field(default_factory=list)  # file, sheet, row, column, value, message
    notes: list[str] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)  # sheet, column, header, target (the proposed mapping)
    kind: str = ""
    unresolved: list[dict] = field(default_factory=list)  # key, sheet, row, code, name, kecamatan, suggestion, pick
    applied: dict | None = None  # layer -> rows written


def sheet_names(data: bytes) -> list[str]:
    import io

    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    except Exception:  # noqa: BLE001 - not a workbook openpyxl reads: the import says what is wrong
        return []


def upload_kind(suffix: str, data: bytes) -> str:
    """``template`` (the desk's template: its hidden list sheet, or two of its sheet names), ``workbook`` (sheets
    named as layers: the reader's own columns) or ``office`` (any other table, e.g. an office's one sheet named
    "Desa": the import finds its header)."""
    from .template import LISTS, SHEETS

    names = sheet_names(data) if suffix == ".xlsx" else []
    if (LISTS in names and set(names) & set(SHEETS.values())) or len(set(names) & set(SHEETS.values())) >= 2:
        return "template"
    if set(names) & set(LAYERS):
        return WORKBOOK
    return "office"


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^0-9A-Za-z_-]+", "_", Path(name or "").stem).strip("_")[:60]
    return stem or "upload"


def uploads_dir(state_dir: Path) -> Path:
    """``<state>/uploads``, created for its owner only (made so again when it exists with wider rights)."""
    d = Path(state_dir) / "uploads"
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    if d.stat().st_mode & 0o777 != 0o700:
        os.chmod(d, 0o700)
    return d


def prune_uploads(state_dir: Path, now: float | None = None) -> None:
    """Delete stored uploads older than :data:`UPLOAD_HOURS` (``now``: seconds since the epoch, for tests)."""
    import time

    d = Path(state_dir) / "uploads"
    if not d.is_dir():
        return
    now = time.time() if now is None else now
    for old in d.iterdir():
        try:
            if old.is_file() and now - old.stat().st_mtime > UPLOAD_HOURS * 3600:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # removed meanwhile (another request)
            continue


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def store_upload(state_dir: Path, data: bytes, suffix: str, shown: str) -> str:
    """Keep an upload that waits for decisions; its token. Expired uploads are removed first."""
    import json
    import secrets

    prune_uploads(state_dir)
    d = uploads_dir(state_dir)
    token = secrets.token_hex(16)
    _write_private(d / f"{token}.json", json.dumps({"name": shown, "suffix": suffix}).encode("utf-8"))
    _write_private(d / f"{token}.bin", data)
    return token


def load_upload(state_dir: Path, token: str) -> tuple[bytes, str, str] | None:
    """(data, suffix, shown name) of a stored upload, or None (unknown token, expired, or cancelled)."""
    import json

    if not TOKEN.match(token or ""):
        return None
    prune_uploads(state_dir)
    d = Path(state_dir) / "uploads"
    try:
        meta = json.loads((d / f"{token}.json").read_text(encoding="utf-8"))
        data = (d / f"{token}.bin").read_bytes()
    except (FileNotFoundError, ValueError):
        return None
    if meta.get("suffix") not in (".xlsx", ".csv"):
        return None
    return data, meta["suffix"], str(meta.get("name", ""))


def drop_upload(state_dir: Path, token: str) -> bool:
    """Delete a stored upload; whether there was one."""
    found = False
    if TOKEN.match(token or ""):
        for ext in (".json", ".bin"):
            path = Path(state_dir) / "uploads" / f"{token}{ext}"
            found = path.is_file() or found
            path.unlink(missing_ok=True)
    return found


def _where(where: str) -> tuple[str, str]:
    """``"Desa row 5"`` / ``"Desa baris 5"`` -> ("Desa", "5"); ``"row 4 (code ...)"`` -> ("", "4 (code ...)").

    The import's locations are in the user's language (``import.where_row``, ``import.where_sheet_row``)."""
    m = re.match(r"^(?:(.*?) )?(?:row|baris) (\d+.*)$", where or "")
    return (m.group(1) or "", m.group(2)) if m else ("", where or "")


def _read_mapping(path: Path) -> list[dict]:
    """A mapping file of the import, keyed by the import's English names (its headers are Indonesian)."""
    from ..io.office_import import read_mapping

    return read_mapping(path)


def _decide(row_file: Path, decisions: dict[tuple[str, str], str]) -> None:
    """Write the page's decisions into the import's row mapping (``kode_desa``, or ``skip`` in ``keputusan``),
    as a planner editing the file would; the import then reads them."""
    from ..io.office_import import ROW_HEADERS, _write_csv

    rows = _read_mapping(row_file)
    if not rows:
        return
    for r in rows:
        choice = decisions.get((r.get("sheet", ""), r.get("row", "")))
        if choice == "skip":
            r["decision"] = "skip"
        elif choice:
            r["village_code"], r["decision"] = choice, "ok"
    _write_csv(row_file, ROW_HEADERS, rows)


def _copy_stage(folder: Path, tmp: Path) -> Path:
    stage = tmp / "ws"
    shutil.copytree(folder, stage, ignore=shutil.ignore_patterns(".cache", "ledger.sqlite*", "out", "*.bak",
                                                                 ".*.desk-tmp"))
    return stage


def _changed(folder: Path, stage: Path, with_import: bool) -> list[str]:
    """Files of the stage (top level, and ``import/`` when ``with_import``) that are new or differ."""
    names = [p.name for p in stage.iterdir() if p.is_file()]
    if with_import and (stage / "import").is_dir():
        names += [f"import/{p.name}" for p in (stage / "import").iterdir() if p.is_file()]
    return sorted(n for n in names if not (folder / n).is_file() or (folder / n).read_bytes() != (stage / n).read_bytes())


def _apply(folder: Path, stage: Path, names: list[str]) -> None:
    """Copy the changed files into the workspace, each by an atomic replace; ``workspace.toml`` last (the
    previous one kept as ``workspace.toml.bak``)."""
    for name in sorted(names, key=lambda n: n == "workspace.toml"):
        target = folder / name
        target.parent.mkdir(exist_ok=True)
        if name == "workspace.toml":
            shutil.copy2(target, folder / "workspace.toml.bak")
        part = target.with_name(f".{target.name}.desk-tmp")
        part.write_bytes((stage / name).read_bytes())
        os.replace(part, target)


def import_upload(folder: Path, data: bytes, suffix: str, shown: str, text: dict,
                  decisions: dict[tuple[str, str], str] | None = None) -> Found:
    """Bring a filled template or an office table in through the office import, in a staging copy; apply the
    staged changes only when the import wrote every layer and the copy reads without a problem.

    The whole file goes to the import, as on the CLI (``outreach-planner import``): the import tells each sheet's
    kind from its headers and imports a workbook with several (the template) sheet by sheet, villages first."""
    from ..io import office_import, read_workspace

    found = Found()
    template = upload_kind(suffix, data) == "template"
    with _lock, tempfile.TemporaryDirectory(prefix="desk-import-") as tmp:
        tmp = Path(tmp)
        stage = _copy_stage(folder, tmp)
        src = tmp / "src"
        src.mkdir()
        path = src / f"{_safe_stem(shown)}{suffix}"
        path.write_bytes(data)
        names = {path.name: shown}
        written: dict[str, int] = {}

        def problem_rows(problems, header_of) -> None:
            for p in problems:
                sheet, row = _where(p.where)
                label = header_of.get((sheet, p.field)) or text["targets"].get(p.field, p.field)
                found.problems.append({"file": names.get(Path(p.source or "").name, Path(p.source or "").name),
                                       "sheet": sheet, "row": row, "column": label,
                                       "value": "" if p.value is None else p.value, "message": p.message})

        col_file, row_file = office_import.mapping_paths(stage, path)
        res = None
        try:
            if decisions and not template:
                office_import.import_counts(stage, path)  # the proposal, then the page's decisions in it
                _decide(row_file, decisions)
            res = office_import.import_counts(stage, path)
        except InputError as exc:
            header_of = {(c["sheet"], c["maps_to"]): c["header_in_file"] for c in _read_mapping(col_file)}
            problem_rows(exc.problems, header_of)
            if not template:
                found.columns = _read_mapping(col_file)
            if not template and len(exc.problems) == 1 and not exc.problems[0].where and not exc.problems[0].field:
                found.notes.append(text["fix_layer_file"])  # no header found: perhaps a layer file
            res = getattr(exc, "result", None)  # what the import found besides its problems (its rows)
        if res is not None:
            mapping = _read_mapping(col_file)
            header_of = {(c["sheet"], c["maps_to"]): c["header_in_file"] for c in mapping}
            if not template:
                found.columns, found.kind = mapping, res.kind
            fuzzy = [r for r in res.rows if r.match == "fuzzy"]
            if fuzzy:
                known = {v.code: v.name for v in (read_workspace_quiet(stage) or _NoWs).villages}
                found.notes += [text["fuzzy_note"].format(sheet=shown if suffix == ".csv" else r.sheet, row=r.row, name=r.name, code=r.village_code,
                                                          village=known.get(r.village_code, ""), score=r.score)
                                for r in fuzzy]
            if template:  # the template's codes come from a list: a code not in it is a mistake to fix
                for r in res.rows:
                    if r.match != "code" and r.decision != "skip":
                        found.problems.append({"file": shown, "sheet": r.sheet, "row": str(r.row),
                                               "column": header_of.get((r.sheet, "village_code"), "KODE DESA"),
                                               "value": r.code or r.name, "message": text["fix_code"]})
            if not res.written:
                if not template and not found.problems:  # the values first: the decisions come after
                    found.unresolved = [{"key": f"{r.sheet}\t{r.row}", "sheet": r.sheet, "row": r.row, "code": r.code,
                                         "name": r.name, "kecamatan": r.kecamatan, "suggestion": r.suggestion,
                                         "picks": _codes(r.suggestion)} for r in res.unresolved]
            else:
                written = {p.kind: p.updated for p in res.parts}
        if not template and suffix == ".csv":  # a CSV's one "sheet" is named after the staged file: show none
            staged = _safe_stem(shown)
            for r in (*found.problems, *found.unresolved, *found.columns):
                if r.get("sheet") == staged:
                    r["sheet_shown"] = ""
        if found.problems or found.unresolved:
            return found
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            try:
                read_workspace(stage)
            except InputError as exc:
                from .state import new_problems, problems_now, same_problems

                # a workspace not complete yet (a new regency): applied when the upload adds no problem (the counts
                # of another service may still be missing; the banner says so)
                before = problems_now(folder)
                added = new_problems(exc.problems, before)
                if added:
                    problem_rows(added, {})
                    return found
                if same_problems(before, exc.problems):  # it fixed nothing: e.g. a template with no count typed
                    found.problems.append({"file": shown, "sheet": "", "row": "", "column": "", "value": "",
                                           "message": text["nothing_new"]})
                    return found
        found.notes += [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
        _apply(folder, stage, _changed(folder, stage, with_import=not template))
        found.applied = written
        return found


def read_workspace_quiet(folder: Path):
    from ..io import read_workspace

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        try:
            return read_workspace(folder)
        except InputError:
            return None


def _codes(suggestion: str) -> list[str]:
    """The village codes an import suggestion names, in its order (offered first in the row's drop-down)."""
    return list(dict.fromkeys(re.findall(r"\b\d{2}\.\d{2}\.\d{2}\.\d{4}\b", suggestion or "")))


class _NoWs:
    villages: tuple = ()
