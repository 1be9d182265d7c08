"""Pure Block Kit builders: catalog views and roadmaps in, Block Kit JSON out.

No Slack client, no database, no solving. Messages are lists of block dicts (at most
50 blocks, every text within Slack's limits); modals and the Home tab are whole `view`
payloads. Every action, callback and input block id lives in `bot.blocks.ids`.
"""

from bot.blocks import ids
from bot.blocks.approvals import (
    approval_request_blocks,
    decision_blocks,
    proposer_notice_blocks,
    review_request_blocks,
)
from bot.blocks.home import home_view
from bot.blocks.initiative_modal import (
    initiative_errors_for,
    initiative_modal,
    read_initiative_submission,
)
from bot.blocks.initiatives import initiative_blocks, initiative_list_blocks
from bot.blocks.messages import diff_blocks, error_blocks, explanation_blocks, help_blocks
from bot.blocks.reason_modal import read_reason_submission, reason_modal
from bot.blocks.roadmap import EXPORT_FORMATS, progress_blocks, roadmap_blocks
from bot.blocks.settings_modal import (
    read_settings_submission,
    settings_errors_for,
    settings_modal,
)
from bot.blocks.text import escape

__all__ = [
    "EXPORT_FORMATS",
    "approval_request_blocks",
    "decision_blocks",
    "diff_blocks",
    "error_blocks",
    "escape",
    "explanation_blocks",
    "help_blocks",
    "home_view",
    "ids",
    "initiative_blocks",
    "initiative_errors_for",
    "initiative_list_blocks",
    "initiative_modal",
    "progress_blocks",
    "proposer_notice_blocks",
    "read_initiative_submission",
    "read_reason_submission",
    "read_settings_submission",
    "reason_modal",
    "review_request_blocks",
    "roadmap_blocks",
    "settings_errors_for",
    "settings_modal",
]
