"""A linear sum over literals under construction, and the largest value it can take."""

from __future__ import annotations

from ortools.sat.python import cp_model


class Terms:
    """Coefficients by literal (a literal added twice adds up) and a bound on the sum."""

    def __init__(self) -> None:
        self.coefficients: dict[int, tuple[cp_model.IntVar, int]] = {}
        self.worst = 0  # the largest value the sum can reach; set by the caller

    def add(self, literal: cp_model.IntVar | None, coefficient: int) -> None:
        if literal is None or coefficient == 0:
            return
        known = self.coefficients.get(literal.index)
        total = coefficient + (known[1] if known else 0)
        self.coefficients[literal.index] = (literal, total)

    def add_at_most(
        self, model: cp_model.CpModel, limit: int, enforce: list[cp_model.IntVar]
    ) -> None:
        """Add sum ≤ limit under `enforce`, unless the sum can never exceed the limit."""
        if self.worst <= limit:
            return
        pairs = [(v, c) for v, c in self.coefficients.values() if c]
        expr = cp_model.LinearExpr.weighted_sum([v for v, _ in pairs], [c for _, c in pairs])
        model.add(expr <= limit).only_enforce_if(enforce)
