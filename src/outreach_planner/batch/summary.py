"""The province summary of ``plan-many``: one row per regency and service (CSV) and a Markdown report."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from ..i18n import _, fmt_int, fmt_num, fmt_pct

COLUMNS = ["code", "regency", "status", "service", "target", "eligible", "coverage_before", "coverage_after",
           "people_expected", "still_needed_after", "scheduled_visits", "candidate_visits", "value",
           "travel_hours", "distance_km", "nights_away", "travel_model", "engine", "solve_s", "outputs", "errors",
           "worker"]


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
                  "outputs": r.get("dest", ""), "worker": r.get("worker") or ""}
        if r["status"] != "planned":
            out.append(dict(common, errors=" | ".join(r.get("errors", []))))
            continue
        for c in r.get("coverage") or []:
            out.append(dict(common, service=c["service"], target=c["target"], eligible=c["eligible"],
                            coverage_before=c["before"], coverage_after=c["after"],
                            people_expected=c["expected_people"], still_needed_after=c["still_needed_after"],
                            scheduled_visits=r.get("scheduled"), candidate_visits=r.get("candidates"),
                            value=r.get("value"), travel_hours=r.get("travel_hours"),
                            distance_km=r.get("distance_km"), nights_away=r.get("nights_away"),
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
    html_path = out / f"province_{week}.html"
    _write_atomic(html_path, province_map(results, week, province_name))
    return {"csv": csv_path, "md": md_path, "html": html_path}


def _colour(after: float | None, target: float) -> str:
    if after is None:
        return "#bbbbbb"
    if after >= target:
        return "#1a9850"
    gap = (target - after) / target
    return "#fee08b" if gap < 0.02 else "#fc8d59" if gap < 0.05 else "#d73027"


def province_map(results: list[dict], week: str, province_name: str, service: str = "ektp") -> str:
    """A self-contained HTML page (inline SVG, nothing downloaded): each regency's outline coloured by the
    coverage of ``service`` after the week against its target; failed regencies grey, with their status."""
    import html

    import shapely

    shapes = []
    for r in results:
        if r.get("outline_wkt"):
            shapes.append((r, shapely.from_wkt(r["outline_wkt"])))
    if not shapes:
        return f"<!doctype html><meta charset='utf-8'><title>{html.escape(province_name)}</title><p>No outlines.</p>"
    x0, y0, x1, y1 = shapely.total_bounds([g for _, g in shapes])
    w = 900
    scale = w / max(x1 - x0, 1e-9)
    h = int((y1 - y0) * scale) + 1

    def path(g) -> str:
        parts = []
        for poly in getattr(g, "geoms", [g]):
            for ring in [poly.exterior, *poly.interiors]:
                pts = " L".join(f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}" for x, y in ring.coords)
                parts.append(f"M{pts} Z")
        return " ".join(parts)

    items = []
    for r, g in shapes:
        cov = {c["service"]: c for c in r.get("coverage") or []}
        c = cov.get(service)
        fill = _colour(c["after"] if c else None, c["target"] if c else 1.0)
        tip = f"{r['code']} {r.get('name', '')}: " + (
            _("province.tip", id="{service} {before} → {after} (target {target}, masih perlu {need})",
              en="{service} {before} → {after} (target {target}, still needed {need})", service=service,
              before=fmt_pct(c['before'], 1), after=fmt_pct(c['after'], 1), target=fmt_pct(c['target'], 0),
              need=fmt_int(c['still_needed_after'])) if c else r.get("status", ""))
        items.append(f'<path d="{path(g)}" fill="{fill}" stroke="#333" stroke-width="0.6" fill-rule="evenodd">'
                     f"<title>{html.escape(tip)}</title></path>")
    box = "<span style='background:{}'>&nbsp;&nbsp;&nbsp;</span> "
    legend = ("<p>" + box.format("#1a9850") + _("province.legend_at", id="mencapai target", en="at target") + " · "
              + box.format("#fee08b") + _("province.legend_gap2", id="selisih &lt; 2%", en="gap &lt; 2%") + " · "
              + box.format("#fc8d59") + "2–5% · "
              + box.format("#d73027") + _("province.legend_over5", id="lebih dari 5%", en="over 5%") + " · "
              + box.format("#bbbbbb") + _("province.legend_not_planned", id="tidak direncanakan (arahkan kursor untuk "
                                          "rinciannya)", en="not planned (hover for details)") + "</p>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(province_name)} {week}</title>"
            "</head><body style='font-family:sans-serif'>"
            + "<h1>" + _("province.map_title", id="{province}: cakupan {service} setelah {week}",
                         en="{province}: {service} coverage after {week}", province=html.escape(province_name),
                         service=html.escape(service), week=week) + f"</h1>{legend}"
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' viewBox='0 0 {w} {h}'>"
            + "".join(items) + "</svg></body></html>\n")


def _n(x, digits: int) -> str:
    """A figure of a result row as the language in use writes it (empty when there is none)."""
    return "" if x is None else fmt_num(x, digits)


def markdown(results: list[dict], week: str, province_name: str) -> str:
    ok = [r for r in results if r["status"] == "planned"]
    bad = [r for r in results if r["status"] != "planned"]
    services = []
    for r in ok:
        for c in r.get("coverage") or []:
            if c["service"] not in services:
                services.append(c["service"])
    failures = _("province.failures", id="Gagal", en="Failures")
    lines = [_("province.title", id="# {province}: rencana {week}", en="# {province}: plan of {week}",
               province=province_name, week=week), "",
             _("province.planned_of", id="{ok} dari {n} kabupaten direncanakan", en="{ok} of {n} regencies planned",
               ok=len(ok), n=len(results))
             + (_("province.not_planned", id=", {bad} tidak direncanakan (lihat {failures})",
                  en=", {bad} not planned (see {failures})", bad=len(bad), failures=failures) if bad else "") + ".", ""]
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
        lines += [_("province.per_target", id="## Provinsi, per target (kabupaten yang direncanakan)",
                    en="## Province, per target (planned regencies)"), "",
                  _("province.target_head", id="| layanan | target | wajib | sebelum | sesudah | perkiraan orang | "
                    "masih perlu sesudahnya |", en="| service | target | eligible | before | after | people expected "
                    "| still needed after |"),
                  "|---|---|---|---|---|---|---|"]
        targets = {c["service"]: c["target"] for r in ok for c in r["coverage"]}
        for s, (e, b, a, x, need) in tot.items():
            lines.append(f"| {s} | {fmt_pct(targets[s], 0)} | {fmt_int(e)} | {fmt_pct(b / max(e, 1))} | "
                         f"{fmt_pct(a / max(e, 1))} | {fmt_int(x)} | {fmt_int(need)} |")
        lines += ["", _("province.per_regency", id="## Per kabupaten", en="## Per regency"), "",
                  _("province.regency_head", id="| kode | kabupaten | status | kunjungan | jam perjalanan | km | "
                    "malam di luar | ", en="| code | regency | status | visits | travel h | km | nights away | ")
                  + " | ".join(_("province.service_col", id="{s} sebelum → sesudah (masih perlu)",
                                 en="{s} before → after (still needed)", s=s) for s in services)
                  + _("province.model_col", id=" | model perjalanan |", en=" | travel model |"),
                  "|---|---|---|---|---|---|---|" + "---|" * len(services) + "---|"]
        for r in ok:
            cov = {c["service"]: c for c in r["coverage"]}
            cells = [f"{fmt_pct(cov[s]['before'], 1)} → {fmt_pct(cov[s]['after'], 1)} "
                     f"({fmt_int(cov[s]['still_needed_after'])})"
                     if s in cov else "" for s in services]
            model = r.get("travel_model", "") + (" (perkiraan)" if r.get("estimate") else "")
            lines.append(f"| {r['code']} | {r.get('name', '')} | {r.get('status_now', r['status'])} | "
                         f"{r.get('scheduled')}/{r.get('candidates')} | {_n(r.get('travel_hours'), 1)} | "
                         f"{_n(r.get('distance_km'), 0)} | {r.get('nights_away', 0)} | " + " | ".join(cells)
                         + f" | {model} |")
        lines += ["", _("province.estimate_note", id="Perjalanan bertanda *perkiraan* diperkirakan dari garis lurus "
                        "(tanpa jaringan jalan), melalui penyeberangan antarpulau.", en="Travel marked *perkiraan* is "
                        "estimated from straight lines (no road network), through the crossings between islands.")]
    if bad:
        lines += ["", f"## {failures}", ""]
        for r in bad:
            lines.append(_("province.failure", id="- **{code} {name}** ({status}, wilayah kerja {ws}):",
                           en="- **{code} {name}** ({status}, workspace {ws}):", code=r["code"],
                           name=r.get("name", ""), status=r["status"], ws=r.get("workspace", "")))
            for e in r.get("errors", [])[:20]:
                lines.append(f"  - {e}")
            if len(r.get("errors", [])) > 20:
                lines.append(_("province.more_errors", id="  - ... {n} lagi", en="  - ... {n} more",
                               n=len(r["errors"]) - 20))
    return "\n".join(lines) + "\n"
