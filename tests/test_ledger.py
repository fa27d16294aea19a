"""The ledger loses nothing: random weeks of plans and outcomes, migrations, and a crash mid-import."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys

import pytest

from outreach_planner.campaign.ledger import PENDING, SCHEMA_VERSION, STATES, Ledger, Outcome, plan_id_of
from outreach_planner.plan import Plan, Route, Step
from outreach_planner.week import Week

pytestmark = pytest.mark.usefixtures("english")  # asserts on English messages (Indonesian: test_catalogue)

WITA = dt.timezone(dt.timedelta(hours=8))


def synthetic_plan(week: Week, visits: list[tuple[str, str, str, dict]], salt: int = 0) -> Plan:
    """A plan whose one route makes ``visits`` (visit id, kind, village code, expected) on Monday."""
    day = week.monday
    steps = []
    for i, (vid, kind, village, expected) in enumerate(visits):
        t = dt.datetime.combine(day, dt.time(8)).replace(tzinfo=WITA) + dt.timedelta(minutes=10 * i)
        steps.append(Step(type="visit", visit_id=vid, kind=kind, village_code=village, place=vid, arrival=t,
                          start=t, end=t + dt.timedelta(minutes=5), expected=expected))
    routes = (Route(team="t1", date=day, depot="d", steps=tuple(steps)),) if steps else ()
    return Plan(week=str(week), workspace="x", generated_at=dt.datetime(2026, 1, 1, salt % 60, tzinfo=WITA),
                engine="synthetic", timezone="Asia/Makassar", routes=routes, unassigned=())


def test_schema_is_versioned_and_reopening_migrates_nothing(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as led:
        assert led.schema_version == SCHEMA_VERSION
    with Ledger(path) as led:
        assert led.schema_version == SCHEMA_VERSION
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"schema_version", "requests", "request_history", "plans", "outcomes", "village_progress"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="schema version 99"):
        Ledger(path)


def test_no_personal_data_in_the_ledger(small, tmp_path):
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        text = "\n".join(led.dump())
    for r in small.requests:
        assert r.name not in text
        if r.nik:
            assert r.nik not in text
    for d in small.deliveries:
        assert d.recipient not in text


def test_sync_is_idempotent_and_never_deletes(small, tmp_path):
    with Ledger(tmp_path / "l.sqlite") as led:
        assert led.sync_requests(small) == len(small.requests) + len(small.deliveries)
        assert led.sync_requests(small) == 0
        assert led.sync_requests(small.replace(requests=(), deliveries=())) == 0
        assert len(led.requests()) == len(small.requests) + len(small.deliveries)
        assert {r["state"] for r in led.requests().values()} == {"open"}


@pytest.mark.parametrize("seed", range(6))
def test_random_weeks_account_for_every_request(small, tmp_path, seed):
    rng = random.Random(seed)
    village = small.villages[0]
    proto_r, proto_d = small.requests[0], small.deliveries[0]
    led = Ledger(tmp_path / "l.sqlite")
    entered: set[str] = set()
    expect: dict[str, str] = {}  # the driver's own view of each request's state
    served = 0
    n = 0
    for w in range(12):
        week = Week(2026, 30 + w)
        # new requests and deliveries arrive; the workspace file only lists some of the old ones
        new_r = [proto_r.model_copy(update={"id": f"r{n + i}", "requested_on": week.monday - dt.timedelta(days=3),
                                            "village_code": village.code, "services": ("ektp",)})
                 for i in range(rng.randint(0, 5))]
        n += len(new_r)
        new_d = [proto_d.model_copy(update={"id": f"d{n + i}", "village_code": village.code,
                                            "ready_on": week.monday - dt.timedelta(days=2), "due_on": None})
                 for i in range(rng.randint(0, 4))]
        n += len(new_d)
        ws = small.replace(requests=tuple(new_r), deliveries=tuple(new_d))
        led.sync_requests(ws)
        for k in [f"hv:{r.id}" for r in new_r] + [f"dl:{d.id}" for d in new_d]:
            entered.add(k)
            expect[k] = "open"
        pending = sorted(k for k, s in expect.items() if s in PENDING)
        chosen = rng.sample(pending, k=min(len(pending), rng.randint(0, 6)))
        visits = [(k, "home_visit" if k.startswith("hv:") else "delivery", village.code,
                   {"ektp": 1} if k.startswith("hv:") else {}) for k in chosen]
        visits.append((f"vs:{village.code}:1", "village_session", village.code, {"ektp": 20}))
        plan = synthetic_plan(week, visits, salt=w)
        pid = led.issue_plan(plan)
        assert led.issue_plan(plan) == pid  # idempotent
        for k in chosen:
            expect[k] = "scheduled"
        outs = []
        for vid, kind, _, _ in visits:
            if rng.random() < 0.2:
                continue  # no tally came back: stays scheduled
            if kind == "village_session":
                people = rng.randint(0, 25)
                served += people
                outs.append(Outcome(pid, vid, "done", {"ektp": people}))
                continue
            status = rng.choice(["done", "missed", "cancelled"] if kind == "home_visit"
                                else ["delivered", "failed", "cancelled"])
            if status in ("done", "delivered") and kind == "home_visit":
                served += 1
            outs.append(Outcome(pid, vid, status, {"ektp": 1} if status == "done" else {},
                                "" if status in ("done", "delivered") else "nobody home"))
            expect[vid] = {"done": "done", "delivered": "done", "cancelled": "cancelled"}.get(status, "failed")
        led.record_outcomes(outs)
        again = led.record_outcomes(outs)  # the same file twice changes nothing
        assert again.new == again.changed == 0
        # every request ever entered is in exactly one known state, with a history ending in it
        reqs = led.requests()
        assert set(reqs) == entered
        assert {k: r["state"] for k, r in reqs.items()} == expect
        hist: dict[str, list[dict]] = {}
        for h in led.history():
            hist.setdefault(h["key"], []).append(h)
        for k, r in reqs.items():
            assert r["state"] in STATES
            assert hist[k][0]["old_state"] is None and hist[k][0]["new_state"] == "open"
            assert hist[k][-1]["new_state"] == r["state"]
            for a, b in zip(hist[k], hist[k][1:]):
                assert b["old_state"] == a["new_state"]
            if r["state"] == "scheduled":
                assert r["plan_id"] is not None
            if r["state"] == "failed":
                assert r["reason"]
    assert sum(led.progress().values()) == served
    led.close()


def test_apply_progress_feeds_the_next_plan(small, tmp_path):
    week = Week.parse("2026-W49")
    v = small.villages[0]
    hv = [r for r in small.requests][:2]
    dl = small.deliveries[0]
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        plan = synthetic_plan(week, [(f"vs:{v.code}:1", "village_session", v.code, {"ektp": 30}),
                                     (f"hv:{hv[0].id}", "home_visit", hv[0].village_code, {"ektp": 1}),
                                     (f"hv:{hv[1].id}", "home_visit", hv[1].village_code, {"ektp": 1}),
                                     (f"dl:{dl.id}", "delivery", dl.village_code, {})])
        pid = led.issue_plan(plan)
        led.record_outcomes([Outcome(pid, f"vs:{v.code}:1", "done", {"ektp": 25, "kia": 3}),
                             Outcome(pid, f"hv:{hv[0].id}", "done", {"ektp": 1}),
                             Outcome(pid, f"hv:{hv[1].id}", "missed", {}, "sick in hospital"),
                             Outcome(pid, f"dl:{dl.id}", "delivered")])
        after = led.apply_progress(small)
        # a corrected tally replaces the first one; progress moves by the difference
        led.record_outcomes([Outcome(pid, f"vs:{v.code}:1", "done", {"ektp": 20, "kia": 3})])
        corrected = led.apply_progress(small)
    av = after.village(v.code)
    assert av.covered["ektp"] == min(v.eligible["ektp"], v.covered["ektp"] + 25 + (hv[0].village_code == v.code))
    assert corrected.village(v.code).covered["ektp"] == av.covered["ektp"] - 5
    ids = {r.id for r in after.requests}
    assert hv[0].id not in ids and hv[1].id in ids  # done removed, missed carried over
    assert dl.id not in {d.id for d in after.deliveries}


def test_missed_home_visit_is_worth_more_the_week_after(small):
    from outreach_planner.planning.demand import candidate_visits
    from outreach_planner.planning.priority import value_visits

    w1, w2 = Week.parse("2026-W49"), Week.parse("2026-W50")
    v1 = {v.id: v.value for v in value_visits(small, w1, candidate_visits(small, w1)) if v.kind == "home_visit"}
    v2 = {v.id: v.value for v in value_visits(small, w2, candidate_visits(small, w2)) if v.kind == "home_visit"}
    assert v1 and all(v2[k] > v1[k] for k in v1)


_CRASHER = """
import sys
from outreach_planner.campaign.ledger import Ledger, Outcome
led = Ledger(sys.argv[1])
led.record_outcomes([Outcome(sys.argv[2], v, "done", {"ektp": 3}) for v in sys.argv[3:]])
"""


@pytest.mark.parametrize("after_writes", [1, 2, 5])
def test_a_crash_mid_import_leaves_the_ledger_as_it_was(small, tmp_path, after_writes):
    path = tmp_path / "l.sqlite"
    v = small.villages[0]
    visits = [(f"vs:{v.code}:{i}", "village_session", v.code, {"ektp": 10}) for i in range(1, 4)]
    visits.append((f"hv:{small.requests[0].id}", "home_visit", small.requests[0].village_code, {"ektp": 1}))
    with Ledger(path) as led:
        led.sync_requests(small)
        pid = led.issue_plan(synthetic_plan(Week.parse("2026-W49"), visits))
        before = led.dump()
    env = dict(os.environ, OUTREACH_LEDGER_CRASH_AFTER=str(after_writes))
    proc = subprocess.run([sys.executable, "-c", _CRASHER, str(path), pid, *(x[0] for x in visits)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 70, proc.stderr
    with Ledger(path) as led:
        assert led.dump() == before
        assert led.outcomes() == []
    # without the hook the same import goes through
    env.pop("OUTREACH_LEDGER_CRASH_AFTER")
    proc = subprocess.run([sys.executable, "-c", _CRASHER, str(path), pid, *(x[0] for x in visits)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with Ledger(path) as led:
        assert len(led.outcomes()) == 4
        assert led.requests()[visits[-1][0]]["state"] == "done"


def test_an_error_mid_import_rolls_back(small, tmp_path):
    v = small.villages[0]
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        pid = led.issue_plan(synthetic_plan(Week.parse("2026-W49"),
                                            [(f"vs:{v.code}:1", "village_session", v.code, {"ektp": 10})]))
        before = led.dump()
        with pytest.raises(KeyError):
            led.record_outcomes([Outcome(pid, f"vs:{v.code}:1", "done", {"ektp": 4}),
                                 Outcome(pid, "vs:nowhere:1", "done", {"ektp": 4})])
        assert led.dump() == before


def test_plan_id_is_stable(small):
    p = synthetic_plan(Week.parse("2026-W49"), [])
    assert plan_id_of(p) == plan_id_of(Plan.model_validate_json(p.model_dump_json()))
    assert plan_id_of(p).startswith("2026-W49-")


# --------------------------------------------------------------------------- served once, across plans
def _two_weeks(small):
    """Two requests of the small workspace and a W49 plan and a W50 plan that both visit them (as the planner did
    before the hold: W50 re-scheduled W49's home visits not yet reported), each with one village session."""
    v = small.villages[0]
    hv = [(f"hv:{r.id}", "home_visit", r.village_code, {s: 1 for s in r.services}) for r in small.requests[:2]]
    w49 = synthetic_plan(Week.parse("2026-W49"), [(f"vs:{v.code}:1", "village_session", v.code, {"ektp": 20}), *hv])
    w50 = synthetic_plan(Week.parse("2026-W50"), [(f"vs:{v.code}:1", "village_session", v.code, {"ektp": 20}), *hv])
    return v, [k for k, *_ in hv], w49, w50


def _check_history(led):
    hist: dict[str, list[dict]] = {}
    for h in led.history():
        hist.setdefault(h["key"], []).append(h)
    for k, r in led.requests().items():
        assert r["state"] in STATES
        assert hist[k][-1]["new_state"] == r["state"]
        assert all(b["old_state"] == a["new_state"] for a, b in zip(hist[k], hist[k][1:]))


@pytest.mark.parametrize("order", ["w49 first", "w50 first"])
def test_a_request_on_two_plans_is_served_once(small, tmp_path, order):
    v, keys, w49, w50 = _two_weeks(small)
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        p49 = led.issue_plan(w49)
        led.record_outcomes([Outcome(p49, f"vs:{v.code}:1", "done", {"ektp": 18})])  # part 1 of W49
        p50 = led.issue_plan(w50)
        assert all(led.requests()[k] == dict(led.requests()[k], state="scheduled", plan_id=p50) for k in keys)
        part2 = [Outcome(p49, k, "done", {s: 1 for s in small.requests[i].services}) for i, k in enumerate(keys)]
        form50 = [Outcome(p50, f"vs:{v.code}:1", "done", {"ektp": 15})] + [
            Outcome(p50, k, "done", {s: 1 for s in small.requests[i].services}) for i, k in enumerate(keys)]
        first, second = (part2, form50) if order == "w49 first" else (form50, part2)
        r1 = led.record_outcomes(first)
        r2 = led.record_outcomes(second)
        assert (r1.duplicates, r2.duplicates) == (0, 2)
        served_by = p49 if order == "w49 first" else p50
        reqs = led.requests()
        assert all(reqs[k]["state"] == "done" and reqs[k]["plan_id"] == served_by for k in keys)
        per_request = sum(len(r.services) for r in small.requests[:2])
        assert sum(led.progress().values()) == 18 + 15 + per_request  # not + 2 x per_request
        assert len(led.outcomes()) == 1 + 2 + 3 and len(led.outcomes(counted=True)) == 2 + 2
        # the same forms again change nothing
        before = led.dump()
        assert led.record_outcomes(part2 + form50).unchanged == 5
        assert led.dump() == before
        _check_history(led)


def test_a_late_miss_of_a_superseded_plan_keeps_the_new_assignment(small, tmp_path):
    v, keys, w49, w50 = _two_weeks(small)
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        p49, p50 = led.issue_plan(w49), led.issue_plan(w50)
        led.record_outcomes([Outcome(p49, keys[0], "missed", {}, "nobody home")])
        assert led.requests()[keys[0]]["state"] == "scheduled" and led.requests()[keys[0]]["plan_id"] == p50
        led.record_outcomes([Outcome(p50, keys[0], "missed", {}, "in hospital")])
        assert led.requests()[keys[0]]["state"] == "failed"
        assert led.requests()[keys[0]]["reason"] == "in hospital"
        # a correction of W49's tally (it was done after all) serves it, once
        led.record_outcomes([Outcome(p49, keys[0], "done", {"ektp": 1})])
        assert led.requests()[keys[0]]["state"] == "done" and led.requests()[keys[0]]["plan_id"] == p49
        assert sum(led.progress().values()) == 1
        _check_history(led)


def test_a_session_on_two_versions_of_the_week_counts_once(small, tmp_path):
    """A re-plan keeps the days before it with the same visit ids: both forms list those sessions."""
    v = small.villages[0]
    week = Week.parse("2026-W49")
    s1 = (f"vs:{v.code}:1", "village_session", v.code, {"ektp": 20})
    s2 = (f"vs:{v.code}:2", "village_session", v.code, {"ektp": 20})
    with Ledger(tmp_path / "l.sqlite") as led:
        p1 = led.issue_plan(synthetic_plan(week, [s1]))
        p2 = led.issue_plan(synthetic_plan(week, [s1, s2], salt=1))
        led.record_outcomes([Outcome(p1, s1[0], "done", {"ektp": 17})])
        res = led.record_outcomes([Outcome(p2, s1[0], "done", {"ektp": 17}), Outcome(p2, s2[0], "done", {"ektp": 9})])
        assert res.new == 2 and res.duplicates == 1
        assert led.progress() == {(v.code, "ektp"): 17 + 9}
        # the first form corrected (the session did not take place): the second form's tally counts instead
        led.record_outcomes([Outcome(p1, s1[0], "missed", {}, "rain")])
        assert led.progress() == {(v.code, "ektp"): 17 + 9}
        # the same session number in another week is another session
        p3 = led.issue_plan(synthetic_plan(Week.parse("2026-W50"), [s1]))
        led.record_outcomes([Outcome(p3, s1[0], "done", {"ektp": 5})])
        assert led.progress() == {(v.code, "ektp"): 17 + 9 + 5}


def test_a_request_scheduled_last_week_is_held_from_the_next_plan(small, tmp_path):
    v, keys, w49, _ = _two_weeks(small)
    with Ledger(tmp_path / "l.sqlite") as led:
        led.sync_requests(small)
        p49 = led.issue_plan(w49)
        offered = lambda week: {f"hv:{r.id}" for r in led.apply_progress(small, week).requests}  # noqa: E731
        assert led.held("2026-W50") == {k: p49 for k in keys}
        assert not set(keys) & offered("2026-W50")  # its form may still come back
        assert set(keys) <= offered("2026-W49")  # a re-plan of the week itself
        assert set(keys) <= offered("2026-W51")  # the form did not come back in time: offered again
        assert set(keys) <= {f"hv:{r.id}" for r in led.apply_progress(small).requests}
        led.record_outcomes([Outcome(p49, keys[0], "missed", {}, "nobody home")])
        assert keys[0] in offered("2026-W50") and keys[1] not in offered("2026-W50")


def test_migration_2_removes_an_old_double_count(tmp_path):
    from outreach_planner.campaign.ledger import MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    MIGRATIONS[0](db)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    for pid, week in (("2026-W49-a", "2026-W49"), ("2026-W50-b", "2026-W50")):
        db.execute("INSERT INTO plans VALUES (?, ?, 'x', '2026-01-01', '{}')", (pid, week))
        for vid, kind, n in (("hv:r1", "home_visit", 1), ("vs:V:1", "village_session", 10)):
            db.execute("INSERT INTO outcomes VALUES (?, ?, ?, 'V', 'done', ?, '', '2026-01-01', 'record')",
                       (pid, vid, kind, f'{{"ektp": {n}}}'))
    db.execute("INSERT INTO requests VALUES ('hv:r1', 'home_visit', 'r1', 'V', '[\"ektp\"]', '2026-11-01', 'done', "
               "'2026-W50-b', '', '2026-01-01')")
    db.execute("INSERT INTO village_progress VALUES ('V', 'ektp', 22)")  # 2 x (1 + 10): r1 counted twice
    db.commit()
    db.close()
    with Ledger(path) as led:
        assert led.schema_version == SCHEMA_VERSION == 3
        assert led.nights("2026-W50-b") == {}  # migration 3: the nights table, empty
        assert led.progress() == {("V", "ektp"): 1 + 10 + 10}  # r1 once; the sessions are two weeks
        assert [(o.plan_id, o.visit_id) for o in led.outcomes(counted=False)] == [("2026-W50-b", "hv:r1")]
