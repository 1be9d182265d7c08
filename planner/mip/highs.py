"""Running HiGHS (through OR-Tools' MathOpt) on a `MipModel`: its LP relaxation or the MIP.

HiGHS is bundled with the OR-Tools wheel; MathOpt hands it the model as a proto, and an
interrupter stops it from another thread. Its log is read line by line only for
progress (the incumbent and dual bound it prints), never shown.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    parameters_pb2,
    result_pb2,
    solution_pb2,
)
from ortools.math_opt.core.python import solver as core
from ortools.math_opt.python import init_arguments, mathopt
from ortools.util.python.solve_interrupter import SolveInterrupter

from planner.mip.model import MipModel

_REASONS = result_pb2.TerminationReasonProto
#: A node line of HiGHS's MIP log: source letter, nodes, queue, leaves, explored %,
#: best bound, best solution, gap, ... (the two objective columns are what we read).
_NODE_LINE = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s+(?:\S+%|Large|inf)"
)


_ALGORITHMS = {
    "barrier": mathopt.LPAlgorithm.BARRIER,
    "dual": mathopt.LPAlgorithm.DUAL_SIMPLEX,
}


@dataclass(frozen=True)
class HighsResult:
    """What HiGHS returned: the status, the column values of its best solution (empty:
    none), the model objective of that solution, the dual bound, and (LP only) the
    reduced cost of each column."""

    status: str  # optimal | feasible | infeasible | unknown
    values: tuple[float, ...]
    objective: float | None
    bound: float | None
    reduced_costs: tuple[float, ...] = ()


def solve_highs(
    mip: MipModel,
    *,
    time_limit: float,
    interrupter: SolveInterrupter | None = None,
    on_log: Callable[[float | None, float | None], None] | None = None,
    lp_algorithm: str = "dual",
) -> HighsResult:
    """Solve the model (its LP relaxation when `mip.relaxed`) within `time_limit` s.

    `lp_algorithm` (`dual`: dual simplex, or `barrier`: the interior point method then
    crossover to a vertex) is how an LP relaxation is solved.

    `on_log(objective, bound)` gets each incumbent/bound pair HiGHS's MIP log prints.
    A proven optimum is asked for exactly (no relative gap; an absolute gap below one
    unit, since every objective coefficient is whole).
    """
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(time_limit, 0.01)),
        enable_output=False,
        relative_gap_tolerance=0.0,
        absolute_gap_tolerance=0.5,
        lp_algorithm=_ALGORITHMS[lp_algorithm] if mip.relaxed else None,
    ).to_proto()
    callback = _log_reader(on_log) if on_log is not None else None
    result = core.solve(
        mip.proto,
        parameters_pb2.SOLVER_TYPE_HIGHS,
        init_arguments.StreamableSolverInitArguments().to_proto(),
        params,
        model_parameters_pb2.ModelSolveParametersProto(),
        callback,
        callback_pb2.CallbackRegistrationProto(),
        None,
        interrupter.pybind_interrupter if interrupter is not None else None,
    )
    return _read(mip, result)


def _read(mip: MipModel, result: result_pb2.SolveResultProto) -> HighsResult:
    reason = result.termination.reason
    bounds = result.termination.objective_bounds
    bound = bounds.dual_bound if math.isfinite(bounds.dual_bound) else None
    if reason in (_REASONS.TERMINATION_REASON_INFEASIBLE,):
        return HighsResult("infeasible", (), None, None)
    values: tuple[float, ...] = ()
    objective = None
    reduced: tuple[float, ...] = ()
    n = len(mip.proto.variables.ids)
    for solution in result.solutions:
        if not solution.HasField("primal_solution"):
            continue
        primal = solution.primal_solution
        if primal.feasibility_status != solution_pb2.SOLUTION_STATUS_FEASIBLE:
            continue
        dense = [0.0] * n
        for column, value in zip(
            primal.variable_values.ids, primal.variable_values.values, strict=True
        ):
            dense[column] = value
        values, objective = tuple(dense), primal.objective_value
        if solution.HasField("dual_solution"):
            rc = [0.0] * n
            costs = solution.dual_solution.reduced_costs
            for column, value in zip(costs.ids, costs.values, strict=True):
                rc[column] = value
            reduced = tuple(rc)
        break
    if not values:
        return HighsResult("unknown", (), None, bound)
    optimal = reason == _REASONS.TERMINATION_REASON_OPTIMAL
    if optimal and bound is None:
        bound = objective
    return HighsResult("optimal" if optimal else "feasible", values, objective, bound, reduced)


def _log_reader(
    on_log: Callable[[float | None, float | None], None],
) -> Callable[[list[str]], None]:
    def read(lines: list[str]) -> None:
        for line in lines:
            match = _NODE_LINE.match(line)
            if match:
                on_log(_number(match.group(2)), _number(match.group(1)))

    return read


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
