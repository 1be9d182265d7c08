"""Options of the roadmap message's Explain… menu, loaded as the user opens and types in
it (`block_suggestion`): a roadmap with more initiatives than a static select holds
(100) gets an external select (`bot.blocks.roadmap`), answered here.

The roadmap is the one the message shows, named by the menu's block; it is read in the
requesting workspace only. Whatever goes wrong, Slack gets an empty list, never an error:
the menu then says it found nothing, and the message's other buttons still work.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.blocks import ids
from bot.blocks.roadmap import explain_options, explain_roadmap_id
from bot.listeners.context import team_of
from catalog import services
from catalog.errors import NotFound
from catalog.usecases.context import UowFactory

log = logging.getLogger(__name__)

#: The longest typed text looked at (Slack's typeahead sends what is typed so far).
TYPED_CHARS = 200


def register(app: App, *, uow_factory: UowFactory) -> None:
    """Answer the Explain… menu's options requests."""

    @app.options(ids.EXPLAIN_INITIATIVE)
    def on_explain_options(ack: Any, body: dict[str, Any]) -> None:
        try:
            ack(**explain_answer(body, uow_factory=uow_factory))
        except Exception:
            log.exception("the Explain… options could not be read")
            ack(options=[])


def explain_answer(body: dict[str, Any], *, uow_factory: UowFactory) -> dict[str, Any]:
    """The options for a `block_suggestion` of the Explain… menu: those of the roadmap
    its block names, matching the text typed; none for a roadmap this workspace does not
    have (any more: only the newest are kept)."""
    block_id = body.get("block_id")
    roadmap_id = explain_roadmap_id(block_id) if isinstance(block_id, str) else None
    if roadmap_id is None:
        return {"options": []}
    typed = body.get("value")
    typed = typed[:TYPED_CHARS] if isinstance(typed, str) else ""
    try:
        with uow_factory() as uow:
            view = services.get_roadmap(uow, team_id=team_of(body), roadmap_id=roadmap_id)
    except NotFound:
        return {"options": []}
    return explain_options(view.roadmap, roadmap_id=roadmap_id, typed=typed)
