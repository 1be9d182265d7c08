"""Buttons, modal submissions and the App Home tab.

Every click and submission is authorized again by the catalog; a refused one is answered
privately with the reason. Decisions on approval DMs update that DM in place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import blocks as b
from bot import render
from bot.blocks import ids
from bot.blocks.elements import plain
from bot.blocks.text import VIEW_BLOCKS
from bot.commands import execute
from bot.errors import ModalErrors, UnreadableForm
from bot.listeners.buttons import answer
from bot.listeners.context import (
    UnreadablePayload,
    context_of,
    initiative_ref,
    keeps_ack,
    roadmap_ref,
    trigger_of,
    unreadable_answer,
    update_origin,
    view_metadata,
    view_state,
)
from bot.listeners.once import Once, action_key, submit_once, view_key
from bot.posting import send_notices
from bot.reply import Reply, error_reply
from bot.submissions import (
    Submission,
    submit_drivers,
    submit_initiative,
    submit_judgments,
    submit_settings,
)
from catalog import services
from catalog.domain import Actor
from catalog.usecases import commands as c
from catalog.usecases import initiatives, workspace
from catalog.usecases.context import Context, UowFactory

log = logging.getLogger(__name__)

_DECISION_ACTIONS = {
    ids.APPROVE: "approve",
    ids.REJECT: "reject",
    ids.REQUEST_CHANGES: "request_changes",
}
_DECISION_COMMANDS: dict[str, type[c.Approve | c.Reject | c.RequestChanges]] = {
    "approve": c.Approve,
    "reject": c.Reject,
    "request_changes": c.RequestChanges,
}


def register(app: App, *, uow_factory: UowFactory, slash: str) -> None:
    """Listen to roadmap and approval buttons, the modals and the Home tab."""
    once = Once(uow_factory)  # clicks and submissions that took effect, in the database

    @app.action(ids.PUBLISH_ROADMAP)
    @keeps_ack
    def on_publish(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            if not once.claim(action_key(ctx.team_id, body, action)):
                return  # the same click delivered twice
            roadmap_id, _ = roadmap_ref(action.get("value"))
            reply = execute(c.Publish(roadmap_id=roadmap_id), ctx, slash=slash)
        except Exception as exc:
            reply = error_reply(exc, slash=slash)
        answer(reply, body=body, client=client, respond=respond)

    for action_id, decision in _DECISION_ACTIONS.items():
        _register_decision(
            app, action_id, decision, uow_factory=uow_factory, slash=slash, once=once
        )

    @app.view(ids.REASON_MODAL)
    @keeps_ack
    def on_reason(ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        try:
            meta = view_metadata(view, {"decision": str, "key": str, "version": int})
            decision = meta["decision"]
            if decision not in _DECISION_COMMANDS:
                raise UnreadablePayload("form", f"{decision[:40]!r} is not a decision")
            values = view_state(view)
            ctx = context_of(body, uow_factory=uow_factory)
        except UnreadablePayload as exc:
            ack(**unreadable_answer(exc))
            return
        try:
            reason = b.read_reason_submission(values, decision=decision)
        except ModalErrors as exc:
            ack(**exc.response())
            return
        command = _DECISION_COMMANDS[decision](meta["key"], reason, version=meta["version"])
        reply = submit_once(
            once,
            view_key(ctx.team_id, view),
            ack,
            lambda: render.decision(_decide(command, ctx), slash=slash),
            error_block=ids.REASON_BLOCK,
        )
        if reply is None:
            return
        update_origin(client, meta, reply.text, reply.blocks, what="decision")
        send_notices(client, reply.notices)

    @app.view(ids.INITIATIVE_MODAL)
    @keeps_ack
    def on_initiative(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            values = view_state(view)
            metadata = view.get("private_metadata") or ""
            if metadata:  # an edit names the initiative and the version it was opened at
                initiative_ref(metadata, what="form")
        except UnreadablePayload as exc:
            ack(**unreadable_answer(exc))
            return
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same view submitted twice: the first submission is the one that counts
            return
        try:
            done = submit_initiative(values, metadata=metadata, ctx=ctx)
        except BaseException:
            once.release(claim)
            raise
        if done.reply is None:  # nothing was saved: the corrected view may be submitted again
            once.release(claim)
            ack(response_action="errors", errors=done.errors)
            return
        ack()
        send_notices(client, done.reply.notices)

    @app.view(ids.SETTINGS_MODAL)
    @keeps_ack
    def on_settings(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            values = view_state(view)
        except UnreadablePayload as exc:
            ack(**unreadable_answer(exc))
            return
        done = submit_settings(values, ctx=ctx)
        if done.errors:
            ack(response_action="errors", errors=done.errors)
            return
        ack()

    def answered_in_place(submit: Callable[..., Submission], *, title: str) -> Callable[..., None]:
        """A form whose outcome replaces it (`response_action: update`): the judgment
        form shows the person's weights and the judgment to revise, the drivers form the
        drivers saved. Each submission takes effect once; one with errors may be
        corrected and submitted again."""

        def listener(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
            try:
                ctx = context_of(body, uow_factory=uow_factory)
                values = view_state(view)
            except UnreadablePayload as exc:
                ack(**unreadable_answer(exc))
                return
            claim = view_key(ctx.team_id, view)
            if not once.claim(claim):
                ack()  # the same view submitted twice: the first submission counts
                return
            try:
                done = submit(values, ctx=ctx, slash=slash)
            except UnreadableForm as exc:  # not the form it claims to be
                once.release(claim)
                ack(**unreadable_answer(UnreadablePayload("form", str(exc))))
                return
            except BaseException:
                once.release(claim)
                raise
            if done.reply is None:  # nothing was saved: the corrected view may come again
                once.release(claim)
                ack(response_action="errors", errors=done.errors)
                return
            ack(response_action="update", view=outcome_view(title, done.reply))

        return keeps_ack(listener)

    app.view(ids.WEIGH_MODAL)(answered_in_place(submit_judgments, title="Your weights"))
    app.view(ids.DRIVERS_MODAL)(answered_in_place(submit_drivers, title="Business drivers"))

    def open_form(command: c.Command) -> Any:
        """A Home tab button that opens the form `command` gives (or says why not)."""

        def listener(ack: Any, body: dict[str, Any], client: WebClient) -> None:
            ack()
            try:
                ctx = context_of(body, uow_factory=uow_factory)
                reply = execute(command, ctx, slash=slash)
                if reply.modal is not None and isinstance(body.get("trigger_id"), str):
                    client.views_open(trigger_id=body["trigger_id"], view=reply.modal)
                    return
            except Exception as exc:
                reply = error_reply(exc, slash=slash)
            answer(reply, body=body, client=client, respond=None)

        return keeps_ack(listener)

    app.action(ids.PROPOSE)(open_form(c.Propose()))
    app.action(ids.OPEN_SETTINGS)(open_form(c.Settings()))

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        view = event.get("view")
        team_id = body.get("team_id") or (view.get("team_id") if isinstance(view, dict) else None)
        user_id = event.get("user")
        if not (isinstance(team_id, str) and team_id and isinstance(user_id, str) and user_id):
            log.warning("an app_home_opened event names no workspace or user; ignored")
            return
        actor = Actor.user(team_id=team_id, user_id=user_id)
        ctx = Context(actor=actor, team_id=team_id, uow_factory=uow_factory)
        try:
            home = render.dashboard(workspace.dashboard(ctx))
        except Exception:
            log.exception("building the Home tab of %s failed", user_id)
            reply = error_reply(RuntimeError("the dashboard could not be built"))
            home = {"type": "home", "blocks": list(reply.blocks)}
        client.views_publish(user_id=user_id, view=home)


def outcome_view(title: str, reply: Reply) -> dict[str, Any]:
    """A modal showing a reply in place of the form it answers (closed with Done)."""
    return {
        "type": "modal",
        "title": plain(title, limit=24),
        "close": plain("Done", limit=24),
        "blocks": list(reply.blocks)[:VIEW_BLOCKS],
    }


def _decide(command: c.Approve | c.Reject | c.RequestChanges, ctx: Context) -> Any:
    if isinstance(command, c.Approve):
        return initiatives.approve(command, ctx)
    if isinstance(command, c.Reject):
        return initiatives.reject(command, ctx)
    return initiatives.request_changes(command, ctx)


def _register_decision(
    app: App, action_id: str, decision: str, *, uow_factory: UowFactory, slash: str, once: Once
) -> None:
    @app.action(action_id)
    @keeps_ack
    def on_decision(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        try:
            ctx = context_of(body, uow_factory=uow_factory)
            if not once.claim(action_key(ctx.team_id, body, action)):
                return  # the same click delivered twice: the first one decides
            key, version = initiative_ref(action.get("value"))
            if decision == "approve":
                reply = execute(c.Approve(key, version=version), ctx, slash=slash)
                replace = not reply.error and bool(body.get("message"))
                answer(reply, body=body, client=client, respond=respond, replace_original=replace)
                return
            with ctx.uow() as uow:
                view = services.get_initiative(uow, team_id=ctx.team_id, key=key)
            message = body.get("message")
            channel = body.get("channel")
            meta = {
                "decision": decision,
                "key": key,
                "version": version,
                "channel": channel.get("id") if isinstance(channel, dict) else None,
                "ts": message.get("ts") if isinstance(message, dict) else None,
            }
            modal = b.reason_modal(view=view, decision=decision, private_metadata=json.dumps(meta))
            client.views_open(trigger_id=trigger_of(body), view=modal)
        except Exception as exc:
            answer(error_reply(exc, slash=slash), body=body, client=client, respond=respond)
