"""Benchmarks for Townhall's planner: generated portfolios and two public families.

`python -m bench` solves each instance with CP-SAT and the greedy baseline, checks every
result with `planner.validate`, and prints one table per suite with a summary against
the planner targets in bench/README.md. Instances:

- generated: `bench.generate.generate_portfolio`, plus the demo portfolio when present;
- mknap: OR-Library multidimensional knapsacks (`bench.mknap`);
- psplib: PSPLIB j30 project scheduling (`bench.psplib`).
"""
