"""The planning problem as a mixed-integer program, for LP-based solvers (HiGHS).

model    `build_mip`: the time-indexed MIP (or its LP relaxation) as HiGHS's arrays
highs    running HiGHS on it: the LP relaxation or the MIP, with its callbacks as progress
rounding a valid plan read off the LP solution (the neighbourhood search's warm start)
engine   HiGHS's MIP search of mid-size roadmaps, the LP-guided CP-SAT search of large ones
"""
