"""Buttons, modal submissions and the App Home tab.

Every click and submission is authorized again by the catalog; a refused one is answered
privately with the reason. Decisions on approval DMs update that DM in place.
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
from bot.listeners.buttons import answer
from bot.listeners.context import context_of
from bot.listeners.once import Once, action_key, view_key
from bot.posting import respond_with, send_notices
from bot.reply import error_reply
from bot.submissions import submit_initiative, submit_settings
from catalog import services
from catalog.domain import Actor
from catalog.errors import CatalogError
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
    def on_publish(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory)
        if not once.claim(action_key(ctx.team_id, body, action)):
            return  # the same click delivered twice
        try:
            roadmap_id, _ = ids.read_roadmap_value(action["value"])
            reply = execute(c.Publish(roadmap_id=roadmap_id), ctx, slash=slash)
        except Exception as exc:
            reply = error_reply(exc, slash=slash)
        respond_with(respond, reply)

    for action_id, decision in _DECISION_ACTIONS.items():
        _register_decision(
            app, action_id, decision, uow_factory=uow_factory, slash=slash, once=once
        )

    @app.view(ids.REASON_MODAL)
    def on_reason(ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        meta = json.loads(view["private_metadata"])
        decision = meta["decision"]
        try:
            reason = b.read_reason_submission(view["state"]["values"], decision=decision)
        except ModalErrors as exc:
            ack(**exc.response())
            return
        ctx = context_of(body, uow_factory=uow_factory)
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same submission delivered twice: the first one decides
            return
        command = _DECISION_COMMANDS[decision](meta["key"], reason, version=meta["version"])
        try:
            reply = render.decision(_decide(command, ctx), slash=slash)
        except CatalogError as exc:
            once.release(claim)  # nothing was decided: a corrected submission may be
            ack(response_action="errors", errors={ids.REASON_BLOCK: str(exc)[:150]})
            return
        except BaseException:
            once.release(claim)
            raise
        ack()
        if meta.get("channel") and meta.get("ts"):
            try:  # the request DM shows the decision instead of its buttons
                client.chat_update(
                    channel=meta["channel"],
                    ts=meta["ts"],
                    text=reply.text,
                    blocks=list(reply.blocks),
                )
            except SlackApiError:
                log.exception("could not update the message the decision came from")
        send_notices(client, reply.notices)

    @app.view(ids.INITIATIVE_MODAL)
    def on_initiative(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        ctx = context_of(body, uow_factory=uow_factory)
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same view submitted twice: the first submission is the one that counts
            return
        try:
            done = submit_initiative(
                view["state"]["values"], metadata=view.get("private_metadata") or "", ctx=ctx
            )
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
    def on_settings(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ctx = context_of(body, uow_factory=uow_factory)
        done = submit_settings(view["state"]["values"], ctx=ctx)
        if done.errors:
            ack(response_action="errors", errors=done.errors)
            return
        ack()

    def open_form(command: c.Command) -> Any:
        """A Home tab button that opens the form `command` gives (or says why not)."""

        def listener(ack: Any, body: dict[str, Any], client: WebClient) -> None:
            ack()
            ctx = context_of(body, uow_factory=uow_factory)
            reply = execute(command, ctx, slash=slash)
            try:
                if reply.modal is not None:
                    client.views_open(trigger_id=body["trigger_id"], view=reply.modal)
                    return
            except Exception as exc:
                reply = error_reply(exc, slash=slash)
            answer(reply, body=body, client=client, respond=None)

        return listener

    app.action(ids.PROPOSE)(open_form(c.Propose()))
    app.action(ids.OPEN_SETTINGS)(open_form(c.Settings()))

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        team_id = body.get("team_id") or event.get("view", {}).get("team_id")
        actor = Actor.user(team_id=team_id, user_id=event["user"])
        ctx = Context(actor=actor, team_id=team_id, uow_factory=uow_factory)
        try:
            view = render.dashboard(workspace.dashboard(ctx))
        except Exception:
            log.exception("building the Home tab of %s failed", event["user"])
            reply = error_reply(RuntimeError("the dashboard could not be built"))
            view = {"type": "home", "blocks": list(reply.blocks)}
        client.views_publish(user_id=event["user"], view=view)


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
    def on_decision(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory)
        if not once.claim(action_key(ctx.team_id, body, action)):
            return  # the same click delivered twice: the first one decides
        try:
            key, version = ids.read_initiative_value(action["value"])
            if decision == "approve":
                reply = execute(c.Approve(key, version=version), ctx, slash=slash)
                replace = not reply.error and bool(body.get("message"))
                respond_with(respond, reply, replace_original=replace)
                send_notices(client, reply.notices)
                return
            with ctx.uow() as uow:
                view = services.get_initiative(uow, team_id=ctx.team_id, key=key)
            message = body.get("message") or {}
            channel = (body.get("channel") or {}).get("id")
            meta = {
                "decision": decision,
                "key": key,
                "version": version,
                "channel": channel,
                "ts": message.get("ts"),
            }
            modal = b.reason_modal(view=view, decision=decision, private_metadata=json.dumps(meta))
            client.views_open(trigger_id=body["trigger_id"], view=modal)
        except Exception as exc:
            respond_with(respond, error_reply(exc, slash=slash))
