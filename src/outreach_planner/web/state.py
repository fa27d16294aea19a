"""The desk's view of its workspace folder when it is not (yet) a valid workspace.

A freshly ``init``-ed workspace has no counts; a hand-edited ``workspace.toml`` may have a problem. The desk still
opens such a folder: every page shows what ``check`` would say (the same functions: :func:`read_workspace`'s
problems, :func:`~outreach_planner.io.setup_hints.missing_counts` and
:func:`~outreach_planner.io.setup_hints.setup_notes`), and the pages that can work without complete data (the
data page: the template with the folder's villages and the upload; the teams & calendar page) work on a
:class:`Draft`: what ``workspace.toml`` and the villages layer say, read by the package's own readers
(:func:`outreach_planner.io.read.read_settings`, the office import's villages layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from ..errors import InputError


class Incomplete(Exception):
    """Raised by the desk's workspace holder when a page needs a complete, valid workspace."""


@dataclass
class Findings:
    """What ``check`` says about the folder: its problems (none when valid), the counts still missing per
    service (None: every village), the other problems, and the notes on ``init``'s placeholders."""

    problems: list = field(default_factory=list)
    missing: dict = field(default_factory=dict)
    other: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def findings_of(exc: InputError | None, ws=None) -> Findings:
    from ..io.setup_hints import missing_counts, other_problems, setup_notes

    if exc is None:
        return Findings(notes=list(setup_notes(ws)) if ws is not None else [])
    return Findings(problems=list(exc.problems), missing=missing_counts(exc), other=other_problems(exc))


def _count(v) -> int | None:
    try:
        return None if v in (None, "") else int(float(v))
    except (TypeError, ValueError):
        return None


def draft(folder: Path) -> SimpleNamespace:
    """What the folder holds although it is not a valid workspace: the parts of ``workspace.toml`` that read and
    the villages of its villages layer (code, name, kecamatan, point, the counts there are), as the office import
    reads them. Enough for the template, the page header and the teams page; never for coverage or a plan."""
    from ..io.office_import import _load_villages, _stop_point, _villages_layer
    from ..io.read import read_settings
    from ..model import TravelConfig

    try:
        parts, _problems = read_settings(folder)
    except InputError:
        parts = {}
    services = tuple(parts.get("services") or ())
    villages = []
    try:
        data = _load_villages(_villages_layer(folder))
        for f in data.get("features", []):
            p = f.get("properties") or {}
            try:
                lon, lat = _stop_point(f)
            except Exception:  # noqa: BLE001 - a village without point or geometry: no point in the template
                lon = lat = None
            villages.append(SimpleNamespace(
                code=str(p.get("code", "")), name=str(p.get("name", "")), district_code=str(p.get("district_code", "")),
                district_name=str(p.get("district_name", "")), lon=lon, lat=lat,
                eligible={s.id: _count(p.get(f"{s.id}_eligible")) for s in services},
                covered={s.id: _count(p.get(f"{s.id}_covered")) for s in services}))
    except (InputError, OSError, ValueError, KeyError, TypeError, AttributeError):
        villages = []  # no villages layer the import reads: the banner says what is wrong with it
    regency = parts.get("regency") or SimpleNamespace(code="", name=folder.name, timezone="Asia/Makassar")
    return SimpleNamespace(regency=regency, services=services, depots=tuple(parts.get("depots") or ()),
                           teams=tuple(parts.get("teams") or ()), travel=parts.get("travel") or TravelConfig(),
                           villages=[v for v in villages if v.code], schools=(), requests=(), deliveries=(),
                           draft=True)


def in_language(text, lang: str) -> str:
    """A package message (:class:`~outreach_planner.i18n.Message`) in ``lang``: the desk reads the folder once, in
    the language of the request that found it changed, and shows its findings in each page's language."""
    from ..i18n import SEEN

    key = getattr(text, "key", "")
    if not key or key not in SEEN or lang not in SEEN[key]:
        return "" if text is None else str(text)
    values = {k: in_language(v, lang) if getattr(v, "key", "") else v for k, v in getattr(text, "values", {}).items()}
    try:
        return SEEN[key][lang].format(**values)
    except (KeyError, IndexError, ValueError):
        return str(text)


#: Where a problem of workspace.toml is fixed on the desk: teams and the calendar on the teams & calendar page.
_SETTINGS_PARTS = ("[[teams]]", "[calendar]", "team ", "tim ", "[teams]")
#: Rows of other problems the banner shows (the rest are counted).
BANNER_ROWS = 12


def banner(f: Findings, s: dict, lang: str, services=()) -> dict | None:
    """The banner of every page for findings ``f`` in the page's strings ``s``; None for a complete workspace
    without notes."""
    if f.complete and not f.notes:
        return None
    names = {x.id: x for x in services}
    counts = None
    if f.missing:
        from ..render.strings import short_service

        what = "; ".join(f"{short_service(sid) if sid in names else sid}: "
                         + (s["every_village"] if n is None else s["n_villages"].format(n=n))
                         for sid, n in f.missing.items())
        counts = s["banner_counts"].format(what=what)
    rows = []
    for p in f.other[:BANNER_ROWS]:
        source, where = str(p.source or ""), str(p.where or "")
        toml = source.startswith("workspace.toml") or source.endswith("workspace.toml")
        if toml and any(k in f"{source} {where}" for k in _SETTINGS_PARTS):
            link = ("/settings", s["banner_go_settings"])
        elif toml:
            link = (None, s["banner_fix_toml"])
        else:
            link = ("/data", s["banner_go_data"])
        rows.append({"file": Path(source).name if "/" in source else source, "where": in_language(p.where, lang),
                     "field": str(p.field or ""), "value": "" if p.value is None else str(p.value),
                     "message": in_language(p.message, lang), "href": link[0], "fix": link[1]})
    return {"complete": f.complete, "counts": counts, "rows": rows, "more": max(0, len(f.other) - BANNER_ROWS),
            "notes": [{"text": in_language(n, lang), "href": "/settings" if getattr(n, "key", "") == "check.example_team"
                       else None} for n in f.notes]}


def _key(p) -> tuple:
    return (str(p.source or ""), str(p.where or ""), str(p.field or ""), str(p.value), str(p.message))


def problems_now(folder: Path) -> list:
    """The problems ``check`` finds in ``folder`` now (empty: a valid workspace)."""
    import warnings

    from ..errors import InputWarning
    from ..io import read_workspace

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        try:
            read_workspace(folder)
        except InputError as exc:
            return list(exc.problems)
    return []


def new_problems(after, before) -> list:
    """The problems of ``after`` that ``before`` does not have: a change to a workspace that is not complete yet
    (a new regency without counts) is saved when it adds no problem of its own. When counts were missing before,
    no missing count is new: the reader names a missing count column before the empty cells of another (so
    empty KIA cells show only once the akta column is there), and neither an import nor a settings form removes
    a count."""
    from ..io.setup_hints import count_problem

    seen = {_key(p) for p in before}
    counts_missing = any(count_problem(p)[0] for p in before)
    return [p for p in after if _key(p) not in seen and not (counts_missing and count_problem(p)[0])]


def same_problems(a, b) -> bool:
    """Whether the two lists name the same problems (an upload that fixed nothing)."""
    return {_key(p) for p in a} == {_key(p) for p in b}
