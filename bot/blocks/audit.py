"""The audit trail as a message: newest entries first, one line each."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.elements import Block, header, section
from bot.blocks.text import escape, mention, pack_lines
from catalog.views import AuditView

#: Blocks of an audit message: a header, then sections of lines.
_MAX_SECTIONS = 45


def audit_line(entry: AuditView) -> str:
    """`2027-01-04 09:12 · <@U1> · initiative.approve SSO — note`."""
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    what = escape(entry.action)
    if entry.key:
        what += f" `{escape(entry.key)}`"
    line = f"{when} · {mention(entry.actor)} · {what}"
    if entry.note:
        line += f" — {escape(entry.note)}"
    return line


def audit_blocks(entries: Sequence[AuditView], *, key: str | None = None) -> list[Block]:
    """The audit trail of a workspace (or of one initiative), newest first."""
    title = f"Audit trail of {key}" if key else "Audit trail"
    if not entries:
        return [header(title), section("Nothing recorded yet.")]
    lines = [audit_line(e) for e in entries]
    return [header(title), *(section(t) for t in pack_lines(lines, max_chunks=_MAX_SECTIONS))]
