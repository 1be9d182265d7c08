"""Use-case results as Slack Replies: one pure function per kind of result.

Each takes the result and the slash command's name (for hints) and returns a Reply of
Block Kit built by `bot.blocks`. The console shows the same Replies as text
(`bot.console.text`), so a result is rendered once for every surface.
"""

from __future__ import annotations

from bot import blocks as b
from bot.blocks import ids
from bot.blocks.approvals import DECISIONS
from bot.blocks.audit import audit_blocks
from bot.blocks.drivers import (
    drivers_blocks,
    person_weights_blocks,
    priority_blocks,
    weights_line,
)
from bot.blocks.drivers_modal import drivers_modal
from bot.blocks.jobs import jobs_blocks
from bot.blocks.text import mention
from bot.blocks.weigh_modal import weigh_modal
from bot.reply import Notice, Reply, Upload
from catalog.usecases import results as r
from planner.roadmap import Roadmap


def roadmap_summary(roadmap: Roadmap) -> str:
    return (
        f"Roadmap ({roadmap.status}): {len(roadmap.scheduled)} initiatives scheduled, "
        f"{len(roadmap.unscheduled)} left out"
    )


def started(result: r.Started, *, slash: str) -> Reply:
    """The placeholder of a job that was just queued."""
    return Reply(
        text=b.escape(result.title), blocks=tuple(b.progress_blocks(None, title=result.title))
    )


def initiative_list(result: r.InitiativeList, *, slash: str) -> Reply:
    status = result.status
    what = f"{status.replace('_', ' ')} initiatives" if status else "initiatives"
    blocks = b.initiative_list_blocks(list(result.views), status=status)
    return Reply(text=f"{len(result.views)} {what}", blocks=tuple(blocks))


def initiative_detail(result: r.InitiativeDetail, *, slash: str) -> Reply:
    view = result.view
    blocks = b.initiative_blocks(
        view,
        actions=list(result.actions),
        phase_labels=list(result.phase_labels),
        drivers=result.drivers,
    )
    return Reply(text=f"{view.key}: {b.escape(view.title)}", blocks=tuple(blocks))


def initiative_form(result: r.InitiativeForm, *, slash: str) -> Reply:
    """The propose or edit modal; submitting an edit names the version it edits."""
    view = result.view
    modal = b.initiative_modal(
        view=view,
        prefill=dict(result.prefill) if result.prefill else None,
        private_metadata=ids.initiative_value(view.key, view.version) if view else "",
        keys=dict(result.keys),
        phases=result.phases,
        drivers=result.drivers,
    )
    text = f"Edit {view.key}" if view is not None else "Propose an initiative"
    return Reply(text=text, modal=modal)


def settings_form(result: r.SettingsForm, *, slash: str) -> Reply:
    modal = b.settings_modal(
        settings=result.settings, private_metadata="", sections=result.sections
    )
    return Reply(text="Planning settings", modal=modal)


def settings_saved(result: r.SettingsSaved, *, slash: str) -> Reply:
    text = f"Planning settings saved (version {result.settings.version})."
    return Reply(text=text, blocks=(b.elements.section(text),))


def submitted(result: r.Submitted, *, slash: str) -> Reply:
    """A saved proposal or edit; a new proposal asks each approver to decide by DM."""
    view = result.view
    verb = "proposed" if result.created else "updated"
    text = f"{view.key} {verb}: {b.escape(view.title)}"
    notices: tuple[Notice, ...] = ()
    if result.notify:
        request = tuple(b.approval_request_blocks(view, proposer=view.proposer))
        ask = f"New proposal {view.key}: {b.escape(view.title)}"
        notices = tuple(Notice(user, ask, request) for user in result.notify)
    return Reply(text=text, blocks=(b.elements.section(text),), notices=notices)


def decision(result: r.Decision, *, slash: str) -> Reply:
    """A decision or review outcome, with a DM to the proposer when someone else decided."""
    view = result.view
    blocks = b.decision_blocks(view, decision=result.action, by=result.by, reason=result.reason)
    notices: tuple[Notice, ...] = ()
    for user in result.notify:
        notice = b.proposer_notice_blocks(
            view, decision=result.action, by=result.by, reason=result.reason
        )
        text = f"{view.key} was {DECISIONS[result.action][0]}"
        notices += (Notice(user, text, tuple(notice)),)
    if result.action in ("passed", "conditions", "failed"):
        text = f"Security review of {view.key} recorded: {result.action}"
    else:
        text = f"{view.key} is now {view.status.replace('_', ' ')}"
    return Reply(text=text, blocks=tuple(blocks), notices=notices)


def pinned(result: r.Pinned, *, slash: str) -> Reply:
    key = result.view.key
    text = (
        f"{key} is pinned to start in {result.label}; the next plan keeps it there."
        if result.label is not None
        else f"{key} is no longer pinned."
    )
    return Reply(text=text, blocks=(b.elements.section(b.escape(text)),))


def role_list(result: r.RoleList, *, slash: str) -> Reply:
    lines = [f"{mention(g.user_id)}: {b.escape(g.role)}" for g in result.grants]
    text = "\n".join(lines) or "No roles granted yet: everyone is a member."
    return Reply(text="Roles", blocks=(b.elements.section(text),))


def role_changed(result: r.RoleChanged, *, slash: str) -> Reply:
    done = "now has" if result.granted else "no longer has"
    text = f"{mention(result.user_id)} {done} the {b.escape(result.role)} role."
    return Reply(text=text, blocks=(b.elements.section(text),))


def roles(result: r.RoleList | r.RoleChanged, *, slash: str) -> Reply:
    if isinstance(result, r.RoleList):
        return role_list(result, slash=slash)
    return role_changed(result, slash=slash)


def audit_trail(result: r.AuditTrail, *, slash: str) -> Reply:
    blocks = audit_blocks(list(result.entries), key=result.key)
    return Reply(text=f"{len(result.entries)} audit entries", blocks=tuple(blocks))


def job_list(result: r.JobList, *, slash: str) -> Reply:
    return Reply(
        text=f"{len(result.jobs)} recent jobs", blocks=tuple(jobs_blocks(list(result.jobs)))
    )


def published(result: r.Published, *, slash: str) -> Reply:
    view = result.roadmap
    text = f"{mention(result.by)} published roadmap #{view.id} as the baseline."
    blocks = b.roadmap_blocks(
        view.roadmap, title="Published roadmap", published=True, roadmap_id=view.id
    )
    return Reply(text=text, blocks=(b.elements.section(text), *blocks), in_channel=True)


def comparison(result: r.Comparison, *, slash: str) -> Reply:
    text = f"Roadmap #{result.latest_id} compared with the published #{result.published_id}"
    return Reply(text=text, blocks=tuple(b.diff_blocks(result.diff, title=text)))


def planned(result: r.Planned, *, slash: str) -> Reply:
    uploads: tuple[Upload, ...] = ()
    if result.picture is not None:
        title = f"Gantt chart of roadmap #{result.roadmap_id}"
        name = f"roadmap-{result.roadmap_id}-gantt.png"
        uploads = (Upload(filename=name, content=result.picture, title=title),)
    return Reply(
        text=roadmap_summary(result.roadmap),
        blocks=tuple(b.roadmap_blocks(result.roadmap, roadmap_id=result.roadmap_id)),
        in_channel=True,
        uploads=uploads,
        roadmap_id=result.roadmap_id,
    )


def whatif_answer(result: r.WhatIfAnswer, *, slash: str) -> Reply:
    text = b.escape(result.text)
    roadmap = b.roadmap_blocks(
        result.roadmap, title=f"What if {text}", roadmap_id=result.roadmap_id
    )
    # the roadmap keeps its Publish / Explain… / Export… actions: the diff gives way
    diff = b.diff_blocks(result.diff, what_if=result.text)
    if result.changes:  # exactly what changed: `budget-20%` cuts the total budget too
        changed = b.escape("Changed: " + "; ".join(result.changes))
        diff.insert(1, b.elements.context(changed[:2900]))
    diff = diff[: max(0, 50 - len(roadmap))]
    blocks = diff + roadmap
    uploads: tuple[Upload, ...] = ()
    if result.frontier is not None:
        frontier = Upload("whatif-frontier.png", result.frontier, f"Frontier: {result.text}")
        uploads = (frontier,)
    return Reply(
        text=f"What if {text}: {roadmap_summary(result.roadmap)}",
        blocks=tuple(blocks),
        in_channel=True,
        uploads=uploads,
        roadmap_id=result.roadmap_id,
    )


def explained(result: r.Explained, *, slash: str) -> Reply:
    detail = result.explanation
    return Reply(text=b.escape(detail.headline), blocks=tuple(b.explanation_blocks(detail)))


def export_file(result: r.ExportFile, *, slash: str) -> Reply:
    blocks = (b.elements.section(f":page_facing_up: {b.escape(result.title)}"),)
    upload = Upload(filename=result.filename, content=result.content, title=result.title)
    return Reply(text=result.title, blocks=blocks, in_channel=True, uploads=(upload,))


def driver_list(result: r.DriverList, *, slash: str) -> Reply:
    """`drivers`: the weights as bars, each person's CR, who has not answered, the
    viewer's own inconsistency to revise, and the buttons the viewer may use."""
    view = result.view
    blocks = drivers_blocks(
        view.weights,
        pending=view.pending,
        viewer=result.viewer,
        can_weigh=result.can_weigh,
        can_manage=result.can_manage,
        slash=slash,
    )
    return Reply(text=f"{len(view.drivers)} business drivers", blocks=tuple(blocks))


def drivers_form(result: r.DriversForm, *, slash: str) -> Reply:
    """The manage-drivers form (admins)."""
    view = result.view
    return Reply(
        text="Manage the business drivers",
        modal=drivers_modal(drivers=view.drivers, retired=view.retired),
    )


def drivers_saved(result: r.DriversSaved, *, slash: str) -> Reply:
    view = result.view
    text = f"Business drivers saved: {len(view.drivers)} active."
    blocks = drivers_blocks(view.weights, pending=view.pending, slash=slash)
    return Reply(text=text, blocks=(b.elements.section(text), *blocks))


def weigh_form(result: r.WeighForm, *, slash: str) -> Reply:
    """The judgment form: every pair with the asker's answers, or the one to revise."""
    modal = weigh_modal(drivers=result.drivers, answers=result.answers, pair=result.revising)
    text = "Revise a judgment" if result.revising else "Weigh the business drivers"
    return Reply(text=text, modal=modal)


def judgments_saved(result: r.JudgmentsSaved, *, slash: str) -> Reply:
    """Saved answers: the person's own weights and CR (with the judgment to revise when
    they contradict each other), then the group's weights after them."""
    person = result.person
    drivers = result.group.drivers
    if not person.complete:
        text = f"Answers saved: {person.answered} of {person.needed} pairs."
    elif person.consistent:
        text = f"Answers saved: your weights are consistent (CR {person.cr:.2f})."
    else:
        text = f"Answers saved, but they contradict each other (CR {person.cr:.2f})."
    blocks = person_weights_blocks(person, drivers, slash=slash)
    line = weights_line(result.group)  # "Weights: …" → "Group weights: …"
    blocks.append(b.elements.context(f"Group {line[:1].lower()}{line[1:]}"))
    return Reply(text=text, blocks=tuple(blocks))


def priority_list(result: r.PriorityList, *, slash: str) -> Reply:
    view = result.view
    return Reply(
        text=f"{len(view.rows)} initiatives by strategic score",
        blocks=tuple(priority_blocks(view, slash=slash)),
    )


def dashboard(result: r.Dashboard) -> dict[str, object]:
    """The App Home `view` payload."""
    return b.home_view(
        user_id=result.user_id,
        pending_decisions=list(result.pending_decisions),
        pending_reviews=list(result.pending_reviews),
        published=result.published,
        own_proposals=list(result.own_proposals),
    )
