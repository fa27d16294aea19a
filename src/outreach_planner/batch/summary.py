"""The province summary of ``plan-many``: one row per regency and service (CSV) and a Markdown report."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

COLUMNS = ["code", "regency", "status", "service", "target", "eligible", "coverage_before", "coverage_after",
           "people_expected", "still_needed_after", "scheduled_visits", "candidate_visits", "value",
           "travel_hours", "distance_km", "travel_model", "engine", "solve_s", "outputs", "errors"]


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def rows(results: list[dict]) -> list[dict]:
    """The CSV rows: per planned regency one row per service; a regency that did not plan: one row."""
    out = []
    for r in results:
        common = {"code": r["code"], "regency": r.get("name", ""), "status": r.get("status_now", r["status"]),
                  "outputs": r.get("dest", "")}
        if r["status"] != "planned":
            out.append(dict(common, errors=" | ".join(r.get("errors", []))))
            continue
        for c in r.get("coverage") or []:
            out.append(dict(common, service=c["service"], target=c["target"], eligible=c["eligible"],
                            coverage_before=c["before"], coverage_after=c["after"],
                            people_expected=c["expected_people"], still_needed_after=c["still_needed_after"],
                            scheduled_visits=r.get("scheduled"), candidate_visits=r.get("candidates"),
                            value=r.get("value"), travel_hours=r.get("travel_hours"),
                            distance_km=r.get("distance_km"),
                            travel_model=r.get("travel_model", "") + (" (perkiraan: straight lines)"
                                                                      if r.get("estimate") else ""),
                            engine=r.get("engine"), solve_s=r.get("solve_s"), errors=""))
    return out


def write_summary(results: list[dict], out: Path, week: str, province_name: str) -> dict[str, Path]:
    """Write ``out/province_<week>.csv`` and ``.md`` (each replaced atomically); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows(results))
    csv_path, md_path = out / f"province_{week}.csv", out / f"province_{week}.md"
    _write_atomic(csv_path, buf.getvalue())
    _write_atomic(md_path, markdown(results, week, province_name))
    return {"csv": csv_path, "md": md_path}


def markdown(results: list[dict], week: str, province_name: str) -> str:
    ok = [r for r in results if r["status"] == "planned"]
    bad = [r for r in results if r["status"] != "planned"]
    services = []
    for r in ok:
        for c in r.get("coverage") or []:
            if c["service"] not in services:
                services.append(c["service"])
    lines = [f"# {province_name}: plan of {week}", "",
             f"{len(ok)} of {len(results)} regencies planned"
             + (f", {len(bad)} not planned (see Failures)" if bad else "") + ".", ""]
    tot = {s: [0, 0.0, 0.0, 0, 0] for s in services}  # eligible, covered before, after, expected, still needed
    for r in ok:
        for c in r["coverage"]:
            t = tot[c["service"]]
            t[0] += c["eligible"]
            t[1] += c["before"] * c["eligible"]
            t[2] += c["after"] * c["eligible"]
            t[3] += c["expected_people"]
            t[4] += c["still_needed_after"]
    if ok:
        lines += ["## Province, per target (planned regencies)", "",
                  "| service | target | eligible | before | after | people expected | still needed after |",
                  "|---|---|---|---|---|---|---|"]
        targets = {c["service"]: c["target"] for r in ok for c in r["coverage"]}
        for s, (e, b, a, x, need) in tot.items():
            lines.append(f"| {s} | {targets[s]:.0%} | {e:,} | {b / max(e, 1):.2%} | {a / max(e, 1):.2%} | {x:,} | {need:,} |")
        lines += ["", "## Per regency", "",
                  "| code | regency | status | visits | travel h | km | "
                  + " | ".join(f"{s} before → after (still needed)" for s in services) + " | travel model |",
                  "|---|---|---|---|---|---|" + "---|" * len(services) + "---|"]
        for r in ok:
            cov = {c["service"]: c for c in r["coverage"]}
            cells = [f"{cov[s]['before']:.1%} → {cov[s]['after']:.1%} ({cov[s]['still_needed_after']:,})"
                     if s in cov else "" for s in services]
            model = r.get("travel_model", "") + (" (perkiraan)" if r.get("estimate") else "")
            lines.append(f"| {r['code']} | {r.get('name', '')} | {r.get('status_now', r['status'])} | "
                         f"{r.get('scheduled')}/{r.get('candidates')} | {r.get('travel_hours')} | "
                         f"{r.get('distance_km')} | " + " | ".join(cells) + f" | {model} |")
        lines += ["", "Travel marked *perkiraan* is estimated from straight lines (no road network), "
                  "through the crossings between islands."]
    if bad:
        lines += ["", "## Failures", ""]
        for r in bad:
            lines.append(f"- **{r['code']} {r.get('name', '')}** ({r['status']}, workspace {r.get('workspace', '')}):")
            for e in r.get("errors", [])[:20]:
                lines.append(f"  - {e}")
            if len(r.get("errors", [])) > 20:
                lines.append(f"  - ... {len(r['errors']) - 20} more")
    return "\n".join(lines) + "\n"
