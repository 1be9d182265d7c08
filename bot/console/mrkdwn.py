"""Slack's text objects and mrkdwn as the plain text Slack shows, for the console."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"<([^<>\n]+)>")
_CODE = re.compile(r"```\n?(.*?)\n?```|`([^`\n]+)`", re.DOTALL)
_MARKS = tuple(
    re.compile(rf"(?<![\w{m}]){re.escape(m)}(?=\S)([^\n]*?\S){re.escape(m)}(?![\w{m}])")
    for m in ("*", "_", "~")
)
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def text_of(obj: Mapping[str, Any] | None) -> str:
    """A text object as plain text: `plain_text` verbatim, `mrkdwn` without its marks."""
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_plain(text) if obj.get("type") == "mrkdwn" else text


def mrkdwn_to_plain(text: str) -> str:
    """Slack mrkdwn as the plain text Slack shows: `*bold*`, `_it_`, `~gone~` and
    `` `code` `` without their marks, `<@U1>` as `@U1`, `<url|label>` as `label (url)`,
    and `&lt;`, `&gt;`, `&amp;` as the characters they stand for."""
    pieces = _CODE.split(text)
    out: list[str] = []
    # _CODE.split yields: text, block code, inline code, text, …
    for index in range(0, len(pieces), 3):
        out.append(_unmark(pieces[index]))
        if index + 2 < len(pieces):
            code = pieces[index + 1] if pieces[index + 1] is not None else pieces[index + 2]
            out.append(_unescape(code or ""))
    return "".join(out)


def _unmark(text: str) -> str:
    text = _TOKEN.sub(lambda m: _token(m[1]), text)
    for mark in _MARKS:
        text = mark.sub(r"\1", text)
    return _unescape(text)


def _token(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith(("@", "#")):
        return target[0] + (label.lstrip(target[0]) if label else target[1:])
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        return label or _SPECIAL.get(name, f"@{name}")
    if label:
        return label if label == target.removeprefix("mailto:") else f"{label} ({target})"
    return target.removeprefix("mailto:")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


__all__ = ["mrkdwn_to_plain", "text_of"]
