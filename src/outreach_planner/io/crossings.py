"""The optional ``crossings`` layer (CSV): sea crossings between land masses, port to port.

Columns: ``id``, ``name``, ``from_name``, ``from_lon``, ``from_lat``, ``to_name``, ``to_lon``, ``to_lat``,
``duration_minutes`` (required); ``vehicles`` (profiles carried, ``;``-separated; default ``car;motorbike``),
``departures`` (``HH:MM`` times, ``;``-separated; empty: on demand), ``approximate`` (``true``/``false``).
Every bad cell is collected (file, row, field, value, what is allowed); nothing is raised here.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..model import Crossing

REQUIRED = ("id", "name", "from_name", "from_lon", "from_lat", "to_name", "to_lon", "to_lat", "duration_minutes")
OPTIONAL = ("vehicles", "departures", "approximate")


def _hhmm(text: str) -> int:
    h, m = text.strip().split(":")
    if not (0 <= int(h) <= 23 and 0 <= int(m) <= 59):
        raise ValueError(text)
    return int(h) * 60 + int(m)


def read_crossings(root: Path, spec: Any, add) -> tuple[Crossing, ...]:
    """Read the crossings CSV named by ``spec`` (a path relative to ``root``, or ``{path = ...}``).

    ``add(source, where, field, value, message)`` collects a problem.
    """
    rel = spec if isinstance(spec, str) else dict(spec).get("path", "")
    path = Path(root) / str(rel)
    if not path.is_file():
        add("workspace.toml", "[layers] crossings", "path", str(rel), f"file not found: {path}")
        return ()
    if path.suffix.lower() != ".csv":
        add("workspace.toml", "[layers] crossings", "path", str(rel), "the crossings layer must be a .csv file")
        return ()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
        header = rows[0].keys() if rows else []
    missing = [c for c in REQUIRED if rows and c not in header]
    if missing:
        add(path.name, "header", ", ".join(missing), None, f"required column(s) missing; needed: {', '.join(REQUIRED)}")
        return ()
    out: list[Crossing] = []
    seen: set[str] = set()
    for n, r in enumerate(rows, 2):
        where = f"row {n}" + (f" (crossing {r.get('id')!r})" if r.get("id") else "")
        data: dict[str, Any] = {k: (r.get(k) or "").strip() for k in REQUIRED}
        bad = False
        for k in ("from_lon", "from_lat", "to_lon", "to_lat", "duration_minutes"):
            try:
                data[k] = float(data[k])
            except ValueError:
                add(path.name, where, k, data[k], "not a number")
                bad = True
        vehicles = (r.get("vehicles") or "").strip()
        if vehicles:
            data["vehicles"] = tuple(v.strip() for v in vehicles.split(";") if v.strip())
        deps = (r.get("departures") or "").strip()
        if deps:
            try:
                data["departures"] = tuple(sorted(_hhmm(t) for t in deps.split(";") if t.strip()))
            except ValueError:
                add(path.name, where, "departures", deps, "departure times are HH:MM separated by ';' (e.g. 07:00; 13:30)")
                bad = True
        appr = (r.get("approximate") or "").strip().lower()
        if appr:
            if appr not in ("true", "false"):
                add(path.name, where, "approximate", appr, "true or false")
                bad = True
            data["approximate"] = appr == "true"
        if bad:
            continue
        if data["id"] in seen:
            add(path.name, where, "id", data["id"], f"duplicate crossing id: {data['id']}")
            continue
        seen.add(data["id"])
        try:
            out.append(Crossing(**data))
        except ValidationError as err:
            for e in err.errors():
                fld = ".".join(str(x) for x in e["loc"]) or "row"
                add(path.name, where, fld, data.get(fld), e["msg"])
    return tuple(out)


def write_crossings(crossings, path: Path) -> None:
    """Write ``crossings`` as the CSV :func:`read_crossings` reads (``convert`` keeps the layer as CSV)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REQUIRED + OPTIONAL)
        for c in crossings:
            w.writerow([c.id, c.name, c.from_name, repr(c.from_lon), repr(c.from_lat), c.to_name, repr(c.to_lon),
                        repr(c.to_lat), f"{c.duration_minutes:g}", ";".join(c.vehicles),
                        ";".join(f"{m // 60:02d}:{m % 60:02d}" for m in c.departures), str(c.approximate).lower()])


__all__ = ["read_crossings", "write_crossings"]
