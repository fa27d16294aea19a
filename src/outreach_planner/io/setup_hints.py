"""What a new workspace still lacks, said plainly (for ``check`` after ``init``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..i18n import _

_COUNT_SUFFIXES = ("_eligible", "_covered")


def missing_counts(exc: InputError) -> dict[str, int | None]:
    """Service id -> number of villages without its counts (None: the column is missing, so every village)."""
    whole: dict[str, None] = {}  # in the order of the problems (the services' order)
    some: dict[str, set[str]] = {}
    for p in exc.problems:
        fields = [f.strip() for f in str(p.field).split(",")]
        counts = [f for f in fields if f.endswith(_COUNT_SUFFIXES)]
        if not counts:
            continue
        if str(p.message).startswith("missing column"):
            whole.update(dict.fromkeys(f.rsplit("_", 1)[0] for f in counts))
        elif p.message == "required value is empty":
            for f in counts:
                some.setdefault(f.rsplit("_", 1)[0], set()).add(p.where)
    out: dict[str, int | None] = dict(whole)
    out.update({sid: len(w) for sid, w in some.items() if sid not in whole})
    return out


def missing_counts_hint(exc: InputError, workspace: Path) -> str | None:
    """A hint naming the counts still to bring in (per service: every village, or how many) and the next step,
    or None when no count is missing."""
    missing = missing_counts(exc)
    if not missing:
        return None
    folder = workspace.parent if workspace.is_file() else workspace
    template = folder / "counts_template.xlsx"
    what = "; ".join(
        f"{sid}: " + (_("check.all_villages", id="semua desa", en="every village") if n is None else
                      _("check.n_villages", id="{n} desa", en="{n} villages", n=n))
        for sid, n in missing.items())
    return _("check.counts_missing",
             id="Yang masih kurang: jumlah per desa (wajib/sudah) untuk {what}. Isi {template} atau pakai "
                "tabel kantor sendiri, lalu: outreach-planner import {ws} FILE.xlsx",
             en="Still missing: the counts per village (eligible/covered) for {what}. Fill in {template} or use "
                "the office's own table, then: outreach-planner import {ws} FILE.xlsx",
             what=what, template=template if template.is_file() else "counts_template.xlsx", ws=folder)
