"""Errors and warnings with the exit codes the CLI maps them to.

Exit codes: 0 ok, 1 internal error (including a plan that fails validation),
2 invalid input, 3 no plan could be made.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    Parameters
    ----------
    source
        The file (or ``workspace.toml`` section) the problem was found in.
    where
        Row number (1-based, as a spreadsheet shows it, header = row 1) or entity id.
    field
        Column or key.
    value
        The offending value, as read.
    message
        What is wrong and what is allowed, or how to fix it.
    """

    source: str
    where: str
    field: str
    value: object
    message: str

    def __str__(self) -> str:
        from .i18n import _

        loc = self.source
        if self.where:
            loc += f", {self.where}"
        if self.field:
            loc += _("problem.field", id=", kolom '{f}'", en=", field '{f}'", f=self.field)
        val = "" if self.value is None else _("problem.value", id=" (nilai: {v})", en=" (value: {v})",
                                              v=repr(self.value))
        return f"{loc}: {self.message}{val}"


class OutreachError(Exception):
    """Base class of the errors this package raises on purpose."""

    exit_code = 1


class InputError(OutreachError, ValueError):
    """The input is invalid. Carries every problem found in one pass."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", "", "", None, problems)]
        self.problems: list[Problem] = list(problems)
        from .i18n import _

        n = len(self.problems)
        head = _("problem.head", id="{n} masalah pada masukan", en="{n} problem(s) in the input", n=n)
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class NoPlanError(OutreachError):
    """No plan could be made (for example no team works in the chosen week)."""

    exit_code = 3


class PlanValidationError(OutreachError):
    """A plan broke a rule when re-checked by :mod:`outreach_planner.planning.validate`."""

    exit_code = 1

    def __init__(self, violations: list[str]):
        self.violations = list(violations)
        from .i18n import _

        head = _("plan.violations_head", id="{n} pelanggaran dalam rencana", en="{n} violation(s) in the plan",
                 n=len(self.violations))
        super().__init__(head + ":\n" + "\n".join(f"  - {v}" for v in self.violations))


class InputWarning(UserWarning):
    """Input that is legal but suspicious (coverage above 100%, population 0, ...)."""
