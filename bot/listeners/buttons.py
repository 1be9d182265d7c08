"""Initiative buttons and the roadmap's Explain… menu: Edit, Withdraw, Details, Explain
and the security review outcomes.

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
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot import render
from bot.blocks import ids
from bot.commands import execute
from bot.errors import ModalErrors
from bot.jobs.starter import JobStarter
from bot.listeners.context import context_of
from bot.listeners.once import Once, action_key, view_key
from bot.posting import respond_with, send_notices
from bot.reply import Notice, Reply, error_reply
from catalog import services
from catalog.domain import ADMIN, NOTE_REQUIRED, SECURITY
from catalog.errors import CatalogError, PermissionDenied
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
        send_notices(client, (Notice(body["user"]["id"], reply.text, reply.blocks),))
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
    """Open the reply's modal, start its background job answering in the same channel,
    or `answer` it."""
    if reply.modal is not None and body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=reply.modal)
        return
    if reply.job is None or respond is None:
        answer(reply, body=body, client=client, respond=respond)
        return
    jobs.start(
        reply.job,
        actor=ctx.actor,
        team_id=ctx.team_id,
        client=client,
        channel=(body.get("channel") or {}).get("id") or "",
        respond=respond,
        response_url=body.get("response_url"),
        enterprise_id=(body.get("enterprise") or {}).get("id"),
    )


def register(app: App, *, uow_factory: UowFactory, jobs: JobStarter, slash: str) -> None:
    """Listen to Edit, Withdraw, Details, Explain… and the security review buttons."""
    once = Once(uow_factory)  # clicks and submissions that took effect, in the database

    def run(command_of: Any, *, claim: bool = False, replace: bool = False) -> Any:
        """A listener that acknowledges, reads the click into a command, runs it and
        answers (opening a modal or starting a job as the reply says)."""

        def listener(
            ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
        ) -> None:
            ack()
            ctx = context_of(body, uow_factory=uow_factory)
            if claim and not once.claim(action_key(ctx.team_id, body, action)):
                return  # the same click delivered twice
            try:
                reply = execute(command_of(action), ctx, slash=slash)
                if replace and not reply.error and body.get("message"):
                    answer(reply, body=body, client=client, respond=respond, replace_original=True)
                    return
                answer_or_start(
                    reply, ctx=ctx, body=body, client=client, respond=respond, jobs=jobs
                )
            except Exception as exc:
                answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)

        return listener

    def edit(action: dict[str, Any]) -> c.Command:
        key, _ = ids.read_initiative_value(action["value"])
        return c.Edit(key)

    def withdraw(action: dict[str, Any]) -> c.Command:
        key, version = ids.read_initiative_value(action["value"])
        return c.Withdraw(key, version=version)

    def show(action: dict[str, Any]) -> c.Command:
        return c.Show(key=action.get("value", "").partition("|")[0])

    def explain(action: dict[str, Any]) -> c.Command:
        chosen = (action.get("selected_option") or {}).get("value", "")
        roadmap_id, key = ids.read_roadmap_value(chosen)
        if not key:
            raise ValueError(f"no initiative chosen to explain: {chosen!r}")
        return c.Explain(key=key, roadmap_id=roadmap_id)

    app.action(ids.EDIT_INITIATIVE)(run(edit))
    app.action(ids.WITHDRAW)(run(withdraw, claim=True, replace=True))
    app.action(ids.SHOW_INITIATIVE)(run(show))
    app.action(ids.EXPLAIN_INITIATIVE)(run(explain))

    for action_id, outcome in REVIEW_OUTCOMES.items():
        _register_review(app, action_id, outcome, uow_factory=uow_factory, slash=slash, once=once)

    @app.view(ids.REVIEW_MODAL)
    def on_review_note(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        meta = json.loads(view["private_metadata"])
        outcome = meta["outcome"]
        try:
            note = b.read_reason_submission(view["state"]["values"], decision=outcome)
        except ModalErrors as exc:
            ack(**exc.response())
            return
        ctx = context_of(body, uow_factory=uow_factory)
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same submission delivered twice: the first one records
            return
        command = c.Review(meta["key"], outcome, note, version=meta["version"])
        try:
            reply = render.decision(initiatives.review(command, ctx), slash=slash)
        except CatalogError as exc:
            once.release(claim)  # nothing was recorded: a corrected submission may be
            ack(response_action="errors", errors={ids.REASON_BLOCK: str(exc)[:150]})
            return
        except BaseException:
            once.release(claim)
            raise
        ack()
        if meta.get("channel") and meta.get("ts"):
            try:  # the review request shows the outcome instead of its buttons
                client.chat_update(
                    channel=meta["channel"],
                    ts=meta["ts"],
                    text=reply.text,
                    blocks=list(reply.blocks),
                )
                return
            except SlackApiError:
                log.exception("could not update the message the review came from")
        send_notices(client, (Notice(ctx.actor.user_id, reply.text, reply.blocks),))


def _register_review(
    app: App, action_id: str, outcome: str, *, uow_factory: UowFactory, slash: str, once: Once
) -> None:
    @app.action(action_id)
    def on_review(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory)
        try:
            key, version = ids.read_initiative_value(action["value"])
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
            meta = {
                "outcome": outcome,
                "key": view.key,
                "version": version,
                "channel": (body.get("channel") or {}).get("id"),
                "ts": (body.get("message") or {}).get("ts"),
            }
            modal = b.reason_modal(view=view, decision=outcome, private_metadata=json.dumps(meta))
            client.views_open(
                trigger_id=body["trigger_id"], view={**modal, "callback_id": ids.REVIEW_MODAL}
            )
        except Exception as exc:
            answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)
