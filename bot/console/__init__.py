"""`townhall chat`: the slash command's subcommands in a terminal, through the same core.

Replies are Block Kit, as in Slack; `blocks_to_text` renders them as plain text. Jobs
(plans, what-ifs, explanations) run in the foreground with their progress printed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bot.service import Reply, UowFactory, handle_text
from catalog.domain import Actor
from planner.config import Progress

_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^>|]+)\|([^>]*)>")
PROMPT = "townhall> "
QUIT = ("quit", "exit", ":q")


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn as terminal text: mentions as `@U1`, links as their label, entities
    unescaped (formatting marks are kept: they read well enough)."""
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})", text)
    text = _MENTION.sub(lambda m: (m[1] if m[1] != "!" else "@") + (m[3] or m[2]), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_of(obj: Mapping[str, Any] | None) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else text


def _element_text(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_text_of(element.get('text'))}]"
    if kind in ("static_select", "overflow"):
        return f"[{_text_of(element.get('placeholder')) or 'choose…'} ▾]"
    if kind == "image":
        return f"(image: {element.get('alt_text', '')})"
    return _text_of(element)


def block_to_lines(block: Mapping[str, Any]) -> list[str]:
    """One block as lines of text."""
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"))
        return ["", title, "═" * min(len(title), 78)]
    if kind == "divider":
        return ["─" * 40]
    if kind == "section":
        lines = _text_of(block.get("text")).splitlines() if block.get("text") else []
        for field in block.get("fields", []):
            lines += ["  " + line for line in _text_of(field).splitlines()]
        if block.get("accessory"):
            lines.append("  " + _element_text(block["accessory"]))
        return lines
    if kind == "context":
        return ["  " + " · ".join(_element_text(e) for e in block.get("elements", []))]
    if kind == "actions":
        return ["  " + " ".join(_element_text(e) for e in block.get("elements", []))]
    if kind == "input":
        return [f"  {_text_of(block.get('label'))}: ____"]
    if kind == "image":
        return [f"(image: {block.get('alt_text', '')})"]
    return []


def blocks_to_text(blocks: Iterable[Mapping[str, Any]]) -> str:
    """A message's blocks as plain text."""
    lines: list[str] = []
    for block in blocks:
        lines += block_to_lines(block)
    return "\n".join(lines).strip("\n")


def reply_to_text(reply: Reply) -> str:
    """A whole reply as text: the message (or the form it opens) and the DMs it sends."""
    if reply.modal is not None:
        title = _text_of(reply.modal.get("title"))
        body = blocks_to_text(reply.modal.get("blocks", []))
        out = f"{title} (a form in Slack; the console shows its fields)\n{body}"
    else:
        out = blocks_to_text(reply.blocks) if reply.blocks else mrkdwn_to_text(reply.text)
    for notice in reply.notices:
        out += f"\n→ DM to @{notice.user_id}: {mrkdwn_to_text(notice.text)}"
    for upload in reply.uploads:
        out += (
            f"\n→ file {upload.filename} ({len(upload.content):,} bytes) shared in the channel"
            " (`townhall export` writes it to disk)"
        )
    return out


def run_command(
    text: str,
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    write: Callable[[str], None],
    progress_interval: float = 1.0,
) -> Reply:
    """Run one command as typed; write its reply (and a job's progress and result)."""
    reply = handle_text(text, actor=actor, team_id=team_id, uow_factory=uow_factory, escaped=False)
    if reply.job is None:
        write(reply_to_text(reply))
        return reply
    write(reply.job.title)
    last = [time.monotonic()]

    def progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= progress_interval:
            last[0] = now
            write(f"  … best {p.objective:,}, bound {p.bound:,}, gap {p.gap:.1%}")

    result = reply.job.run(progress)
    write(reply_to_text(result))
    return result


def repl(
    *,
    actor: Actor,
    team_id: str,
    uow_factory: UowFactory,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Read commands until `quit` or end of input; each is run as `run_command` does."""
    write(f"Townhall console for workspace {team_id} as {actor}. `help` lists commands.")
    while True:
        try:
            line = read(PROMPT)
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        line = line.strip()
        if line.startswith("/roadmap"):
            line = line.removeprefix("/roadmap").strip()
        if line.lower() in QUIT:
            return
        if line:
            run_command(line, actor=actor, team_id=team_id, uow_factory=uow_factory, write=write)


__all__: Sequence[str] = (
    "blocks_to_text",
    "mrkdwn_to_text",
    "repl",
    "reply_to_text",
    "run_command",
)
