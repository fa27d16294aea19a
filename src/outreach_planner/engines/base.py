"""What every engine takes and returns. Engines do no IO."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: ``[(vehicle index, [(visit index, start second), ...]), ...]``: a plan as engines exchange it
#: (``EngineResult.routes``, the ``initial`` an engine starts from, the routes a progress report carries).
Routes = list[tuple[int, list[tuple[int, int]]]]


@dataclass(frozen=True)
class SolveLimits:
    """When to stop searching.

    ``time_limit_s`` bounds the search's wall-clock time (building the model is not counted). ``solution_limit`` (if set) stops after that
    many solutions, which makes a run independent of machine speed (tests use it). A search
    that finds no new solutions stops too, after a number of failed branches (OR-Tools) or of
    iterations (PyVRP) proportional to the limit: also independent of machine speed.
    """

    time_limit_s: float = 30.0
    solution_limit: int | None = None
    seed: int = 0


@dataclass
class EngineResult:
    """Routes as ``(vehicle index, [(visit index, start second), ...])`` plus search figures.

    ``build_s``: seconds spent building the model before the search; ``search_s``: seconds of search
    (0 where an engine does not tell them apart).
    """

    engine: str
    routes: Routes
    objective: float
    status: str
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective)
    build_s: float = 0.0
    search_s: float = 0.0


#: ``progress(elapsed_s, objective)`` is called at each improving solution. A progress callable with a
#: true ``wants_routes`` attribute is called ``progress(elapsed_s, objective, routes=...)`` instead, with
#: the solution's routes at least every :data:`ROUTES_EVERY_S` seconds of improvements (``None`` in
#: between); one with a ``search_started`` method has it called once when the model is built and the
#: search begins (see :func:`report` and :func:`search_started`).
Progress = Callable[..., None]

#: Engines extract the routes of an improving solution for a route-wanting progress at most this often.
ROUTES_EVERY_S = 0.5


def wants_routes(progress: Progress | None) -> bool:
    """Whether ``progress`` takes the routes of improving solutions (see :data:`Progress`)."""
    return bool(progress is not None and getattr(progress, "wants_routes", False))


def report(progress: Progress | None, elapsed_s: float, objective: float, routes: Routes | None = None) -> None:
    """Tell ``progress`` of an improving solution; ``routes`` only to a progress that wants them."""
    if progress is None:
        return
    if wants_routes(progress):
        progress(elapsed_s, objective, routes=routes)
    else:
        progress(elapsed_s, objective)


def search_started(progress: Progress | None, build_s: float) -> None:
    """Tell ``progress`` (if it listens) that the model is built and the search starts now."""
    hook = getattr(progress, "search_started", None)
    if hook is not None:
        hook(build_s)
