"""Simulate a campaign week after week and compare this planner with two hand-made policies.

Each week, for each policy: plan the week on the workspace as the policy's ledger knows it
(:meth:`outreach_planner.campaign.ledger.Ledger.apply_progress`), issue the plan, draw what happened
(turnout around the assumption, sessions missed, home visits nobody answered, deliveries that
failed), record it in the ledger and go on. New home-visit requests and deliveries arrive
every week, the same ones for every policy (drawn from ``seed``).

Policies:

* ``planner``: :func:`outreach_planner.planning.planner.make_plan` (OR-Tools, a time limit per week);
* ``rotation``: village by village, district by district, each week starting where the last
  one stopped; home visits and deliveries oldest first; each team-day takes the next visits
  in that order that still fit in its shift;
* ``nearest``: the candidates nearest the team's office first.

Both baselines fill team-days greedily on the same engine-neutral problem (skills, windows,
shifts, breaks, one session per village a day, delivery capacity), so they differ from the
planner only in which visits they choose and in what order.

Figures per policy and week: regency coverage per service, the week each target is reached
(or, when the run ends before, the week projected from the trend of its last
``PROJECTION_WEEKS`` weeks), the mean coverage of the worst 10 % of villages per service,
requests waiting longer than two weeks, travel hours and team-nights away from base (routes
that end at a lodging: field trips; the baselines make day trips only). ``field_trips=False``
runs every team in day trips, to measure what the nights away bring.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from ..planning.coverage import regency_coverage
from ..planning.demand import candidate_visits
from ..engines import SolveLimits
from ..errors import NoPlanError
from ..i18n import _, fmt_dec, fmt_pct
from .ledger import Ledger, Outcome
from ..model import Delivery, HomeVisitRequest, Workspace
from ..plan import Plan, Route, Step
from ..planning.planner import make_plan
from ..planning.priority import value_visits
from ..planning.problem import Problem, build_problem, session_caps
from ..travel import TravelModel
from ..week import Week

POLICIES = ("planner", "rotation", "nearest")
#: Chance a village or school session does not happen (rain, no venue); a home visit finds nobody;
#: a delivery fails.
P_SESSION_MISSED = 0.05
P_HOME_MISSED = 0.15
P_DELIVERY_FAILED = 0.15
#: Turnout at a session is the expected number times a factor drawn from N(1, TURNOUT_SD), at least 0.
TURNOUT_SD = 0.3
#: Weeks of the trend a target week is projected from when the run ends before the target.
PROJECTION_WEEKS = 8
#: Weeks after which the report gives the first service's coverage (when the run is that long).
MILESTONES = (12, 26)
#: New home-visit requests and deliveries per week (Poisson means).
NEW_REQUESTS = 4.0
NEW_DELIVERIES = 6.0


@dataclass
class WeekFigures:
    """One policy's figures after one week."""

    week: str
    coverage: dict[str, float]
    worst10: dict[str, float]
    waiting_over_2w: int
    travel_hours: float
    visits: int
    served: dict[str, int]
    nights_away: int = 0  # team-nights away from base: routes that end at a lodging (field trips)


@dataclass
class PolicyRun:
    """A policy's campaign: figures per week."""

    policy: str
    weeks: list[WeekFigures] = field(default_factory=list)

    def target_week(self, service: str, target: float) -> int | None:
        """1-based number of the first week that ends with the service at target (None: never)."""
        for i, w in enumerate(self.weeks, 1):
            if w.coverage[service] >= target - 1e-12:
                return i
        return None

    def coverage_at(self, service: str, week: int) -> float | None:
        """Coverage of ``service`` after 1-based week ``week`` (None: the run is shorter)."""
        return self.weeks[week - 1].coverage[service] if 1 <= week <= len(self.weeks) else None

    def projected_target_week(self, service: str, target: float, last: int = PROJECTION_WEEKS) -> float | None:
        """The week the service would reach ``target`` at the pace of the run's last ``last`` weeks (a straight
        line through the coverage after each of them, least squares); None when it does not rise."""
        ys = [w.coverage[service] for w in self.weeks[-last:]]
        if len(ys) < 2:
            return None
        xs = list(range(len(self.weeks) - len(ys) + 1, len(self.weeks) + 1))
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        if slope <= 1e-12:
            return None
        return len(self.weeks) + (target - ys[-1]) / slope

    def target_text(self, service: str, target: float) -> str:
        """``week 9``, ``~week 41 (projected)`` from the trend, or ``not at this pace``."""
        reached = self.target_week(service, target)
        if reached is not None:
            return _("simulate.week", id="minggu {n}", en="week {n}", n=reached)
        proj = self.projected_target_week(service, target)
        return (_("simulate.not_at_this_pace", id="tidak dengan laju ini", en="not at this pace") if proj is None else
                _("simulate.projected", id="~minggu {n} (proyeksi)", en="~week {n} (projected)", n=math.ceil(proj)))

    @property
    def travel_hours(self) -> float:
        return sum(w.travel_hours for w in self.weeks)

    @property
    def nights_away(self) -> int:
        return sum(w.nights_away for w in self.weeks)




def _poisson(rng: random.Random, lam: float) -> int:
    k, p, t = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= t:
            return k
        k += 1


def arrivals(ws: Workspace, weeks: list[Week], seed: int) -> list[tuple[list[HomeVisitRequest], list[Delivery]]]:
    """New requests and deliveries of each week (the same for every policy)."""
    rng = random.Random(seed * 7919 + 1)
    kit_services = [s.id for s in ws.services]
    out = []
    n = 0
    for wk in weeks:
        reqs, dels = [], []
        for _ in range(_poisson(rng, NEW_REQUESTS)):
            v = rng.choice(ws.villages)
            n += 1
            reqs.append(HomeVisitRequest(
                id=f"sim-r{n}", name="-", reason=rng.choice(["elderly", "disabled", "sick"]),
                services=(rng.choice(kit_services),), village_code=v.code, lon=v.lon, lat=v.lat,
                requested_on=wk.monday - dt.timedelta(days=rng.randint(1, 6))))
        for _ in range(_poisson(rng, NEW_DELIVERIES)):
            v = rng.choice(ws.villages)
            n += 1
            ready = wk.monday - dt.timedelta(days=rng.randint(0, 6))
            dels.append(Delivery(id=f"sim-d{n}", document=rng.choice(["e-KTP", "KIA", "Akta Kelahiran"]),
                                 recipient="-", village_code=v.code, lon=v.lon, lat=v.lat, ready_on=ready,
                                 due_on=ready + dt.timedelta(days=21)))
        out.append((reqs, dels))
    return out


# --------------------------------------------------------------------------- greedy baselines
def greedy_routes(p: Problem, order: list[int]) -> list[tuple[int, list[int], int]]:
    """Fill each team-day with the visits of ``order`` that still fit, in that order.

    Returns ``(vehicle, visits, travel seconds)`` per non-empty team-day. A visit fits when the
    team may make it, it can start in one of its windows after the drive (waiting for a break
    to end when it would overlap one) and the team is back at its office by the end of the shift.
    """
    used: set[int] = set()
    group_of = {i: g for g, members in enumerate(p.same_day_groups) for i in members}
    allowed = [set(a) for a in p.allowed]
    excluded = {e.visit for e in p.excluded}
    out = []
    by_date: dict[int, set[int]] = {}
    for veh in sorted(p.vehicles, key=lambda v: (v.date_index, v.team)):
        dur = p.durations[veh.profile]
        t, here, seq, travel, load = veh.start_s, veh.depot_node, [], 0, 0
        groups_today = by_date.setdefault(veh.date_index, set())
        for i in order:
            if i in used or i in excluded or veh.index not in allowed[i]:
                continue
            g = group_of.get(i)
            if g is not None and g in groups_today:
                continue
            if p.load(i) and load + p.load(i) > veh.delivery_capacity:
                continue
            node = p.node(i)
            go = int(dur[here, node])
            svc = p.service_s[veh.kits][node]
            start = _fit(t + go, svc, p.windows(i), veh)
            if start is None or start + svc + int(dur[node, veh.depot_node]) > veh.end_s:
                continue
            seq.append(i)
            used.add(i)
            if g is not None:
                groups_today.add(g)
            load += p.load(i)
            travel += go
            t, here = start + svc, node
        if seq:
            out.append((veh.index, seq, travel + int(dur[here, veh.depot_node])))
    return out


def _fit(earliest: int, svc: int, windows, veh) -> int | None:
    """Earliest start >= ``earliest`` inside a window and not overlapping a break (None: none)."""
    spans = [(veh.start_s, veh.end_s)] if windows is None else [(a, b) for a, b in windows]
    for a, b in sorted(spans):
        s = max(earliest, a)
        for b0, b1 in sorted(veh.breaks):
            if s < b1 and s + svc > b0:
                s = max(s, b1)
        if s + svc <= b and s + svc <= veh.end_s:
            return s
    return None


def _plan_of(p: Problem, ws: Workspace, week: Week, routes: list[tuple[int, list[int], int]], engine: str) -> Plan:
    """A Plan for the ledger from greedy routes (visit steps only; times are nominal)."""
    out = []
    for vi, seq, _ in routes:
        veh = p.vehicles[vi]
        steps = []
        for k, i in enumerate(seq):
            v = p.visits[i]
            t = week.to_datetime(veh.start_s + 60 * k)
            steps.append(Step(type="visit", visit_id=v.id, kind=v.kind, place=v.place, village_code=v.village_code,
                              arrival=t, start=t, end=t, expected=dict(v.expected), value=v.value))
        out.append(Route(team=veh.team, date=week.dates[veh.date_index], depot=p.depots[veh.depot_node],
                         steps=tuple(steps)))
    return Plan(week=str(week), workspace=f"{ws.regency.code} {ws.regency.name}",
                generated_at=week.to_datetime(0), engine=engine, timezone=week.timezone, routes=tuple(out),
                unassigned=())


def _district_order(ws: Workspace) -> list[str]:
    return [v.code for v in sorted(ws.villages, key=lambda v: (v.district_code, v.code))]


# --------------------------------------------------------------------------- one week of one policy
def _outcomes(plan: Plan, pid: str, ws: Workspace, rng: random.Random) -> list[Outcome]:
    vil = ws.village_index
    left = {(v.code, s): v.unserved(s) for v in ws.villages for s in ws.service_ids}
    out = []
    for _, s in plan.visit_steps:
        if s.kind in ("village_session", "school_session"):
            if rng.random() < P_SESSION_MISSED:
                out.append(Outcome(pid, s.visit_id, "missed", {}, "session did not take place"))
                continue
            people = {}
            for sid, n in s.expected.items():
                k = max(0, round(n * rng.gauss(1.0, TURNOUT_SD)))
                k = min(k, left[(s.village_code, sid)], vil[s.village_code].eligible[sid])
                left[(s.village_code, sid)] -= k
                if k:
                    people[sid] = k
            out.append(Outcome(pid, s.visit_id, "done", people))
        elif s.kind == "home_visit":
            if rng.random() < P_HOME_MISSED:
                out.append(Outcome(pid, s.visit_id, "missed", {}, "nobody home"))
            else:
                people = {sid: 1 for sid in s.expected if left[(s.village_code, sid)] > 0}
                for sid in people:
                    left[(s.village_code, sid)] -= 1
                out.append(Outcome(pid, s.visit_id, "done", people))
        elif rng.random() < P_DELIVERY_FAILED:
            out.append(Outcome(pid, s.visit_id, "failed", {}, "recipient not found"))
        else:
            out.append(Outcome(pid, s.visit_id, "delivered"))
    return out


def _plan_week(ws: Workspace, week: Week, time_limit_s: float, solution_limit: int | None, travel) -> Plan:
    """The planner's plan; the time limit doubles (up to 3 times) when it was too short for a first solution."""
    for attempt in range(4):
        limits = SolveLimits(time_limit_s=time_limit_s * 2 ** attempt, solution_limit=solution_limit)
        try:
            return make_plan(ws, week, limits, engine="ortools", travel=travel).plan
        except NoPlanError:
            if attempt == 3:
                raise
    raise AssertionError("unreachable")


def _worst10(ws: Workspace, sid: str) -> float:
    covs = sorted(v.coverage(sid) for v in ws.villages if v.eligible.get(sid, 0) > 0)
    k = max(1, math.ceil(len(covs) / 10))
    return sum(covs[:k]) / k if covs else 1.0


def without_field_trips(ws: Workspace) -> Workspace:
    """The workspace with ``field_trips`` off for every team (every day starts and ends at the base)."""
    return ws.replace(teams=tuple(t.model_copy(update={"field_trips": False}) for t in ws.teams))


def simulate(ws: Workspace, weeks: int = 12, seed: int = 0, start: Week | None = None,
             policies: tuple[str, ...] = POLICIES, time_limit_s: float = 10.0,
             travel: TravelModel | None = None, ledger_dir: Path | None = None,
             solution_limit: int | None = None, field_trips: bool = True) -> dict[str, PolicyRun]:
    """Run the campaign for each policy; see the module docstring.

    ``ledger_dir``: keep each policy's ledger there as ``<policy>.sqlite`` (default: in memory).
    ``time_limit_s`` / ``solution_limit``: the planner's solver limits per week.
    ``field_trips=False``: every team works in day trips (``Team.field_trips`` off), whatever the workspace
    says, to compare the planner with and without nights away.
    """
    from ..travel import travel_model

    if not field_trips:
        ws = without_field_trips(ws)
    travel = travel or travel_model(ws)
    start = start or Week.parse("2026-W49", ws.regency.timezone)
    wk_list = [Week(*(start.monday + dt.timedelta(weeks=i)).isocalendar()[:2], ws.regency.timezone)
               for i in range(weeks)]
    arr = arrivals(ws, wk_list, seed)
    runs: dict[str, PolicyRun] = {}
    for policy in policies:
        if policy not in POLICIES:
            raise ValueError(_("simulate.unknown_policy", id="kebijakan {policy} tidak dikenal; pilih dari {names}",
                               en="unknown policy {policy}; choose from {names}", policy=repr(policy),
                               names=", ".join(POLICIES)))
        rng = random.Random(seed)
        led = Ledger(ledger_dir / f"{policy}.sqlite" if ledger_dir else ":memory:")
        run = PolicyRun(policy)
        requests, deliveries = list(ws.requests), list(ws.deliveries)
        pointer = 0
        rotation = _district_order(ws)
        for w, week in enumerate(wk_list):
            requests += arr[w][0]
            deliveries += arr[w][1]
            base = ws.replace(requests=tuple(requests), deliveries=tuple(deliveries))
            led.sync_requests(base)
            now = led.apply_progress(base, str(week))
            if policy == "planner":
                plan = _plan_week(now, week, time_limit_s, solution_limit, travel)
                travel_s = plan.travel_s
            else:  # the baselines make day trips: their sessions are cut for day trips too (no lodging caps)
                now = without_field_trips(now)
                visits = value_visits(now, week, candidate_visits(now, week, session_caps(now, week, travel)))
                p = build_problem(now, week, visits, travel)
                order = _order(p, now, policy, rotation, pointer)
                routes = greedy_routes(p, order)
                plan = _plan_of(p, now, week, routes, policy)
                travel_s = sum(t for _, _, t in routes)
                if policy == "rotation":
                    served = [p.visits[i].village_code for _, seq, _ in routes for i in seq
                              if p.visits[i].kind == "village_session"]
                    if served:
                        pointer = max(rotation.index(c) for c in served) + 1
            pid = led.issue_plan(plan)
            outs = _outcomes(plan, pid, now, rng)
            led.record_outcomes(outs, source="simulate")
            after = led.apply_progress(base)
            served_total: dict[str, int] = {}
            for o in outs:
                for sid, n in o.people.items():
                    served_total[sid] = served_total.get(sid, 0) + n
            week_end = week.monday + dt.timedelta(days=7)
            entered = {f"hv:{r.id}": r.requested_on for r in base.requests}
            entered.update({f"dl:{d.id}": d.ready_on for d in base.deliveries})
            waiting = sum(1 for k, r in led.requests().items()
                          if r["state"] in ("open", "scheduled", "failed") and k in entered
                          and (week_end - entered[k]).days > 14)
            run.weeks.append(WeekFigures(
                week=str(week), coverage={r.service: r.coverage for r in regency_coverage(after)},
                worst10={sid: _worst10(after, sid) for sid in ws.service_ids}, waiting_over_2w=waiting,
                travel_hours=travel_s / 3600, visits=len(plan.visit_steps), served=served_total,
                nights_away=sum(1 for r in plan.routes if r.away_night)))
        led.close()
        runs[policy] = run
    return runs


def _order(p: Problem, ws: Workspace, policy: str, rotation: list[str], pointer: int) -> list[int]:
    """The order a baseline takes candidates in."""
    idx = range(len(p.visits))
    if policy == "nearest":
        def dist(i: int) -> int:
            return min(int(p.durations[v.profile][v.depot_node, p.node(i)]) for v in p.vehicles) if p.vehicles else 0
        return sorted(idx, key=lambda i: (dist(i), p.visits[i].id))
    pos = {c: (k - pointer) % len(rotation) for k, c in enumerate(rotation)}
    waited = {r.id: r.requested_on for r in ws.requests} | {d.id: d.ready_on for d in ws.deliveries}
    requests = sorted((i for i in idx if p.visits[i].kind in ("home_visit", "delivery")),
                      key=lambda i: (waited[p.visits[i].ref], p.visits[i].id))
    sessions = sorted((i for i in idx if p.visits[i].kind in ("village_session", "school_session")),
                      key=lambda i: (pos[p.visits[i].village_code], p.visits[i].session_no, p.visits[i].id))
    return requests + sessions


# --------------------------------------------------------------------------- report
def report_markdown(runs: dict[str, PolicyRun], ws: Workspace) -> str:
    """The headline table (the first service, e-KTP: coverage after weeks 12 and 26, the week it reaches its
    target or the week projected from the trend, the worst 10 % of villages, travel hours, nights away), a
    table of the final figures per service, and the first service's coverage week by week."""
    s0 = ws.services[0]
    n = max(len(r.weeks) for r in runs.values())
    marks = [m for m in MILESTONES if m < n] + [n]
    policy = _("simulate.policy", id="kebijakan", en="policy")
    lines = [f"| {policy} | " + " | ".join(_("simulate.after_week", id="{s} setelah minggu {m}", en="{s} after week {m}",
                                             s=s0.id, m=m) for m in marks)
             + _("simulate.head_tail", id=" | {s} mencapai {target} | {s} 10% desa terburuk (akhir) | jam perjalanan "
                 "(total) | malam di luar (total) |", en=" | {s} reaches {target} | {s} worst 10% villages (final) | "
                 "travel hours (total) | nights away (total) |", s=s0.id, target=fmt_pct(s0.target, 0)),
             "|---" * (len(marks) + 5) + "|"]
    for name, run in runs.items():
        covs = [run.coverage_at(s0.id, m) for m in marks]
        lines.append(f"| {name} | " + " | ".join("–" if c is None else fmt_pct(c, 2) for c in covs)
                     + f" | {run.target_text(s0.id, s0.target)} | {fmt_pct(run.weeks[-1].worst10[s0.id], 1)} "
                     f"| {fmt_dec(run.travel_hours)} | {run.nights_away} |")
    lines += ["", _("simulate.final_head", id="Angka akhir per layanan:", en="Final figures per service:"), ""]
    lines += [f"| {policy} | " + " | ".join(_("simulate.final", id="{s} akhir (target {target})",
                                              en="{s} final (target {target})", s=s.id, target=fmt_pct(s.target, 0))
                                            for s in ws.services)
             + " | " + " | ".join(_("simulate.target_week", id="{s} minggu target", en="{s} target week", s=s.id)
                                  for s in ws.services)
             + " | " + " | ".join(_("simulate.worst10", id="{s} 10% terburuk", en="{s} worst 10%", s=s.id)
                                  for s in ws.services)
             + _("simulate.final_tail", id=" | menunggu > 2 minggu (akhir) | jam perjalanan (total) |",
                 en=" | waiting > 2 weeks (final) | travel hours (total) |"),
             "|---" * (3 * len(ws.services) + 3) + "|"]
    for name, run in runs.items():
        last = run.weeks[-1]
        tw = [run.target_week(s.id, s.target) for s in ws.services]
        lines.append(f"| {name} | " + " | ".join(fmt_pct(last.coverage[s.id], 2) for s in ws.services)
                     + " | " + " | ".join(_("simulate.never", id="tidak pernah", en="never") if t is None else
                                          _("simulate.week", id="minggu {n}", en="week {n}", n=t) for t in tw)
                     + " | " + " | ".join(fmt_pct(last.worst10[s.id], 1) for s in ws.services)
                     + f" | {last.waiting_over_2w} | {fmt_dec(sum(w.travel_hours for w in run.weeks))} |")
    lines += ["", _("simulate.weekly_head", id="Cakupan minggu demi minggu (layanan pertama, e-KTP):",
                    en="Coverage week by week (e-KTP first service):"), "",
              "| " + _("simulate.week_col", id="minggu", en="week") + " | " + " | ".join(runs) + " |",
              "|---" * (len(runs) + 1) + "|"]
    sid = ws.services[0].id
    first = next(iter(runs.values()))
    for i, w in enumerate(first.weeks):
        lines.append(f"| {w.week} | " + " | ".join(fmt_pct(r.weeks[i].coverage[sid], 3) for r in runs.values())
                     + " |")
    return "\n".join(lines) + "\n"


def plot(runs: dict[str, PolicyRun], ws: Workspace, path: Path) -> Path:
    """A PNG: coverage per service week by week, one line per policy, the target dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(ws.services) + 1, figsize=(5 * (len(ws.services) + 1), 4))
    for ax, s in zip(axes, ws.services):
        for name, run in runs.items():
            ax.plot(range(1, len(run.weeks) + 1), [100 * w.coverage[s.id] for w in run.weeks], marker="o",
                    label=name)
        ax.axhline(100 * s.target, ls="--", color="grey", label="target")
        ax.set_title(_("simulate.plot_coverage", id="Cakupan {name} (%)", en="{name} coverage (%)", name=s.name))
        ax.set_xlabel(_("simulate.week_col", id="minggu", en="week"))
    ax = axes[-1]
    for name, run in runs.items():
        ax.plot(range(1, len(run.weeks) + 1), [w.waiting_over_2w for w in run.weeks], marker="o", label=name)
    ax.set_title(_("simulate.plot_waiting", id="permintaan menunggu > 2 minggu", en="requests waiting > 2 weeks"))
    ax.set_xlabel(_("simulate.week_col", id="minggu", en="week"))
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


__all__ = ["POLICIES", "PolicyRun", "WeekFigures", "greedy_routes", "plot", "report_markdown", "simulate",
           "without_field_trips"]
