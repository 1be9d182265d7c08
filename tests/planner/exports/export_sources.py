"""Roadmaps to export in the tabular, calendar and JSON export tests (built once each).

- `demo_source()`: the demo portfolio solved to optimality;
- `large_source()`: 200 generated initiatives over 12 phases, greedy plan;
- `tricky_source()`: names with quotes, ampersands, `<`, commas, newlines, non-ASCII
  letters and a formula-looking title, with one unscheduled (forbidden) and one
  not-planned (proposed) initiative;
- `infeasible_source()`: a mandatory initiative that no budget fits.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bench.generate import generate_portfolio
from planner.config import SolverConfig
from planner.exports import ExportSource
from planner.portfolio import load_portfolio
from planner.problem import build_problem
from planner.solve import solve
from tests.planner.factories import make_portfolio

DEMO = Path(__file__).resolve().parents[3] / "catalog" / "data" / "demo.yaml"

TRICKY_NAME = 'Søren & Zoë\'s "social" <portfolio>, 2027'
TRICKY_TITLES = {
    "QUOTE": 'The "quoted" title, with commas; and semi-colons',
    "AMP": "Tom & Jerry <script>alert('x')</script> & friends",
    "LINES": "First line\nsecond line, with a comma\r\nthird: Ünïcödé — 日本語",
    "FORMULA": '=HYPERLINK("http://example.com","click")',
    "FORBID": "Restricted HR data in SaaS: «Ærø» & <secret>",
    "IDEA": "Proposed idea, not yet approved: Ça va?",
}
TRICKY_OWNERS = {
    "QUOTE": 'Ève "the boss" Dupont',
    "AMP": "R&D <ops>, Müller",
    "LINES": "Team A\nTeam B",
    "FORMULA": "-Ops",
    "FORBID": "Łukasz Żółć",
    "IDEA": "Zoë",
}


@cache
def demo_source() -> ExportSource:
    portfolio = load_portfolio(DEMO)
    return ExportSource(
        roadmap=solve(build_problem(portfolio), SolverConfig()), portfolio=portfolio
    )


@cache
def large_source() -> ExportSource:
    portfolio = generate_portfolio(200, 12, seed=1)
    roadmap = solve(build_problem(portfolio), SolverConfig(solver="greedy"))
    return ExportSource(roadmap=roadmap, portfolio=portfolio)


@cache
def tricky_source() -> ExportSource:
    def item(key: str, **fields: object) -> dict[str, object]:
        return {
            "key": key,
            "title": TRICKY_TITLES[key],
            "owner": TRICKY_OWNERS[key],
            "category": "Communauté, «externe» & <co>",
            "summary": f"Summary of {TRICKY_TITLES[key]}",
            **fields,
        }

    portfolio = make_portfolio(
        [
            item("QUOTE", cadence="waterfall", duration=2, capex=100, opex=5, value=40),
            item("AMP", cadence="agile", capex=50, value=30, depends_on=["QUOTE"]),
            item("LINES", cadence="agile", duration=2, capex=80, value=25, uses={"integration": 1}),
            item("FORMULA", cadence="agile", capex=10, value=5, mandatory=True),
            item("FORBID", cadence="agile", hosting="saas", data="restricted", value=99),
            item("IDEA", status="proposed", value=10),
        ],
        phases=6,
        budget=200,
        capacity={"integration": 2},
        forbid=["saas_restricted"],
        name=TRICKY_NAME,
        tollgates=[0, 2, 4],
        freeze=[3],
    )
    return ExportSource(
        roadmap=solve(build_problem(portfolio), SolverConfig()), portfolio=portfolio
    )


@cache
def infeasible_source() -> ExportSource:
    portfolio = make_portfolio(
        [{"key": "BIG", "capex": 1000, "mandatory": True}, {"key": "SMALL", "capex": 1}],
        phases=2,
        budget=10,
    )
    return ExportSource(
        roadmap=solve(build_problem(portfolio), SolverConfig()), portfolio=portfolio
    )


def all_sources() -> dict[str, ExportSource]:
    return {
        "demo": demo_source(),
        "large": large_source(),
        "tricky": tricky_source(),
        "infeasible": infeasible_source(),
    }
