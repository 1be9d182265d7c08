"""The calendar feed: the address a PMO subscribes to (`townhall feed`, `/roadmap feed`),
and the calendar served at it (`GET /calendar/<secret>.ics`, `bot.server`).

The address is `TOWNHALL_PUBLIC_URL` + `/calendar/<secret>.ics`. Only the secret's hash
is stored, so the address is shown once, by the call that makes it: the first use, or
`revoke`, which replaces it (the old one stops working at once). Later calls say since
when the feed exists and how to get a new address. Every surface shows the address to
the asker alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalog.errors import CatalogError
from catalog.services import feed as feeds
from catalog.settings import public_url_from_env
from catalog.usecases import commands as c
from catalog.usecases.context import Context, UowFactory
from planner.exports.ics import render_feed

#: The feed's path under TOWNHALL_PUBLIC_URL: `/calendar/<secret>.ics`.
FEED_PATH_PREFIX = "/calendar/"
FEED_PATH_SUFFIX = ".ics"


class FeedNotConfigured(CatalogError):
    """`TOWNHALL_PUBLIC_URL` is unset or malformed: there is no address to give, so
    nothing was made or revoked."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"{problem} The calendar feed's address starts with it, so nothing was made or "
            "revoked: whoever runs Townhall sets it to the address `townhall serve` is "
            'reached at (README "Calendar feed").'
        )


@dataclass(frozen=True)
class FeedAnswer:
    """The workspace's feed: `url` only when this call made it (`created`) or replaced
    an older one (`revoked`); since when it exists and who made it."""

    team_id: str
    url: str | None
    created_at: dt.datetime
    created_by: str
    created: bool = False
    revoked: bool = False


def feed_url(public_url: str, secret: str) -> str:
    return f"{public_url}{FEED_PATH_PREFIX}{secret}{FEED_PATH_SUFFIX}"


def _public_url() -> str:
    try:
        url = public_url_from_env()
    except ValueError as exc:
        raise FeedNotConfigured(f"{exc}.") from None
    if url is None:
        raise FeedNotConfigured("TOWNHALL_PUBLIC_URL is not set.")
    return url


def feed(cmd: c.Feed, ctx: Context) -> FeedAnswer:
    """The feed's address, made on first use; `cmd.revoke`: a new one in place of the old
    (PMO and admins; the catalog checks). FeedNotConfigured when an address is to be
    shown and `TOWNHALL_PUBLIC_URL` gives none (nothing is written then)."""
    with ctx.uow() as uow:
        current = feeds.feed_status(uow, actor=ctx.actor, team_id=ctx.team_id)
    if current is not None and not cmd.revoke:
        return _answer(current)
    public_url = _public_url()
    with ctx.uow() as uow:
        change = feeds.replace_feed if cmd.revoke else feeds.open_feed
        view = change(uow, actor=ctx.actor, team_id=ctx.team_id)
    return _answer(view, public_url, revoked=cmd.revoke and current is not None)


def _answer(
    view: feeds.FeedView, public_url: str | None = None, *, revoked: bool = False
) -> FeedAnswer:
    url = feed_url(public_url, view.secret) if view.secret and public_url else None
    return FeedAnswer(
        team_id=view.team_id,
        url=url,
        created_at=view.created_at,
        created_by=view.created_by,
        created=url is not None and not revoked,
        revoked=revoked,
    )


def calendar_document(secret: str, uow_factory: UowFactory) -> bytes | None:
    """The iCalendar document the feed of `secret` serves: the published roadmap's
    go-lives, tollgates and freezes with SEQUENCE, LAST-MODIFIED and DTSTAMP (an empty
    calendar while nothing is published); None when the secret opens no feed."""
    with uow_factory() as uow:
        content = feeds.feed_content(uow, secret=secret)
    if content is None:
        return None
    return render_feed(
        content.source,
        name=content.name,
        revisions=content.revisions,
        modified=content.modified,
    )
