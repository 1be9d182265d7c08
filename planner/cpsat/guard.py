"""Guards: the enforcement literals of a user constraint, named in words.

The optimization model enforces every constraint unconditionally (`Guard` returns no
literal). The conflict finder passes `Assumptions`, which gives each constraint, named
by the sentence a user would read, one assumption literal, so that an infeasible model
can say which of its constraints cannot hold together.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.problem import Problem


class Guard:
    """Enforcement literals for the constraint `what`: none, so it always holds."""

    def __call__(self, what: str) -> list[cp_model.IntVar]:
        return []


class Assumptions(Guard):
    """One assumption literal per distinct description; the same words share a literal."""

    def __init__(self, model: cp_model.CpModel) -> None:
        self.model = model
        self.literals: dict[str, cp_model.IntVar] = {}

    def __call__(self, what: str) -> list[cp_model.IntVar]:
        literal = self.literals.get(what)
        if literal is None:
            literal = self.model.new_bool_var(f"assume {len(self.literals)}")
            self.literals[what] = literal
        return [literal]


def phase_name(problem: Problem, phase: int) -> str:
    """`phase 2 (2027Q3)`."""
    return f"phase {phase} ({problem.phases[phase].label})"


def phase_list(problem: Problem, phases: object) -> str:
    """`phases 0 (2027Q1), 2 (2027Q3)`, or `no phase`."""
    chosen = sorted(phases)  # type: ignore[call-overload]
    if not chosen:
        return "no phase"
    word = "phase" if len(chosen) == 1 else "phases"
    return word + " " + ", ".join(f"{p} ({problem.phases[p].label})" for p in chosen)
