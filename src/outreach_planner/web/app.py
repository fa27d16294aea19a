"""The planner's desk: the FastAPI app (pages rendered on the server with Jinja2, a little plain JS).

Handlers only read requests and call the package (read_workspace, coverage, the ``plan``/``replan`` functions
through :mod:`.jobs`, ``record_form``); they hold no planning logic. Requests name things by id (a week, a plan
set's folder name, a team id, a file of a fixed list) and every id is checked against what exists before a path
is made of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import stat
import tempfile
import threading
import warnings
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from ..errors import InputError, InputWarning
from . import security
from .jobs import Jobs
from .state import Incomplete, banner
from .strings import strings

HERE = Path(__file__).resolve().parent
#: A plan set's id: its folder name under the output root (``2026-W49`` or ``2026-W49-replan-2026-12-02``).
SET_ID = re.compile(r"^\d{4}-W\d{2}(-replan-\d{4}-\d{2}-\d{2})?$")
#: The files of a plan set a request may download (besides ``sheets/<team>_<date>.pdf``).
DOWNLOADS = ("route_sheets.pdf", "schedule.xlsx", "schedule.csv", "outcomes_form.xlsx", "outcomes_form.csv",
             "plan.json", "plan.gpkg", "map.html", "changes.csv")
MEDIA = {".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8", ".json": "application/json",
         ".html": "text/html; charset=utf-8", ".gpkg": "application/geopackage+sqlite3",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class DeskConfig:
    """Where the desk reads and writes, and how it solves."""

    workspace: Path
    out_root: Path
    host: str = "127.0.0.1"
    state_dir: Path | None = None  # default: <out_root>/.desk
    time_limit: float = 30.0
    solution_limit: int | None = None
    engine: str = "auto"
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    #: Reached through an HTTPS reverse proxy (``serve --https``): the cookie always Secure, a login always needed
    https: bool = False

    def __post_init__(self) -> None:
        self.workspace = Path(self.workspace).resolve()
        if self.workspace.is_file():
            self.workspace = self.workspace.parent
        self.out_root = Path(self.out_root).resolve()
        self.state_dir = Path(self.state_dir).resolve() if self.state_dir else self.out_root / ".desk"
        if self.solution_limit is None and os.environ.get("OUTREACH_DESK_SOLUTION_LIMIT"):
            self.solution_limit = int(os.environ["OUTREACH_DESK_SOLUTION_LIMIT"])

    @property
    def login(self) -> bool:
        return security.needs_login(self.host) or self.https  # a proxy on this computer serves the office


class _Workspace:
    """The workspace as read from its folder, read again when a file in the folder changed.

    A folder that does not read as a valid workspace (a new one without counts, a workspace.toml with a problem)
    is kept too: :meth:`findings` says what ``check`` says, :meth:`draft` gives what the folder holds, and
    :meth:`get` raises :class:`~.state.Incomplete` (the page then says it needs complete data)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._stamp = None
        self._ws = None
        self._error: InputError | None = None
        self._findings = None
        self._draft = None
        self._cache: dict = {}

    def _stamp_now(self):
        out = []
        for p in (self.folder.iterdir() if self.folder.is_dir() else ()):
            if p.suffix == ".sqlite" or p.name.startswith("ledger"):
                continue
            try:  # a staging file of a save may be renamed away meanwhile
                st = p.stat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                out.append((p.name, st.st_mtime_ns))
        return tuple(sorted(out))

    def _read(self) -> None:
        """Read the folder again if a file in it changed (called with the lock held)."""
        from ..io import read_workspace
        from .state import findings_of

        stamp = self._stamp_now()
        if stamp != self._stamp:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InputWarning)
                try:
                    self._ws, self._error = read_workspace(self.folder), None
                except InputError as exc:
                    self._ws, self._error = None, exc
            self._findings, self._draft = findings_of(self._error, self._ws), None
            self._stamp, self._cache = stamp, {}

    def get(self):
        """The valid workspace; raises :class:`~.state.Incomplete` when the folder is not one."""
        from .state import Incomplete

        with self._lock:
            self._read()
            if self._ws is None:
                raise Incomplete()
            return self._ws

    def findings(self):
        """What ``check`` says about the folder (:class:`~.state.Findings`)."""
        with self._lock:
            self._read()
            return self._findings

    def draft(self):
        """The valid workspace, or what the folder holds (:func:`~.state.draft`) when it is not one."""
        from .state import draft

        with self._lock:
            self._read()
            if self._ws is not None:
                return self._ws
            if self._draft is None:
                self._draft = draft(self.folder)
            return self._draft

    def refresh(self) -> None:
        """Read the folder again at the next get() (after the desk wrote to it)."""
        with self._lock:
            self._stamp, self._cache = None, {}

    def cached(self, key, make):
        ws = self.get()
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make(ws)
            return self._cache[key]


from ..i18n import fmt_dec, fmt_int, fmt_pct  # noqa: E402
from ..render.strings import week_words  # noqa: E402


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _coverage_tables(ws) -> dict:
    """The figures ``check`` prints (district and regency rows of planning.coverage) and the same per village."""
    from ..planning.coverage import CoverageRow, district_coverage, regency_coverage

    districts: dict[str, dict] = {}
    for r in district_coverage(ws):
        districts.setdefault(r.group, {})[r.service] = r
    villages = []
    for v in sorted(ws.villages, key=lambda v: (v.district_name, v.name)):
        cells = {s.id: CoverageRow(v.name, s.id, v.eligible[s.id], min(v.covered[s.id], v.eligible[s.id]), s.target)
                 for s in ws.services}
        villages.append({"code": v.code, "name": v.name, "district": v.district_name, "cells": cells})
    return {"regency": {r.service: r for r in regency_coverage(ws)}, "districts": districts, "villages": villages}


def coverage_by_week(ws, served: dict[str, dict[tuple[str, str], int]]) -> list[dict]:
    """Regency coverage per service at the start and after each week with recorded outcomes (cumulative; a
    village's covered never beyond its eligible, as the next plan counts it)."""
    cum: dict[tuple[str, str], int] = {}
    out = []
    for week in [None, *sorted(served)]:
        for k, n in (served.get(week, {}) if week else {}).items():
            cum[k] = cum.get(k, 0) + n
        row = {"week": week, "coverage": {}}
        for s in ws.services:
            eligible = sum(v.eligible[s.id] for v in ws.villages)
            covered = sum(min(v.eligible[s.id], v.covered[s.id] + cum.get((v.code, s.id), 0)) for v in ws.villages)
            row["coverage"][s.id] = covered / eligible if eligible else 1.0
        out.append(row)
    return out


_CHART_COLOURS = ("#0b4f6c", "#c75000", "#2a7d2e", "#7b3fa0", "#a3190f")


def week_short(week: str) -> str:
    """A week on the chart's axis as its Monday, day/month (``7/12``): a planner reads dates, not ISO weeks."""
    from ..week import monday_of

    monday = monday_of(week)
    return str(week) if monday is None else f"{monday.day}/{monday.month}"


def coverage_chart(ws, rows: list[dict], start_label: str, target_word: str = "target") -> str:
    """An inline SVG line chart of :func:`coverage_by_week` (one line per service, its target dashed)."""
    from xml.sax.saxutils import escape

    from ..render.strings import short_service

    w, h, left, right, top, bottom = 860, 280, 48, 170, 14, 34
    values = [r["coverage"][s.id] for r in rows for s in ws.services] + [s.target for s in ws.services]
    lo = max(0.0, min(values) - 0.05)
    lo = int(lo * 10) / 10
    xs = [left + (w - left - right) * (i / max(1, len(rows) - 1)) for i in range(len(rows))]

    def y(v: float) -> float:
        return top + (h - top - bottom) * (1 - (v - lo) / (1.0 - lo if lo < 1 else 1))

    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for k in range(6):
        v = lo + (1.0 - lo) * k / 5
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#dde3e8"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{100 * v:.0f}%</text>')
    for i, r in enumerate(rows):
        label = escape(week_short(r["week"]) if r["week"] else start_label)
        parts.append(f'<text x="{xs[i]:.1f}" y="{h - 12}" text-anchor="middle" font-size="11">{label}</text>')
    for j, s in enumerate(ws.services):
        c = _CHART_COLOURS[j % len(_CHART_COLOURS)]
        pts = " ".join(f"{xs[i]:.1f},{y(r['coverage'][s.id]):.1f}" for i, r in enumerate(rows))
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y(s.target):.1f}" y2="{y(s.target):.1f}" '
                     f'stroke="{c}" stroke-dasharray="5 4" stroke-width="1"/>')
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2.5"/>')
        parts += [f'<circle cx="{xs[i]:.1f}" cy="{y(r["coverage"][s.id]):.1f}" r="3.5" fill="{c}"/>'
                  for i, r in enumerate(rows)]
        parts.append(f'<text x="{w - right + 10}" y="{top + 16 + 18 * j}" font-size="12" fill="{c}">'
                     f'{escape(short_service(s.id))} ({escape(target_word)} {100 * s.target:.0f}%)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _empty_plan(ws):
    from ..plan import Plan

    return Plan(week="", workspace=f"{ws.regency.code} {ws.regency.name}", generated_at=dt.datetime.now(dt.UTC),
                engine="-", timezone=ws.regency.timezone, routes=(), unassigned=())


def create_app(config: DeskConfig) -> FastAPI:
    """The desk for ``config`` (one workspace folder, one output root)."""
    from ..render.strings import format_date, labels, service_name, short_service

    async def check_csrf(request: Request) -> None:
        """Every POST carries the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``)."""
        if request.method != "POST":
            return
        sent = request.headers.get("x-csrf-token")
        if sent is None:
            form = await request.form()  # parsed once; the handler gets the same form
            sent = form.get("csrf")
        if not security.csrf_ok(request.session, sent if isinstance(sent, str) else None):
            raise HTTPException(403, strings(request.session.get("lang", "id"))["csrf_failed"])

    jobs = Jobs()

    @asynccontextmanager
    async def lifespan(app):
        from .data_in import prune_uploads

        prune_uploads(config.state_dir)  # uploads left waiting past their hours (the desk was stopped meanwhile)
        yield
        jobs.close()  # a running solve is ended (its worker and engine processes), queued ones dropped

    app = FastAPI(title="outreach-planner desk", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(check_csrf)], lifespan=lifespan)
    app.state.config = config
    app.state.jobs = jobs
    app.state.login_throttle = security.LoginThrottle()  # tests put one with their own clock here
    wsh = _Workspace(config.workspace)
    app.state.workspace = wsh
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    import xstatic.pkg.leaflet as xl

    app.mount("/static/leaflet", StaticFiles(directory=str(xl.BASE_DIR)), name="leaflet")

    def lang_of(request: Request) -> str:
        return request.session.get("lang", "id")

    def page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
        lang = lang_of(request)
        ctx.update(request=request, s=strings(lang), lang=lang, L=labels(lang), csrf=security.csrf_token(request.session),
                   login=config.login, fmt_date=lambda d, short=False: format_date(d, lang, short),
                   week_label=lambda w: week_words(w, lang) if w else w,  # "7–11 Desember 2026", not "2026-W50"
                   svc_name=lambda s: service_name(s, lang), short=short_service, pct=_pct)
        draft = wsh.draft()
        shown = not (config.login and not request.session.get("user"))  # the login page names no problem
        ctx.update(workspace_name=draft.regency.name,  # and the banner: what `check` says
                   banner=banner(wsh.findings(), strings(lang), lang, draft.services) if shown else None)
        # numbers as the page's language writes them (58.412 and 90,1% in Indonesian; 58,412 and 90.1% in English)
        ctx.update(pct=lambda x, d=1: fmt_pct(x, d, lang), num=lambda x: fmt_int(x, lang),
                   dec=lambda x, d=1: fmt_dec(x, d, lang))
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    @app.exception_handler(Incomplete)
    def incomplete(request: Request, exc: Incomplete):
        """A page that needs complete data, on a folder that is not a valid workspace (yet): it says so (a GET
        answers 200: the page is there, the data not yet; a POST is refused with 409)."""
        nav = {"coverage": "coverage", "plan": "plan", "plans": "plan", "jobs": "plan", "record": "record",
               "history": "history"}.get(request.url.path.strip("/").split("/")[0], "")
        return page(request, "incomplete.html", status=200 if request.method == "GET" else 409, nav=nav)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        if config.login and not (path.startswith("/static/") or path == "/login"):
            if not request.session.get("user"):
                if request.method == "GET":
                    return RedirectResponse("/login", status_code=303)
                from ..i18n import _

                return Response(_("desk.login_required", id="perlu masuk (login)", en="login required"),
                                status_code=401)
        if request.method == "POST":
            length = int(request.headers.get("content-length") or 0)
            if length > security.MAX_UPLOAD_BYTES + 65536:
                return Response(strings(request.session.get("lang", "id"))["too_large"].format(
                    mb=security.MAX_UPLOAD_BYTES // 2 ** 20), status_code=413)
        from ..i18n import REQUEST_LANGUAGE

        REQUEST_LANGUAGE.set(request.session.get("lang", "id"))  # the package's messages in the page's language
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    # added after guard: the session middleware wraps it (guard reads the session)
    app.add_middleware(SessionMiddleware, secret_key=config.secret, session_cookie="desk_session",
                       same_site="strict", https_only=False, max_age=12 * 3600)
    app.add_middleware(security.SecureCookies, always=config.https)  # outermost: sees the session's Set-Cookie

    # ---- login and language
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request):
        return page(request, "login.html", error=None)

    @app.post("/login")
    def login(request: Request, password: str = Form(""), csrf: str = Form("")):
        if not security.csrf_ok(request.session, csrf):
            return page(request, "login.html", status=403, error=strings(lang_of(request))["csrf_failed"])
        throttle, client = app.state.login_throttle, request.client.host if request.client else "?"
        wait = throttle.refused_for(client)
        if wait > 0:
            return page(request, "login.html", status=429, error=strings(lang_of(request))["login_throttled"].format(
                minutes=max(1, -int(-wait // 60))))
        stored = security.load_auth(config.state_dir)
        if stored is None or not security.verify_password(password, stored):
            throttle.failed(client)
            return page(request, "login.html", status=401, error=strings(lang_of(request))["login_failed"])
        throttle.succeeded(client)
        request.session["user"] = "planner"
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse("/", status_code=303)

    @app.post("/logout")
    def logout(request: Request):
        request.session.clear()
        return RedirectResponse("/login" if config.login else "/", status_code=303)

    @app.post("/lang")
    def set_lang(request: Request, lang: str = Form("id"), back: str = Form("/")):
        request.session["lang"] = "en" if lang == "en" else "id"
        return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/", status_code=303)

    @app.get("/")
    def index():  # a workspace without counts yet (a new regency): the page that brings them in
        return RedirectResponse("/coverage" if wsh.findings().complete else "/data", status_code=303)

    # ---- 1. coverage
    @app.get("/coverage", response_class=HTMLResponse)
    def coverage(request: Request):
        ws = wsh.get()
        return page(request, "coverage.html", ws=ws, cov=_coverage_tables(ws))

    @app.get("/coverage/map", response_class=HTMLResponse)
    def coverage_map(request: Request):
        from ..render.map import map_html
        from ..travel import travel_model

        lang = lang_of(request)
        html = wsh.cached(("map", lang), lambda ws: map_html(_empty_plan(ws), ws, travel_model(ws, config.workspace),
                                                               lang=lang))
        # the map of a plan with no routes: its plan title box (0 visits) says nothing here
        return HTMLResponse(html.replace("</head>", "<style>.op-title{display:none}</style></head>", 1))

    # ---- 2. plans
    def sets() -> list[dict]:
        if not config.out_root.is_dir():
            return []
        found = []
        for p in sorted(config.out_root.iterdir(), reverse=True):
            if SET_ID.match(p.name) and (p / "plan.json").is_file():
                found.append({"id": p.name, "week": p.name[:8], "replan": "-replan-" in p.name})
        return found

    def set_dir(set_id: str) -> Path | None:
        if not SET_ID.match(set_id):
            return None
        d = config.out_root / set_id
        return d if (d / "plan.json").is_file() else None

    def next_monday() -> dt.date:
        from ..week import Week

        tz = wsh.get().regency.timezone
        return Week.following(dt.datetime.now(Week(2000, 1, tz).tz).date(), tz).monday

    @app.get("/plan", response_class=HTMLResponse)
    def plan_form(request: Request):
        return page(request, "plan_new.html", default_date=next_monday().isoformat(), sets=sets(),
                    jobs=[j.view() for j in jobs.all()][::-1], time_limit=config.time_limit, error=None)

    @app.post("/plan")
    def plan_submit(request: Request, date: str = Form(""), time_limit: str = Form("")):
        from ..week import Week

        ws = wsh.get()
        try:
            d = dt.date.fromisoformat(date)
        except ValueError:
            return page(request, "plan_new.html", status=400, default_date=next_monday().isoformat(), sets=sets(),
                        jobs=[j.view() for j in jobs.all()][::-1], time_limit=config.time_limit,
                        error=strings(lang_of(request))["bad_date"])
        y, n, _ = d.isocalendar()
        week = str(Week(y, n, ws.regency.timezone))
        try:  # an empty or odd field: the desk's default
            limit = min(max(float(time_limit), 1.0), 3600.0) if time_limit.strip() else config.time_limit
        except ValueError:
            limit = config.time_limit
        if limit != limit:  # NaN
            limit = config.time_limit
        jid = jobs.submit("plan", {"workspace": str(config.workspace), "week": week,
                                   "out_dir": str(config.out_root / week), "time_limit": limit,
                                   "solution_limit": config.solution_limit, "engine": config.engine,
                                   "lang": lang_of(request)})
        return RedirectResponse(f"/jobs/{jid}", status_code=303)

    @app.get("/jobs/{jid}", response_class=HTMLResponse)
    def job_page(request: Request, jid: str):
        job = jobs.get(jid)
        if job is None:
            return page(request, "error.html", status=404, message=strings(lang_of(request))["not_found"])
        return page(request, "job.html", job=job.view())

    @app.get("/jobs/{jid}/status")
    def job_json(jid: str):
        job = jobs.get(jid)
        return JSONResponse(job.view() if job else {"state": "unknown"}, status_code=200 if job else 404)

    @app.post("/jobs/{jid}/cancel")
    def job_cancel(jid: str):
        jobs.cancel(jid)
        return RedirectResponse(f"/jobs/{jid}", status_code=303)

    def load_plan(d: Path):
        from ..io.outcomes import plan_from_document

        return plan_from_document(json.loads((d / "plan.json").read_text(encoding="utf-8")))

    @app.get("/plans/{set_id}", response_class=HTMLResponse)
    def plan_page(request: Request, set_id: str):
        d = set_dir(set_id)
        if d is None:
            return page(request, "error.html", status=404, message=strings(lang_of(request))["not_found"])
        ws = wsh.get()
        p = load_plan(d)
        teams = []
        for t in ws.teams:
            routes = [r for r in p.routes if r.team == t.id]
            if routes:
                sheets = sorted(f.name for f in (d / "sheets").glob(f"{t.id}_*.pdf")) if (d / "sheets").is_dir() else []
                teams.append({"team": t, "routes": routes, "sheets": sheets})
        changes = []
        if (d / "changes.csv").is_file():
            import csv

            with open(d / "changes.csv", encoding="utf-8-sig", newline="") as f:
                changes = [r for r in csv.DictReader(f) if r.get("change") != "unchanged"]
        svc = {s.id: s for s in ws.services}
        files = [n for n in DOWNLOADS if (d / n).is_file()]
        choices = visit_choices(p, ws, lang_of(request))
        team_names = {t.id: t.name for t in ws.teams}
        return page(request, "plan.html", set_id=set_id, plan=p, teams=teams, svc=svc, files=files,
                    choices=choices, edits=edits_of(request, set_id), team_names=team_names,
                    changes=changes, dates=sorted({r.date for r in p.routes}),
                    week_dates=_week_dates(p.week, ws), local=lambda t: t.astimezone(_zone(p.timezone)),
                    village_of={v.code: f"{v.name}, Kec. {v.district_name}" for v in ws.villages})

    @app.get("/plans/{set_id}/files/{name}")
    def plan_file(request: Request, set_id: str, name: str):
        d = set_dir(set_id)
        if d is None or name not in DOWNLOADS or not (d / name).is_file():
            return Response(strings(lang_of(request))["not_found"], status_code=404)
        inline = name in ("map.html", "route_sheets.pdf")
        return FileResponse(d / name, media_type=MEDIA[Path(name).suffix],
                            filename=None if inline else f"{set_id}_{name}")

    @app.get("/plans/{set_id}/sheets/{name}")
    def plan_sheet(request: Request, set_id: str, name: str):
        d = set_dir(set_id)
        listed = {f.name for f in (d / "sheets").glob("*.pdf")} if d is not None and (d / "sheets").is_dir() else set()
        if name not in listed:
            return Response(strings(lang_of(request))["not_found"], status_code=404)
        return FileResponse(d / "sheets" / name, media_type="application/pdf", filename=name)

    @app.get("/plans/{set_id}/team/{team_id}.pdf")
    def team_sheets(request: Request, set_id: str, team_id: str):
        """Every route sheet of one team in one PDF (the week's days in order)."""
        from pypdf import PdfWriter

        d = set_dir(set_id)
        if d is None or team_id not in {t.id for t in wsh.get().teams} or not (d / "sheets").is_dir():
            return Response(strings(lang_of(request))["not_found"], status_code=404)
        files = sorted(f for f in (d / "sheets").glob("*.pdf") if f.name.rsplit("_", 1)[0] == team_id)
        if not files:
            return Response(strings(lang_of(request))["not_found"], status_code=404)
        import io

        w = PdfWriter()
        for f in files:
            w.append(str(f))
        buf = io.BytesIO()
        w.write(buf)
        return Response(buf.getvalue(), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{set_id}_{team_id}.pdf"'})

    # ---- 5. changes by hand, then re-plan
    def visit_choices(p, ws, lang: str) -> dict[str, str]:
        """Candidate key -> label of every visit of the plan and every visit it left out (no resident names)."""
        kinds = labels(lang)["kind"]
        names = {v.code: v.name for v in ws.villages}
        out: dict[str, str] = {}
        for r, st in p.visit_steps:
            key = f"vs:{st.village_code}" if st.kind == "village_session" else st.visit_id
            label = (f"{names.get(st.village_code, st.village_code)} ({kinds.get(st.kind, st.kind)})"
                     if st.kind == "village_session" else f"{st.place} ({kinds.get(st.kind, st.kind)})")
            out.setdefault(key, label)
        for u in p.unassigned:
            key = f"vs:{u.village_code}" if u.kind == "village_session" else u.visit_id
            out.setdefault(key, f"{u.visit_id}, {names.get(u.village_code, u.village_code or '')} "
                                f"({kinds.get(u.kind, u.kind)}; {strings(lang)['left_out_short']})")
        return dict(sorted(out.items(), key=lambda kv: kv[1]))

    def edits_of(request: Request, set_id: str) -> dict:
        e = request.session.get("edits", {}).get(set_id) or {}
        return {"lock": list(e.get("lock", [])), "forbid": list(e.get("forbid", [])),
                "days_off": list(e.get("days_off", []))}

    @app.post("/plans/{set_id}/edits")
    def edit_submit(request: Request, set_id: str, action: str = Form(""), visit: str = Form(""),
                    teamday: str = Form(""), index: int = Form(-1), item: str = Form("")):
        d = set_dir(set_id)
        if d is None:
            return page(request, "error.html", status=404, message=strings(lang_of(request))["not_found"])
        ws = wsh.get()
        p = load_plan(d)
        keys = visit_choices(p, ws, lang_of(request))
        team, _, day = teamday.partition("|")
        days = {x.isoformat() for x in _week_dates(p.week, ws)}
        ok_td = team in {t.id for t in ws.teams} and day in days
        e = edits_of(request, set_id)
        if action == "lock" and visit in keys and ok_td:
            e["lock"] = [x for x in e["lock"] if x[0] != visit] + [[visit, team, day]]
            e["forbid"] = [x for x in e["forbid"] if x != visit]
        elif action == "forbid" and visit in keys:
            e["forbid"] = sorted(set(e["forbid"]) | {visit})
            e["lock"] = [x for x in e["lock"] if x[0] != visit]
        elif action == "day_off" and ok_td:
            if [team, day] not in e["days_off"]:
                e["days_off"].append([team, day])
        elif action.startswith("remove_") and action[7:] in e and item:
            # the entry itself, not its place: a page opened before another tab removed an entry removes its own
            try:
                entry = json.loads(item)
            except ValueError:
                entry = None
            if entry in e[action[7:]]:
                e[action[7:]].remove(entry)
        elif action.startswith("remove_") and action[7:] in e and 0 <= index < len(e[action[7:]]):
            del e[action[7:]][index]
        else:
            return page(request, "error.html", status=400, message=strings(lang_of(request))["not_found"])
        all_edits = dict(request.session.get("edits", {}))
        all_edits[set_id] = e
        request.session["edits"] = all_edits
        return RedirectResponse(f"/plans/{set_id}#edits", status_code=303)

    @app.post("/plans/{set_id}/replan")
    def replan_submit(request: Request, set_id: str, from_date: str = Form(""), team_off: str = Form("")):
        d = set_dir(set_id)
        ws = wsh.get()
        if d is None:
            return page(request, "error.html", status=404, message=strings(lang_of(request))["not_found"])
        p = load_plan(d)
        try:
            start = dt.date.fromisoformat(from_date)
        except ValueError:
            start = None
        if start is None or start not in _week_dates(p.week, ws):
            return page(request, "error.html", status=400, message=strings(lang_of(request))["bad_date"])
        if team_off and team_off not in {t.id for t in ws.teams}:
            return page(request, "error.html", status=400, message=strings(lang_of(request))["not_found"])
        out_dir = config.out_root / f"{p.week}-replan-{start.isoformat()}"
        edits = edits_of(request, set_id)
        all_edits = dict(request.session.get("edits", {}))
        all_edits.pop(set_id, None)  # applied by this re-plan
        request.session["edits"] = all_edits
        jid = jobs.submit("replan", {"workspace": str(config.workspace), "week": p.week, "base_dir": str(d),
                                     "from": start.isoformat(), "team_off": team_off or None, "edits": edits,
                                     "out_dir": str(out_dir), "time_limit": config.time_limit,
                                     "solution_limit": config.solution_limit, "engine": config.engine,
                                     "lang": lang_of(request)})
        return RedirectResponse(f"/jobs/{jid}", status_code=303)

    # ---- 4. record
    @app.get("/record", response_class=HTMLResponse)
    def record_form_page(request: Request):
        return page(request, "record.html", result=None, problems=None, error=None)

    @app.post("/record", response_class=HTMLResponse)
    async def record_upload(request: Request, form: UploadFile = File(None)):
        from ..campaign.cycle import ledger_path, record_form

        s = strings(lang_of(request))
        if form is None or not form.filename:
            return page(request, "record.html", status=400, result=None, problems=None, error=s["no_file"])
        try:
            data = await security.read_upload(form)
            suffix = security.check_upload(form.filename, data)
        except security.UploadRefused as exc:
            return page(request, "record.html", status=413 if exc.key == "too_large" else 400, result=None,
                        problems=None, error=s[exc.key].format(mb=security.MAX_UPLOAD_BYTES // 2 ** 20))
        ws = wsh.get()
        plan_files = [config.out_root / x["id"] / "plan.json" for x in sets()]
        shown_name = Path(form.filename).name
        with tempfile.TemporaryDirectory(prefix="desk-upload-") as tmp:
            path = Path(tmp) / f"outcomes_form{suffix}"  # our own name: the upload's name never reaches a path
            path.write_bytes(data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InputWarning)
                try:
                    result, plan_ids = record_form(path, ws, ledger_path(config.workspace), plan_files)
                except InputError as exc:
                    problems = [{"file": shown_name if p.source in ("", str(path), path.name) else
                                 Path(p.source).name.replace(path.name, shown_name),
                                 "row": _row_label(p.where, lang_of(request)), "column": p.field,
                                 "value": "" if p.value is None else p.value,
                                 "message": p.message} for p in exc.problems]
                    return page(request, "record.html", status=422, result=None, problems=problems, error=None)
        return page(request, "record.html", result={"plans": ", ".join(plan_ids) or "-", "new": result.new,
                                                    "changed": result.changed, "unchanged": result.unchanged,
                                                    "duplicates": result.duplicates}, problems=None, error=None)

    # ---- history: coverage week by week from the ledger, and the plans issued
    @app.get("/history", response_class=HTMLResponse)
    def history(request: Request):
        from markupsafe import Markup

        from ..campaign.cycle import ledger_path
        from ..campaign.ledger import Ledger

        ws = wsh.get()
        path = ledger_path(config.workspace)
        plans, served = [], {}
        if path.is_file():
            with Ledger(path) as led:
                plans, served = led.issued_plans(), led.served_by_week()
        rows = coverage_by_week(ws, served)
        s = strings(lang_of(request))
        chart = Markup(coverage_chart(ws, rows, s["start"], s["target"].lower())) if len(rows) > 1 else None
        tz = _zone(ws.regency.timezone)
        for x in plans:  # when it was issued, in the office's time, as the plan pages and the map say it
            at = dt.datetime.fromisoformat(x["created_at"])
            at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)  # the ledger writes UTC
            x["created_local"] = at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
        return page(request, "history.html", ws=ws, rows=rows, plans=plans, chart=chart, set_of=set_of_plan())

    _set_ids: dict[tuple[str, float], str] = {}  # (plan set, plan.json mtime) -> the ledger's id of its plan

    def set_of_plan() -> dict[str, str]:
        """The ledger's plan id -> the plan set (folder under ``out``) that holds that plan: a week's first plan
        and each of its re-plans are different plans of the same week."""
        from ..campaign.ledger import plan_id_of

        out = {}
        for x in sets():
            d = config.out_root / x["id"]
            key = (x["id"], (d / "plan.json").stat().st_mtime)
            if key not in _set_ids:
                _set_ids[key] = plan_id_of(load_plan(d))
            out[_set_ids[key]] = x["id"]
        return out

    # ---- 6. data in
    def data_ctx(**kw) -> dict:
        from .data_in import LAYERS, WORKBOOK

        ctx = dict(layers=("auto", WORKBOOK, *LAYERS), problems=None, applied=None, notes=[], error=None,
                   found=None, token=None, villages=[])
        ctx.update(kw)
        return ctx

    @app.get("/data", response_class=HTMLResponse)
    def data_page(request: Request):
        return page(request, "data.html", **data_ctx())

    @app.get("/data/template.xlsx")
    def data_template(request: Request):
        from .data_in import template_workbook

        ws = wsh.draft()  # a new workspace: its villages, no counts yet
        if not ws.villages:  # no villages layer that reads: the banner says why
            return page(request, "data.html", status=409, **data_ctx(error=strings(lang_of(request))["no_villages"]))
        body = template_workbook(ws, strings(lang_of(request)))
        return Response(body, media_type=MEDIA[".xlsx"],
                        headers={"Content-Disposition": 'attachment; filename="templat_data.xlsx"'})

    def import_page(request: Request, found, shown: str, token: str | None):
        """The page after an upload through the office import: problems, decisions, or what was written."""
        from .data_in import drop_upload

        s = strings(lang_of(request))
        ws = wsh.draft()
        villages = [{"code": v.code, "label": f"{v.code} {v.name} ({v.district_name})"}
                    for v in sorted(ws.villages, key=lambda v: (v.district_name, v.name))]
        if token and (found.applied is not None or found.problems):  # applied, or no longer decidable: deleted
            drop_upload(config.state_dir, token)
        if found.applied is not None:
            wsh.refresh()  # the pages read the new counts (a new workspace may now be complete)
            what = "; ".join(s["imported_parts"][k].format(n=n) for k, n in found.applied.items()) or "-"
            return page(request, "data.html", **data_ctx(found=found, notes=found.notes,
                                                         applied={"text": s["imported"].format(file=shown, what=what)}))
        status = 422 if found.problems else 200
        return page(request, "data.html", status=status,
                    **data_ctx(found=found, problems=found.problems or None, notes=found.notes, token=token,
                               villages=villages))

    @app.post("/data", response_class=HTMLResponse)
    async def data_upload(request: Request, layer: str = Form("auto"), upload: UploadFile = File(None)):
        from starlette.concurrency import run_in_threadpool

        from .data_in import (LAYERS, SUFFIXES, WORKBOOK, check_and_apply, file_name, import_upload, store_upload,
                              upload_kind)

        s = strings(lang_of(request))
        if layer not in ("auto", WORKBOOK, *LAYERS):
            return page(request, "data.html", status=400, **data_ctx(error=s["not_found"]))
        if upload is None or not upload.filename:
            return page(request, "data.html", status=400, **data_ctx(error=s["no_file"]))
        try:
            data = await security.read_upload(upload)
            allowed = (".xlsx", ".csv") if layer == "auto" else (".xlsx",) if layer == WORKBOOK else SUFFIXES
            suffix = security.check_upload(upload.filename, data, allowed)
        except security.UploadRefused as exc:
            key = "wrong_type_layer" if exc.key == "wrong_type" and layer != "auto" else exc.key
            return page(request, "data.html", status=413 if exc.key == "too_large" else 400,
                        **data_ctx(error=s[key].format(mb=security.MAX_UPLOAD_BYTES // 2 ** 20)))
        shown = Path(upload.filename).name
        if layer == "auto":
            kind = upload_kind(suffix, data)
            if kind != WORKBOOK:
                found = await run_in_threadpool(import_upload, config.workspace, data, suffix, shown, s)
                waiting = found.unresolved and not found.problems  # kept for the decisions on its rows
                token = store_upload(config.state_dir, data, suffix, shown) if waiting else None
                return import_page(request, found, shown, token)
            layer = WORKBOOK
        problems, notes, ws = check_and_apply(config.workspace, layer, suffix, data)
        if problems:
            def where(source: str) -> str:  # never a staging path: the upload's name, or the workspace's file
                name = Path(source).name if source else ""
                staged = file_name(layer, suffix)  # "workspace.xlsx (sheet villages)" -> "<upload> (sheet villages)"
                return shown + name[len(staged):] if name.startswith(staged) else name

            rows = [{"file": where(p.source), "sheet": "", "row": _row_label(p.where, lang_of(request)),
                     "column": p.field, "value": "" if p.value is None else p.value, "message": p.message}
                    for p in problems]
            return page(request, "data.html", status=422, **data_ctx(problems=rows, notes=notes))
        wsh.refresh()
        sizes = {"villages": len(ws.villages), "schools": len(ws.schools), "home_visit_requests": len(ws.requests),
                 "deliveries": len(ws.deliveries)}
        n = sum(sizes.values()) if layer == WORKBOOK else sizes[layer]
        text = s["applied"].format(layer=s["layer_names"][layer], file=shown, rows=n)
        return page(request, "data.html", **data_ctx(applied={"text": text}, notes=notes))

    @app.post("/data/resolve", response_class=HTMLResponse)
    async def data_resolve(request: Request):
        """The planner's decisions on the unmatched rows of a stored office table: a village, or leave out."""
        from starlette.concurrency import run_in_threadpool

        from .data_in import import_upload, load_upload

        s = strings(lang_of(request))
        form = await request.form()
        token = str(form.get("token", ""))
        stored = load_upload(config.state_dir, token)
        if stored is None:
            return page(request, "data.html", status=404, **data_ctx(error=s["upload_gone"]))
        data, suffix, shown = stored
        try:
            security.check_upload(f"x{suffix}", data)
        except security.UploadRefused as exc:
            return page(request, "data.html", status=400, **data_ctx(error=s[exc.key].format(mb=0)))
        codes = {v.code for v in wsh.draft().villages}
        decisions = {}
        for k, v in form.multi_items():
            if k.startswith("d:") and isinstance(v, str) and (v == "skip" or v in codes):
                sheet, _, row = k[2:].rpartition("\t")
                if row.isdigit():
                    decisions[(sheet, row)] = v
        found = await run_in_threadpool(import_upload, config.workspace, data, suffix, shown, s, decisions)
        if found.unresolved and not found.problems:
            found.notes.insert(0, s["still_open"].format(n=len(found.unresolved)))
        return import_page(request, found, shown, token)

    @app.post("/data/cancel", response_class=HTMLResponse)
    async def data_cancel(request: Request):
        """The planner gives up on a stored upload: it is deleted, nothing is written."""
        from .data_in import drop_upload, load_upload

        s = strings(lang_of(request))
        token = str((await request.form()).get("token", ""))
        stored = load_upload(config.state_dir, token)
        if stored is None or not drop_upload(config.state_dir, token):
            return page(request, "data.html", status=404, **data_ctx(error=s["upload_gone"]))
        return page(request, "data.html", **data_ctx(applied={"text": s["upload_cancelled"].format(file=stored[2])}))

    # ---- 2b. teams, days off, holidays and the calendar (web/settings.py)
    from .settings import install as install_settings

    install_settings(app, page=page, wsh=wsh, config=config, lang_of=lang_of)

    return app


def _row_label(where: str, lang: str) -> str:
    """A problem's row (``row 4 (code ...)``) in the page's language."""
    return re.sub(r"^row (\d+)", r"baris \1", where) if lang == "id" and isinstance(where, str) else where


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _week_dates(week: str, ws) -> list[dt.date]:
    from ..week import Week

    return Week.parse(week, ws.regency.timezone).dates
