"""The campaign ledger: an embedded SQLite database that loses nothing.

It records every home-visit request and delivery of the workspace, every plan issued and
every outcome the officers bring back, and sums the people served per village and service.

* File: ``<workspace>/ledger.sqlite`` (see :data:`LEDGER_FILE`), or any path given.
* Schema: versioned; ``schema_version`` holds the version reached and :data:`MIGRATIONS`
  lists the migration functions in order (a new version appends one, never edits one).
* Writes: every public write runs in one ``BEGIN IMMEDIATE`` transaction (WAL journal);
  an exception or a crash in the middle leaves the ledger as it was.
* Requests (keyed by their visit id, ``hv:<request id>`` or ``dl:<delivery id>``) are in
  exactly one state: ``open``, ``scheduled`` (with the plan id), ``done`` (with the plan
  whose outcome served it), ``failed`` (with the reason) or ``cancelled``. Every change is
  kept in ``request_history`` with a timestamp and its source. Requests are never deleted.
* Served once: a request is served once, and a session (week + visit id) is counted once,
  whatever the order of plans and forms. Each outcome has a ``served_key`` (the request's
  key; ``<week> <visit id>`` for a session) and only the first ``done``/``delivered``
  outcome recorded for a key is ``counted``: its people are the ones in ``village_progress``.
  Any later one (the same visit on an overlapping plan's form) is kept as a duplicate that
  adds no people. See :meth:`Ledger.issue_plan` and :meth:`Ledger.record_outcomes` for the
  state machine across plans.
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

from ..i18n import _
from ..model import Workspace
from ..plan import Plan

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


def _m2_served_once(db: sqlite3.Connection) -> None:
    """Served once: ``requests.assigned_to``, ``outcomes.served_key`` and ``outcomes.counted``.

    Existing outcomes get their key and flag, and ``village_progress`` is rebuilt from the
    counted ones (this removes a double count an earlier version made across plans).
    """
    db.execute("ALTER TABLE requests ADD COLUMN assigned_to TEXT")  # the plan holding the latest assignment
    db.execute("UPDATE requests SET assigned_to = plan_id WHERE state IN ('scheduled', 'done')")
    db.execute("ALTER TABLE outcomes ADD COLUMN served_key TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE outcomes ADD COLUMN counted INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE outcomes SET served_key = CASE WHEN kind IN ('home_visit', 'delivery') THEN visit_id "
               "ELSE (SELECT week FROM plans WHERE plans.id = outcomes.plan_id) || ' ' || visit_id END")
    db.execute("CREATE INDEX outcomes_served_key ON outcomes(served_key)")
    keys = [k for (k,) in db.execute("SELECT DISTINCT served_key FROM outcomes")]
    _recount(db, db.execute, keys)
    villages = [v for (v,) in db.execute("SELECT DISTINCT village_code FROM village_progress UNION "
                                         "SELECT DISTINCT village_code FROM outcomes WHERE village_code IS NOT NULL")]
    _rebuild_progress(db, db.execute, villages)


def _m3_nights(db: sqlite3.Connection) -> None:
    """Nights of field trips as the tally form reports them (``stayed`` at a place, or ``returned``:
    the team came back to its base that evening and the trip was cut short)."""
    db.execute("""CREATE TABLE nights (
        plan_id TEXT NOT NULL REFERENCES plans(id),
        team TEXT NOT NULL,
        date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('stayed', 'returned')),
        place TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (plan_id, team, date))""")


#: Ordered migrations; migration i (1-based) takes the schema from version i-1 to i.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_m1_initial, _m2_served_once, _m3_nights)
SCHEMA_VERSION = len(MIGRATIONS)


#: Outcome statuses that mean the visit served its people (a request is then done).
SERVED = ("done", "delivered")
#: A request scheduled by a plan of an earlier week, with no outcome yet, stays with that plan for the
#: plans of the next ``HOLD_WEEKS`` weeks (its form may still come back); after that it is offered again.
HOLD_WEEKS = 1


def _recount(db: sqlite3.Connection, write: Callable, keys: Iterable[str]) -> None:
    """Set ``counted`` on the outcomes of ``keys``: the first served outcome recorded (by rowid) of each key."""
    for key in keys:
        first = None
        for rowid, status, counted in db.execute(
                "SELECT rowid, status, counted FROM outcomes WHERE served_key = ? ORDER BY rowid", (key,)).fetchall():
            want = int(first is None and status in SERVED)
            if want:
                first = rowid
            if want != counted:
                write("UPDATE outcomes SET counted = ? WHERE rowid = ?", (want, rowid))


def _rebuild_progress(db: sqlite3.Connection, write: Callable, villages: Iterable[str]) -> None:
    """``village_progress`` of ``villages`` as the sum of their counted outcomes (writes only differences)."""
    for village in villages:
        want: dict[str, int] = {}
        for (people,) in db.execute("SELECT people FROM outcomes WHERE counted = 1 AND village_code = ?",
                                    (village,)):
            for sid, n in json.loads(people).items():
                want[sid] = want.get(sid, 0) + int(n)
        have = {sid: n for sid, n in db.execute(
            "SELECT service, served FROM village_progress WHERE village_code = ?", (village,))}
        for sid in sorted(have.keys() | want.keys()):
            n = want.get(sid, 0)
            if have.get(sid) == n or (sid not in have and not n):
                continue
            if sid in have and not n:
                write("DELETE FROM village_progress WHERE village_code = ? AND service = ?", (village, sid))
            else:
                write("INSERT INTO village_progress (village_code, service, served) VALUES (?, ?, ?) "
                      "ON CONFLICT (village_code, service) DO UPDATE SET served = ?", (village, sid, n, n))


def _week_gap(a: str, b: str) -> int:
    """Weeks from ISO week ``a`` to ISO week ``b`` (``2026-W49`` to ``2026-W50`` is 1)."""
    def monday(w: str) -> dt.date:
        y, n = w.split("-W")
        return dt.date.fromisocalendar(int(y), int(n), 1)
    return (monday(b) - monday(a)).days // 7


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
    """How many outcome rows were new, changed (a corrected tally) or already recorded as given;
    ``duplicates``: new or changed ones for a request or session already served by another
    outcome (an overlapping plan's form), kept but adding no people."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0


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
                raise RuntimeError(_("ledger.newer_schema", id="{path} memakai versi skema {version}; program ini "
                                     "hanya mengenal sampai {known}: perbarui outreach-planner", en="{path} has schema "
                                     "version {version}; this program knows up to {known}: upgrade outreach-planner",
                                     path=self.path, version=version, known=SCHEMA_VERSION))
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
        not known yet are entered first. A request the plan visits that is open, failed or
        scheduled by another plan is assigned to this plan; an earlier assignment is
        superseded (the reason says which plan it replaces), and a late outcome of the
        superseded plan still counts if it served the request (see :meth:`record_outcomes`).
        Requests still ``scheduled`` by another plan of the same week (an earlier version
        of the week) and not in this one go back to ``open``. Done and cancelled requests
        are left as they are.
        """
        with self._transaction():
            return self._issue(plan, plan_id, source, _now())

    def _assign(self, key: str, plan_id: str | None) -> None:
        row = self._db.execute("SELECT assigned_to FROM requests WHERE key = ?", (key,)).fetchone()
        if row is not None and row[0] != plan_id:
            self._write("UPDATE requests SET assigned_to = ? WHERE key = ?", (plan_id, key))

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
            state, old = self._db.execute("SELECT state, plan_id FROM requests WHERE key = ?", (key,)).fetchone()
            if state in PENDING:
                reason = _("ledger.replaces", id="menggantikan penugasan di rencana {old}",
                           en="replaces the assignment in plan {old}", old=old) if state == "scheduled" and old != pid else ""
                self._set_state(key, "scheduled", pid, reason, source, at)
                self._assign(key, pid)
        others = self._db.execute(
            "SELECT r.key FROM requests r JOIN plans p ON p.id = r.plan_id "
            "WHERE r.state = 'scheduled' AND p.week = ? AND p.id != ?", (plan.week, pid)).fetchall()
        for (key,) in others:
            if key not in keys:
                self._set_state(key, "open", None, _("ledger.not_in_new_plan", id="tidak ada di rencana baru {pid} untuk "
                                "{week}", en="not in the new plan {pid} of {week}", pid=pid, week=plan.week), source, at)
                self._assign(key, None)
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
                        plans: Iterable[Plan] = (), nights: Iterable = ()) -> RecordResult:
        """Apply outcomes of issued plans, all in one transaction; idempotent.

        Keyed by (plan id, visit id): the same outcome again changes nothing; a different
        one for the same key replaces it (a corrected tally). Served once, across plans:
        of the outcomes with the same ``served_key`` (a request; a session's week and
        visit id) only the first served one recorded is counted; a later one is kept as a
        duplicate that adds no people (``RecordResult.duplicates``). A request's state
        follows from its outcomes and its assignment:

        * ``done`` (by that plan) when a counted outcome served it, whichever plan's it is;
        * else ``cancelled`` when an outcome cancelled it (or it was cancelled by hand);
        * else still ``scheduled`` when the plan it is assigned to now (a later plan that
          superseded the reporting one) has no outcome for it yet;
        * else ``failed`` with the reason (missed, not delivered).

        The caller validates the rows first (:func:`outreach_planner.io.outcomes.validate_outcomes`);
        an outcome of an unknown plan or visit raises ``KeyError`` and nothing is applied.
        ``plans`` are issued first, in the same transaction (plans read from ``plan.json``).
        ``nights`` (:class:`~outreach_planner.io.outcomes.NightReport`: where a team on a field trip
        slept, or that it returned) are stored in the same transaction, keyed by (plan, team, date);
        a later report of the same night replaces it. ``place`` is a lodging id (empty: as planned).
        """
        at = _now()
        new = changed = same = 0
        mine: list[tuple[str, str, str]] = []  # (plan id, visit id, served key) written by this call
        villages: set[str] = set()
        with self._transaction():
            for p in plans:
                self._issue(p, None, source, at)
            steps: dict[str, dict[str, tuple]] = {}
            for o in outcomes:
                if o.plan_id not in steps:
                    plan = self.plan(o.plan_id)
                    if plan is None:
                        raise KeyError(_("ledger.no_plan", id="rencana {pid} tidak ada di ledger",
                                         en="plan {pid} is not in the ledger", pid=o.plan_id))
                    steps[o.plan_id] = {s.visit_id: (s.kind, s.village_code, plan.week) for _, s in plan.visit_steps}
                if o.visit_id not in steps[o.plan_id]:
                    raise KeyError(_("ledger.no_visit", id="kunjungan {vid} tidak ada di rencana {pid}",
                                     en="visit {vid} is not in plan {pid}", vid=o.visit_id, pid=o.plan_id))
                kind, village, week = steps[o.plan_id][o.visit_id]
                served_key = o.visit_id if kind in ("home_visit", "delivery") else f"{week} {o.visit_id}"
                people = {k: int(v) for k, v in sorted(o.people.items()) if int(v)}
                old = self._db.execute("SELECT status, people, reason FROM outcomes WHERE plan_id = ? AND "
                                       "visit_id = ?", (o.plan_id, o.visit_id)).fetchone()
                if old is not None and (old[0], json.loads(old[1]), old[2]) == (o.status, people, o.reason):
                    same += 1
                    continue
                if old is None:
                    new += 1
                    self._write("INSERT INTO outcomes (plan_id, visit_id, kind, village_code, status, people, reason,"
                                " recorded_at, source, served_key, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                                (o.plan_id, o.visit_id, kind, village, o.status, json.dumps(people), o.reason, at,
                                 source, served_key))
                else:
                    changed += 1
                    self._write("UPDATE outcomes SET status = ?, people = ?, reason = ?, recorded_at = ?, "
                                "source = ? WHERE plan_id = ? AND visit_id = ?",
                                (o.status, json.dumps(people), o.reason, at, source, o.plan_id, o.visit_id))
                mine.append((o.plan_id, o.visit_id, served_key))
                _recount(self._db, self._write, [served_key])
                if village:
                    villages.add(village)
                if kind in ("home_visit", "delivery"):
                    self._enter(o.visit_id, kind, o.visit_id.split(":", 1)[1], village or "", people, "", source, at)
                    self._resolve(o.visit_id, f"{source} {o.plan_id}", at)
            for n in nights:
                if self._db.execute("SELECT 1 FROM plans WHERE id = ?", (n.plan_id,)).fetchone() is None:
                    raise KeyError(_("ledger.no_plan", id="rencana {pid} tidak ada di ledger",
                                     en="plan {pid} is not in the ledger", pid=n.plan_id))
                self._write("INSERT INTO nights (plan_id, team, date, status, place, reason, recorded_at, source) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, team, date) DO UPDATE SET "
                            "status = excluded.status, place = excluded.place, reason = excluded.reason, "
                            "recorded_at = excluded.recorded_at, source = excluded.source",
                            (n.plan_id, n.team, n.date, n.status, n.place, n.reason, at, source))
            _rebuild_progress(self._db, self._write, sorted(villages))
            dup = 0
            for pid, vid, key in mine:
                counted = self._db.execute("SELECT plan_id, visit_id FROM outcomes WHERE served_key = ? AND "
                                           "counted = 1", (key,)).fetchone()
                dup += counted is not None and counted != (pid, vid)
        return RecordResult(new, changed, same, dup)

    def _resolve(self, key: str, source: str, at: str) -> None:
        """Set the state of request ``key`` from its outcomes and assignment (see :meth:`record_outcomes`)."""
        state, reason, assigned = self._db.execute(
            "SELECT state, reason, assigned_to FROM requests WHERE key = ?", (key,)).fetchone()
        outs = self._db.execute("SELECT plan_id, status, reason, counted FROM outcomes WHERE served_key = ? "
                                "ORDER BY rowid", (key,)).fetchall()
        if not outs:
            return
        served = next((o for o in outs if o[3]), None)
        cancelled = [o for o in outs if o[1] == "cancelled"]
        own = next((o for o in outs if o[0] == assigned), None) if assigned else None
        if served is not None:
            self._set_state(key, "done", served[0], "", source, at)
        elif cancelled:
            self._set_state(key, "cancelled", None, cancelled[-1][2] or "cancelled", source, at)
        elif state == "cancelled":
            return
        elif assigned and own is None:
            self._set_state(key, "scheduled", assigned, reason if state == "scheduled" else "", source, at)
        else:
            o = own or outs[-1]
            self._set_state(key, "failed", None, o[2] or o[1], source, at)

    def outcomes(self, plan_id: str | None = None, counted: bool | None = None) -> list[Outcome]:
        """Recorded outcomes, of one plan or of all; ``counted``: only those counted (True) or not (False)."""
        where, args = [], []
        if plan_id:
            where.append("plan_id = ?")
            args.append(plan_id)
        if counted is not None:
            where.append("counted = ?")
            args.append(int(counted))
        sql = "SELECT plan_id, visit_id, status, people, reason FROM outcomes"
        rows = self._db.execute(sql + (" WHERE " + " AND ".join(where) if where else "") +
                                " ORDER BY plan_id, visit_id", args).fetchall()
        return [Outcome(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def nights(self, plan_id: str) -> dict[tuple[str, str], dict]:
        """Nights reported for a plan: (team, ISO date) -> {status, place (lodging id; empty: as planned), reason}."""
        rows = self._db.execute("SELECT team, date, status, place, reason FROM nights WHERE plan_id = ?",
                                (plan_id,)).fetchall()
        return {(t, d): {"status": st, "place": pl, "reason": rs} for t, d, st, pl, rs in rows}

    def progress(self) -> dict[tuple[str, str], int]:
        """People served since the workspace's counts: (village code, service) -> people."""
        return {(v, s): n for v, s, n in self._db.execute("SELECT village_code, service, served FROM village_progress")}

    # -- feeding the next plan ------------------------------------------------------
    def held(self, week: str) -> dict[str, str]:
        """Requests a plan of ``week`` leaves out: key -> the plan of another week they stay with.

        A request ``scheduled`` by a plan of an earlier week (up to :data:`HOLD_WEEKS` before
        ``week``) or of a later week has no outcome yet: its form may still come back, so the
        next plan does not visit it again. Scheduled by a plan of ``week`` itself (a re-plan of
        the week): not held.
        """
        rows = self._db.execute("SELECT r.key, p.id, p.week FROM requests r JOIN plans p ON p.id = r.plan_id "
                                "WHERE r.state = 'scheduled' AND p.week != ?", (week,)).fetchall()
        return {k: pid for k, pid, w in rows if _week_gap(w, week) <= HOLD_WEEKS}

    def apply_progress(self, ws: Workspace, week: str | None = None) -> Workspace:
        """``ws`` as the ledger knows it now, for the next plan (of ``week``, when given).

        Villages' covered counts grow by the people served (never beyond eligible), schools
        need fewer pupils after a done session, and requests and deliveries that are done
        or cancelled are removed. Open, scheduled and failed ones stay (a missed home visit
        or failed delivery is carried over; its value grows with waiting, from its
        ``requested_on`` / ``ready_on``), except, when ``week`` is given, those still with
        a plan of another week (:meth:`held`).
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
        for o in self.outcomes(counted=True):
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
        if week is not None:
            closed |= set(self.held(week))
        return ws.replace(villages=tuple(villages), schools=tuple(schools),
                          requests=tuple(r for r in ws.requests if f"hv:{r.id}" not in closed),
                          deliveries=tuple(d for d in ws.deliveries if f"dl:{d.id}" not in closed))

    def issued_plans(self) -> list[dict]:
        """Every plan issued: id, week, engine, created_at; by week, then in the order issued."""
        rows = self._db.execute("SELECT id, week, engine, created_at FROM plans ORDER BY week, created_at, id")
        return [{"id": i, "week": w, "engine": e, "created_at": c} for i, w, e, c in rows.fetchall()]

    def served_by_week(self) -> dict[str, dict[tuple[str, str], int]]:
        """People served per week of the plan they were served on: week -> (village code, service) -> people.

        Only counted outcomes (a request or session served once), so the weeks add up to :meth:`progress`.
        """
        out: dict[str, dict[tuple[str, str], int]] = {}
        for week, village, people in self._db.execute(
                "SELECT p.week, o.village_code, o.people FROM outcomes o JOIN plans p ON p.id = o.plan_id "
                "WHERE o.counted = 1 ORDER BY p.week"):
            cell = out.setdefault(week, {})
            for sid, n in json.loads(people).items():
                if n:
                    cell[(village or "", sid)] = cell.get((village or "", sid), 0) + int(n)
        return out

    def dump(self) -> list[str]:
        """Every row of every table as SQL (for comparing states in tests)."""
        return list(self._db.iterdump())


def open_ledger(workspace_dir: str | Path) -> Ledger:
    """The ledger of a workspace folder (created when missing)."""
    return Ledger(Path(workspace_dir) / LEDGER_FILE)


__all__ = ["HOLD_WEEKS", "LEDGER_FILE", "MIGRATIONS", "PENDING", "SCHEMA_VERSION", "SERVED", "STATES", "STATUSES",
           "Ledger", "Outcome", "RecordResult", "open_ledger", "plan_id_of"]
