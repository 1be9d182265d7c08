"""Initiative buttons and the roadmap's Explain… menu: Edit, Withdraw, Details, Explain
and the security review outcomes.

Each click is authorized again by the catalog. Answers go to the message's response URL
(ephemeral); clicks on the Home tab have none, so their answers come as a DM.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as b
from bot.blocks import ids
from bot.errors import ModalErrors
from bot.listeners.context import context_of
from bot.listeners.delivery import JobStarter, respond_with, send_notices
from bot.listeners.once import Once, action_key, view_key
from bot.parsing import commands as c
from bot.service import Context, Notice, Reply, UowFactory, decided, error_reply, guarded, handle
from catalog import services
from catalog.domain import ADMIN, SECURITY
from catalog.errors import CatalogError, PermissionDenied
from catalog.views import InitiativeView
from planner.calendar import Phase, phases_of
from planner.config import SolverConfig

log = logging.getLogger(__name__)

#: Security review outcome of each review button.
REVIEW_OUTCOMES: dict[str, str] = {
    ids.REVIEW_PASSED: "passed",
    ids.REVIEW_CONDITIONS: "conditions",
    ids.REVIEW_FAILED: "failed",
}
#: Outcomes recorded only with a note (asked for in a modal first).
NOTE_REQUIRED = ("conditions", "failed")


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
    """`answer` the reply, or start its background job answering in the same channel."""
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


def edit_modal(ctx: Context, view: InitiativeView) -> dict[str, Any]:
    """The initiative modal holding `view`'s current values; submitting it edits that
    version (a later change makes the submission stale)."""
    with ctx.uow() as uow:
        others = services.list_initiatives(uow, team_id=ctx.team_id)
        settings = services.get_settings(uow, team_id=ctx.team_id)
    phases: Sequence[Phase] = phases_of(settings.calendar)
    return b.initiative_modal(
        view=view,
        private_metadata=ids.initiative_value(view.key, view.version),
        keys={v.key: v.title for v in others},
        phases=phases,
    )


def register(
    app: App,
    *,
    uow_factory: UowFactory,
    jobs: JobStarter,
    slash: str,
    solver: SolverConfig | None = None,
) -> None:
    """Listen to Edit, Withdraw, Details, Explain… and the security review buttons."""
    once = Once(uow_factory)  # clicks and submissions that took effect, in the database

    @app.action(ids.EDIT_INITIATIVE)
    def on_edit(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        try:
            key, _ = ids.read_initiative_value(action["value"])
            with ctx.uow() as uow:
                view = services.get_initiative(uow, team_id=ctx.team_id, key=key)
            client.views_open(trigger_id=body["trigger_id"], view=edit_modal(ctx, view))
        except Exception as exc:
            answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)

    @app.action(ids.WITHDRAW)
    def on_withdraw(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        if not once.claim(action_key(ctx.team_id, body, action)):
            return  # the same click delivered twice

        def go() -> Reply:
            key, version = ids.read_initiative_value(action["value"])
            with ctx.uow() as uow:
                view = services.withdraw(
                    uow, actor=ctx.actor, team_id=ctx.team_id, key=key, version=version
                )
            return decided(view, action="withdraw", by=ctx.actor.user_id)

        reply = guarded(go, slash=slash)
        answer(
            reply,
            body=body,
            client=client,
            respond=respond,
            replace_original=not reply.error and bool(body.get("message")),
        )

    @app.action(ids.SHOW_INITIATIVE)
    def on_show(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        key = action.get("value", "").partition("|")[0]
        reply = handle(
            c.Show(key=key),
            actor=ctx.actor,
            team_id=ctx.team_id,
            uow_factory=uow_factory,
            slash=slash,
        )
        answer(reply, body=body, client=client, respond=respond)

    @app.action(ids.EXPLAIN_INITIATIVE)
    def on_explain(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        try:
            chosen = (action.get("selected_option") or {}).get("value", "")
            roadmap_id, key = ids.read_roadmap_value(chosen)
            if not key:
                raise ValueError(f"no initiative chosen to explain: {chosen!r}")
            reply = handle(
                c.Explain(key=key, roadmap_id=roadmap_id),
                actor=ctx.actor,
                team_id=ctx.team_id,
                uow_factory=uow_factory,
                slash=slash,
                solver=solver,
            )
            answer_or_start(reply, ctx=ctx, body=body, client=client, respond=respond, jobs=jobs)
        except Exception as exc:
            answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)

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
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same submission delivered twice: the first one records
            return
        try:
            reply = _record(
                ctx, key=meta["key"], outcome=outcome, note=note, version=meta["version"]
            )
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


def _record(ctx: Context, *, key: str, outcome: str, note: str, version: int) -> Reply:
    with ctx.uow() as uow:
        view = services.record_review(
            uow,
            actor=ctx.actor,
            team_id=ctx.team_id,
            key=key,
            outcome=outcome,
            note=note,
            version=version,
        )
    blocks = b.decision_blocks(view, decision=outcome, by=ctx.actor.user_id, reason=note)
    return Reply(text=f"Security review of {view.key} recorded: {outcome}", blocks=tuple(blocks))


def _register_review(
    app: App, action_id: str, outcome: str, *, uow_factory: UowFactory, slash: str, once: Once
) -> None:
    @app.action(action_id)
    def on_review(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        try:
            key, version = ids.read_initiative_value(action["value"])
            if outcome not in NOTE_REQUIRED:
                if not once.claim(action_key(ctx.team_id, body, action)):
                    return  # the same click delivered twice: the first one records
                reply = _record(ctx, key=key, outcome=outcome, note="", version=version)
                answer(
                    reply,
                    body=body,
                    client=client,
                    respond=respond,
                    replace_original=bool(body.get("message")),
                )
                return
            with ctx.uow() as uow:
                roles = services.roles_of(uow, team_id=ctx.team_id, user_id=ctx.actor.user_id)
                view = services.get_initiative(uow, team_id=ctx.team_id, key=key)
            if not roles & {SECURITY, ADMIN}:  # refused before anything is typed
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
