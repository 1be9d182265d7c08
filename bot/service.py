"""The command service: one command in, one Reply out, for Slack and the console alike.

`handle(command, actor=…, team_id=…, uow_factory=…)` runs a parsed command through the
catalog services (which authorize) and the planner's public functions, and renders the
result with `bot.blocks`. Work too slow for Slack's 3-second acknowledgement (solving,
what-ifs, explanations) comes back as `Reply.job`, which the caller runs afterwards —
Slack in a background thread, the console right away. Errors a user can fix become
friendly ephemeral replies; unexpected ones are logged and reported, never swallowed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot import blocks as b
from bot.blocks.audit import audit_blocks
from bot.blocks.jobs import jobs_blocks
from bot.errors import BotError, ModalErrors, UsageError
from bot.parsing import commands as c
from bot.parsing import parse_command, period_start, resolve_period
from bot.parsing.periods import PeriodRef
from bot.parsing.usage import DEFAULT_COMMAND, help_text
from catalog import services
from catalog.domain import ADMIN, APPROVER, PMO, SECURITY, Actor
from catalog.errors import (
    CatalogError,
    NotFound,
    PermissionDenied,
)
from catalog.retry import retry_on_disconnect
from catalog.uow import UnitOfWork
from catalog.views import InitiativeView, RoadmapView
from planner.calendar import phases_of
from planner.config import Progress, SolverConfig
from planner.errors import PlannerError
from planner.problem import Problem, build_problem, needs_review
from planner.roadmap import Roadmap

log = logging.getLogger(__name__)

Block = dict[str, Any]
UowFactory = Callable[[], UnitOfWork]
ProgressSink = Callable[[Progress], None]

#: Roles that may open the planning settings (the security officer sees the policy only).
SETTINGS_ROLES = (PMO, ADMIN, SECURITY)
#: Decisions that notify the proposer, by lifecycle action.
_DECIDED = ("approve", "reject", "request_changes")


@dataclass(frozen=True)
class Notice:
    """A direct message to send to a user as a consequence of a command."""

    user_id: str
    text: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Upload:
    """A file to share in the channel (files_upload_v2) along with a reply."""

    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class Job:
    """Slow follow-up work: `run(progress)` returns the final Reply and never raises.

    `title` is what the placeholder message says while it runs; `progress` receives the
    solver's improvements (the caller throttles what it shows).
    """

    title: str  # plain text (not mrkdwn): escape it for a message's text
    run: Callable[[ProgressSink], Reply]
    kind: str  # plan, whatif, explain or export
    #: JSON-safe: `rebuild(request, …)` makes this job again in another process
    request: Mapping[str, Any]
    in_channel: bool = True


@dataclass(frozen=True)
class Reply:
    """What to answer: text (the notification fallback) and blocks, ephemeral unless
    `in_channel`; optionally a modal to open, a job to run, DMs to send and files to
    share in the channel."""

    text: str
    blocks: tuple[Block, ...] = ()
    in_channel: bool = False
    modal: dict[str, Any] | None = None
    job: Job | None = None
    notices: tuple[Notice, ...] = ()
    error: bool = False
    uploads: tuple[Upload, ...] = ()
    roadmap_id: int | None = None  # the stored roadmap the reply shows, if any


@dataclass(frozen=True)
class Context:
    """Who asks, in which workspace, with which database and solver options."""

    actor: Actor
    team_id: str
    uow_factory: UowFactory
    slash: str = DEFAULT_COMMAND
    solver: SolverConfig = field(default_factory=lambda: SolverConfig(time_limit=10.0))
    today: dt.date | None = None

    def uow(self) -> UnitOfWork:
        return self.uow_factory()

    @property
    def day(self) -> dt.date:
        return self.today or dt.date.today()


# --------------------------------------------------------------------------- entry points


def handle_text(
    text: str,
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    slash: str = DEFAULT_COMMAND,
    solver: SolverConfig | None = None,
    escaped: bool = True,
    today: dt.date | None = None,
) -> Reply:
    """Parse the text typed after the slash command and handle it."""
    ctx = _context(actor, team_id, uow_factory, slash, solver, today)
    try:
        command = parse_command(text, command=slash, escaped=escaped)
    except UsageError as exc:
        return error_reply(exc, slash=slash)
    return _dispatch(command, ctx)


def handle(
    command: c.Command,
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    slash: str = DEFAULT_COMMAND,
    solver: SolverConfig | None = None,
    today: dt.date | None = None,
) -> Reply:
    """Run one parsed command; never raises (errors become error replies)."""
    return _dispatch(command, _context(actor, team_id, uow_factory, slash, solver, today))


def rebuild(
    request: Mapping[str, Any],
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    slash: str = DEFAULT_COMMAND,
    solver: SolverConfig | None = None,
    saved_roadmap_id: int | None = None,
) -> Reply:
    """The reply `Job.request` came from, made again (in a worker): its `job` is the same
    work, on the catalog as it is now. `saved_roadmap_id` is a roadmap an earlier attempt
    of the job saved before its worker stopped: a plan or what-if delivers it rather than
    solving and saving another. Never raises (errors become error replies)."""
    ctx = _context(actor, team_id, uow_factory, slash, solver, None)

    def build() -> Reply:
        op = request.get("op")
        if op == "plan":
            start = request.get("start")
            cmd = c.Plan(
                budget=request.get("budget"),
                phases=request.get("phases"),
                start=PeriodRef("date", dt.date.fromisoformat(start)) if start else None,
                time_limit=request.get("time_limit"),
            )
            return _plan(cmd, ctx, saved_roadmap_id=saved_roadmap_id)
        if op == "whatif":
            from planner.scenario import parse_whatif

            text = str(request["text"])
            whatif = c.WhatIf(text, tuple(parse_whatif(text)))
            return _whatif(whatif, ctx, saved_roadmap_id=saved_roadmap_id)
        if op == "explain":
            return _explain(
                c.Explain(key=request["key"], roadmap_id=request.get("roadmap_id")), ctx
            )
        if op == "export":
            return export_roadmap(ctx, fmt=request["format"], roadmap_id=request["roadmap_id"])
        raise ValueError(f"a job request names an unknown operation: {op!r}")

    return guarded(build, slash=slash)


def _context(
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    slash: str,
    solver: SolverConfig | None,
    today: dt.date | None,
) -> Context:
    ctx = Context(actor=actor, team_id=team_id, uow_factory=uow_factory, slash=slash, today=today)
    return replace(ctx, solver=solver) if solver is not None else ctx


def _dispatch(command: c.Command, ctx: Context) -> Reply:
    handler = _HANDLERS.get(type(command))
    if handler is None:
        return error_reply(UsageError(f"`{command.name}` is not available yet."), slash=ctx.slash)

    def run() -> Reply:
        if not ctx.actor.is_operator:  # a Slack workspace exists from its first command on
            with ctx.uow() as uow:
                services.ensure_workspace(uow, team_id=ctx.team_id)
        return handler(command, ctx)

    # a connection lost mid-command (a database restart) rolled its transaction back
    return guarded(lambda: retry_on_disconnect(run, what=command.name), slash=ctx.slash)


def guarded(fn: Callable[[], Reply], *, slash: str = DEFAULT_COMMAND) -> Reply:
    """`fn()`, with any exception turned into an error reply (unexpected ones logged)."""
    try:
        return fn()
    except Exception as exc:  # every failure is reported to the user
        return error_reply(exc, slash=slash)


def error_reply(exc: BaseException, *, slash: str = DEFAULT_COMMAND) -> Reply:
    """A friendly ephemeral reply for an error; unexpected errors are logged with traces."""
    hint: str | None = None
    if isinstance(exc, UsageError):
        message = exc.message.rstrip()
        if exc.suggestion:
            message += f" Did you mean `{exc.suggestion}`?"
        hint = f"Usage: {exc.usage}" if exc.usage else f"Try `{slash} help`."
    elif isinstance(exc, ModalErrors):
        message = str(exc)
    elif isinstance(exc, PermissionDenied):
        message = _sentence(str(exc))
    elif isinstance(exc, NotFound):
        where = "" if exc.what == "workspace" else " in this workspace"
        message = _sentence(f"{exc}{where}")
        hint = f"`{slash} list` shows what there is."
    elif isinstance(exc, CatalogError | PlannerError | BotError):
        # StaleVersion, InvalidTransition, ValidationFailed… say what to do themselves
        message = _sentence(str(exc))
    elif isinstance(exc, SQLAlchemyError):  # its text holds SQL: logged, not shown
        log.exception("command failed on the database", exc_info=exc)
        message = "The catalog's database could not be reached, so this did not go through."
        hint = "Try again in a moment; if it keeps happening, tell your Townhall admin."
    else:
        log.exception("command failed", exc_info=exc)
        message = f"Something went wrong: {type(exc).__name__}: {exc}"
        hint = "The error was logged; try again, or tell your Townhall admin."
    return Reply(text=message, blocks=tuple(b.error_blocks(message, hint=hint)), error=True)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _blocks_reply(text: str, blocks: Sequence[Block], **kw: Any) -> Reply:
    return Reply(text=text, blocks=tuple(blocks), **kw)


# --------------------------------------------------------------------------- catalog commands


def _help(cmd: c.Help, ctx: Context) -> Reply:
    text = help_text(cmd.topic, command=ctx.slash)
    return _blocks_reply(text, b.help_blocks(text))


def _list(cmd: c.ListInitiatives, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        views = services.list_initiatives(uow, team_id=ctx.team_id, status=cmd.status)
    what = f"{cmd.status.replace('_', ' ')} initiatives" if cmd.status else "initiatives"
    return _blocks_reply(f"{len(views)} {what}", b.initiative_list_blocks(views, status=cmd.status))


def phase_labels(ctx: Context) -> list[str]:
    """The labels of the workspace's plan phases (`2027Q1`, …); none before it is set up."""
    with ctx.uow() as uow:
        try:
            settings = services.get_settings(uow, team_id=ctx.team_id)
        except NotFound:
            return []
    return [p.label for p in phases_of(settings.calendar)]


def actor_roles(ctx: Context) -> frozenset[str]:
    """The acting user's roles in the workspace (the operator holds them all)."""
    if ctx.actor.is_operator:
        return frozenset({ADMIN, APPROVER, PMO, SECURITY})
    with ctx.uow() as uow:
        return services.roles_of(uow, team_id=ctx.team_id, user_id=ctx.actor.user_id)


def buttons_for(view: InitiativeView, *, roles: frozenset[str], user_id: str) -> list[str]:
    """The initiative buttons a viewer may use now (the catalog still checks each click)."""
    names: list[str] = []
    deciding = bool(roles & {APPROVER, ADMIN})
    if deciding:
        names += [a for a in _DECIDED if a in view.next_actions]
    own = view.proposer == user_id
    if (own or deciding) and view.status in ("proposed", "changes_requested"):
        names.append("edit")
    if (own or ADMIN in roles) and "withdraw" in view.next_actions:
        names.append("withdraw")
    return names


def _show(cmd: c.Show, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        view = services.get_initiative(uow, team_id=ctx.team_id, key=cmd.key)
    actions = buttons_for(view, roles=actor_roles(ctx), user_id=ctx.actor.user_id)
    blocks = b.initiative_blocks(view, actions=actions, phase_labels=phase_labels(ctx))
    return _blocks_reply(f"{view.key}: {b.escape(view.title)}", blocks)


def _decide(action: str, key: str, reason: str, ctx: Context, version: int | None = None) -> Reply:
    fn = {
        "approve": services.approve,
        "reject": services.reject,
        "request_changes": services.request_changes,
        "withdraw": services.withdraw,
    }[action]
    with ctx.uow() as uow:
        view = fn(
            uow, actor=ctx.actor, team_id=ctx.team_id, key=key, reason=reason, version=version
        )
    return decided(view, action=action, by=ctx.actor.user_id, reason=reason)


def decided(view: InitiativeView, *, action: str, by: str, reason: str = "") -> Reply:
    """The reply to a decision, with a DM to the proposer when someone else decided."""
    blocks = b.decision_blocks(view, decision=action, by=by, reason=reason)
    notices: tuple[Notice, ...] = ()
    if view.proposer and view.proposer != by and action in _DECIDED:
        notice = b.proposer_notice_blocks(view, decision=action, by=by, reason=reason)
        text = f"{view.key} was {b.approvals.DECISIONS[action][0]}"
        notices = (Notice(view.proposer, text, tuple(notice)),)
    text = f"{view.key} is now {view.status.replace('_', ' ')}"
    return Reply(text=text, blocks=tuple(blocks), in_channel=False, notices=notices)


def _approve(cmd: c.Approve, ctx: Context) -> Reply:
    return _decide("approve", cmd.key, cmd.reason, ctx)


def _reject(cmd: c.Reject, ctx: Context) -> Reply:
    return _decide("reject", cmd.key, cmd.reason, ctx)


def _changes(cmd: c.RequestChanges, ctx: Context) -> Reply:
    return _decide("request_changes", cmd.key, cmd.reason, ctx)


def _withdraw(cmd: c.Withdraw, ctx: Context) -> Reply:
    return _decide("withdraw", cmd.key, "", ctx)


def _review(cmd: c.Review, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        view = services.record_review(
            uow,
            actor=ctx.actor,
            team_id=ctx.team_id,
            key=cmd.key,
            outcome=cmd.outcome,
            note=cmd.note,
        )
    blocks = b.decision_blocks(view, decision=cmd.outcome, by=ctx.actor.user_id, reason=cmd.note)
    return _blocks_reply(f"Security review of {view.key} recorded: {cmd.outcome}", blocks)


def _pin(cmd: c.Pin, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        settings = services.get_settings(uow, team_id=ctx.team_id)
    phases = phases_of(settings.calendar)
    index = resolve_period(cmd.period, phases=phases, today=ctx.day)
    return _set_pin(cmd.key, index, ctx, label=phases[index].label)


def _unpin(cmd: c.Unpin, ctx: Context) -> Reply:
    return _set_pin(cmd.key, None, ctx, label=None)


def _set_pin(key: str, index: int | None, ctx: Context, *, label: str | None) -> Reply:
    """Pin through an edit of the initiative's `pin` field (the catalog authorizes it)."""
    with ctx.uow() as uow:
        current = services.get_initiative(uow, team_id=ctx.team_id, key=key)
        view = services.edit(
            uow,
            actor=ctx.actor,
            team_id=ctx.team_id,
            key=current.key,
            version=current.version,
            changes={"pin": index},
        )
    text = (
        f"{view.key} is pinned to start in {label}; the next plan keeps it there."
        if label is not None
        else f"{view.key} is no longer pinned."
    )
    return _blocks_reply(text, [b.elements.section(b.escape(text))])


def _role(cmd: c.Role, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        if cmd.action == "list":
            grants = services.list_roles(uow, team_id=ctx.team_id)
            if cmd.user_id:
                grants = [g for g in grants if g.user_id == cmd.user_id]
            lines = [f"{b.text.mention(g.user_id)}: {b.escape(g.role)}" for g in grants]
            text = "\n".join(lines) or "No roles granted yet: everyone is a member."
            return _blocks_reply("Roles", [b.elements.section(text)])
        assert cmd.user_id and cmd.role
        if cmd.action == "grant":
            services.grant_role(
                uow, actor=ctx.actor, team_id=ctx.team_id, user_id=cmd.user_id, role=cmd.role
            )
            done = "now has"
        else:
            services.revoke_role(
                uow, actor=ctx.actor, team_id=ctx.team_id, user_id=cmd.user_id, role=cmd.role
            )
            done = "no longer has"
    text = f"{b.text.mention(cmd.user_id)} {done} the {b.escape(cmd.role)} role."
    return _blocks_reply(text, [b.elements.section(text)])


def _audit(cmd: c.Audit, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        entries = services.audit_trail(uow, actor=ctx.actor, team_id=ctx.team_id, key=cmd.key)
    return _blocks_reply(f"{len(entries)} audit entries", audit_blocks(entries, key=cmd.key))


def _jobs(cmd: c.Jobs, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        views = services.recent_jobs(uow, actor=ctx.actor, team_id=ctx.team_id)
    return _blocks_reply(f"{len(views)} recent jobs", jobs_blocks(views))


def _publish(cmd: c.Publish, ctx: Context) -> Reply:
    return publish(ctx, roadmap_id=None)


def publish(ctx: Context, *, roadmap_id: int | None) -> Reply:
    """Publish a roadmap (the latest by default) as the baseline; said in the channel."""
    with ctx.uow() as uow:
        view = services.publish_roadmap(
            uow, actor=ctx.actor, team_id=ctx.team_id, roadmap_id=roadmap_id
        )
    text = f"{b.text.mention(ctx.actor.user_id)} published roadmap #{view.id} as the baseline."
    blocks = b.roadmap_blocks(
        view.roadmap, title="Published roadmap", published=True, roadmap_id=view.id
    )
    return Reply(text=text, blocks=(b.elements.section(text), *blocks), in_channel=True)


def _diff(cmd: c.Diff, ctx: Context) -> Reply:
    from planner.diff import diff_roadmaps

    with ctx.uow() as uow:
        published = services.published_roadmap(uow, team_id=ctx.team_id)
        latest = services.latest_roadmap(uow, team_id=ctx.team_id)
    if latest is None:
        raise NotFound("roadmap", "yet (plan one first)")
    if published is None:
        raise NotFound("published roadmap", "to compare with (publish one first)")
    diff = diff_roadmaps(published.roadmap, latest.roadmap)
    text = f"Roadmap #{latest.id} compared with the published #{published.id}"
    return _blocks_reply(text, b.diff_blocks(diff, title=text))


def _settings(cmd: c.Settings, ctx: Context) -> Reply:
    roles = actor_roles(ctx)
    if not roles & set(SETTINGS_ROLES):
        raise PermissionDenied("change the planning settings", roles=SETTINGS_ROLES)
    with ctx.uow() as uow:
        services.ensure_workspace(uow, team_id=ctx.team_id)
        settings = services.get_settings(uow, team_id=ctx.team_id)
    sections = settings_sections(roles)
    modal = b.settings_modal(settings=settings, private_metadata=ctx.team_id, sections=sections)
    return Reply(text="Planning settings", modal=modal)


def settings_sections(roles: frozenset[str]) -> tuple[str, ...]:
    """The parts of the settings modal a viewer with these roles may change."""
    out: list[str] = []
    if roles & {PMO, ADMIN}:
        out += ["name", "calendar", "budget", "capacity"]
    if roles & {SECURITY, ADMIN}:
        out.append("policy")
    return tuple(out)


def _propose(cmd: c.Propose, ctx: Context) -> Reply:
    modal = propose_modal(ctx, prefill={"title": cmd.title} if cmd.title else None)
    return Reply(text="Propose an initiative", modal=modal)


def propose_modal(ctx: Context, *, prefill: dict[str, Any] | None = None) -> dict[str, Any]:
    """The propose modal, offering the workspace's keys and phases."""
    with ctx.uow() as uow:
        views = services.list_initiatives(uow, team_id=ctx.team_id)
    keys = {v.key: v.title for v in views}
    phases: Sequence[Any] = ()
    labels = phase_labels(ctx)
    if labels:
        with ctx.uow() as uow:
            phases = phases_of(services.get_settings(uow, team_id=ctx.team_id).calendar)
    return b.initiative_modal(prefill=prefill, private_metadata="", keys=keys, phases=phases)


def _export(cmd: c.Export, ctx: Context) -> Reply:
    return export_roadmap(ctx, fmt=cmd.format, roadmap_id=None)


def export_roadmap(ctx: Context, *, fmt: str, roadmap_id: int | None) -> Reply:
    """Export a roadmap (the published one, else the latest; or `roadmap_id`) as a file
    shared in the channel; PMO, approvers and admins only (the catalog checks)."""
    from planner.exports import FORMATS

    spec = FORMATS.get(fmt)
    if spec is None:
        raise UsageError(f"`{fmt}` is not an export format: {', '.join(FORMATS)}.")
    with ctx.uow() as uow:
        try:
            view = services.roadmap_for_export(
                uow, actor=ctx.actor, team_id=ctx.team_id, roadmap_id=roadmap_id
            )
        except NotFound as exc:
            if exc.what != "roadmap" or roadmap_id is not None:
                raise
            message = "There is no roadmap to export yet."
            hint = f"Run `{ctx.slash} plan` first, then export it."
            return Reply(text=message, blocks=tuple(b.error_blocks(message, hint=hint)), error=True)
    assert view.portfolio is not None
    which = "published roadmap" if view.published else "latest roadmap"

    def run(progress: ProgressSink) -> Reply:
        def work() -> Reply:
            from planner.exports import ExportSource, export

            data = export(spec.name, ExportSource(roadmap=view.roadmap, portfolio=view.portfolio))
            text = f"{spec.title} of the {which} #{view.id}"
            upload = Upload(
                filename=f"roadmap-{view.id}.{spec.extension}", content=data, title=text
            )
            blocks = (b.elements.section(f":page_facing_up: {b.escape(text)}"),)
            return Reply(text=text, blocks=blocks, in_channel=True, uploads=(upload,))

        return guarded(work, slash=ctx.slash)

    title = f"Exporting the {which} #{view.id} as {spec.title}…"
    request = {"op": "export", "format": spec.name, "roadmap_id": view.id}
    return Reply(text=title, job=Job(title=title, run=run, kind="export", request=request))


def gantt_picture(roadmap: Roadmap, portfolio: Any) -> bytes | None:
    """The Gantt picture (PNG) of a solved roadmap; None for an unsolved one, or when
    drawing fails (the roadmap message matters more than its picture)."""
    if roadmap.status not in ("optimal", "feasible") or portfolio is None:
        return None
    from planner.exports import ExportSource
    from planner.exports.gantt import gantt_png

    try:
        return gantt_png(ExportSource(roadmap=roadmap, portfolio=portfolio))
    except Exception:
        log.exception("drawing the Gantt picture of a %s roadmap failed", roadmap.status)
        return None


def gantt_upload(picture: bytes | None, *, roadmap_id: int) -> tuple[Upload, ...]:
    """The Gantt picture to share with stored roadmap `roadmap_id` (none without one)."""
    if picture is None:
        return ()
    title = f"Gantt chart of roadmap #{roadmap_id}"
    return (Upload(filename=f"roadmap-{roadmap_id}-gantt.png", content=picture, title=title),)


#: Seconds per solve when a budget what-if draws its efficient frontier (6 points).
FRONTIER_SECONDS = 1.5


def frontier_upload(problem: Problem, config: SolverConfig, *, what_if: str) -> tuple[Upload, ...]:
    """The efficient frontier (value against total budget) of a what-if's problem."""
    from planner.exports.frontier_chart import frontier_png
    from planner.frontier import frontier

    try:
        fast = replace(config, time_limit=min(config.time_limit, FRONTIER_SECONDS), progress=None)
        points = frontier(problem, points=6, config=fast)
        if not points:
            return ()
        data = frontier_png(
            points,
            title=f"Value against total budget: {what_if}",
            current_budget=problem.total_budget,
        )
    except Exception:  # the what-if answer matters more than its picture
        log.exception("drawing the frontier of what-if %r failed", what_if)
        return ()
    return (Upload(filename="whatif-frontier.png", content=data, title=f"Frontier: {what_if}"),)


# --------------------------------------------------------------------------- planning


def _saved(ctx: Context, roadmap_id: int | None) -> RoadmapView | None:
    """Roadmap `roadmap_id` of the workspace if it is still kept (None: solve again)."""
    if roadmap_id is None:
        return None
    with ctx.uow() as uow:
        try:
            return services.get_roadmap(uow, team_id=ctx.team_id, roadmap_id=roadmap_id)
        except NotFound:
            return None


def _plan(cmd: c.Plan, ctx: Context, *, saved_roadmap_id: int | None = None) -> Reply:
    with ctx.uow() as uow:
        services.ensure_workspace(uow, team_id=ctx.team_id)
        portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
        published = services.published_roadmap(uow, team_id=ctx.team_id)
    from planner.scenario import BudgetChange, Change, PhaseCountChange, apply

    request: dict[str, Any] = {
        "op": "plan",
        "budget": cmd.budget,
        "phases": cmd.phases,
        "time_limit": cmd.time_limit,
        "start": None,
    }
    if cmd.start is not None:
        start = period_start(cmd.start, today=ctx.day, phases=phases_of(portfolio.calendar))
        portfolio = replace(portfolio, calendar=replace(portfolio.calendar, start=start))
        request["start"] = start.isoformat()
    problem = build_problem(portfolio)
    transforms = []
    if cmd.budget is not None:
        transforms.append(BudgetChange(Change("set", Fraction(cmd.budget))))
    if cmd.phases is not None:
        transforms.append(PhaseCountChange(Change("set", Fraction(cmd.phases))))
    if transforms:
        problem = apply(problem, transforms)
    config = ctx.solver
    if cmd.time_limit is not None:
        config = replace(config, time_limit=cmd.time_limit)
    if published is not None:
        baseline = {s.key: s.start_phase for s in published.roadmap.scheduled}
        config = replace(config, baseline=baseline)

    def run(progress: ProgressSink) -> Reply:
        def work() -> Reply:
            saved = _saved(ctx, saved_roadmap_id)
            roadmap = (
                saved.roadmap if saved else _solve(problem, replace(config, progress=progress))
            )
            # the slow picture comes before the save, so the reply is ready soon after it
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
            blocks = b.roadmap_blocks(roadmap, roadmap_id=saved.id)
            return Reply(
                text=_roadmap_text(roadmap),
                blocks=tuple(blocks),
                in_channel=True,
                uploads=gantt_upload(picture, roadmap_id=saved.id),
                roadmap_id=saved.id,
            )

        return guarded(work, slash=ctx.slash)

    return Reply(
        text="Planning…", job=Job(title="Planning…", run=run, kind="plan", request=request)
    )


def _solve(problem: Problem, config: SolverConfig) -> Roadmap:
    from planner.solve import solve

    return solve(problem, config)


def _roadmap_text(roadmap: Roadmap) -> str:
    return (
        f"Roadmap ({roadmap.status}): {len(roadmap.scheduled)} initiatives scheduled, "
        f"{len(roadmap.unscheduled)} left out"
    )


def _whatif(cmd: c.WhatIf, ctx: Context, *, saved_roadmap_id: int | None = None) -> Reply:
    with ctx.uow() as uow:
        portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
    from planner.diff import diff_roadmaps
    from planner.scenario import BudgetChange, TotalBudgetChange, apply

    base = build_problem(portfolio)
    variant = apply(base, list(cmd.transforms))

    def run(progress: ProgressSink) -> Reply:
        def work() -> Reply:
            saved = _saved(ctx, saved_roadmap_id)
            before = _solve(base, ctx.solver)
            after = (
                saved.roadmap if saved else _solve(variant, replace(ctx.solver, progress=progress))
            )
            budget_moves = any(
                isinstance(t, BudgetChange | TotalBudgetChange) for t in cmd.transforms
            )
            # the frontier's solves come before the save (see `_plan`)
            frontier = (
                frontier_upload(variant, ctx.solver, what_if=cmd.text) if budget_moves else ()
            )
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
            blocks = b.diff_blocks(diff_roadmaps(before, after), what_if=cmd.text)
            blocks += b.roadmap_blocks(
                after, title=f"What if {b.escape(cmd.text)}", roadmap_id=saved.id
            )
            return Reply(
                text=f"What if {b.escape(cmd.text)}: {_roadmap_text(after)}",
                blocks=tuple(blocks[:50]),
                in_channel=True,
                uploads=frontier,
                roadmap_id=saved.id,
            )

        return guarded(work, slash=ctx.slash)

    return Reply(
        text=f"What if {b.escape(cmd.text)}…",
        job=Job(
            title=f"What if {cmd.text}…",
            run=run,
            kind="whatif",
            request={"op": "whatif", "text": cmd.text},
        ),
    )


def _explain(cmd: c.Explain, ctx: Context) -> Reply:
    with ctx.uow() as uow:
        if cmd.roadmap_id is not None:
            stored = services.get_roadmap(uow, team_id=ctx.team_id, roadmap_id=cmd.roadmap_id)
        else:
            stored = services.latest_roadmap(uow, team_id=ctx.team_id)
        portfolio = services.workspace_portfolio(uow, team_id=ctx.team_id)
    key = cmd.key.upper()

    def run(progress: ProgressSink) -> Reply:
        def work() -> Reply:
            from planner.explain import explain

            if stored is not None and stored.portfolio is not None:
                problem = build_problem(stored.portfolio)
                roadmap = stored.roadmap
            else:
                problem = build_problem(portfolio)
                roadmap = _solve(problem, replace(ctx.solver, progress=progress))
            detail = explain(problem, roadmap, key, config=ctx.solver)
            return Reply(text=b.escape(detail.headline), blocks=tuple(b.explanation_blocks(detail)))

        return guarded(work, slash=ctx.slash)

    job = Job(
        title=f"Explaining {key}…",
        run=run,
        kind="explain",
        request={"op": "explain", "key": key, "roadmap_id": cmd.roadmap_id},
        in_channel=False,
    )
    return Reply(text=f"Explaining {key}…", job=job)


# --------------------------------------------------------------------------- notices and home


def approver_notices(
    view: InitiativeView, *, team_id: str, uow_factory: UowFactory
) -> tuple[Notice, ...]:
    """DMs asking each approver (or admin, when there is no approver) to decide on a proposal."""
    with uow_factory() as uow:
        grants = services.list_roles(uow, team_id=team_id)
    approvers = sorted({g.user_id for g in grants if g.role == APPROVER})
    if not approvers:
        approvers = sorted({g.user_id for g in grants if g.role == ADMIN})
    blocks = tuple(b.approval_request_blocks(view, proposer=view.proposer))
    text = f"New proposal {view.key}: {b.escape(view.title)}"
    return tuple(Notice(user, text, blocks) for user in approvers if user != view.proposer)


def home(*, actor: Actor, team_id: str, uow_factory: UowFactory) -> dict[str, Any]:
    """The App Home view of a user: what waits for their decision, the baseline, their own."""
    with uow_factory() as uow:
        roles = services.roles_of(uow, team_id=team_id, user_id=actor.user_id)
        views = services.list_initiatives(uow, team_id=team_id)
        published = services.published_roadmap(uow, team_id=team_id) if views else None
        portfolio = None
        if SECURITY in roles and views:
            portfolio = services.workspace_portfolio(uow, team_id=team_id)
    decisions = [v for v in views if v.status == "proposed"] if roles & {APPROVER, ADMIN} else []
    reviews: list[InitiativeView] = []
    if portfolio is not None:
        reviews = [
            v
            for v in views
            if v.status in ("proposed", "approved", "scheduled")
            and v.spec.review is None
            and needs_review(v.spec, portfolio)
        ]
    own = [v for v in views if v.proposer == actor.user_id]
    return b.home_view(
        user_id=actor.user_id,
        pending_decisions=decisions,
        pending_reviews=reviews,
        published=published,
        own_proposals=own,
    )


_HANDLERS: dict[type, Callable[[Any, Context], Reply]] = {
    c.Help: _help,
    c.ListInitiatives: _list,
    c.Show: _show,
    c.Approve: _approve,
    c.Reject: _reject,
    c.RequestChanges: _changes,
    c.Withdraw: _withdraw,
    c.Review: _review,
    c.Pin: _pin,
    c.Unpin: _unpin,
    c.Role: _role,
    c.Audit: _audit,
    c.Jobs: _jobs,
    c.Publish: _publish,
    c.Diff: _diff,
    c.Settings: _settings,
    c.Propose: _propose,
    c.Export: _export,
    c.Plan: _plan,
    c.WhatIf: _whatif,
    c.Explain: _explain,
}
