"""`townhall chat`: the same commands through the same core, rendered as text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.console import blocks_to_text, mrkdwn_to_text, repl, run_command
from catalog import services
from catalog.domain import Actor
from catalog.uow import UnitOfWork

OPERATOR = Actor.operator()


@pytest.fixture
def demo_uow(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="local")
    return uow


def _run(text: str, uow: Callable[[], UnitOfWork], actor: Actor = OPERATOR) -> str:
    lines: list[str] = []
    run_command(text, actor=actor, team_id="local", uow_factory=uow, write=lines.append)
    return "\n".join(lines)


def test_mrkdwn_becomes_readable_text() -> None:
    assert mrkdwn_to_text("<@U0BOB> said &lt;!channel&gt; &amp; <!here>") == (
        "@U0BOB said <!channel> & @here"
    )
    assert mrkdwn_to_text("<https://x.example|the docs>") == "the docs (https://x.example)"


def test_blocks_render_as_text() -> None:
    text = blocks_to_text(
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Roadmap"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*SSO* by <@U1>"}},
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Publish"}}],
            },
        ]
    )
    # no mrkdwn marks, no buttons a terminal cannot press
    assert text.splitlines() == ["Roadmap", "═══════", "SSO by @U1"]


def test_plan_prints_the_roadmap_and_stores_it(demo_uow: Callable[[], UnitOfWork]) -> None:
    out = _run("plan", demo_uow)
    assert out.startswith("Planning…")
    assert "Optimal" in out and "SSO" in out
    with demo_uow() as u:
        assert services.latest_roadmap(u, team_id="local") is not None


def test_a_typo_names_the_nearest_subcommand(demo_uow: Callable[[], UnitOfWork]) -> None:
    assert "Did you mean approve?" in _run("aprove SSO", demo_uow)


def test_a_member_is_refused_with_the_roles_that_may(
    demo_uow: Callable[[], UnitOfWork],
) -> None:
    member = Actor.user(team_id="local", user_id="U0ALICE")
    out = _run("approve FACEBOOK", demo_uow, member)
    assert "approver or admin" in out
    with demo_uow() as u:
        assert services.get_initiative(u, team_id="local", key="FACEBOOK").status == "proposed"


def test_the_repl_reads_until_quit(demo_uow: Callable[[], UnitOfWork]) -> None:
    typed = iter(["list proposed", "", "/roadmap show OUTAGE", "quit", "never read"])
    lines: list[str] = []
    repl(
        actor=OPERATOR,
        team_id="local",
        uow_factory=demo_uow,
        read=lambda _prompt: next(typed),
        write=lines.append,
    )
    text = "\n".join(lines)
    assert "FACEBOOK" in text and "Outage and complaint monitoring" in text
    assert next(typed) == "never read"


def test_a_budget_whatif_says_exactly_what_it_changed(demo_uow: Callable[[], UnitOfWork]) -> None:
    out = _run("whatif budget-20%", demo_uow)
    changed = next(line for line in out.splitlines() if "Changed:" in line)
    assert "budget of every phase" in changed and "total budget" in changed


def test_the_repl_goes_on_after_an_unexpected_error(demo_uow, monkeypatch) -> None:
    import bot.console

    calls = []

    def flaky(text: str, **kw: object) -> None:
        calls.append(text)
        if text == "boom":
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(bot.console, "run_command", flaky)
    typed = iter(["boom", "list", "quit"])
    lines: list[str] = []
    repl(
        actor=OPERATOR,
        team_id="local",
        uow_factory=demo_uow,
        read=lambda _prompt: next(typed),
        write=lines.append,
    )
    assert calls == ["boom", "list"]
    assert any("the disk is full" in line for line in lines)
