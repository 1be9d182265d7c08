"""Item 4: the initiative modal, imports and the database share one set of text limits
(`planner.portfolio.TEXT_LIMITS`), so editing an imported initiative and saving it
unchanged changes nothing; a value stored longer than the limit (before the limit
existed) is shown, never cut silently, and refused until it is shortened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from bot.blocks import ids, initiative_modal, read_initiative_submission
from bot.blocks.text import INPUT_MAX_LENGTH
from bot.errors import ModalErrors
from bot.submissions import submit_initiative
from catalog import services
from catalog.domain import Actor
from catalog.errors import ImportFailed
from catalog.models import Initiative
from catalog.uow import UnitOfWork
from catalog.usecases.context import Context
from planner.portfolio import TEXT_LIMITS
from tests.bot.blocks_support import check_view, submitted, typed

IB = ids.INITIATIVE_BLOCKS
OPERATOR = Actor.operator()
TEAM = "T-LIMITS"
TITLE = "T" * 191
OWNER = "O" * 150


def portfolio(**fields: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "calendar": {"start": "2027-01-01", "phases": 4},
        "initiatives": [{"key": "LONG", "title": "t", "duration": 1, "value": 1, **fields}],
    }


def imported(uow: Callable[[], UnitOfWork], **fields: Any) -> None:
    with uow() as u:
        services.import_portfolio(u, actor=OPERATOR, team_id=TEAM, portfolio=portfolio(**fields))


def edit_modal(uow: Callable[[], UnitOfWork]) -> tuple[dict[str, Any], str, int]:
    with uow() as u:
        view = services.get_initiative(u, team_id=TEAM, key="LONG")
    metadata = ids.initiative_value(view.key, view.version)
    modal = initiative_modal(view=view, private_metadata=metadata)
    check_view(modal)
    return modal, metadata, view.version


def element(modal: dict[str, Any], name: str) -> dict[str, Any]:
    return next(b for b in modal["blocks"] if b.get("block_id") == IB[name])


def test_the_modal_takes_its_limits_from_the_portfolio_limits() -> None:
    modal = initiative_modal(private_metadata="")
    for name in ("key", "title", "summary", "category", "owner"):
        assert element(modal, name)["element"]["max_length"] == TEXT_LIMITS[name]


def test_editing_an_imported_long_title_and_owner_unchanged_changes_nothing(uow) -> None:
    imported(uow, title=TITLE, owner=OWNER)
    modal, metadata, version = edit_modal(uow)
    assert element(modal, "title")["element"]["initial_value"] == TITLE
    assert element(modal, "owner")["element"]["initial_value"] == OWNER
    ctx = Context(actor=OPERATOR, team_id=TEAM, uow_factory=uow)
    outcome = submit_initiative(submitted(modal), metadata=metadata, ctx=ctx)
    assert not outcome.errors, outcome.errors
    with uow() as u:
        after = services.get_initiative(u, team_id=TEAM, key="LONG")
    assert (after.spec.title, after.spec.owner, after.version) == (TITLE, OWNER, version)


@pytest.mark.parametrize(
    ("field", "limit"), [("title", TEXT_LIMITS["title"]), ("owner", TEXT_LIMITS["owner"])]
)
def test_an_import_longer_than_the_modal_allows_is_refused(uow, field: str, limit: int) -> None:
    with pytest.raises(ImportFailed, match=f"field '{field}': expected at most {limit}"):
        imported(uow, **{field: "x" * (limit + 1)})


def test_a_value_stored_longer_than_the_limit_is_shown_and_refused_not_cut(uow, engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite stores a title longer than its column (varchar(300))")
    imported(uow, title="short")
    stored = "S" * (TEXT_LIMITS["title"] + 50)
    with uow() as u:  # as a catalog written before the limit could hold it
        u.session.execute(update(Initiative).values(title=stored))
        u.commit()
    modal, metadata, version = edit_modal(uow)
    title = element(modal, "title")
    assert title["element"]["initial_value"] == stored
    assert title["element"]["max_length"] >= len(stored)
    assert "at most 300 can be saved: shorten it" in title["hint"]["text"]
    ctx = Context(actor=OPERATOR, team_id=TEAM, uow_factory=uow)
    outcome = submit_initiative(submitted(modal), metadata=metadata, ctx=ctx)
    assert outcome.errors == {IB["title"]: "At most 300 characters: this has 350. Shorten it."}
    with uow() as u:
        assert services.get_initiative(u, team_id=TEAM, key="LONG").version == version
    fixed = submitted(modal, **{IB["title"]: typed("Shorter")})
    assert not submit_initiative(fixed, metadata=metadata, ctx=ctx).errors


def test_a_value_longer_than_slack_can_show_says_what_is_shown() -> None:
    modal = initiative_modal(private_metadata="", prefill={"summary": "x" * 5000})
    summary = element(modal, "summary")
    assert len(summary["element"]["initial_value"]) == INPUT_MAX_LENGTH
    assert "only the first 3,000 fit here" in summary["hint"]["text"]
    title_modal = initiative_modal(private_metadata="", prefill={"title": "x" * 5000})
    assert (
        "first 3,000 are shown; at most 300 can be saved"
        in (element(title_modal, "title")["hint"]["text"])
    )


def test_the_reader_refuses_what_the_console_types_past_the_limit() -> None:
    modal = initiative_modal(private_metadata="")
    values = submitted(
        modal,
        **{
            IB["title"]: typed("x" * 301),
            IB["owner"]: typed("y" * 201),
            IB["value"]: typed("1k"),
        },
    )
    with pytest.raises(ModalErrors) as info:
        read_initiative_submission(values)
    assert info.value.errors[IB["title"]].startswith("At most 300 characters: this has 301")
    assert info.value.errors[IB["owner"]].startswith("At most 200 characters: this has 201")
