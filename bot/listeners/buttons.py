"""Initiative buttons and the roadmap's Explain… menu: Edit, Withdraw, Details, Explain
and the security review outcomes; the business drivers' Weigh, Revise and Manage.

Each click becomes a command run through the registry (`bot.commands.execute`), so the
catalog authorizes it again. Answers go to the message's response URL (ephemeral);
clicks on the Home tab have none, so their answers come as a DM.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import blocks as b
from bot import render
from bot.blocks import ids
from bot.commands import execute
from bot.errors import ModalErrors
from bot.jobs.starter import JobStarter
from bot.listeners.context import (
    UnreadablePayload,
    chosen_value,
    context_of,
    initiative_ref,
    keeps_ack,
    roadmap_ref,
    string_field,
    trigger_of,
    unreadable_answer,
    update_origin,
    user_of,
    view_metadata,
    view_state,
)
from bot.listeners.once import Once, action_key, submit_once, view_key
from bot.posting import respond_with, send_notices
from bot.reply import Notice, Reply, error_reply
from catalog import services
from catalog.domain import ADMIN, NOTE_REQUIRED, SECURITY
from catalog.errors import PermissionDenied
from catalog.usecases import commands as c
from catalog.usecases import initiatives
from catalog.usecases.context import Context, UowFactory

log = logging.getLogger(__name__)

#: Security review outcome of each review button.
REVIEW_OUTCOMES: dict[str, str] = {
    ids.REVIEW_PASSED: "passed",
    ids.REVIEW_CONDITIONS: "conditions",
    ids.REVIEW_FAILED: "failed",
}


def answer(
    reply: Reply,
    *,
    body: dict[str, Any],
    client: WebClient,
    respond: Any,
    replace_original: bool = False,
) -> None:
    """Show `reply` to the clicking user: through the response URL when the click came
    from a message, as a DM when it came from a view (the Home tab); then its notices."""
    if respond is not None and body.get("response_url"):
        respond_with(respond, reply, replace_original=replace_original)
    else:
        try:
            user_id = user_of(body)
        except UnreadablePayload:
            log.warning("a request that names no user cannot be answered: %s", reply.text[:200])
            return
        send_notices(client, (Notice(user_id, reply.text, reply.blocks),))
    send_notices(client, reply.notices)


def answer_or_start(
    reply: Reply,
    *,
    ctx: Context,
    body: dict[str, Any],
    client: WebClient,
    respond: Any,
    jobs: JobStarter,
) -> None:
    """Open the reply's modal (in place of the modal clicked in, if any), start its
    background job answering in the same channel, or `answer` it."""
    if reply.modal is not None and body.get("trigger_id"):
        shown = body.get("view")
        if isinstance(shown, dict) and shown.get("type") == "modal" and shown.get("id"):
            client.views_update(view_id=string_field(shown, "id", what="form"), view=reply.modal)
            return
        client.views_open(trigger_id=trigger_of(body), view=reply.modal)
        return
    if reply.job is None or respond is None:
        answer(reply, body=body, client=client, respond=respond)
        return
    channel, enterprise = body.get("channel"), body.get("enterprise")
    jobs.start(
        reply.job,
        actor=ctx.actor,
        team_id=ctx.team_id,
        client=client,
        channel=string_field(channel, "id", what="request") if isinstance(channel, dict) else "",
        respond=respond,
        response_url=string_field(body, "response_url", what="request") or None,
        enterprise_id=(enterprise.get("id") or None) if isinstance(enterprise, dict) else None,
    )


def register(app: App, *, uow_factory: UowFactory, jobs: JobStarter, slash: str) -> None:
    """Listen to Edit, Withdraw, Details, Explain…, the security review buttons and the
    drivers' Weigh, Revise and Manage."""
    once = Once(uow_factory)  # clicks and submissions that took effect, in the database

    def run(command_of: Any, *, claim: bool = False, replace: bool = False) -> Any:
        """A listener that acknowledges, reads the click into a command, runs it and
        answers (opening a modal or starting a job as the reply says)."""

        def listener(
            ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
        ) -> None:
            ack()
            try:
                ctx = context_of(body, uow_factory=uow_factory)
                if claim and not once.claim(action_key(ctx.team_id, body, action)):
                    return  # the same click delivered twice
                reply = execute(command_of(action), ctx, slash=slash)
                if replace and not reply.error and body.get("message"):
                    answer(reply, body=body, client=client, respond=respond, replace_original=True)
                    return
                answer_or_start(
                    reply, ctx=ctx, body=body, client=client, respond=respond, jobs=jobs
                )
            except Exception as exc:
                answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)

        return keeps_ack(listener)

    def edit(action: dict[str, Any]) -> c.Command:
        key, _ = initiative_ref(action.get("value"))
        return c.Edit(key)

    def withdraw(action: dict[str, Any]) -> c.Command:
        key, version = initiative_ref(action.get("value"))
        return c.Withdraw(key, version=version)

    def show(action: dict[str, Any]) -> c.Command:
        key = string_field(action, "value", what="button").partition("|")[0]
        if not key:
            raise UnreadablePayload("button", "it names no initiative")
        return c.Show(key=key)

    def explain(action: dict[str, Any]) -> c.Command:
        roadmap_id, key = roadmap_ref(chosen_value(action), what="menu")
        if not key:
            raise UnreadablePayload("menu", "no initiative was chosen to explain")
        return c.Explain(key=key, roadmap_id=roadmap_id)

    def revise(action: dict[str, Any]) -> c.Command:
        value = action.get("value")
        try:
            pair = ids.read_pair_value(value if isinstance(value, str) else "")
        except ValueError:
            raise UnreadablePayload("button", "it names no pair of drivers") from None
        return c.Weigh(pair=pair)

    app.action(ids.OPEN_WEIGH)(run(lambda action: c.Weigh()))
    app.action(ids.REVISE_JUDGMENT)(run(revise))
    app.action(ids.MANAGE_DRIVERS)(run(lambda action: c.EditDrivers()))
    app.action(ids.EDIT_INITIATIVE)(run(edit))
    app.action(ids.WITHDRAW)(run(withdraw, claim=True, replace=True))
    app.action(ids.SHOW_INITIATIVE)(run(show))
    app.action(ids.EXPLAIN_INITIATIVE)(run(explain))

    for action_id, outcome in REVIEW_OUTCOMES.items():
        _register_review(app, action_id, outcome, uow_factory=uow_factory, slash=slash, once=once)

    @app.view(ids.REVIEW_MODAL)
    @keeps_ack
    def on_review_note(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        try:
            meta = view_metadata(view, {"outcome": str, "key": str, "version": int})
            outcome = meta["outcome"]
            if outcome not in REVIEW_OUTCOMES.values():
                raise UnreadablePayload("form", f"{outcome[:40]!r} is not a review outcome")
            values = view_state(view)
            ctx = context_of(body, uow_factory=uow_factory)
        except UnreadablePayload as exc:
            ack(**unreadable_answer(exc))
            return
        try:
            note = b.read_reason_submission(values, decision=outcome)
        except ModalErrors as exc:
            ack(**exc.response())
            return
        command = c.Review(meta["key"], outcome, note, version=meta["version"])
        reply = submit_once(
            once,
            view_key(ctx.team_id, view),
            ack,
            lambda: render.decision(initiatives.review(command, ctx), slash=slash),
            error_block=ids.REASON_BLOCK,
        )
        if reply is None:
            return
        # the review request shows the outcome instead of its buttons, else a DM says it
        if not update_origin(client, meta, reply.text, reply.blocks, what="review"):
            send_notices(client, (Notice(ctx.actor.user_id, reply.text, reply.blocks),))


def _register_review(
    app: App, action_id: str, outcome: str, *, uow_factory: UowFactory, slash: str, once: Once
) -> None:
    @app.action(action_id)
    @keeps_ack
    def on_review(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            key, version = initiative_ref(action.get("value"))
            if outcome not in NOTE_REQUIRED:
                if not once.claim(action_key(ctx.team_id, body, action)):
                    return  # the same click delivered twice: the first one records
                reply = execute(c.Review(key, outcome, "", version=version), ctx, slash=slash)
                answer(
                    reply,
                    body=body,
                    client=client,
                    respond=respond,
                    replace_original=not reply.error and bool(body.get("message")),
                )
                return
            with ctx.uow() as uow:
                view = services.get_initiative(uow, team_id=ctx.team_id, key=key)
            if not initiatives.actor_roles(ctx) & {SECURITY, ADMIN}:  # before anything is typed
                raise PermissionDenied(
                    f"record the security review of {view.key}", roles=(SECURITY, ADMIN)
                )
            channel, message = body.get("channel"), body.get("message")
            meta = {
                "outcome": outcome,
                "key": view.key,
                "version": version,
                "channel": channel.get("id") if isinstance(channel, dict) else None,
                "ts": message.get("ts") if isinstance(message, dict) else None,
            }
            modal = b.reason_modal(view=view, decision=outcome, private_metadata=json.dumps(meta))
            client.views_open(
                trigger_id=trigger_of(body), view={**modal, "callback_id": ids.REVIEW_MODAL}
            )
        except Exception as exc:
            answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)
