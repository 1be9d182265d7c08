"""`townhall feed [--revoke]`: the workspace's calendar feed address, through the same
use case as `/roadmap feed` (`catalog.usecases.feed`), as text or as JSON.

Only the secret's hash is stored, so the address is printed once: when the feed is made
(the first `townhall feed`) or replaced (`--revoke`, after which the old one is a 404).
Later calls say since when the feed exists and how to get a new address.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bot.cli.common import (
    DEFAULT_TEAM,
    OPERATOR,
    Format,
    FormatOption,
    Team,
    iso_utc,
    out,
    run,
    uow_factory,
    utc,
    write_json,
)
from catalog.usecases import commands as c
from catalog.usecases.context import Context
from catalog.usecases.feed import FeedAnswer
from catalog.usecases.feed import feed as feed_usecase


def feed(
    team: Team = DEFAULT_TEAM,
    revoke: Annotated[
        bool,
        typer.Option("--revoke", help="Replace the address: the old one stops working at once."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Print the workspace's calendar feed address (made on first use) to subscribe to.

    The feed serves the published roadmap's go-lives, tollgates and freezes at
    TOWNHALL_PUBLIC_URL/calendar/<secret>.ics. The address is secret and printed only
    when it is made or replaced (--revoke)."""

    def go() -> None:
        ctx = Context(actor=OPERATOR, team_id=team, uow_factory=uow_factory(create=False))
        answer = feed_usecase(c.Feed(revoke=revoke), ctx)
        if fmt is Format.json:
            write_json(feed_json(answer))
            return
        _print(answer)

    run(go)


def feed_json(answer: FeedAnswer) -> dict[str, Any]:
    """`townhall feed --format json`: `url` is null unless this call made or replaced it."""
    return {
        "team": answer.team_id,
        "url": answer.url,
        "created": answer.created,
        "revoked": answer.revoked,
        "since": iso_utc(answer.created_at),
        "made_by": answer.created_by,
    }


def _print(answer: FeedAnswer) -> None:
    since = f"{utc(answer.created_at):%Y-%m-%d %H:%M} UTC"
    if answer.url is None:
        out.print(
            f"Workspace {answer.team_id} has a calendar feed since {since}, made by "
            f"{answer.created_by}. Its address is printed only when it is made: "
            "`townhall feed --revoke` makes a new one (the old one stops working for "
            "everyone subscribed to it).",
            markup=False,
            highlight=False,
        )
        return
    first = (
        f"The old calendar feed address of {answer.team_id} no longer works. The new one:"
        if answer.revoked
        else f"Calendar feed of {answer.team_id} (the published roadmap's go-lives, "
        "tollgates and freezes):"
    )
    out.print(first, markup=False, highlight=False)
    out.print(answer.url, markup=False, highlight=False, soft_wrap=True)
    out.print(
        "Subscribe to it in Outlook (Add calendar → Subscribe from web) or Google Calendar "
        "(Other calendars → From URL). Keep it secret: anyone who has it can read the "
        "roadmap's dates. It is printed only now; `townhall feed --revoke` replaces it.",
        markup=False,
        highlight=False,
    )
