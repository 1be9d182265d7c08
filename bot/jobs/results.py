"""A job's reply as JSON, so it can wait in the database until it reaches Slack."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from bot.reply import Notice, Reply, Upload


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """What `reply_from_json` reads back: text, blocks, notices and files (base64)."""
    return {
        "text": reply.text,
        "blocks": list(reply.blocks),
        "in_channel": reply.in_channel,
        "error": reply.error,
        "roadmap_id": reply.roadmap_id,
        "notices": [
            {"user_id": n.user_id, "text": n.text, "blocks": list(n.blocks)} for n in reply.notices
        ],
        "uploads": [
            {
                "filename": u.filename,
                "title": u.title,
                "content": base64.b64encode(u.content).decode("ascii"),
            }
            for u in reply.uploads
        ],
    }


def reply_from_json(data: Mapping[str, Any]) -> Reply:
    """The reply `reply_to_json` wrote."""
    return Reply(
        text=str(data["text"]),
        blocks=tuple(data.get("blocks") or ()),
        in_channel=bool(data.get("in_channel")),
        error=bool(data.get("error")),
        roadmap_id=data.get("roadmap_id"),
        notices=tuple(
            Notice(n["user_id"], n["text"], tuple(n.get("blocks") or ()))
            for n in data.get("notices") or ()
        ),
        uploads=tuple(
            Upload(
                filename=u["filename"],
                content=base64.b64decode(u["content"]),
                title=u["title"],
            )
            for u in data.get("uploads") or ()
        ),
    )
