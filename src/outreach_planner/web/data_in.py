"""Data in for the desk: a layer file checked in a staging copy of the workspace, applied only when valid.

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


def template_workbook(ws, folder: Path) -> bytes:
    """The workspace's layers as one Excel workbook (a sheet per layer, the columns ``read`` expects)."""
    from ..io import write_workspace

    with tempfile.TemporaryDirectory(prefix="desk-template-") as tmp:
        out = write_workspace(ws, Path(tmp) / "ws", "xlsx", source=folder)
        return (Path(out) / "workspace.xlsx").read_bytes()
