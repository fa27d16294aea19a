"""The province file and the jobs of ``plan-many`` (plain data only)."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..i18n import _

#: What the input hash leaves out of a workspace folder: caches, ledgers, outputs, hidden files.
_SKIP_DIRS = {".cache", "out", "__pycache__"}
_SKIP_FILES = ("ledger.sqlite",)


@dataclass(frozen=True)
class RegencyEntry:
    """One ``[[regencies]]`` entry of a province file."""

    code: str
    name: str
    workspace: Path  # absolute folder

    @property
    def folder_name(self) -> str:
        """The name of this regency's output folder: ``<code>_<workspace folder name>`` (unique per code)."""
        base = self.workspace.name
        return base if base.startswith(self.code) else f"{self.code}_{base}"


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    folder: Path
    regencies: tuple[RegencyEntry, ...]


def read_province(path: str | Path) -> Province:
    """Read ``province.toml`` (a folder holding one, or the file). Problems raise :class:`InputError`."""
    path = Path(path)
    toml_path = path / "province.toml" if path.is_dir() else path
    src = toml_path.name
    if not toml_path.is_file():
        raise InputError(_("province.missing", id="{path}: bukan berkas provinsi (folder berisi province.toml yang "
                           "mendaftar [[regencies]])", en="{path}: no province file (a folder with province.toml "
                           "listing [[regencies]])", path=toml_path))
    try:
        cfg = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(_("province.bad_toml", id="{path}: bukan berkas TOML yang sah: {exc}",
                           en="{path}: not a valid TOML file: {exc}", path=toml_path, exc=exc)) from None
    problems: list[Problem] = []
    prov = cfg.get("province", {})
    entries, seen = [], set()
    for n, r in enumerate(cfg.get("regencies", []), 1):
        where = f"[[regencies]] #{n}"
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) and r.get(k) for k in ("code", "workspace")):
            problems.append(Problem(src, where, "code/workspace", None,
                                    _("province.entry", id="setiap kabupaten butuh code dan workspace (teks)",
                                      en="each regency needs code and workspace (text)")))
            continue
        if r["code"] in seen:
            problems.append(Problem(src, where, "code", r["code"],
                                    _("province.duplicate", id="kode kabupaten ganda: {code}",
                                      en="duplicate regency code: {code}", code=r["code"])))
            continue
        seen.add(r["code"])
        entries.append(RegencyEntry(r["code"], str(r.get("name", r["code"])),
                                    Path(os.path.normpath(toml_path.parent.resolve() / r["workspace"]))))
    if not entries and not problems:
        problems.append(Problem(src, "[[regencies]]", "", None,
                                _("province.empty", id="provinsi ini tidak mendaftar satu kabupaten pun",
                                  en="the province lists no regency")))
    if problems:
        raise InputError(problems)
    return Province(str(prov.get("code", "")), str(prov.get("name", toml_path.parent.name)),
                    toml_path.parent.resolve(), tuple(entries))


def select(province: Province, codes: list[str] | None) -> tuple[RegencyEntry, ...]:
    """The regencies of ``codes`` (all when None), in the province's order; an unknown code raises InputError."""
    if not codes:
        return province.regencies
    known = {r.code: r for r in province.regencies}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(_("province.unknown_codes", id="--regencies: kode tidak dikenal {codes}; provinsi ini "
                           "mendaftar {known}", en="--regencies: unknown code(s) {codes}; the province lists {known}",
                           codes=", ".join(unknown), known=", ".join(known)))
    return tuple(r for r in province.regencies if r.code in set(codes))


def workspace_files(folder: Path) -> list[Path]:
    """The files of a workspace folder that are its input (no caches, ledgers, outputs, hidden files)."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for f in sorted(files):
            if not f.startswith(".") and not f.startswith(_SKIP_FILES):
                out.append(Path(root) / f)
    return out


def input_hash(workspace: Path, params: dict) -> str:
    """SHA-256 over the workspace files (relative names and bytes) and the job's parameters (week, limits,
    engine, language...): equal hashes mean the same plan inputs."""
    h = hashlib.sha256()
    for p in workspace_files(workspace):
        h.update(p.relative_to(workspace).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    for k in sorted(params):
        h.update(f"{k}={params[k]!r}\0".encode())
    return h.hexdigest()
