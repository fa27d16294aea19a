"""Solver engines. Each module here is the only place that imports its solver library.

Every engine module has ``solve(problem, limits, progress=None, initial=None) -> EngineResult`` (``initial``:
routes to start from, where the engine takes them, see :func:`takes_initial`) and ``FEATURES``,
the problem features it models; :func:`covering_engines` lists the engines that model every
feature a problem uses (see :func:`problem_features`).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect

from ..i18n import _
from .base import EngineResult, SolveLimits

__all__ = ["CONSTRUCTIONS", "ENGINES", "EngineResult", "SolveLimits", "covering_engines", "engine_available", "engine_features",
           "engine_refusal", "get_engine", "portfolio_runs", "problem_features", "run_engine", "run_is_cold", "run_seed_offset", "takes_initial"]

#: Engine name -> (module, solver library it needs).
ENGINES: dict[str, tuple[str, str]] = {
    "ortools": ("ortools_engine", "ortools"),
    "pyvrp": ("pyvrp_engine", "pyvrp"),
    "greedy": ("greedy_engine", "numpy"),
    "lns": ("lns_engine", "numpy"),
}

#: Engines that construct a plan without searching: selectable by name, never part of ``auto``'s
#: portfolio (:func:`covering_engines` leaves them out).
CONSTRUCTIONS = frozenset({"greedy"})

#: Engines that only improve a given plan by local search (``lns``: ruin and recreate with the construction's
#: insertion, :mod:`outreach_planner.planning.improve`): selectable by name; :func:`covering_engines` leaves them
#: out, :func:`portfolio_runs` and the decomposition (:mod:`outreach_planner.planning.decompose`) name them.
IMPROVERS = frozenset({"lns"})


#: The engine that, where it models a problem exactly, has won every comparison we measured
#: (all 79 benchmark instances of docs/benchmarks.md and both generated weekly workspaces at
#: every time limit); there the portfolio runs it once per core with different seeds.
SEEDED_ENGINE = "pyvrp"


def _module(name: str):
    if name not in ENGINES:
        raise ValueError(_("engine.unknown", id="mesin {name} tidak dikenal; yang tersedia: {names}",
                           en="unknown engine {name}; available: {names}", name=repr(name), names=", ".join(ENGINES)))
    return importlib.import_module(f".{ENGINES[name][0]}", __name__)


def get_engine(name: str):
    """The ``solve(problem, limits, progress=None, initial=None)`` function of engine ``name``."""
    return _module(name).solve


def takes_initial(name: str) -> bool:
    """Whether engine ``name``'s ``solve`` takes an ``initial`` plan to start from."""
    return "initial" in inspect.signature(get_engine(name)).parameters


def engine_features(name: str) -> frozenset[str]:
    """The problem features engine ``name`` models."""
    return _module(name).FEATURES


def engine_approximates(name: str) -> frozenset[str]:
    """Features engine ``name`` models only approximately (its plans stay valid but may miss the best)."""
    return getattr(_module(name), "APPROXIMATES", frozenset())


def engine_available(name: str) -> bool:
    """Whether the solver library of engine ``name`` is installed."""
    return importlib.util.find_spec(ENGINES[name][1]) is not None


def problem_features(problem) -> frozenset[str]:
    """The modelling features ``problem`` (an :class:`~outreach_planner.planning.problem.Problem`) uses.

    ``breaks`` (fixed breaks in a shift), ``same_day_groups`` (at most one of some visits per
    date), ``time_windows``, ``multiple_windows`` (a visit with several windows),
    ``optional_visits``, ``required_visits``, ``capacity``, ``several_vehicles``,
    ``several_depots``, ``several_profiles`` (travel profiles), ``restrictions`` (a visit some
    vehicles may not make), ``vehicle_service_times`` (on-site time depends on the vehicle),
    ``start_end_depots`` (a vehicle starts or ends at a depot node other than its office: a field-trip day).
    """
    p = problem
    f: set[str] = set()
    if any(v.breaks for v in p.vehicles):
        f.add("breaks")
    if p.same_day_groups:
        f.add("same_day_groups")
    if any(v.windows is not None for v in p.visits):
        f.add("time_windows")
    if any(v.windows is not None and len(v.windows) > 1 for v in p.visits):
        f.add("multiple_windows")
    if len(p.required) < len(p.visits):
        f.add("optional_visits")
    if p.required:
        f.add("required_visits")
    if any(p.load(i) for i in range(len(p.visits))):
        f.add("capacity")
    if len(p.vehicles) > 1:
        f.add("several_vehicles")
    if p.n_depots > 1:
        f.add("several_depots")
    if len(p.durations) > 1:
        f.add("several_profiles")
    if any(v.start_node != v.depot_node or v.end_node != v.depot_node for v in p.vehicles):
        f.add("start_end_depots")
    if any(a and len(a) < len(p.vehicles) for a in p.allowed):
        f.add("restrictions")
    kits = {v.kits for v in p.vehicles}
    if len(kits) > 1 and any(len({p.service_s[k][p.node(i)] for k in kits}) > 1 for i in range(len(p.visits))):
        f.add("vehicle_service_times")
    return frozenset(f)


def engine_refusal(name: str, problem) -> str | None:
    """Why engine ``name`` cannot solve ``problem`` (None: it can): a missing feature or its own check."""
    missing = problem_features(problem) - engine_features(name)
    if missing:
        return _("engine.missing_features", id="mesin {name} tidak memodelkan {features}, yang dipakai masalah ini",
                 en="the {name} engine does not model {features}, which this problem uses", name=name,
                 features=", ".join(sorted(missing)))
    check = getattr(_module(name), "unsupported", None)
    why = check(problem) if check else None
    return _("engine.cannot_model", id="mesin {name} tidak bisa memodelkan masalah ini: {why}",
             en="the {name} engine cannot model this problem: {why}", name=name, why=why) if why else None


def covering_engines(problem) -> list[str]:
    """Installed search engines that model every feature ``problem`` uses (OR-Tools first; no constructions)."""
    return [n for n in ENGINES if n not in CONSTRUCTIONS | IMPROVERS and engine_available(n)
            and engine_refusal(n, problem) is None]


#: Suffix of a run label whose engine searches from scratch, without the initial plan (``ortools-cold``).
COLD = "-cold"

#: Up to this many candidate visits, ``auto`` runs OR-Tools a second time from scratch beside the warm-started
#: run where OR-Tools leads (see :func:`portfolio_runs`). Measured on the default week (441 candidates,
#: 2 loaded cores): warm-started, OR-Tools reaches 1,990 value points within 2 s and stays there (1,990 at
#: 5 and 10 s, 1,993 at 30 s), from scratch it has 1,054-1,185 at 5 s but 2,048-2,065 at 30 s, and PyVRP
#: 1,522-1,828 at 5-30 s. At 887 candidates OR-Tools from scratch finds no first plan in 30 s.
COLD_MAX_CANDIDATES = 600


def run_engine(label: str) -> str:
    """The engine of a portfolio run label (``pyvrp#2`` is the second PyVRP run, ``ortools-cold`` OR-Tools)."""
    return label.split("#", 1)[0].removesuffix(COLD)


def run_is_cold(label: str) -> bool:
    """Whether run ``label`` searches from scratch (no initial plan)."""
    return label.split("#", 1)[0].endswith(COLD)


def run_seed_offset(label: str) -> int:
    """How far a run's seed is from the caller's (0 for ``pyvrp``, 1 for ``pyvrp#2``)."""
    return int(label.split("#", 1)[1]) - 1 if "#" in label else 0


def portfolio_runs(problem, cores: int) -> list[str]:
    """The runs of ``engine="auto"``, one process each, as labels (``ortools``, ``pyvrp``, ``pyvrp#2``).

    When :data:`SEEDED_ENGINE` models every feature of ``problem`` exactly it gets every core,
    each run with its own seed; otherwise every covering engine runs once (OR-Tools models fixed
    breaks and "one session of a village per date" exactly, where PyVRP only approximates them),
    and on a problem of at most :data:`COLD_MAX_CANDIDATES` visits with two or more cores the runs are
    ``lns`` (ruin and recreate from the greedy construction) and OR-Tools from scratch (``ortools-cold``):
    from the construction, OR-Tools' search stalls (1,993-2,000 value points at 5-30 s on the default week)
    where ruin and recreate reaches 2,051 within 5 s, and from scratch OR-Tools ends at 2,048-2,065 at 30 s
    on a quiet machine (see :data:`COLD_MAX_CANDIDATES`; docs/benchmarks.md section 10).
    """
    names = covering_engines(problem)
    lead = SEEDED_ENGINE
    if lead in names and not (problem_features(problem) & engine_approximates(lead)):
        return [lead] + [f"{lead}#{k}" for k in range(2, max(1, cores) + 1)]
    if names and names[0] == "ortools" and cores >= 2 and len(problem.visits) <= COLD_MAX_CANDIDATES:
        return ["lns", "ortools" + COLD] + names[1:max(1, cores) - 1]
    return names
