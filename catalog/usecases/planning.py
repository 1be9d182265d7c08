"""Planning use cases: plan, what-if, explain (slow: they solve), publish and diff.

A slow use case comes in two steps. `check_*` runs where the command was given: it
authorizes, reads what it must to refuse a bad request at once (an unknown key, a
period outside the plan) and says what the job will do; it never solves. The use case
itself runs in a worker (or the console, or the CLI): it reads the catalog once, solves,
and saves the roadmap in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import replace
from fractions import Fraction

from catalog import services
from catalog.errors import NotFound, ValidationFailed
from catalog.uow import UnitOfWork
from catalog.usecases import commands as c
from catalog.usecases import results as r
from catalog.usecases.context import Context
from catalog.usecases.progress import shown_progress
from catalog.views import RoadmapView
from planner.calendar import phases_of
from planner.config import SolverConfig
from planner.diff import diff_roadmaps
from planner.errors import ScenarioError
from planner.periods import period_start
from planner.portfolio import MAX_BLEND, OBJECTIVES, Portfolio
from planner.problem import Problem, build_problem
from planner.roadmap import Roadmap
from planner.scenario import (
    BudgetChange,
    Change,
    PhaseCountChange,
    TotalBudgetChange,
    apply,
    changes,
)
from planner.stability import DEFAULT_STABILITY, parse_stability

log = logging.getLogger(__name__)

# The solver (OR-Tools) and the pictures (matplotlib) load where jobs run, on first use:
# web processes only check and queue slow commands, and stay small (README, Production).

#: Seconds per solve when a budget what-if draws its efficient frontier (6 points).
FRONTIER_SECONDS = 1.5


# --------------------------------------------------------------------------- plan


def plan_problem(
    portfolio: Portfolio,
    cmd: c.Plan,
    *,
    config: SolverConfig,
    today: dt.date,
    baseline: Roadmap | None = None,
    stability: str = DEFAULT_STABILITY,
) -> tuple[Problem, SolverConfig]:
    """The problem and solver options of `plan` on a portfolio: its options override
    the settings (`from=` moves the calendar's start, `objective=` / `blend=` what the
    plan maximizes, `stability=` the settings' `stability` level), and a published
    `baseline` adds the stability term (README, How the planner works)."""
    if cmd.start is not None:
        start = period_start(cmd.start, today=today, phases=phases_of(portfolio.calendar))
        portfolio = replace(portfolio, calendar=replace(portfolio.calendar, start=start))
    if cmd.objective is not None:
        portfolio = replace(portfolio, objective=cmd.objective)
    if cmd.blend is not None:
        portfolio = replace(portfolio, blend=cmd.blend)
    problem = build_problem(portfolio)
    transforms = []
    if cmd.budget is not None:
        transforms.append(BudgetChange(Change("set", Fraction(cmd.budget))))
    if cmd.phases is not None:
        transforms.append(PhaseCountChange(Change("set", Fraction(cmd.phases))))
    if transforms:
        problem = apply(problem, transforms)
    if cmd.time_limit is not None:
        config = replace(config, time_limit=cmd.time_limit)
    config = replace(config, stability=parse_stability(cmd.stability or stability))
    if baseline is not None:
        config = replace(config, baseline={s.key: s.start_phase for s in baseline.scheduled})
    return problem, config


def check_objective(cmd: c.Plan) -> None:
    """Refuse an objective the planner does not know, a blend weight outside (0, 100],
    or a stability level that is none of `planner.stability.STABILITY_LEVELS`."""
    problems = {}
    if cmd.stability is not None:
        try:
            parse_stability(cmd.stability)
        except ScenarioError as exc:
            problems["stability"] = str(exc)
    if cmd.objective is not None and cmd.objective not in OBJECTIVES:
        problems["objective"] = (
            f"expected {', '.join(OBJECTIVES[:-1])} or {OBJECTIVES[-1]} (money value, "
            f"strategic score, or a blend of both), got {cmd.objective!r}"
        )
    blend = cmd.blend
    if blend is not None and (
        isinstance(blend, bool)
        or not isinstance(blend, int | float)
        or not math.isfinite(blend)
        or not 0 < blend <= MAX_BLEND
    ):
        problems["blend"] = (
            f"expected the strategic score's weight in a blend, more than 0 and at most "
            f"{MAX_BLEND:g}, got {blend!r}"
        )
    if problems:
        raise ValidationFailed(problems)


def check_plan(cmd: c.Plan, ctx: Context) -> r.Started:
    """Refuse a `from=` period the plan cannot start at, an unknown objective or
    stability level, a blend weight out of bounds, or a strategic objective without
    drivers, before anything is queued."""
    check_objective(cmd)
    if cmd.objective not in (None, "value"):
        with ctx.uow() as uow:
            try:
                drivers = services.drivers_overview(uow, team_id=ctx.team_id).drivers
            except NotFound:
                drivers = ()
        if not drivers:
            raise ValidationFailed(
                {
                    "objective": f"objective={cmd.objective} plans for the business drivers "
                    "but the workspace has none; an admin adds them (`drivers`) and the "
                    "initiatives are scored against them, or plan for value"
                }
            )
    if cmd.start is not None:
        with ctx.uow() as uow:
            try:
                calendar = services.get_settings(uow, team_id=ctx.team_id).calendar
            except NotFound:
                calendar = None
        phases = phases_of(calendar) if calendar is not None else None
        period_start(cmd.start, today=ctx.day, phases=phases)
    return r.Started("Planning…")


def plan(cmd: c.Plan, ctx: Context) -> r.Planned:
    """Solve the workspace's approved initiatives (against the published baseline) and
    store the roadmap as the latest."""
    with ctx.uow() as uow:
        if not ctx.actor.is_operator:
            services.ensure_workspace(uow, team_id=ctx.team_id)
        portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
        stability = services.get_settings(uow, team_id=ctx.team_id).stability
        published = services.published_roadmap(uow, team_id=ctx.team_id)
        saved = _resumed(uow, ctx)
    problem, config = plan_problem(
        portfolio,
        cmd,
        config=ctx.solver,
        today=ctx.day,
        baseline=published.roadmap if published is not None else None,
        stability=stability,
    )
    from planner.solve import solve

    progress = shown_progress(ctx.progress, problem.goal)
    roadmap = saved.roadmap if saved else solve(problem, replace(config, progress=progress))
    # the slow picture comes before the save, so the answer is ready soon after it
    picture = gantt_picture(roadmap, problem.portfolio)
    if saved is None:
        with ctx.uow() as uow:
            saved = services.save_roadmap(
                uow,
                actor=ctx.actor,
                team_id=ctx.team_id,
                roadmap=roadmap,
                portfolio=problem.portfolio,
            )
    return r.Planned(saved.id, roadmap, picture)


def _resumed(uow: UnitOfWork, ctx: Context) -> RoadmapView | None:
    """The roadmap an earlier attempt of this job saved, if it is still kept."""
    if ctx.resume_roadmap_id is None:
        return None
    try:
        return services.get_roadmap(uow, team_id=ctx.team_id, roadmap_id=ctx.resume_roadmap_id)
    except NotFound:
        return None


def gantt_picture(roadmap: Roadmap, portfolio: Portfolio | None) -> bytes | None:
    """The Gantt picture (PNG) of a solved roadmap; None for an unsolved one, or when
    drawing fails (the roadmap matters more than its picture)."""
    if roadmap.status not in ("optimal", "feasible") or portfolio is None:
        return None
    from planner.exports import ExportSource
    from planner.exports.gantt import gantt_png

    try:
        return gantt_png(ExportSource(roadmap=roadmap, portfolio=portfolio))
    except Exception:
        log.exception("drawing the Gantt picture of a %s roadmap failed", roadmap.status)
        return None


# --------------------------------------------------------------------------- what-if


def check_whatif(cmd: c.WhatIf, ctx: Context) -> r.Started:
    cmd.transforms  # noqa: B018 - reads the changes: a text that does not read is refused here
    return r.Started(f"What if {cmd.text}…")


def whatif(cmd: c.WhatIf, ctx: Context) -> r.WhatIfAnswer:
    """Solve the workspace with and without the changes; store the variant."""
    from planner.solve import solve

    transforms = list(cmd.transforms)
    with ctx.uow() as uow:
        portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
        saved = _resumed(uow, ctx)
    base = build_problem(portfolio)
    variant = apply(base, transforms)
    changed = changes(base, transforms)  # what the answer says changed, before → after
    before = solve(base, ctx.solver)
    progress = shown_progress(ctx.progress, variant.goal)
    after = saved.roadmap if saved else solve(variant, replace(ctx.solver, progress=progress))
    budget_moves = any(isinstance(t, BudgetChange | TotalBudgetChange) for t in transforms)
    # the frontier's solves come before the save (see `plan`)
    chart = frontier_picture(variant, ctx.solver, what_if=cmd.text) if budget_moves else None
    if saved is None:
        with ctx.uow() as uow:
            saved = services.save_roadmap(
                uow,
                actor=ctx.actor,
                team_id=ctx.team_id,
                roadmap=after,
                kind="whatif",
                portfolio=variant.portfolio,
            )
    return r.WhatIfAnswer(
        cmd.text, diff_roadmaps(before, after), saved.id, after, chart, changes=changed
    )


def frontier_picture(problem: Problem, config: SolverConfig, *, what_if: str) -> bytes | None:
    """The efficient frontier (value against total budget) of a what-if's problem, as a
    PNG; None when it cannot be drawn (the answer matters more than its picture)."""
    from planner.exports.frontier_chart import frontier_png
    from planner.frontier import frontier

    try:
        fast = replace(config, time_limit=min(config.time_limit, FRONTIER_SECONDS), progress=None)
        points = frontier(problem, points=6, config=fast)
        if not points:
            return None
        return frontier_png(
            points,
            title=f"Value against total budget: {what_if}",
            current_budget=problem.total_budget,
        )
    except Exception:
        log.exception("drawing the frontier of what-if %r failed", what_if)
        return None


# --------------------------------------------------------------------------- explain


def check_explain(cmd: c.Explain, ctx: Context) -> r.Started:
    """Refuse a key the workspace does not have, or a roadmap it no longer keeps."""
    with ctx.uow() as uow:
        view = services.get_initiative(uow, team_id=ctx.team_id, key=cmd.key)
        if cmd.roadmap_id is not None:
            services.get_roadmap(uow, team_id=ctx.team_id, roadmap_id=cmd.roadmap_id)
    return r.Started(f"Explaining {view.key}…", in_channel=False)


def explain(cmd: c.Explain, ctx: Context) -> r.Explained:
    """Why an initiative starts where it does in a roadmap (the given one, else the
    latest), or why it is left out; with no roadmap yet, one is solved (not saved)."""
    from planner.explain import explain as explain_roadmap
    from planner.solve import solve

    key = cmd.key.upper()
    with ctx.uow() as uow:
        if cmd.roadmap_id is not None:
            stored = services.get_roadmap(uow, team_id=ctx.team_id, roadmap_id=cmd.roadmap_id)
        else:
            stored = services.latest_roadmap(uow, team_id=ctx.team_id)
        portfolio = None
        if stored is None or stored.portfolio is None:
            portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
    if stored is not None and stored.portfolio is not None:
        problem = build_problem(stored.portfolio)
        roadmap = stored.roadmap
    else:
        assert portfolio is not None
        problem = build_problem(portfolio)
        progress = shown_progress(ctx.progress, problem.goal)
        roadmap = solve(problem, replace(ctx.solver, progress=progress))
    return r.Explained(explain_roadmap(problem, roadmap, key, config=ctx.solver))


# --------------------------------------------------------------------------- baseline


def publish(cmd: c.Publish, ctx: Context) -> r.Published:
    """Publish a roadmap (the latest by default) as the baseline (approvers, admins)."""
    with ctx.uow() as uow:
        view = services.publish_roadmap(
            uow, actor=ctx.actor, team_id=ctx.team_id, roadmap_id=cmd.roadmap_id
        )
    return r.Published(view, by=ctx.actor.user_id)


def diff(cmd: c.Diff, ctx: Context) -> r.Comparison:
    with ctx.uow() as uow:
        published = services.published_roadmap(uow, team_id=ctx.team_id)
        latest = services.latest_roadmap(uow, team_id=ctx.team_id)
    if latest is None:
        raise NotFound("roadmap", "yet (plan one first)")
    if published is None:
        raise NotFound("published roadmap", "to compare with (publish one first)")
    return r.Comparison(diff_roadmaps(published.roadmap, latest.roadmap), latest.id, published.id)
