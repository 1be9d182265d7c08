"""The planning problem as a mixed-integer program, for LP-based solvers (HiGHS).

model    `build_mip`: the time-indexed MIP (or its LP relaxation) as a MathOpt proto
highs    running HiGHS on it: the LP relaxation or the MIP, with its log as progress
rounding a valid plan read off the LP solution (the neighbourhood search's warm start)
engine   the LP-guided CP-SAT search of large roadmaps, and HiGHS's MIP search alone
"""
