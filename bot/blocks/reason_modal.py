"""The small modal asking why: the reason for a decision, or a security review's note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import section
from bot.blocks.initiatives import title_line
from bot.blocks.inputs import State, input_block, modal, text_input
from bot.errors import ModalErrors
from catalog.views import InitiativeView

#: Per decision: modal title verb, input label, and whether a reason is required.
REASON_DECISIONS: dict[str, tuple[str, str, bool]] = {
    "approve": ("Approve", "Comment (optional)", False),
    "reject": ("Reject", "Why is it rejected?", True),
    "request_changes": ("Send back", "What should change?", True),
    "withdraw": ("Withdraw", "Why is it withdrawn? (optional)", False),
    "passed": ("Review", "Note (optional)", False),
    "conditions": ("Review", "Which conditions apply?", True),
    "failed": ("Review", "Why did the review fail?", True),
}


def reason_modal(*, view: InitiativeView, decision: str, private_metadata: str) -> dict[str, Any]:
    """Ask for the reason of `decision` on an initiative (see `REASON_DECISIONS`)."""
    try:
        verb, label, required = REASON_DECISIONS[decision]
    except KeyError:
        known = ", ".join(REASON_DECISIONS)
        raise ValueError(f"unknown decision {decision!r} (known: {known})") from None
    return modal(
        title=f"{verb} {view.key}",
        callback_id=ids.REASON_MODAL,
        blocks=[
            section(title_line(view.spec)),
            input_block(
                label,
                text_input(multiline=True, max_length=2000),
                block_id=ids.REASON_BLOCK,
                optional=not required,
            ),
        ],
        private_metadata=private_metadata,
        submit=verb,
    )


def read_reason_submission(state_values: Mapping[str, Mapping[str, Any]], *, decision: str) -> str:
    """The reason typed; raises ModalErrors when the decision needs one and none was given."""
    reason = State(state_values).text(ids.REASON_BLOCK)
    _, _, required = REASON_DECISIONS.get(decision, ("", "", False))
    if required and not reason:
        raise ModalErrors({ids.REASON_BLOCK: "Say why: the proposer will read it."})
    return reason
