"""`townhall plan`: a portfolio file through the planner alone, or the workspace through
the same use cases as `/roadmap plan`, with the solver's progress on stderr.

The workspace is planned against its published roadmap, as `/roadmap plan` plans it
(`--stability` overrides the settings' level). A file has no published roadmap: give
one with `--baseline ROADMAP.json` to plan against it; `--stability` without one is
refused, since it would change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bot.cli.common import (
    DEFAULT_TEAM,
    EXIT_ERROR,
    EXIT_INFEASIBLE,
    OPERATOR,
    Format,
    FormatOption,
    Team,
    err,
    fail,
    out,
    run,
    stdout_to_stderr,
    uow_factory,
    write_json,
)
from bot.cli.exports import read_roadmap_file
from bot.text_render import roadmap_view
from catalog.usecases.context import Context
from catalog.usecases.progress import PlanProgress, ProgressSink, shown_progress
from planner import build_problem, load_portfolio
from planner.portfolio import MAX_BLEND
from planner.stability import DEFAULT_STABILITY

if TYPE_CHECKING:  # the solver's modules load only when a command plans
    from planner.config import SolverConfig
    from planner.diff import RoadmapDiff
    from planner.explain import Explanation
    from planner.problem import Problem
    from planner.roadmap import Roadmap


class Solver(StrEnum):
    cpsat = "cpsat"
    greedy = "greedy"


class Objective(StrEnum):
    value = "value"
    strategic = "strategic"
    blend = "blend"


class Stability(StrEnum):  # planner.stability.STABILITY_LEVELS
    low = "low"
    normal = "normal"
    high = "high"
    off = "off"


def plan(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Plan this portfolio file without a database; omit to plan the workspace."
        ),
    ] = None,
    team: Team = DEFAULT_TEAM,
    time_limit: Annotated[float, typer.Option(help="Seconds for the solver.")] = 10.0,
    solver: Annotated[Solver, typer.Option(help="cpsat (optimal) or greedy.")] = Solver.cpsat,
    workers: Annotated[int, typer.Option(help="CP-SAT search workers.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    fmt: FormatOption = Format.table,
    what_if: Annotated[
        str | None,
        typer.Option("--what-if", help='e.g. "budget-20%, without SOC-7, capacity integration=+2"'),
    ] = None,
    explain_key: Annotated[
        str | None,
        typer.Option("--explain", help="Explain why KEY starts where it does or is left out."),
    ] = None,
    objective: Annotated[
        Objective | None,
        typer.Option(
            help="What to maximize: value (money), strategic (the weighted business "
            "drivers' score) or blend (both); default: the settings'."
        ),
    ] = None,
    blend: Annotated[
        float | None,
        typer.Option(
            help=f"The strategic score's weight in the blend, more than 0 and at most "
            f"{MAX_BLEND:g} (implies --objective blend)."
        ),
    ] = None,
    stability: Annotated[
        Stability | None,
        typer.Option(
            help="How firmly the plan keeps to the published roadmap: low, normal, high or "
            "off (plan as if nothing was published); default: the settings'. For a FILE, "
            "with --baseline."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="For a FILE: plan against this published roadmap (a roadmap JSON of the "
            "same portfolio, e.g. written by `townhall plan FILE --format json`) and show "
            "what changed; the workspace plans against its own published roadmap."
        ),
    ] = None,
) -> None:
    """Solve the roadmap: a portfolio FILE, or the workspace's approved catalog (stored
    as its latest roadmap, planned as `/roadmap plan` plans it, against its published
    roadmap)."""
    from planner.config import SolverConfig

    config = SolverConfig(solver=solver.value, time_limit=time_limit, workers=workers, seed=seed)
    quiet = fmt is Format.json
    goal = _goal(objective, blend)
    level = None if stability is None else stability.value

    def solve() -> tuple[Roadmap, RoadmapDiff | None, Explanation | None]:
        if file is not None:
            return _plan_file(
                file,
                config,
                what_if,
                explain_key,
                goal=goal,
                quiet=quiet,
                baseline=baseline,
                stability=level,
            )
        if baseline is not None:
            fail(
                "--baseline is for a portfolio FILE: the workspace plans against its "
                "published roadmap (/roadmap publish); drop --baseline, or give a FILE"
            )
        return _plan_workspace(
            team, config, what_if, explain_key, goal=goal, quiet=quiet, stability=level
        )

    def go() -> None:
        if fmt is Format.json:
            with stdout_to_stderr():
                roadmap, _, _ = solve()
            write_json(roadmap.to_dict())
            exit_for(roadmap)
            return
        roadmap, diff, detail = solve()
        out.print(roadmap_view(roadmap))
        if diff is not None:
            against = f"the plan without “{what_if}”" if what_if else f"the baseline {baseline}"
            out.print(f"\n[bold]Compared with {against}:[/]")
            for line in diff.lines():
                out.print(f"  • {line}", highlight=False)
        if detail is not None:
            out.print(f"\n[bold]{detail.headline}[/]")
            for line in detail.details:
                out.print(f"  • {line}", highlight=False)
        exit_for(roadmap)

    run(go)


def exit_for(roadmap: Roadmap) -> None:
    """The exit status of a plan, after the roadmap is written (`townhall --help`): an
    infeasible request ends with 3, naming on stderr the constraints that cannot hold
    together; no plan found in time (status unknown) is an error, 1; a plan is 0."""
    if roadmap.status == "unknown":
        err.print(
            "[bold red]error:[/] no plan was found within the time limit, and none was "
            "proved impossible either: try a longer --time-limit",
            highlight=False,
        )
        raise typer.Exit(EXIT_ERROR)
    if roadmap.status != "infeasible":
        return
    if roadmap.conflicts:
        named = "; ".join(roadmap.conflicts)
        message = f"no plan can meet these constraints together: {named}"
    else:
        message = (
            "no plan can meet the must-hold constraints (mandatory, pinned and forced-in "
            "initiatives, budgets, capacities); the conflict could not be narrowed down in "
            "time: try a longer --time-limit"
        )
    err.print(f"[bold red]infeasible:[/] {escape(message)}", highlight=False)
    raise typer.Exit(EXIT_INFEASIBLE)


def _goal(objective: Objective | None, blend: float | None) -> tuple[str | None, float | None]:
    """`--objective` and `--blend` as the plan's override: (objective, blend), None for
    what the settings say; a blend weight out of bounds or beside another objective ends
    the command with its message."""
    if blend is None:
        return (None if objective is None else objective.value), None
    if not 0 < blend <= MAX_BLEND:
        fail(f"--blend {blend:g}: expected a number more than 0 and at most {MAX_BLEND:g}")
    if objective not in (None, Objective.blend):
        fail(
            f"--blend weighs the strategic score in --objective blend, not in "
            f"--objective {objective.value}: drop --blend, or use --objective blend"
        )
    return "blend", blend


def _plan_workspace(
    team: str,
    config: SolverConfig,
    what_if: str | None,
    key: str | None,
    *,
    goal: tuple[str | None, float | None] = (None, None),
    quiet: bool,
    stability: str | None = None,
) -> tuple[Roadmap, RoadmapDiff | None, Explanation | None]:
    """The workspace's plan (or what-if) through the same use cases as Slack's; a key
    to explain is checked before anything is solved or saved."""
    from catalog.usecases import commands as c
    from catalog.usecases import planning

    if what_if and (goal != (None, None) or stability is not None):
        fail(
            "--objective, --blend and --stability plan the workspace once; a --what-if "
            "re-plans it with its planning settings, without the published roadmap: change "
            "the settings (/roadmap settings), or drop those options"
        )
    ctx = Context(actor=OPERATOR, team_id=team, uow_factory=uow_factory(), solver=config)
    explain = c.Explain(key.upper()) if key else None
    if explain is not None:
        planning.check_explain(explain, ctx)
    with _progress(config, quiet=quiet) as progress:
        ctx = replace(ctx, progress=progress)
        if what_if:
            whatif = c.WhatIf(what_if)
            planning.check_whatif(whatif, ctx)
            answer = planning.whatif(whatif, ctx)
            roadmap, roadmap_id, diff = answer.roadmap, answer.roadmap_id, answer.diff
        else:
            command = c.Plan(objective=goal[0], blend=goal[1], stability=stability)
            planning.check_plan(command, ctx)
            planned = planning.plan(command, ctx)
            roadmap, roadmap_id, diff = planned.roadmap, planned.roadmap_id, None
    detail = None
    if explain is not None:
        explain = replace(explain, roadmap_id=roadmap_id)
        detail = planning.explain(explain, replace(ctx, progress=None)).explanation
    return roadmap, diff, detail


def _plan_file(
    file: Path,
    config: SolverConfig,
    what_if: str | None,
    key: str | None,
    *,
    goal: tuple[str | None, float | None] = (None, None),
    quiet: bool,
    baseline: Path | None = None,
    stability: str | None = None,
) -> tuple[Roadmap, RoadmapDiff | None, Explanation | None]:
    """A portfolio file's plan, without a database; `goal` overrides the file's
    objective and blend weight. Against a `baseline` roadmap file, the plan keeps to it
    as `stability` says (the default level without one) and the diff is against it."""
    from planner.diff import diff_roadmaps
    from planner.explain import explain
    from planner.scenario import apply as apply_whatif
    from planner.solve import solve

    if baseline is None and stability is not None:
        fail(
            f"--stability {stability} weighs keeping to a published roadmap, and a FILE has "
            "none: give it with --baseline ROADMAP.json (e.g. written by `townhall plan "
            "FILE --format json`), or plan the workspace"
        )
    if baseline is not None and what_if:
        fail(
            "--what-if compares two plans without a published roadmap, as /roadmap whatif "
            "does: drop --baseline, or --what-if"
        )
    portfolio = load_portfolio(file)
    objective, blend = goal
    if objective is not None:
        portfolio = replace(portfolio, objective=objective)
    if blend is not None:
        portfolio = replace(portfolio, blend=blend)
    if key and key.upper() not in {i.key for i in portfolio.initiatives}:
        fail(f"no initiative {key.upper()} in {file}")
    base = build_problem(portfolio)
    problem = apply_whatif(base, what_if) if what_if else base
    published = None
    if baseline is not None:
        published = read_roadmap_file(baseline)
        _check_baseline(published, problem, baseline)
        config = replace(
            config,
            baseline={s.key: s.start_phase for s in published.scheduled},
            stability=stability or DEFAULT_STABILITY,
        )
    with _progress(config, quiet=quiet) as progress:
        roadmap = solve(problem, replace(config, progress=shown_progress(progress, problem.goal)))
    diff = None
    if what_if:
        diff = diff_roadmaps(solve(base, config), roadmap)
    elif published is not None:
        diff = diff_roadmaps(published, roadmap)
    detail = explain(problem, roadmap, key.upper(), config=config) if key else None
    return roadmap, diff, detail


def _check_baseline(published: Roadmap, problem: Problem, path: Path) -> None:
    """End the command when the baseline roadmap is not a plan of this portfolio's
    calendar: its phases must be the problem's first ones, label for label."""
    if published.status not in ("optimal", "feasible"):
        fail(f"--baseline {path}: the roadmap is {published.status}, not a plan to keep to")
    theirs = [p.label for p in published.phases]
    ours = [p.label for p in problem.phases]
    if theirs[: len(ours)] != ours[: len(theirs)]:
        fail(
            f"--baseline {path}: its phases ({', '.join(theirs[:3])}, …) are not this "
            f"portfolio's ({', '.join(ours[:3])}, …): plan against a roadmap of the same "
            "calendar"
        )


@contextmanager
def _progress(config: SolverConfig, *, quiet: bool) -> Iterator[ProgressSink | None]:
    """A progress sink that shows the solver's best and bound on stderr while it runs,
    in the figures of the objective planned (`catalog.usecases.progress`)."""
    if quiet or config.solver != "cpsat":
        yield None
        return
    with err.status("Solving…") as status:

        def progress(p: PlanProgress) -> None:
            status.update(
                f"Solving… best {p.noun} {p.figure(p.best)}, bound {p.figure(p.bound)}, "
                f"gap {p.gap:.2%}, {p.seconds:.1f}s"
            )

        yield progress
