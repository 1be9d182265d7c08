"""Filled forms, as Slack submits its modals and the console its interactive forms:
read the fields, run the use case, and say either which fields are wrong (block id →
message, what the modal shows under each field) or what to answer.

One function per form, so both surfaces validate with the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import blocks as b
from bot import render
from bot.blocks import ids
from bot.blocks.drivers_modal import driver_errors_for, read_drivers_submission
from bot.blocks.text import ERROR_TEXT
from bot.blocks.weigh_modal import read_weigh_submission
from bot.errors import ModalErrors, UnreadableForm
from bot.reply import DEFAULT_COMMAND, Reply, sentence
from catalog import services
from catalog.errors import CatalogError, ValidationFailed
from catalog.usecases import commands as c
from catalog.usecases import drivers, initiatives, workspace
from catalog.usecases.context import Context

Values = Mapping[str, Any]  # a view's state.values: block id → action id → value


@dataclass(frozen=True)
class Submission:
    """The outcome of a filled form: `errors` (nothing was saved) or the `reply`."""

    errors: dict[str, str] = field(default_factory=dict)
    reply: Reply | None = None


def submit_initiative(
    values: Values, *, metadata: str, ctx: Context, slash: str = DEFAULT_COMMAND
) -> Submission:
    """The initiative form: a proposal (`metadata` empty) or an edit (`metadata` names
    the key and version, `bot.blocks.ids.initiative_value`)."""
    try:
        fields = b.read_initiative_submission(values)
    except ModalErrors as exc:
        return Submission(errors=exc.errors)
    try:
        key, version = ids.read_initiative_value(metadata) if metadata else (None, None)
        command = c.SubmitInitiative(fields, key=key, version=version)
        result = initiatives.submit_initiative(command, ctx)
    except ValidationFailed as exc:
        scores = [block for block in values if block.startswith(ids.SCORE_BLOCK_PREFIX)]
        return Submission(
            errors=b.initiative_errors_for(
                exc.fields, editing=bool(metadata), score_blocks_shown=scores
            )
        )
    except CatalogError as exc:
        return Submission(errors={ids.INITIATIVE_BLOCKS["title"]: str(exc)[:150]})
    return Submission(reply=render.submitted(result, slash=slash))


def submit_settings(values: Values, *, ctx: Context, slash: str = DEFAULT_COMMAND) -> Submission:
    """The planning settings form; each section is saved only by the roles that own it."""
    sections = workspace.settings_sections(initiatives.actor_roles(ctx))
    with ctx.uow() as uow:
        current = services.get_settings(uow, team_id=ctx.team_id)
    try:
        changes = b.read_settings_submission(values, current=current)
        saved = workspace.submit_settings(c.SubmitSettings(changes, version=current.version), ctx)
    except ModalErrors as exc:
        return Submission(errors=exc.errors)
    except ValidationFailed as exc:
        return Submission(errors=b.settings_errors_for(exc.fields, sections=sections))
    except CatalogError as exc:
        if sections:
            first = next(iter(b.settings_errors_for({"__all__": str(exc)}, sections=sections)))
        else:  # the viewer may change nothing: say so under the first field submitted
            first = next(iter(values), ids.SETTINGS_BLOCKS["name"])
        return Submission(errors={first: str(exc)[:150]})
    return Submission(reply=render.settings_saved(saved, slash=slash))


def submit_judgments(values: Values, *, ctx: Context, slash: str = DEFAULT_COMMAND) -> Submission:
    """The judgment form: the pairs answered, saved as the person's (revising earlier
    answers); answered with their weights, CR and the judgment to revise if any."""
    pair_blocks = [block for block in values if ids.read_pair_block(block) is not None]
    if not pair_blocks:
        raise UnreadableForm("it names no pair of drivers")
    try:
        answers = read_weigh_submission(values)
        result = drivers.submit_judgments(c.SubmitJudgments(answers=answers), ctx)
    except ModalErrors as exc:
        return Submission(errors=exc.errors)
    except ValidationFailed as exc:
        return Submission(errors=_pair_errors(exc.fields, pair_blocks))
    except CatalogError as exc:
        return Submission(errors={pair_blocks[0]: str(exc)[:ERROR_TEXT]})
    return Submission(reply=render.judgments_saved(result, slash=slash))


def _pair_errors(fields: Mapping[str, str], blocks: list[str]) -> dict[str, str]:
    """Catalog errors by pair (`engage:secure`) under that pair's select; the others
    (`__all__`) under the first one."""
    out: dict[str, list[str]] = {}
    for name, message in fields.items():
        a, sep, b_ = name.partition(":")
        block = ids.pair_block(a, b_) if sep else ""
        target = block if block in blocks else blocks[0]
        out.setdefault(target, []).append(sentence(message))
    return {block: " ".join(texts)[:ERROR_TEXT] for block, texts in out.items()}


def submit_drivers(values: Values, *, ctx: Context, slash: str = DEFAULT_COMMAND) -> Submission:
    """The manage-drivers form: every driver as left (renamed, described, retired or
    restored) and the new ones, saved at once (admins)."""
    try:
        changes = read_drivers_submission(values)
    except ModalErrors as exc:
        return Submission(errors=exc.errors)
    inputs = list(values)
    if not inputs:
        raise UnreadableForm("it has no field")
    first = next((block for block in inputs if block.endswith("|name")), inputs[0])
    try:
        command = c.SubmitDrivers(changes=tuple(change.to_change() for change in changes))
        result = drivers.submit_drivers(command, ctx)
    except ValidationFailed as exc:
        return Submission(errors=driver_errors_for(exc.fields, changes, first=first))
    except CatalogError as exc:
        return Submission(errors={first: str(exc)[:ERROR_TEXT]})
    return Submission(reply=render.drivers_saved(result, slash=slash))


def submit_form(
    callback_id: str, values: Values, *, metadata: str, ctx: Context, slash: str = DEFAULT_COMMAND
) -> Submission:
    """Submit the form with this callback id (the modals' `bot.blocks.ids`)."""
    if callback_id == ids.INITIATIVE_MODAL:
        return submit_initiative(values, metadata=metadata, ctx=ctx, slash=slash)
    if callback_id == ids.SETTINGS_MODAL:
        return submit_settings(values, ctx=ctx, slash=slash)
    if callback_id == ids.WEIGH_MODAL:
        return submit_judgments(values, ctx=ctx, slash=slash)
    if callback_id == ids.DRIVERS_MODAL:
        return submit_drivers(values, ctx=ctx, slash=slash)
    raise ValueError(f"no form has the callback id {callback_id!r}")
