"""Use cases: one function for each thing a person can do, for every surface.

Each takes a command (`catalog.usecases.commands`) and a `Context` (who, which
workspace, a unit-of-work factory, solver options) and returns a plain result
(`catalog.usecases.results`): no Block Kit, no terminal markup. They authorize and audit
through `catalog.services` (the transactions on the catalog) and plan with `planner`.
Slow ones (plan, what-if, explain, export) have a `check_*` step that refuses a bad
request before any job is queued. Surfaces find them through the bot's command registry
(docs/ARCHITECTURE.md).
"""

from catalog.usecases.context import DEFAULT_SOLVER, Context, ProgressSink, UowFactory

__all__ = ["DEFAULT_SOLVER", "Context", "ProgressSink", "UowFactory"]
