"""What a new workspace still lacks, said plainly (for ``check`` after ``init``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..i18n import _


def missing_counts_hint(exc: InputError, workspace: Path) -> str | None:
    """A hint naming the next step when the only thing wrong is counts not yet brought in (columns
    ``<service>_eligible``/``_covered`` missing or empty), else None."""
    counts = [p for p in exc.problems if any(f.strip().endswith(("_eligible", "_covered"))
                                             for f in str(p.field).split(","))]
    if not counts:
        return None
    folder = workspace.parent if workspace.is_file() else workspace
    villages = {p.where for p in counts if p.where}
    template = folder / "counts_template.xlsx"
    return _("check.counts_missing",
             id="Yang masih kurang: jumlah per desa (wajib/sudah) untuk {what}. Isi {template} atau pakai "
                "tabel kantor sendiri, lalu: outreach-planner import {ws} FILE.xlsx",
             en="Still missing: the counts per village (eligible/covered) for {what}. Fill in {template} or use "
                "the office's own table, then: outreach-planner import {ws} FILE.xlsx",
             what=(_("check.all_villages", id="semua desa", en="every village") if not villages else
                   _("check.n_villages", id="{n} desa", en="{n} villages", n=len(villages))),
             template=template if template.is_file() else "counts_template.xlsx", ws=folder)
