"""Solver engines. Each module here is the only place that imports its solver library."""

from .base import EngineResult, SolveLimits

__all__ = ["EngineResult", "SolveLimits", "get_engine"]


def get_engine(name: str):
    """The ``solve(problem, limits, progress)`` function of engine ``name``."""
    if name == "ortools":
        from .ortools_engine import solve

        return solve
    raise ValueError(f"unknown engine {name!r}; available: ortools")
