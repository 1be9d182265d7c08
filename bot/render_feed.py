"""`/roadmap feed [revoke]`: reading the words, and the answer, shown to the asker alone
(the address is a secret: anyone who has it can read the roadmap's dates)."""

from __future__ import annotations

from bot import blocks as b
from bot.blocks.text import mention
from bot.parsing.args import Args, nearest
from bot.reply import Reply
from catalog.usecases import commands as c
from catalog.usecases.feed import FeedAnswer

#: How to subscribe, said with the address.
SUBSCRIBE = (
    "Subscribe to it in Outlook (Add calendar → Subscribe from web) or Google Calendar "
    "(Other calendars → From URL); they follow each published roadmap."
)


def parse(a: Args) -> c.Feed:
    """`feed` or `feed revoke`."""
    if a.count() == 0:
        return c.Feed()
    a.at_most(1)
    word = (a.word(1) or "").strip().lower()
    if word == "revoke":
        return c.Feed(revoke=True)
    raise a.fail(
        f"`feed` takes nothing but `revoke`; got `{b.escape(word[:40])}`.",
        suggestion="feed revoke" if nearest(word, ("revoke",)) else None,
    )


def feed_link(result: FeedAnswer, *, slash: str) -> Reply:
    """The address when it was just made or replaced; otherwise since when the feed
    exists and how to get a new address. Never in the channel."""
    since = f"{result.created_at:%Y-%m-%d %H:%M} UTC"
    if result.url is not None:
        first = (
            "The old calendar feed address no longer works. The new one:"
            if result.revoked
            else "The calendar feed of the published roadmap (go-lives, tollgates, freezes):"
        )
        text = (
            f"{first}\n`{result.url}`\n{SUBSCRIBE} Keep it to yourself: anyone who has it "
            f"can read the roadmap's dates. It is shown only now; `{slash} feed revoke` "
            "replaces it."
        )
        title = "Calendar feed address (shown once)"
    else:
        text = (
            f"This workspace has a calendar feed since {since}, made by "
            f"{mention(result.created_by)}. Its address is shown only when it is made: "
            f"`{slash} feed revoke` makes a new one, and the old one stops working for "
            "everyone subscribed to it."
        )
        title = "Calendar feed"
    return Reply(text=title, blocks=(b.elements.section(text),), in_channel=False)
