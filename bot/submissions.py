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
from bot.errors import ModalErrors
from bot.reply import DEFAULT_COMMAND, Reply
from catalog import services
from catalog.errors import CatalogError, ValidationFailed
from catalog.usecases import commands as c
from catalog.usecases import initiatives, workspace
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
        return Submission(errors=b.initiative_errors_for(exc.fields, editing=bool(metadata)))
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


def submit_form(
    callback_id: str, values: Values, *, metadata: str, ctx: Context, slash: str = DEFAULT_COMMAND
) -> Submission:
    """Submit the form with this callback id (the modals' `bot.blocks.ids`)."""
    if callback_id == ids.INITIATIVE_MODAL:
        return submit_initiative(values, metadata=metadata, ctx=ctx, slash=slash)
    if callback_id == ids.SETTINGS_MODAL:
        return submit_settings(values, ctx=ctx, slash=slash)
    raise ValueError(f"no form has the callback id {callback_id!r}")
