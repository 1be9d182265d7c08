"""The Block Kit limits Slack enforces when a message, modal or Home tab is posted.

The fake Slack rejects what the real one would reject (`invalid_blocks`,
`invalid_arguments`), so a bot that builds oversized content fails in tests, not in a
CIO's channel. Only limits documented by Slack are checked.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and the Home tab
MESSAGE_TEXT = 40_000
VIEW_TITLE = 24
PRIVATE_METADATA = 3_000
CALLBACK_ID = 255

_BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "rich_text",
    "section",
    "video",
    "markdown",
}
_TEXT_TYPES = {"plain_text", "mrkdwn"}


def block_problems(blocks: Any, *, max_blocks: int) -> list[str]:
    """What is wrong with `blocks` for Slack, one message per problem (empty if valid)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"must provide an array with no more than {max_blocks} items")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{index}]"
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            problems.append(f"unsupported or missing block type {where}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                problems.append(f"duplicate block_id {block_id!r} {where}")
            block_ids.add(block_id)
            problems += _too_long(block_id, 255, f"{where}/block_id")
        problems += _block_specific(block, where)
    return problems


def _block_specific(block: dict[str, Any], where: str) -> list[str]:
    kind = block["type"]
    problems: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"section needs text or fields {where}")
        if "text" in block:
            problems += _text(block["text"], 3_000, f"{where}/text")
        fields = block.get("fields", [])
        if len(fields) > 10:
            problems.append(f"no more than 10 fields {where}/fields")
        for i, field in enumerate(fields):
            problems += _text(field, 2_000, f"{where}/fields/{i}")
        if "accessory" in block:
            problems += _element(block["accessory"], f"{where}/accessory")
    elif kind == "header":
        problems += _text(block.get("text"), 150, f"{where}/text", plain_only=True)
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 10:
            problems.append(f"context needs 1 to 10 elements {where}/elements")
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 25:
            problems.append(f"actions needs 1 to 25 elements {where}/elements")
        action_ids = [e.get("action_id") for e in elements if isinstance(e, dict)]
        present = [a for a in action_ids if a is not None]
        if len(present) != len(set(present)):
            problems.append(f"duplicate action_id {where}/elements")
        for i, element in enumerate(elements):
            problems += _element(element, f"{where}/elements/{i}")
    elif kind == "input":
        problems += _text(block.get("label"), 2_000, f"{where}/label", plain_only=True)
        if "hint" in block:
            problems += _text(block["hint"], 2_000, f"{where}/hint", plain_only=True)
        if not isinstance(block.get("element"), dict):
            problems.append(f"input needs an element {where}/element")
        else:
            problems += _element(block["element"], f"{where}/element")
    elif kind == "image":
        problems += _too_long(block.get("alt_text", ""), 2_000, f"{where}/alt_text")
        problems += _too_long(block.get("image_url", ""), 3_000, f"{where}/image_url")
    return problems


def _element(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"element needs a type {where}"]
    problems = _too_long(element.get("action_id", ""), 255, f"{where}/action_id")
    if element["type"] == "button":
        problems += _text(element.get("text"), 75, f"{where}/text", plain_only=True)
        problems += _too_long(element.get("value", ""), 2_000, f"{where}/value")
        problems += _too_long(element.get("url", ""), 3_000, f"{where}/url")
    options = element.get("options")
    if isinstance(options, list):
        if len(options) > 100:
            problems.append(f"no more than 100 options {where}/options")
        for i, option in enumerate(options):
            if not isinstance(option, dict):
                problems.append(f"option must be an object {where}/options/{i}")
                continue
            problems += _text(option.get("text"), 75, f"{where}/options/{i}/text")
            problems += _too_long(option.get("value", ""), 150, f"{where}/options/{i}/value")
    return problems


def _text(obj: Any, limit: int, where: str, *, plain_only: bool = False) -> list[str]:
    allowed = {"plain_text"} if plain_only else _TEXT_TYPES
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        return [f"text object must be one of {sorted(allowed)} {where}"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"text must be a non-empty string {where}"]
    return _too_long(text, limit, where)


def _too_long(value: Any, limit: int, where: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"must be less than {limit + 1} characters {where}"]
    return []


def view_problems(view: Any) -> list[str]:
    """What is wrong with a modal or Home tab `view` for Slack (empty if valid)."""
    if not isinstance(view, dict) or view.get("type") not in {"modal", "home"}:
        return ["view type must be modal or home"]
    problems = block_problems(view.get("blocks"), max_blocks=SURFACE_BLOCKS)
    if view["type"] == "modal":
        problems += _text(
            view.get("title"), VIEW_TITLE, "[json-pointer:/view/title]", plain_only=True
        )
        for key in ("submit", "close"):
            if key in view:
                problems += _text(
                    view[key], VIEW_TITLE, f"[json-pointer:/view/{key}]", plain_only=True
                )
    problems += _too_long(view.get("private_metadata", ""), PRIVATE_METADATA, "private_metadata")
    problems += _too_long(view.get("callback_id", ""), CALLBACK_ID, "callback_id")
    return problems
