"""Computed reasons for the visits a plan leaves out, in English and Indonesian.

:func:`explain_unassigned` tries every left-out visit in the plan's own routes with the rules the
engines model (shifts, fixed breaks, windows, on-site time by kits, delivery capacity, one
session of a village per date): the insertion code of :mod:`outreach_planner.planning.construct`
(:func:`~outreach_planner.planning.construct.plan_lanes` and ``_Lane.insertions``), with the
problem's own travel times. Per team-day that may make the visit it checks

* the insertion into the route as planned, at its cheapest feasible position;
* the insertion after dropping each run of up to :data:`MAX_DROPPED` consecutive visits of the
  route, and after dropping the whole route (an empty day).

Every check is vectorised over all left-out visits at once, so every left-out visit gets the
full search (the default week: 25 team-days, 336 left-out visits, about 1,900 route variants).
The cheapest way in is priced as the value it would displace plus the driving it adds (at
``travel_cost_per_s``): the visit's *needed value*. The reason is the binding rule:

=============  ==================================================================================
``missed``     it fits (as planned, or in a swap) and is worth more than it needs: the search
               stopped before finding it
``low_value``  it fits at a price (driving, or visits pushed out) above its value; the price is
               ``needed_value``
``capacity``   the team-days with time for it are at their delivery capacity
``same_day``   it fits only on dates that already hold a session of its village
``no_time``    no team-day that may make it has the time for it, not even an empty one (the
               drive there and back, the time on site and the breaks exceed the shift)
=============  ==================================================================================

The weekly session cap (``policy.max_sessions_per_village``) never binds here: the candidate
visits already hold only the sessions left under it. Visits excluded before solving keep the
reason of :func:`~outreach_planner.planning.problem.build_problem`.

Language: the plan does not know the language it will be shown in (``--lang`` is a render
option), so both texts are stored: ``Unassigned.detail`` in English (as before, stable in
``plan.json``) and ``Unassigned.detail_id`` in Indonesian; renderers pick by language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engines.base import EngineResult
from ..i18n import fmt_dec
from ..plan import Unassigned
from .construct import plan_lanes
from .problem import NOT_ON_THIS_SHAPE, Problem

#: Longest run of consecutive visits of a route dropped to make room (plus the whole route).
MAX_DROPPED = 4
_BIG = np.iinfo(np.int64).max // 4
_EPS = 1e-6
#: A way in that gains less than this (value points) is reported as ``low_value``, not ``missed``:
#: the engines round values and driving to integers of ``units.VALUE_SCALE`` per arc.
MISSED_MIN_GAIN = 0.05

_DAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
         "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")}
_MONTHS = {"en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
           "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")}

#: The sentences, per language. Fields: see :func:`_texts`.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "team_day": "{team} on {day}",
        "visit": "{place} ({value})",
        "session": "{place}, session {no} ({value})",
        "more": "{list} and {n} more",
        "and": " and ",
        "drive_more": "; the route would drive {min} min more (worth {cost})",
        "drive_less": "; the route would drive {min} min less (saving {cost})",
        "free_day": "{td} is free: the round trip takes {min} min of driving, worth {cost}",
        "fit": "{td} has room for it as planned: the detour adds {min} min of driving, worth {cost}",
        "swap": "{td} could take it if {list} were dropped{dropped}{drive}",
        "whole_day": "{td} could take it instead of its whole day ({list}){dropped}{drive}",
        "worth": ", together worth {value}",
        "missed": "{way}. At its value of {value} that would add {gain} to the plan: the search stopped before "
                  "finding it (a longer --time-limit may).",
        "low_value": "{way}. It needs a value above {needed}; its value is {value}.",
        "low_value_swap": "No team-day that could make it has room for it as planned. Cheapest way in: {way}. "
                          "It needs a value above {needed}; its value is {value}.",
        "capacity": "{days} {verb} time for it but {verb2} at delivery capacity ({loads}).",
        "capacity_one": ("has", "is"),
        "capacity_many": ("have", "are"),
        "load": "{td} {used}/{cap}",
        "same_day": "It fits only on {days}, which already {verb} a session of this village (one a day).",
        "same_day_one": "has",
        "same_day_many": "have",
        "let_in": " What would let it in: {way}; it would need a value above {needed} (its value: {value}).",
        "no_let_in": " Dropping up to {n} consecutive visits or a whole day of a team that could make it does "
                     "not make room.",
        "no_time": "No team-day that could make it has the time for it, even with nothing else that day: the "
                   "drive there and back, {min} min on site and the breaks do not fit the shift of {teams}.",
        "excluded": {},
    },
    "id": {
        "team_day": "{team} pada {day}",
        "visit": "{place} ({value})",
        "session": "{place}, sesi {no} ({value})",
        "more": "{list} dan {n} lainnya",
        "and": " dan ",
        "drive_more": "; rutenya bertambah {min} menit perjalanan (senilai {cost})",
        "drive_less": "; rutenya berkurang {min} menit perjalanan (hemat {cost})",
        "free_day": "{td} kosong: perjalanan pergi-pulang {min} menit, senilai {cost}",
        "fit": "{td} masih punya waktu sesuai rencana: jalan memutar menambah {min} menit perjalanan, "
               "senilai {cost}",
        "swap": "{td} bisa mengambilnya jika {list} dilepas{dropped}{drive}",
        "whole_day": "{td} bisa mengambilnya sebagai ganti seluruh harinya ({list}){dropped}{drive}",
        "worth": ", bersama senilai {value}",
        "missed": "{way}. Dengan nilainya {value}, rencana bertambah {gain}: pencarian berhenti sebelum "
                  "menemukannya (--time-limit yang lebih lama mungkin menemukannya).",
        "low_value": "{way}. Nilai yang dibutuhkan di atas {needed}; nilainya {value}.",
        "low_value_swap": "Tidak ada hari tim yang bisa melakukannya yang masih punya waktu sesuai rencana. "
                          "Cara termurah: {way}. Nilai yang dibutuhkan di atas {needed}; nilainya {value}.",
        "capacity": "{days} punya waktu untuknya tetapi sudah penuh kapasitas antarnya ({loads}).",
        "capacity_one": ("", ""),
        "capacity_many": ("", ""),
        "load": "{td} {used}/{cap}",
        "same_day": "Hanya muat pada {days}, yang sudah ada sesi desa ini (satu sehari).",
        "same_day_one": "",
        "same_day_many": "",
        "let_in": " Yang bisa memasukkannya: {way}; nilai yang dibutuhkan di atas {needed} (nilainya: {value}).",
        "no_let_in": " Melepas hingga {n} kunjungan berurutan atau seluruh hari tim yang bisa melakukannya tidak "
                     "memberi ruang.",
        "no_time": "Tidak ada hari tim yang bisa melakukannya yang punya waktu, bahkan tanpa kunjungan lain hari "
                   "itu: perjalanan pergi-pulang, {min} menit di lokasi dan waktu istirahat tidak muat dalam jam "
                   "kerja {teams}.",
        # the fixed sentences of planning.problem (pre-excluded visits), English -> Indonesian
        "excluded": {
            "no team that could make it works this week": "tidak ada tim yang bisa melakukannya bekerja minggu ini",
            "forbidden by the planner": "dilarang oleh perencana",
            "the document is not ready before the week ends": "dokumennya belum siap sebelum minggu ini berakhir",
            "no school hours overlap a shift of a team that could make it":
                "jam sekolah tidak bertemu jam kerja tim mana pun yang bisa melakukannya",
            "no availability window falls in this week": "tidak ada jadwal ketersediaan dalam minggu ini",
            "its availability windows fall on no shift of a team that could make it":
                "jadwal ketersediaannya tidak jatuh pada jam kerja tim mana pun yang bisa melakukannya",
            NOT_ON_THIS_SHAPE:
                "hanya terjangkau dari tempat menginap pada perjalanan dinas beberapa hari, dan tidak ada perjalanan "
                "yang dipilih minggu ini yang singgah ke sana",
            "the round trip from the office plus the time on site does not fit into any shift (or window) of a "
            "team that could make it":
                "perjalanan pergi-pulang dari kantor ditambah waktu di lokasi tidak muat dalam jam kerja (atau "
                "jadwal) tim mana pun yang bisa melakukannya",
        },
    },
}
_KINDS_ID = {"village_session": "sesi desa", "school_session": "sesi sekolah", "home_visit": "kunjungan rumah",
             "delivery": "antar dokumen"}


@dataclass(frozen=True)
class _Way:
    """One checked way in: vehicle ``vehicle`` after dropping ``dropped``; ``dtravel`` s of driving more."""

    vehicle: int
    dropped: tuple[int, ...]
    whole_day: bool  # ``dropped`` is the whole route
    free_day: bool  # the team-day has no route in the plan
    dtravel: int
    needed: float
    at: int = 0  # position of the visit in the route after dropping ``dropped``


def _route_travel(lane, seq: list[int]) -> int:
    v = lane.veh
    nodes = [v.start_node] + [int(lane.cnode[c]) for c in seq] + [v.end_node]
    return int(sum(int(lane.dur[a, b]) for a, b in zip(nodes, nodes[1:])))


def _search(p: Problem, routes, left: list[int]):
    """Every checked way in of the visits ``left``: (as planned, swaps, blocked-by) per visit."""
    lanes, _, valid = plan_lanes(p, routes)
    cost = p.travel_cost_per_s
    values = np.array([v.value for v in p.visits], dtype=float)
    loads = np.array([p.load(i) for i in range(len(p.visits))], dtype=np.int64)
    group_of = {i: g for g, members in enumerate(p.same_day_groups) for i in members}
    on_date: dict[tuple[int, int], set[int]] = {}  # (group, date index) -> its routed visits
    for vi, seq in routes:
        d = p.vehicles[vi].date_index
        for i, _ in seq:
            if i in group_of:
                on_date.setdefault((group_of[i], d), set()).add(i)
    leftset = set(left)
    n = len(p.visits)
    fit = [None] * n  # best way as planned (no visit dropped), not blocked
    swap = [None] * n  # best way dropping visits
    fit_cap: list[list[int]] = [[] for _ in range(n)]  # vehicles with time, at capacity
    fit_sd: list[list[int]] = [[] for _ in range(n)]  # vehicles with time, date holds the village
    swap_cap: list[list[int]] = [[] for _ in range(n)]  # the same after dropping visits
    swap_sd: list[list[int]] = [[] for _ in range(n)]
    for r, lane in enumerate(lanes):
        if not valid[r]:
            continue
        locs = np.array([c for c, i in enumerate(lane.cand.tolist()) if i in leftset and lane.open[c]],
                        dtype=np.int64)
        if not len(locs):
            continue
        vis = lane.cand[locs]
        date = lane.veh.date_index
        group = [set(p.same_day_groups[group_of[i]]) if i in group_of else set() for i in vis.tolist()]
        members = [on_date.get((group_of[i], date), set()) if i in group_of else set() for i in vis.tolist()]
        has_members = np.array([bool(m) for m in members])
        cap = lane.veh.delivery_capacity
        seq0, starts0 = lane.seq, lane.starts
        route = [int(lane.cand[c]) for c in seq0]
        base = _route_travel(lane, seq0)
        m = len(seq0)
        cuts = [(0, 0)] + [(a, b) for a in range(m) for b in range(a + 1, min(m, a + MAX_DROPPED) + 1)]
        if m > MAX_DROPPED:
            cuts.append((0, m))
        for a, b in cuts:
            seq = seq0[:a] + seq0[b:]
            starts = lane.schedule(seq) if b > a else starts0
            if starts is None:
                continue
            lane.seq, lane.starts = seq, starts
            try:
                ok, dtr, _ = lane.insertions(locs)
            finally:
                lane.seq, lane.starts = seq0, starts0
            feasible = ok.any(axis=0)
            if not feasible.any():
                continue
            dall = np.where(ok, dtr, _BIG)
            at = dall.argmin(axis=0)
            dmin = dall[at, np.arange(len(locs))]
            dropped = tuple(route[a:b])
            dtravel = (_route_travel(lane, seq) - base) + dmin
            needed = values[list(dropped)].sum() + cost * dtravel
            sd = has_members.copy()
            if dropped:
                gone = set(dropped)
                for k in np.flatnonzero(has_members):
                    # never a session of the village for another of its sessions (their values are sequential)
                    sd[k] = bool(members[k] - gone) or bool(group[k] & gone)
            capblk = np.zeros(len(locs), dtype=bool)
            if cap >= 0:
                capblk = lane.used_load - int(loads[list(dropped)].sum()) + loads[vis] > cap
            for k in np.flatnonzero(feasible).tolist():
                i = int(vis[k])
                if not dropped:
                    if sd[k]:
                        fit_sd[i].append(r)
                    elif capblk[k]:
                        fit_cap[i].append(r)
                    elif fit[i] is None or needed[k] < fit[i].needed - _EPS:
                        fit[i] = _Way(r, (), False, m == 0, int(dtravel[k]), float(needed[k]), int(at[k]))
                elif sd[k]:
                    if r not in swap_sd[i]:
                        swap_sd[i].append(r)
                elif capblk[k]:
                    if r not in swap_cap[i]:
                        swap_cap[i].append(r)
                elif swap[i] is None or needed[k] < swap[i].needed - _EPS:
                    swap[i] = _Way(r, dropped, b - a == m and m > MAX_DROPPED, False, int(dtravel[k]),
                                   float(needed[k]), int(at[k]))
    return lanes, fit, swap, fit_cap, fit_sd, swap_cap, swap_sd


# --------------------------------------------------------------------------- sentences
def _num(x: float, lang: str = "en") -> str:
    return fmt_dec(x, 1, lang)


def _minutes(s: int) -> str:
    return f"{abs(s) / 60:.0f}"


def _day(p: Problem, vi: int, lang: str) -> str:
    date = p.week.dates[p.vehicles[vi].date_index]
    return f"{_DAYS[lang][date.weekday()]} {date.day} {_MONTHS[lang][date.month - 1]}"


def _td(p: Problem, vi: int, lang: str) -> str:
    return TEXTS[lang]["team_day"].format(team=_team(p, p.vehicles[vi].team), day=_day(p, vi, lang))


def _team(p: Problem, team: str) -> str:
    """The team's name as a person knows it (its id when the problem has no names)."""
    return p.team_names.get(team) or team


def _visits(p: Problem, ids: tuple[int, ...], lang: str, most: int = 3) -> str:
    t = TEXTS[lang]
    parts = []
    for i in ids[:most]:
        v = p.visits[i]
        if v.kind == "village_session" and v.sessions_offered > 1:
            parts.append(t["session"].format(place=v.place, no=v.session_no, value=_num(v.value, lang)))
        else:
            parts.append(t["visit"].format(place=v.place, value=_num(v.value, lang)))
    text = ", ".join(parts[:-1]) + t["and"] + parts[-1] if len(parts) > 1 else parts[0]
    if len(ids) > most:
        text = t["more"].format(list=", ".join(parts), n=len(ids) - most)
    return text


def _way(p: Problem, w: _Way, lang: str) -> str:
    t = TEXTS[lang]
    td = _td(p, w.vehicle, lang)
    cost = p.travel_cost_per_s * w.dtravel
    if w.free_day:
        return t["free_day"].format(td=td, min=_minutes(w.dtravel), cost=_num(cost, lang))
    if not w.dropped:
        return t["fit"].format(td=td, min=_minutes(w.dtravel), cost=_num(cost, lang))
    drive = ""
    if round(w.dtravel / 60):
        drive = t["drive_more" if w.dtravel > 0 else "drive_less"].format(min=_minutes(w.dtravel),
                                                                          cost=_num(abs(cost), lang))
    worth = sum(p.visits[i].value for i in w.dropped)
    dropped = t["worth"].format(value=_num(worth, lang)) if len(w.dropped) > 1 else ""
    return t["whole_day" if w.whole_day else "swap"].format(
        td=td, list=_visits(p, w.dropped, lang), dropped=dropped, drive=drive)


def _join(items: list[str], lang: str) -> str:
    return ", ".join(items[:-1]) + TEXTS[lang]["and"] + items[-1] if len(items) > 1 else items[0]


def _days_list(p: Problem, vehicles: list[int], lang: str, most: int = 4) -> str:
    tds = [_td(p, v, lang) for v in vehicles]
    if len(tds) > most:
        return TEXTS[lang]["more"].format(list=", ".join(tds[:most]), n=len(tds) - most)
    return _join(tds, lang)


def _texts(p: Problem, lanes, i: int, reason: str, way: _Way | None, blocked: list[int]) -> dict[str, str]:
    v = p.visits[i]
    out = {}
    for lang in ("en", "id"):
        t = TEXTS[lang]
        val = _num(v.value, lang)
        if reason in ("missed", "low_value"):
            key = "missed" if reason == "missed" else ("low_value" if not way.dropped else "low_value_swap")
            text = t[key].format(way=_way(p, way, lang),
                                 value=val, needed=_num(way.needed, lang), gain=_num(v.value - way.needed, lang))
        elif reason == "capacity":
            verbs = t["capacity_one" if len(blocked) == 1 else "capacity_many"]
            loads = ", ".join(t["load"].format(td=_td(p, r, lang), used=lanes[r].used_load,
                                               cap=lanes[r].veh.delivery_capacity) for r in blocked[:4])
            text = t["capacity"].format(days=_days_list(p, blocked, lang), verb=verbs[0], verb2=verbs[1],
                                        loads=loads)
            text = " ".join(text.split())
        elif reason == "same_day":
            verb = t["same_day_one" if len(blocked) == 1 else "same_day_many"]
            text = " ".join(t["same_day"].format(days=_days_list(p, blocked, lang), verb=verb).split())
        else:  # no_time
            teams = sorted({_team(p, p.vehicles[r].team) for r in p.allowed[i]})
            on_site = min(p.service_s[p.vehicles[r].kits][p.node(i)] for r in p.allowed[i])
            text = t["no_time"].format(min=_minutes(on_site), teams=_join(teams, lang))
        if reason in ("capacity", "same_day"):
            if way is not None:
                text += t["let_in"].format(way=_way(p, way, lang), needed=_num(way.needed, lang), value=val)
            else:
                text += t["no_let_in"].format(n=MAX_DROPPED)
        out[lang] = text
    return out


# --------------------------------------------------------------------------- entry point
def explain_unassigned(p: Problem, routes: list[tuple[int, list[tuple[int, int]]]] | EngineResult
                       ) -> list[Unassigned]:
    """Every candidate visit of ``p`` not on ``routes``, with its computed reason (module docstring).

    Parameters
    ----------
    p
        The problem the routes were made for (its visits' values are the ones reported).
    routes
        ``EngineResult.routes`` (``[(vehicle index, [(visit index, start second), ...]), ...]``)
        or the ``EngineResult`` itself.

    Returns
    -------
    list of Unassigned
        In visit order; ``needed_value`` in value points, ``added_travel_s`` in seconds.
    """
    if isinstance(routes, EngineResult):
        routes = routes.routes
    routed = {i for _, seq in routes for i, _ in seq}
    excluded = {e.visit: e for e in p.excluded}
    left = [i for i in range(len(p.visits)) if i not in routed and i not in excluded]
    lanes, fit, swap, fit_cap, fit_sd, swap_cap, swap_sd = _search(p, routes, left)
    out = []
    for i, vis in enumerate(p.visits):
        if i in routed:
            continue
        base = dict(visit_id=vis.id, kind=vis.kind, value=vis.value, village_code=vis.village_code)
        if i in excluded:
            e = excluded[i]
            out.append(Unassigned(reason=e.reason, detail=e.detail, detail_id=_excluded_id(vis, e.detail), **base))
            continue
        blocked: list[int] = []
        if fit[i] is not None:
            way = fit[i]
            reason = "missed" if vis.value > way.needed + MISSED_MIN_GAIN else "low_value"
        elif fit_cap[i]:
            reason, way, blocked = "capacity", swap[i], fit_cap[i]
        elif fit_sd[i]:
            reason, way, blocked = "same_day", swap[i], fit_sd[i]
        elif swap[i] is not None:
            way = swap[i]
            reason = "missed" if vis.value > way.needed + MISSED_MIN_GAIN else "low_value"
        elif swap_sd[i]:
            reason, way, blocked = "same_day", None, swap_sd[i]
        elif swap_cap[i]:
            reason, way, blocked = "capacity", None, swap_cap[i]
        else:
            reason, way = "no_time", None
        texts = _texts(p, lanes, i, reason, way, blocked)
        extra = {}
        if way is not None:
            veh = p.vehicles[way.vehicle]
            extra = dict(needed_value=round(way.needed, 3), displaces=tuple(p.visits[j].id for j in way.dropped),
                         team=veh.team, date=p.week.dates[veh.date_index], would_fit=True,
                         added_travel_s=way.dtravel)
        out.append(Unassigned(reason=reason, detail=texts["en"], detail_id=texts["id"], **extra, **base))
    return out


def _apply(p: Problem, routes, i: int, way: _Way) -> list[tuple[int, list[tuple[int, int]]]]:
    """``routes`` with visit ``i`` put in as ``way`` says (its visits dropped), at the earliest starts.

    For checking a reported way in (the tests re-check the result with ``validate``).
    """
    lanes, _, _ = plan_lanes(p, routes)
    lane = lanes[way.vehicle]
    local = {int(x): c for c, x in enumerate(lane.cand.tolist())}
    seq = [c for c in lane.seq if int(lane.cand[c]) not in way.dropped]
    seq.insert(way.at, local[i])
    starts = lane.schedule(seq)
    if starts is None:
        raise ValueError(f"the way in of {p.visits[i].id} does not fit")
    new = [(int(lane.cand[c]), s) for c, s in zip(seq, starts)]
    out = [(vi, sq) for vi, sq in routes if vi != way.vehicle]
    return sorted(out + [(way.vehicle, new)])


def _excluded_id(vis, detail: str) -> str:
    """The Indonesian form of a reason ``build_problem`` wrote (its sentences are fixed but one)."""
    known = TEXTS["id"]["excluded"]
    if detail in known:
        return known[detail]
    if detail.startswith("needs a team doing "):  # problem._skill_detail
        need = f"layanan {', '.join(vis.services)}" if vis.services else "antar dokumen"
        kit = " dan alat perekaman" if vis.needs_kit else ""
        return f"butuh tim yang melakukan {_KINDS_ID[vis.kind]} dengan {need}{kit}"
    return detail


__all__ = ["MAX_DROPPED", "TEXTS", "explain_unassigned"]
