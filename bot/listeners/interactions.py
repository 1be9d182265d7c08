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
from bot.blocks import ids
from bot.errors import ModalErrors
from bot.listeners.context import context_of
from bot.listeners.delivery import respond_with, send_notices
from bot.listeners.once import Once, action_key, view_key
from bot.service import (
    Reply,
    UowFactory,
    actor_roles,
    approver_notices,
    decided,
    error_reply,
    guarded,
    home,
    propose_modal,
    publish,
    settings_sections,
)
from catalog import services
from catalog.domain import Actor
from catalog.errors import CatalogError, ValidationFailed

log = logging.getLogger(__name__)

_DECISION_ACTIONS = {
    ids.APPROVE: "approve",
    ids.REJECT: "reject",
    ids.REQUEST_CHANGES: "request_changes",
}
_DECIDE = {
    "approve": services.approve,
    "reject": services.reject,
    "request_changes": services.request_changes,
}


def register(app: App, *, uow_factory: UowFactory, slash: str) -> None:
    """Listen to roadmap and approval buttons, the modals and the Home tab."""
    once = Once(uow_factory)  # clicks and submissions that took effect, in the database

    @app.action(ids.PUBLISH_ROADMAP)
    def on_publish(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        if not once.claim(action_key(ctx.team_id, body, action)):
            return  # the same click delivered twice

        def go() -> Reply:
            roadmap_id, _ = ids.read_roadmap_value(action["value"])
            return publish(ctx, roadmap_id=roadmap_id)

        respond_with(respond, guarded(go, slash=slash))

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
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same submission delivered twice: the first one decides
            return
        try:
            with ctx.uow() as uow:
                result = _DECIDE[decision](
                    uow,
                    actor=ctx.actor,
                    team_id=ctx.team_id,
                    key=meta["key"],
                    reason=reason,
                    version=meta["version"],
                )
        except CatalogError as exc:
            once.release(claim)  # nothing was decided: a corrected submission may be
            ack(response_action="errors", errors={ids.REASON_BLOCK: str(exc)[:150]})
            return
        except BaseException:
            once.release(claim)
            raise
        ack()
        reply = decided(result, action=decision, by=ctx.actor.user_id, reason=reason)
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
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        editing = view.get("private_metadata") or ""
        try:
            fields = b.read_initiative_submission(view["state"]["values"])
        except ModalErrors as exc:
            ack(**exc.response())
            return
        claim = view_key(ctx.team_id, view)
        if not once.claim(claim):
            ack()  # the same view submitted twice: the first submission is the one that counts
            return
        done = False
        try:
            with ctx.uow() as uow:
                if editing:
                    key, version = ids.read_initiative_value(editing)
                    fields.pop("key", None)
                    result = services.edit(
                        uow,
                        actor=ctx.actor,
                        team_id=ctx.team_id,
                        key=key,
                        version=version,
                        changes=fields,
                    )
                else:
                    services.ensure_workspace(uow, team_id=ctx.team_id)
                    result = services.propose(
                        uow, actor=ctx.actor, team_id=ctx.team_id, fields=fields
                    )
            done = True
        except ValidationFailed as exc:
            ack(
                response_action="errors",
                errors=b.initiative_errors_for(exc.fields, editing=bool(editing)),
            )
            return
        except CatalogError as exc:
            ack(response_action="errors", errors={ids.INITIATIVE_BLOCKS["title"]: str(exc)[:150]})
            return
        finally:
            if not done:  # nothing was saved: the corrected view may be submitted again
                once.release(claim)
        ack()
        if result.status != "proposed":
            return
        notices = approver_notices(result, team_id=ctx.team_id, uow_factory=uow_factory)
        send_notices(client, notices)

    @app.view(ids.SETTINGS_MODAL)
    def on_settings(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        sections = settings_sections(actor_roles(ctx))
        with ctx.uow() as uow:
            current = services.get_settings(uow, team_id=ctx.team_id)
        try:
            changes = b.read_settings_submission(view["state"]["values"], current=current)
            with ctx.uow() as uow:
                services.update_settings(
                    uow,
                    actor=ctx.actor,
                    team_id=ctx.team_id,
                    changes=changes,
                    version=current.version,
                )
        except ModalErrors as exc:
            ack(**exc.response())
            return
        except ValidationFailed as exc:
            ack(
                response_action="errors",
                errors=b.settings_errors_for(exc.fields, sections=sections),
            )
            return
        except CatalogError as exc:
            if sections:
                all_ = {"__all__": str(exc)}
                first = next(iter(b.settings_errors_for(all_, sections=sections)))
            else:  # the viewer may change nothing: say so under the first field submitted
                first = next(iter(view["state"]["values"]), ids.SETTINGS_BLOCKS["name"])
            ack(response_action="errors", errors={first: str(exc)[:150]})
            return
        ack()

    @app.action(ids.PROPOSE)
    def on_home_propose(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        client.views_open(trigger_id=body["trigger_id"], view=propose_modal(ctx))

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        team_id = body.get("team_id") or event.get("view", {}).get("team_id")
        actor = Actor.user(team_id=team_id, user_id=event["user"])
        try:
            view = home(actor=actor, team_id=team_id, uow_factory=uow_factory)
        except Exception:
            log.exception("building the Home tab of %s failed", event["user"])
            reply = error_reply(RuntimeError("the dashboard could not be built"))
            view = {"type": "home", "blocks": list(reply.blocks)}
        client.views_publish(user_id=event["user"], view=view)


def _register_decision(
    app: App, action_id: str, decision: str, *, uow_factory: UowFactory, slash: str, once: Once
) -> None:
    @app.action(action_id)
    def on_decision(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        ctx = context_of(body, uow_factory=uow_factory, slash=slash)
        if not once.claim(action_key(ctx.team_id, body, action)):
            return  # the same click delivered twice: the first one decides
        try:
            key, version = ids.read_initiative_value(action["value"])
            if decision == "approve":
                with ctx.uow() as uow:
                    result = services.approve(
                        uow, actor=ctx.actor, team_id=ctx.team_id, key=key, version=version
                    )
                reply = decided(result, action=decision, by=ctx.actor.user_id)
                respond_with(respond, reply, replace_original=bool(body.get("message")))
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
