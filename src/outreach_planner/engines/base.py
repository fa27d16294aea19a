"""What every engine takes and returns. Engines do no IO."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SolveLimits:
    """When to stop searching.

    ``time_limit_s`` bounds wall-clock time. ``solution_limit`` (if set) stops after that
    many solutions, which makes a run independent of machine speed (tests use it). A search
    that finds no new solutions stops too, after a number of failed branches (OR-Tools) or of
    iterations (PyVRP) proportional to the limit: also independent of machine speed.
    """

    time_limit_s: float = 30.0
    solution_limit: int | None = None
    seed: int = 0


@dataclass
class EngineResult:
    """Routes as ``(vehicle index, [(visit index, start second), ...])`` plus search figures."""

    engine: str
    routes: list[tuple[int, list[tuple[int, int]]]]
    objective: float
    status: str
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective)


#: ``progress(elapsed_s, objective)`` is called at each improving solution.
Progress = Callable[[float, float], None]
