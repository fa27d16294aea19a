"""What a new workspace still lacks, said plainly (for ``check`` after ``init``)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..i18n import _

_COUNT_SUFFIXES = ("_eligible", "_covered")


def _made_by(message: object, key: str) -> bool:
    """Whether ``message`` is the text of message ``key`` of :mod:`~outreach_planner.io.read`, in either language."""
    from ..i18n import SEEN

    heads = [t.split("{")[0] for t in SEEN.get(key, {}).values()]
    return any(str(message).startswith(h) for h in heads if h)


def count_problem(p) -> tuple[str | None, list[str]]:
    """("whole", count fields) for a missing count column, ("some", fields) for empty counts of a village, else
    (None, [])."""
    fields = [f.strip() for f in str(p.field).split(",")]
    counts = [f for f in fields if f.endswith(_COUNT_SUFFIXES)]
    if counts and _made_by(p.message, "read.missing_columns"):
        return "whole", counts
    if counts and _made_by(p.message, "read.required_empty"):
        return "some", counts
    return None, []


def other_problems(exc: InputError) -> list:
    """The problems of ``exc`` that are not counts still to bring in (those :func:`missing_counts` sums up)."""
    return [p for p in exc.problems if count_problem(p)[0] is None]


#: up to this many villages are named (code and name) where a message counts them
NAMED_VILLAGES = 3
_CODE = re.compile(r"\b\d{2}\.\d{2}\.\d{2}\.\d{4}\b")


def _reference_names() -> dict[str, str]:
    """Village code -> name of the reference data the package ships (empty when there is none)."""
    import csv

    from ..reference import REFERENCE_ROOT

    names: dict[str, str] = {}
    for f in sorted(REFERENCE_ROOT.glob("*/villages.csv")):
        with open(f, encoding="utf-8") as fh:
            names.update((r["code"], r["name"]) for r in csv.DictReader(fh))
    return names


def name_villages(codes: list[str], names: dict[str, str] | None = None, most: int = NAMED_VILLAGES) -> str:
    """``74.09.01.2037 Oheo Trans, 74.09.12.2003 Labengki dan 5 lainnya``: the first ``most`` villages by code and
    name (``names``: code -> name; default the reference data's), then how many more."""
    names = _reference_names() if names is None else names
    shown = ", ".join(f"{c} {names[c]}" if names.get(c) else c for c in codes[:most])
    if len(codes) <= most:
        return shown
    return _("hint.and_more", id="{shown} dan {n} lainnya", en="{shown} and {n} more", shown=shown,
             n=len(codes) - most)


def missing_counts(exc: InputError) -> dict[str, int | None]:
    """Service id -> number of villages without its counts (None: the column is missing, so every village)."""
    return {sid: None if w is None else len(w) for sid, w in _missing_where(exc).items()}


def _missing_where(exc: InputError) -> dict[str, set[str] | None]:
    """Service id -> where (the problems' ``where``) its counts are missing; None: the column is missing."""
    whole: dict[str, None] = {}  # in the order of the problems (the services' order)
    some: dict[str, set[str]] = {}
    for p in exc.problems:
        how, counts = count_problem(p)
        if how == "whole":
            whole.update(dict.fromkeys(f.rsplit("_", 1)[0] for f in counts))
        elif how == "some":
            for f in counts:
                some.setdefault(f.rsplit("_", 1)[0], set()).add(p.where)
    out: dict[str, set[str] | None] = dict(whole)
    out.update({sid: w for sid, w in some.items() if sid not in whole})
    return out


def missing_counts_hint(exc: InputError, workspace: Path) -> str | None:
    """A hint naming the counts still to bring in (per service: every village, or how many) and the next step,
    or None when no count is missing."""
    missing = _missing_where(exc)
    if not missing:
        return None
    folder = workspace.parent if workspace.is_file() else workspace
    template = folder / "counts_template.xlsx"
    names: dict[str, str] | None = None

    def few(where: set[str]) -> str:  # a few villages by code and name, more by their number
        nonlocal names
        codes = sorted({m.group(0) for w in where for m in _CODE.finditer(str(w))})
        if not codes or len(codes) != len(where) or len(codes) > NAMED_VILLAGES:
            return _("check.n_villages", id="{n} desa", en="{n} villages", n=len(where))
        names = _reference_names() if names is None else names
        return _("check.n_villages_named", id="{n} desa ({which})", en="{n} village(s) ({which})", n=len(codes),
                 which=name_villages(codes, names))

    what = "; ".join(
        f"{sid}: " + (_("check.all_villages", id="semua desa", en="every village") if w is None else few(w))
        for sid, w in missing.items())
    return _("check.counts_missing",
             id="Yang masih kurang: jumlah per desa (wajib/sudah) untuk {what}. Isi {template} atau pakai "
                "tabel kantor sendiri, lalu: outreach-planner import {ws} FILE.xlsx",
             en="Still missing: the counts per village (eligible/covered) for {what}. Fill in {template} or use "
                "the office's own table, then: outreach-planner import {ws} FILE.xlsx",
             what=what, template=template if template.is_file() else "counts_template.xlsx", ws=folder)


#: What ``init`` writes as placeholders (see io/init_workspace.py): the depot's name suffix and the example team.
APPROXIMATE_MARK = "(lokasi perkiraan)"
EXAMPLE_MEMBERS = ("Petugas 1", "Petugas 2")


def setup_notes(ws) -> list[str]:
    """Placeholders of ``init`` still in a valid workspace: an approximate office point, the example team."""
    notes = []
    for d in ws.depots:
        if d.name.endswith(APPROXIMATE_MARK):
            notes.append(_("check.office_approx", id="kantor {depot}: titiknya masih perkiraan (lon={lon}, "
                           "lat={lat}); ganti dengan posisi sebenarnya di workspace.toml",
                           en="office {depot}: its point is still approximate (lon={lon}, lat={lat}); put the "
                           "real position in workspace.toml", depot=d.id, lon=d.lon, lat=d.lat))
    zero = [v.code for v in ws.villages if v.population == 0]
    if zero:  # told once, by check (the population is a figure for people: the plan uses the counts)
        notes.append(_("check.population_0", id="{n} desa berjumlah penduduk 0 ({which}): angka penduduk hanya "
                       "keterangan (rencana memakai jumlah wajib/sudah), jadi boleh dibiarkan; isi kolom population "
                       "di berkas desa bila kantor tahu angkanya", en="{n} village(s) with a population of 0 "
                       "({which}): the population is for information only (the plan uses the eligible/covered "
                       "counts), so it may stay; fill in the population column of the villages file if the office "
                       "knows the figure", n=len(zero),
                       which=name_villages(zero, {v.code: v.name for v in ws.villages})))
    for t in ws.teams:
        if tuple(t.members) == EXAMPLE_MEMBERS:
            notes.append(_("check.example_team", id="tim {t} masih tim CONTOH dari init; ganti dengan tim kantor",
                           en="team {t} is still the EXAMPLE team of init; replace it with the office's teams",
                           t=t.id))
    return notes
