"""Every remaining subcommand end to end: decisions, reviews, roles, pins, what-ifs,
explanations, publish, diff and audit, each through a signed request into the app."""

from __future__ import annotations

from catalog import services
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text


def _texts(blocks: list[dict]) -> str:
    return "\n".join(iter_blocks_text(blocks))


def _grant(served: Served, user: str, role: str) -> None:
    with served.uow() as uow:
        services.grant_role(uow, actor=OPERATOR, team_id="T0ACME", user_id=user, role=role)


def _say(served: Served, user: str, text: str, *, count: int = 1) -> str:
    """Send `/roadmap text` as `user`; the text of the count-th response-URL answer."""
    served.slack.as_user(user).command(text).send(served.events_url)
    answers = served.fake.wait_for(RESPONSE_URL, count=count, timeout=30)
    return _texts(answers[count - 1].body.get("blocks") or []) or answers[count - 1].body["text"]


def _status(served: Served, key: str) -> str:
    with served.uow() as uow:
        return services.get_initiative(uow, team_id="T0ACME", key=key).status


def _final_update(served: Served, marker: str) -> str:
    [update] = served.fake.wait_for(
        "chat.update", where=lambda c: marker in _texts(c.body.get("blocks") or []), timeout=30
    )
    return _texts(update.body["blocks"])


def test_reject_changes_and_withdraw(demo: Served) -> None:
    assert "Rejected" in _say(demo, "U0BOB", "reject OUTAGE not this year")
    assert _status(demo, "OUTAGE") == "rejected"
    _say(demo, "U0BOB", 'changes FACEBOOK "add the moderation cost"', count=2)
    assert _status(demo, "FACEBOOK") == "changes_requested"
    _say(demo, "U0MARKETING", "withdraw FACEBOOK", count=3)
    assert _status(demo, "FACEBOOK") == "withdrawn"
    refused = _say(demo, "U0ALICE", "reject SSO no", count=4)
    assert "approver or admin" in refused and _status(demo, "SSO") == "approved"


def test_security_review_is_recorded_by_the_security_officer_only(demo: Served) -> None:
    refused = _say(demo, "U0ALICE", "review LISTEN passed")
    assert "security" in refused
    _grant(demo, "U0SEC", "security")
    _say(demo, "U0SEC", 'review LISTEN conditions "EU data residency"', count=2)
    with demo.uow() as uow:
        spec = services.get_initiative(uow, team_id="T0ACME", key="LISTEN").spec
    assert (spec.review, spec.review_note) == ("conditions", "EU data residency")


def test_an_admin_grants_a_role_with_a_mention(demo: Served) -> None:
    refused = _say(demo, "U0ALICE", "role <@U0DANA|dana> pmo")
    assert "admin" in refused
    _grant(demo, "U0ADMIN", "admin")
    _say(demo, "U0ADMIN", "role <@U0DANA|dana> pmo", count=2)
    with demo.uow() as uow:
        assert "pmo" in services.roles_of(uow, team_id="T0ACME", user_id="U0DANA")


def test_pin_and_unpin(demo: Served) -> None:
    _say(demo, "U0BOB", "pin TWITTER 2027Q3")
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="TWITTER").spec.pin == 2
    _say(demo, "U0BOB", "unpin TWITTER", count=2)
    with demo.uow() as uow:
        assert services.get_initiative(uow, team_id="T0ACME", key="TWITTER").spec.pin is None


def test_whatif_answers_with_the_change_and_a_frontier_picture(demo: Served) -> None:
    demo.slack.as_user("U0BOB").command("whatif budget-20%").send(demo.events_url)
    text = _final_update(demo, "Realized value")
    assert "budget-20%" in text and "−" in text
    demo.fake.wait_for("files.completeUploadExternal", timeout=30)
    [picture] = demo.fake.uploaded_files()
    assert picture.filename == "whatif-frontier.png" and picture.data.startswith(b"\x89PNG")


def test_explain_says_why_an_initiative_is_left_out(demo: Served) -> None:
    demo.slack.as_user("U0BOB").command("explain HR-SAAS").send(demo.events_url)
    answers = demo.fake.wait_for(
        RESPONSE_URL,
        where=lambda c: "forbidden" in _texts(c.body.get("blocks") or []),
        timeout=30,
    )
    assert "HR-SAAS" in _texts(answers[0].body["blocks"])


def test_plan_publish_diff_and_audit(demo: Served) -> None:
    demo.slack.as_user("U0BOB").command("plan").send(demo.events_url)
    _final_update(demo, "SSO")
    refused = _say(demo, "U0ALICE", "publish")
    assert "approver or admin" in refused
    _say(demo, "U0BOB", "publish", count=2)
    with demo.uow() as uow:
        assert services.published_roadmap(uow, team_id="T0ACME") is not None
    diff = _say(demo, "U0BOB", "diff", count=3)
    assert "published" in diff.lower()
    _grant(demo, "U0PAT", "pmo")
    audit = _say(demo, "U0PAT", "audit SSO", count=4)
    assert "SSO" in audit
