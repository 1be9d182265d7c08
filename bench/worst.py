"""A constructed worst case for the LP-guided search: a knapsack over time with ties.

`worst_portfolio(n, phases, seed=…)` gives `n` agile initiatives whose value per phase
is almost exactly proportional to their capex (±0.5%), with build durations of 1–6
phases, opex, agile teams and a few dependencies, under a per-phase budget of a quarter
of what everything would cost spread over the horizon, a total budget and a team
capacity that both bind. Every initiative may start in any phase (no tollgates, no
freeze, no windows), so the model has the most start literals a size can have.

Why it is hard: with value proportional to cost every plan that fills the budgets is
nearly as good as any other, so the LP relaxation is far from integral (many starts
share the budgets fractionally), its neighbourhood is large, and the bound is hard to
close; the greedy ratio order carries no information.
"""

from __future__ import annotations

import random
from typing import Any

from bench.generate import START
from planner.portfolio import Portfolio, parse_portfolio


def worst_portfolio(n: int, phases: int, *, seed: int) -> Portfolio:
    """The constructed worst case of `n` initiatives over `phases` quarters (or months
    beyond 12 phases), the same for a seed."""
    if n < 2 or phases < 2:
        raise ValueError("the worst case needs at least 2 initiatives and 2 phases")
    rng = random.Random(f"townhall-bench-worst/{n}/{phases}/{seed}")
    longest = max(1, min(6, phases // 2))
    drafts: list[dict[str, Any]] = []
    spend = 0
    teams_demand = 0
    for i in range(n):
        duration = rng.randint(1, longest)
        capex = rng.randrange(100_000, 1_000_000, 1_000)
        teams = rng.randint(1, 4)
        draft: dict[str, Any] = {
            "key": f"W-{i + 1}",
            "title": f"Initiative {i + 1}",
            "cadence": "agile",
            "duration": duration,
            "capex": capex,
            "opex": round(capex * rng.uniform(0.005, 0.02)),
            "value": round(capex * 0.08 * (1 + rng.uniform(-0.005, 0.005))),
            "teams": teams,
        }
        if i > 10 and rng.random() < 0.08:
            draft["depends_on"] = [f"W-{rng.randint(1, i)}"]
        drafts.append(draft)
        spend += capex
        teams_demand += teams * duration
    data = {
        "version": 1,
        "name": f"Worst case {n}x{phases} (seed {seed})",
        "calendar": {
            "start": START.isoformat(),
            "phase": "quarter" if phases <= 12 else "month",
            "phases": phases,
        },
        "budget": {"per_phase": max(1_000_000, spend // (4 * phases)), "total": spend // 5},
        "capacity": {"agile_teams": max(4, teams_demand // (3 * phases))},
        "initiatives": drafts,
    }
    return parse_portfolio(data)
