"""The campaign ledger: an embedded SQLite database that loses nothing.

It records every home-visit request and delivery of the workspace, every plan issued and
every outcome the officers bring back, and sums the people served per village and service.

* File: ``<workspace>/ledger.sqlite`` (see :data:`LEDGER_FILE`), or any path given.
* Schema: versioned; ``schema_version`` holds the version reached and :data:`MIGRATIONS`
  lists the migration functions in order (a new version appends one, never edits one).
* Writes: every public write runs in one ``BEGIN IMMEDIATE`` transaction (WAL journal);
  an exception or a crash in the middle leaves the ledger as it was.
* Requests (keyed by their visit id, ``hv:<request id>`` or ``dl:<delivery id>``) are in
  exactly one state: ``open``, ``scheduled`` (with the plan id), ``done``, ``failed``
  (with the reason) or ``cancelled``. Every change is kept in ``request_history`` with a
  timestamp and its source. Requests are never deleted.
* Personal data: ids, village codes and service ids only; never names, NIKs or addresses.

Test hook: when the environment variable ``OUTREACH_LEDGER_CRASH_AFTER`` is ``N``, the
process exits (``os._exit(70)``) right after the N-th write statement of a transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .model import Workspace
from .plan import Plan

LEDGER_FILE = "ledger.sqlite"
STATES = ("open", "scheduled", "done", "failed", "cancelled")
#: Request states that still need a visit (kept in the workspace by :meth:`Ledger.apply_progress`).
PENDING = ("open", "scheduled", "failed")
#: Outcome statuses per visit kind.
STATUSES: dict[str, tuple[str, ...]] = {
    "village_session": ("done", "missed"),
    "school_session": ("done", "missed"),
    "home_visit": ("done", "missed", "cancelled"),
    "delivery": ("delivered", "failed", "cancelled"),
}
_CRASH_ENV = "OUTREACH_LEDGER_CRASH_AFTER"


# --------------------------------------------------------------------------- migrations
def _m1_initial(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE requests (
        key TEXT PRIMARY KEY,                -- visit id: hv:<request id> or dl:<delivery id>
        kind TEXT NOT NULL CHECK (kind IN ('home_visit', 'delivery')),
        ref TEXT NOT NULL,                   -- request or delivery id
        village_code TEXT NOT NULL,
        services TEXT NOT NULL DEFAULT '[]', -- JSON list of service ids
        entered_on TEXT NOT NULL,            -- requested_on / ready_on
        state TEXT NOT NULL CHECK (state IN ('open', 'scheduled', 'done', 'failed', 'cancelled')),
        plan_id TEXT,
        reason TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE request_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL REFERENCES requests(key),
        at TEXT NOT NULL,
        old_state TEXT,
        new_state TEXT NOT NULL,
        plan_id TEXT,
        reason TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL)""")
    db.execute("CREATE INDEX request_history_key ON request_history(key)")
    db.execute("""CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        week TEXT NOT NULL,
        engine TEXT NOT NULL,
        created_at TEXT NOT NULL,
        plan TEXT NOT NULL)""")
    db.execute("""CREATE TABLE outcomes (
        plan_id TEXT NOT NULL REFERENCES plans(id),
        visit_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        village_code TEXT,
        status TEXT NOT NULL,
        people TEXT NOT NULL DEFAULT '{}',   -- JSON: service id -> people served
        reason TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (plan_id, visit_id))""")
    db.execute("""CREATE TABLE village_progress (
        village_code TEXT NOT NULL,
        service TEXT NOT NULL,
        served INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (village_code, service))""")


#: Ordered migrations; migration i (1-based) takes the schema from version i-1 to i.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_m1_initial,)
SCHEMA_VERSION = len(MIGRATIONS)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def plan_id_of(plan: Plan) -> str:
    """A stable id for ``plan``: its week and a hash of its content (``2026-W49-1a2b3c4d``)."""
    canonical = json.dumps(plan.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]
    return f"{plan.week}-{digest}"


@dataclass(frozen=True)
class Outcome:
    """What happened at one visit of an issued plan. ``people``: served per service id."""

    plan_id: str
    visit_id: str
    status: str
    people: dict[str, int] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class RecordResult:
    """How many outcome rows were new, changed (a corrected tally) or already recorded as given."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0


class Ledger:
    """An open ledger database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path):
        path = Path(path)
        if path.is_dir():
            path = path / LEDGER_FILE
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._writes = 0
        self._migrate()

    # -- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        self._writes = 0
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    def _write(self, sql: str, args: Iterable = ()) -> sqlite3.Cursor:
        cur = self._db.execute(sql, tuple(args))
        self._writes += 1
        crash = os.environ.get(_CRASH_ENV)
        if crash and self._writes >= int(crash):  # test hook: die in the middle of a transaction
            os._exit(70)
        return cur

    def _migrate(self) -> None:
        with self._transaction():
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path} has schema version {version}; this program knows up to "
                                   f"{SCHEMA_VERSION}: upgrade outreach-planner")
            for migrate in MIGRATIONS[version:]:
                migrate(self._db)
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif version != SCHEMA_VERSION:
                self._db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._db.execute("SELECT version FROM schema_version").fetchone()[0]

    def _set_state(self, key: str, new: str, plan_id: str | None, reason: str, source: str, at: str) -> bool:
        row = self._db.execute("SELECT state, plan_id, reason FROM requests WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        if (row[0], row[1], row[2]) == (new, plan_id, reason):
            return False
        self._write("UPDATE requests SET state = ?, plan_id = ?, reason = ?, updated_at = ? WHERE key = ?",
                    (new, plan_id, reason, at, key))
        self._write("INSERT INTO request_history (key, at, old_state, new_state, plan_id, reason, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (key, at, row[0], new, plan_id, reason, source))
        return True

    def _enter(self, key: str, kind: str, ref: str, village: str, services: Iterable[str], entered_on: str,
               source: str, at: str) -> bool:
        if self._db.execute("SELECT 1 FROM requests WHERE key = ?", (key,)).fetchone():
            return False
        self._write("INSERT INTO requests (key, kind, ref, village_code, services, entered_on, state, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
                    (key, kind, ref, village, json.dumps(sorted(services)), entered_on, at))
        self._write("INSERT INTO request_history (key, at, old_state, new_state, source) VALUES (?, ?, NULL, "
                    "'open', ?)", (key, at, source))
        return True

    # -- requests -------------------------------------------------------------------
    def sync_requests(self, ws: Workspace, source: str = "workspace") -> int:
        """Enter every home-visit request and delivery of ``ws`` not yet known (as ``open``).

        Never deletes nor changes a known one. Returns how many were entered.
        """
        at, n = _now(), 0
        with self._transaction():
            for r in ws.requests:
                n += self._enter(f"hv:{r.id}", "home_visit", r.id, r.village_code, r.services,
                                 r.requested_on.isoformat(), source, at)
            for d in ws.deliveries:
                n += self._enter(f"dl:{d.id}", "delivery", d.id, d.village_code, (), d.ready_on.isoformat(),
                                 source, at)
        return n

    def cancel(self, key: str, reason: str, source: str = "manual") -> None:
        """Cancel a request (the resident moved, no longer needs it, ...)."""
        with self._transaction():
            self._set_state(key, "cancelled", None, reason, source, _now())

    def requests(self) -> dict[str, dict]:
        """Every request: key -> {kind, ref, village_code, services, state, plan_id, reason}."""
        rows = self._db.execute("SELECT key, kind, ref, village_code, services, state, plan_id, reason "
                                "FROM requests ORDER BY key").fetchall()
        return {r[0]: {"kind": r[1], "ref": r[2], "village_code": r[3], "services": json.loads(r[4]),
                       "state": r[5], "plan_id": r[6], "reason": r[7]} for r in rows}

    def history(self, key: str | None = None) -> list[dict]:
        """State changes in order, of one request or of all."""
        sql = "SELECT key, at, old_state, new_state, plan_id, reason, source FROM request_history"
        rows = self._db.execute(sql + (" WHERE key = ?" if key else "") + " ORDER BY id",
                                (key,) if key else ()).fetchall()
        cols = ("key", "at", "old_state", "new_state", "plan_id", "reason", "source")
        return [dict(zip(cols, r)) for r in rows]

    # -- plans ----------------------------------------------------------------------
    def issue_plan(self, plan: Plan, plan_id: str | None = None, source: str = "plan") -> str:
        """Record ``plan`` and mark its home visits and deliveries ``scheduled``.

        Idempotent (the id is a hash of the content). Requests the plan visits that are
        not known yet are entered first. Requests still ``scheduled`` by another plan of
        the same week (an earlier version of the week) and not in this one go back to
        ``open``. Done and cancelled requests are left as they are.
        """
        with self._transaction():
            return self._issue(plan, plan_id, source, _now())

    def _issue(self, plan: Plan, plan_id: str | None, source: str, at: str) -> str:
        pid = plan_id or plan_id_of(plan)
        if self._db.execute("SELECT 1 FROM plans WHERE id = ?", (pid,)).fetchone():
            return pid
        self._write("INSERT INTO plans (id, week, engine, created_at, plan) VALUES (?, ?, ?, ?, ?)",
                    (pid, plan.week, plan.engine, at, plan.model_dump_json()))
        keys = set()
        for route, step in plan.visit_steps:
            if step.kind not in ("home_visit", "delivery") or step.visit_id is None:
                continue
            key = step.visit_id
            keys.add(key)
            self._enter(key, step.kind, key.split(":", 1)[1], step.village_code or "", step.expected,
                        route.date.isoformat(), f"plan {pid}", at)
            state = self._db.execute("SELECT state FROM requests WHERE key = ?", (key,)).fetchone()[0]
            if state in PENDING:
                self._set_state(key, "scheduled", pid, "", source, at)
        others = self._db.execute(
            "SELECT r.key FROM requests r JOIN plans p ON p.id = r.plan_id "
            "WHERE r.state = 'scheduled' AND p.week = ? AND p.id != ?", (plan.week, pid)).fetchall()
        for (key,) in others:
            if key not in keys:
                self._set_state(key, "open", None, f"not in the new plan {pid} of {plan.week}", source, at)
        return pid

    def plan(self, plan_id: str) -> Plan | None:
        """The issued plan with id ``plan_id`` (None when unknown)."""
        row = self._db.execute("SELECT plan FROM plans WHERE id = ?", (plan_id,)).fetchone()
        return Plan.model_validate_json(row[0]) if row else None

    def latest_plan(self, week: str) -> tuple[str, Plan] | None:
        """The last plan issued for ``week``: (id, plan), or None."""
        row = self._db.execute("SELECT id, plan FROM plans WHERE week = ? ORDER BY created_at DESC, rowid DESC "
                               "LIMIT 1", (week,)).fetchone()
        return (row[0], Plan.model_validate_json(row[1])) if row else None

    # -- outcomes -------------------------------------------------------------------
    def record_outcomes(self, outcomes: Iterable[Outcome], source: str = "record",
                        plans: Iterable[Plan] = ()) -> RecordResult:
        """Apply outcomes of issued plans, all in one transaction; idempotent.

        Keyed by (plan id, visit id): the same outcome again changes nothing; a different
        one for the same key replaces it (village progress is corrected by the difference).
        The caller validates the rows first (:func:`outreach_planner.io.outcomes.validate_outcomes`);
        an outcome of an unknown plan or visit raises ``KeyError`` and nothing is applied.
        ``plans`` are issued first, in the same transaction (plans read from ``plan.json``).
        """
        at = _now()
        new = changed = same = 0
        with self._transaction():
            for p in plans:
                self._issue(p, None, source, at)
            steps: dict[str, dict[str, tuple]] = {}
            for o in outcomes:
                if o.plan_id not in steps:
                    plan = self.plan(o.plan_id)
                    if plan is None:
                        raise KeyError(f"plan {o.plan_id} is not in the ledger")
                    steps[o.plan_id] = {s.visit_id: (s.kind, s.village_code) for _, s in plan.visit_steps}
                if o.visit_id not in steps[o.plan_id]:
                    raise KeyError(f"visit {o.visit_id} is not in plan {o.plan_id}")
                kind, village = steps[o.plan_id][o.visit_id]
                people = {k: int(v) for k, v in sorted(o.people.items()) if int(v)}
                old = self._db.execute("SELECT status, people, reason FROM outcomes WHERE plan_id = ? AND "
                                       "visit_id = ?", (o.plan_id, o.visit_id)).fetchone()
                if old is not None and (old[0], json.loads(old[1]), old[2]) == (o.status, people, o.reason):
                    same += 1
                    continue
                delta = dict(people)
                if old is None:
                    new += 1
                    self._write("INSERT INTO outcomes (plan_id, visit_id, kind, village_code, status, people, reason,"
                                " recorded_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (o.plan_id, o.visit_id, kind, village, o.status, json.dumps(people), o.reason, at,
                                 source))
                else:
                    changed += 1
                    for k, v in json.loads(old[1]).items():
                        delta[k] = delta.get(k, 0) - v
                    self._write("UPDATE outcomes SET status = ?, people = ?, reason = ?, recorded_at = ?, "
                                "source = ? WHERE plan_id = ? AND visit_id = ?",
                                (o.status, json.dumps(people), o.reason, at, source, o.plan_id, o.visit_id))
                for sid, n in delta.items():
                    if n and village:
                        self._write("INSERT INTO village_progress (village_code, service, served) VALUES (?, ?, ?) "
                                    "ON CONFLICT (village_code, service) DO UPDATE SET served = served + ?",
                                    (village, sid, n, n))
                if kind in ("home_visit", "delivery"):
                    state = {"done": "done", "delivered": "done", "cancelled": "cancelled"}.get(o.status, "failed")
                    reason = o.reason or ("" if state == "done" else o.status)
                    self._enter(o.visit_id, kind, o.visit_id.split(":", 1)[1], village or "", people, "", source, at)
                    self._set_state(o.visit_id, state, o.plan_id if state == "done" else None,
                                    reason if state != "done" else "", f"{source} {o.plan_id}", at)
        return RecordResult(new, changed, same)

    def outcomes(self, plan_id: str | None = None) -> list[Outcome]:
        """Recorded outcomes, of one plan or of all."""
        sql = "SELECT plan_id, visit_id, status, people, reason FROM outcomes"
        rows = self._db.execute(sql + (" WHERE plan_id = ?" if plan_id else "") + " ORDER BY plan_id, visit_id",
                                (plan_id,) if plan_id else ()).fetchall()
        return [Outcome(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def progress(self) -> dict[tuple[str, str], int]:
        """People served since the workspace's counts: (village code, service) -> people."""
        return {(v, s): n for v, s, n in self._db.execute("SELECT village_code, service, served FROM village_progress")}

    # -- feeding the next plan ------------------------------------------------------
    def apply_progress(self, ws: Workspace) -> Workspace:
        """``ws`` as the ledger knows it now, for the next plan.

        Villages' covered counts grow by the people served (never beyond eligible), schools
        need fewer pupils after a done session, and requests and deliveries that are done
        or cancelled are removed. Open, scheduled and failed ones stay (a missed home visit
        or failed delivery is carried over; its value grows with waiting, from its
        ``requested_on`` / ``ready_on``).
        """
        prog = self.progress()
        villages = []
        for v in ws.villages:
            covered = dict(v.covered)
            for sid in covered:
                add = prog.get((v.code, sid), 0)
                if add:
                    covered[sid] = max(covered[sid], min(v.eligible.get(sid, 0), covered[sid] + add))
            villages.append(v.model_copy(update={"covered": covered}) if covered != v.covered else v)
        school_served: dict[str, dict[str, int]] = {}
        for o in self.outcomes():
            if o.visit_id.startswith("sc:") and o.status == "done":
                acc = school_served.setdefault(o.visit_id[3:], {})
                for sid, n in o.people.items():
                    acc[sid] = acc.get(sid, 0) + n
        schools = []
        for sc in ws.schools:
            served = school_served.get(sc.id)
            if served:
                sc = sc.model_copy(update={"needed": {k: max(0, n - served.get(k, 0)) for k, n in sc.needed.items()}})
            schools.append(sc)
        closed = {k for k, r in self.requests().items() if r["state"] not in PENDING}
        return ws.replace(villages=tuple(villages), schools=tuple(schools),
                          requests=tuple(r for r in ws.requests if f"hv:{r.id}" not in closed),
                          deliveries=tuple(d for d in ws.deliveries if f"dl:{d.id}" not in closed))

    def dump(self) -> list[str]:
        """Every row of every table as SQL (for comparing states in tests)."""
        return list(self._db.iterdump())


def open_ledger(workspace_dir: str | Path) -> Ledger:
    """The ledger of a workspace folder (created when missing)."""
    return Ledger(Path(workspace_dir) / LEDGER_FILE)


__all__ = ["LEDGER_FILE", "MIGRATIONS", "PENDING", "SCHEMA_VERSION", "STATES", "STATUSES", "Ledger", "Outcome",
           "RecordResult", "open_ledger", "plan_id_of"]
