"""Requests that race through two web processes: two approvers deciding one proposal at
the same moment, and one slash command delivered twice. Each cluster runs two
`townhall serve` processes on two ports, so each request of a pair reaches a different
process (one gunicorn's processes share a socket, and the kernel picks)."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks import ids
from catalog import services
from catalog.domain import Actor
from catalog.models import AuditEntry
from tests.bot.signed import Reply, SignedRequest
from tests.cluster import OPERATOR, TEAM, cluster, wait_until
from tests.faults.support import answer_text, at_once

CAROL = Actor.user(team_id=TEAM, user_id="U0CAROL")
#: Proposals raced on, one pair of clicks each: a race lost once could be luck.
ROUNDS = 5


def test_two_approvers_approving_at_once_record_one_decision() -> None:
    with cluster(servers=2, web_processes=1, workers=0) as c:
        with c.uow() as uow:
            services.grant_role(
                uow, actor=OPERATOR, team_id=TEAM, user_id="U0DAVE", role="approver"
            )
        client = WebClient(base_url=c.fake.url, token=c.fake.workspace.bot_token)
        for round_ in range(ROUNDS):
            with c.uow() as uow:
                proposal = services.propose(
                    uow,
                    actor=CAROL,
                    team_id=TEAM,
                    fields={"title": f"Race {round_}", "duration": 1, "value": 9},
                )
            posted = client.chat_postMessage(channel="C0GENERAL", text=f"Decide on {proposal.key}")
            clicks = [
                c.slack.as_user(user).block_actions(
                    action_id=ids.APPROVE,
                    value=ids.initiative_value(proposal.key, proposal.version),
                    message={"ts": posted["ts"]},
                )
                for user in ("U0BOB", "U0DAVE")
            ]
            replies = at_once(
                [
                    lambda click=click, url=url: click.send(url)
                    for click, url in zip(clicks, c.events_urls, strict=True)
                ]
            )
            assert [r.status for r in replies] == [200, 200]
            urls = [click.payload["response_url"] for click in clicks]
            wait_until(
                lambda urls=urls: all(c.fake.responses(url) for url in urls),
                timeout=20,
                what="an answer to each approver",
            )

            with c.uow() as uow:
                after = services.get_initiative(uow, team_id=TEAM, key=proposal.key)
                decisions = uow.session.scalars(
                    select(AuditEntry.actor).where(
                        AuditEntry.entity_key == proposal.key,
                        AuditEntry.action == "initiative.approve",
                    )
                ).all()
            assert after.status == "approved"
            assert len(decisions) == 1, f"round {round_}: {len(decisions)} approvals recorded"
            assert after.version == proposal.version + 1
            answers = [answer_text(c.fake.responses(url)[0]) for url in urls]
            winner = 0 if decisions[0].endswith("U0BOB") else 1
            assert "Approved" in answers[winner], answers[winner]
            loser = answers[1 - winner]
            assert "after you opened it" in loser, f"the other approver was told {loser!r}"


def test_the_same_slash_command_delivered_twice_starts_one_job() -> None:
    with cluster(servers=2, web_processes=1, workers=1) as c:
        command: SignedRequest = c.slack.command("plan")
        replies: list[Reply] = at_once([lambda url=url: command.send(url) for url in c.events_urls])
        assert [r.status for r in replies] == [200, 200]
        wait_until(lambda: bool(c.jobs()), timeout=20, what="a job row")
        jobs = c.wait_jobs_finished(timeout=40)
        assert len(jobs) == 1, f"{len(jobs)} jobs for one command"
        assert list(c.results_per_job().values()) == [1]
        placeholders = c.fake.calls(
            "chat.postMessage", where=lambda call: call.body.get("channel") == "C0GENERAL"
        )
        assert len(placeholders) == 1, "one placeholder message in the channel"
