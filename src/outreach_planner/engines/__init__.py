"""Solver engines. Each module here is the only place that imports its solver library.

Every engine module has ``solve(problem, limits, progress) -> EngineResult`` and ``FEATURES``,
the problem features it models; :func:`covering_engines` lists the engines that model every
feature a problem uses (see :func:`problem_features`).
"""

from __future__ import annotations

import importlib
import importlib.util

from .base import EngineResult, SolveLimits

__all__ = ["ENGINES", "EngineResult", "SolveLimits", "covering_engines", "engine_available", "engine_features",
           "engine_refusal", "get_engine", "problem_features"]

#: Engine name -> (module, solver library it needs).
ENGINES: dict[str, tuple[str, str]] = {
    "ortools": ("ortools_engine", "ortools"),
    "pyvrp": ("pyvrp_engine", "pyvrp"),
}


def _module(name: str):
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; available: {', '.join(ENGINES)}")
    return importlib.import_module(f".{ENGINES[name][0]}", __name__)


def get_engine(name: str):
    """The ``solve(problem, limits, progress)`` function of engine ``name``."""
    return _module(name).solve


def engine_features(name: str) -> frozenset[str]:
    """The problem features engine ``name`` models."""
    return _module(name).FEATURES


def engine_available(name: str) -> bool:
    """Whether the solver library of engine ``name`` is installed."""
    return importlib.util.find_spec(ENGINES[name][1]) is not None


def problem_features(problem) -> frozenset[str]:
    """The modelling features ``problem`` (an :class:`~outreach_planner.problem.Problem`) uses.

    ``breaks`` (fixed breaks in a shift), ``same_day_groups`` (at most one of some visits per
    date), ``time_windows``, ``multiple_windows`` (a visit with several windows),
    ``optional_visits``, ``required_visits``, ``capacity``, ``several_vehicles``,
    ``several_depots``, ``several_profiles`` (travel profiles), ``restrictions`` (a visit some
    vehicles may not make), ``vehicle_service_times`` (on-site time depends on the vehicle).
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
        return f"the {name} engine does not model {', '.join(sorted(missing))}, which this problem uses"
    check = getattr(_module(name), "unsupported", None)
    why = check(problem) if check else None
    return f"the {name} engine cannot model this problem: {why}" if why else None


def covering_engines(problem) -> list[str]:
    """Installed engines that model every feature ``problem`` uses (OR-Tools first)."""
    return [n for n in ENGINES if engine_available(n) and engine_refusal(n, problem) is None]
