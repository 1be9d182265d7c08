"""Requests that take effect once, whichever web process gets them and however often.

Slack may deliver a slash command, a click or a modal submission twice: a retry after a
slow answer, a double click, a duplicate sent to another process. `Once` claims a
workspace-scoped key per request in the catalog's `idempotency_keys` table (shared by
every process); the first delivery wins, later ones are acknowledged and ignored. A
delivery that fails without effect (a modal with inline errors) gives its claim back so
the corrected request can take effect.

A claim is retried once if the database connection drops under it. If the database is
unreachable altogether the request is let through (logged): answering a user twice is
better than answering not at all.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from catalog import services
from catalog.errors import CatalogError
from catalog.retry import retry_on_disconnect
from catalog.services.idempotency import MAX_KEY_LENGTH
from catalog.usecases.context import UowFactory

log = logging.getLogger(__name__)


def command_key(team_id: str, trigger_id: str) -> str:
    """The key of one slash command delivery."""
    return f"{team_id}:command:{trigger_id}"


def view_key(team_id: str, view: dict[str, Any]) -> str | None:
    """The key of one modal's submission; None when the view payload carries no id. A
    form shown again in the same modal (`response_action: update`, `views.update`)
    keeps its id but has a new `hash`: its next submission is another request."""
    view_id = view.get("id")
    if not view_id:
        return None
    version = view.get("hash")
    return f"{team_id}:view:{view_id}" + (f":{version}" if isinstance(version, str) else "")


def action_key(team_id: str, body: dict[str, Any], action: dict[str, Any]) -> str | None:
    """The key of one click: Slack stamps every click with its own `action_ts` (the
    trigger id is the fallback); None when the payload carries neither."""
    moment = action.get("action_ts") or body.get("trigger_id")
    if not moment:
        return None
    return f"{team_id}:action:{moment}:{action.get('action_id', '')}"


def fitted(key: str) -> str:
    """`key`, or its workspace and kind with a hash of the rest when it is too long for
    the key column (Slack ids are short, but an action_id may have 255 characters)."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    team, kind, rest = key.split(":", 2)
    return f"{team}:{kind}:sha256:{hashlib.sha256(rest.encode()).hexdigest()}"


class Once:
    """Claims of requests, kept in the catalog database."""

    def __init__(self, uow_factory: UowFactory) -> None:
        self._uow = uow_factory

    def claim(self, key: str | None) -> bool:
        """Claim `key`; False when another delivery claimed it already. A request without
        a key (None) cannot be recognized again and always goes through."""
        if key is None:
            return True
        key = fitted(key)

        def go() -> bool:
            with self._uow() as uow:
                return services.claim_key(uow, key)

        try:
            return retry_on_disconnect(go, what=f"claiming {key}")
        except SQLAlchemyError:
            log.exception("could not claim %s; handling the request anyway", key)
            return True

    def release(self, key: str | None) -> None:
        """Give a claim back (the request did not take effect)."""
        if key is None:
            return
        key = fitted(key)

        def go() -> None:
            with self._uow() as uow:
                services.release_key(uow, key)

        try:
            retry_on_disconnect(go, what=f"releasing {key}")
        except SQLAlchemyError:
            log.exception("could not release %s; a corrected resubmission will be ignored", key)


T = TypeVar("T")


def submit_once(
    once: Once, key: str | None, ack: Any, work: Callable[[], T], *, error_block: str
) -> T | None:
    """A modal submission that takes effect once: `work()` under the idempotency `key`,
    acknowledged when it is done. A second delivery is acknowledged and does nothing
    (None); a refusal by the catalog is shown under `error_block` and releases the key,
    so a corrected submission may take effect (None too)."""
    if not once.claim(key):
        ack()  # the same submission delivered twice: the first one takes effect
        return None
    try:
        done = work()
    except CatalogError as exc:
        once.release(key)
        ack(response_action="errors", errors={error_block: str(exc)[:150]})
        return None
    except BaseException:
        once.release(key)
        raise
    ack()
    return done
