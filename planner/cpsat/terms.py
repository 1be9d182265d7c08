"""A linear sum over literals under construction, and the largest value it can take."""

from __future__ import annotations

from ortools.sat.python import cp_model


class Terms:
    """Coefficients by literal (a literal added twice adds up) and a bound on the sum."""

    def __init__(self) -> None:
        # by id() of the literal object: the model hands out one object per literal
        self.literals: dict[int, cp_model.IntVar] = {}
        self.coefficients: dict[int, int] = {}
        self.worst = 0  # the largest value the sum can reach; set by the caller

    def add(self, literal: cp_model.IntVar | None, coefficient: int) -> None:
        if literal is None or coefficient == 0:
            return
        ident = id(literal)
        known = self.coefficients.get(ident)
        if known is None:
            self.literals[ident] = literal
            self.coefficients[ident] = coefficient
        else:
            self.coefficients[ident] = known + coefficient

    def add_at_most(
        self, model: cp_model.CpModel, limit: int, enforce: list[cp_model.IntVar]
    ) -> None:
        """Add sum ≤ limit under `enforce`, unless the sum can never exceed the limit."""
        if self.worst <= limit:
            return
        kept = [i for i, c in self.coefficients.items() if c]
        expr = cp_model.LinearExpr.weighted_sum(
            [self.literals[i] for i in kept], [self.coefficients[i] for i in kept]
        )
        model.add(expr <= limit).only_enforce_if(enforce)
