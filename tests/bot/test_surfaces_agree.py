"""Every registry entry that changes the catalog has the same effect from the console as
from Slack.

Two workspaces share one database, both loaded with the demo portfolio and the same
role grants. Each case runs one command text through the console (`bot.console.
run_command`, its forms answered by a scripted `read`) in one workspace, and as a signed
`/roadmap` slash command (its modal submitted as a signed `view_submission`) into the
real app in the other; then both workspaces are read back into a snapshot without ids,
timestamps or team ids, and the snapshots must be equal.

`test_every_entry_that_changes_the_catalog_is_covered` fails when a subcommand is added
to the registry without being either listed as read-only here or given a case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pprint import pformat
from typing import Any

import pytest

from bot.commands import ENTRIES, entry_for, handle_text, parse_command, run_job
from bot.console import run_command
from catalog import services
from catalog.domain import Actor
from catalog.uow import UnitOfWork
from catalog.usecases import commands as c
from catalog.usecases.context import Context
from tests.bot.blocks_support import submitted
from tests.bot.conftest import OPERATOR, Served
from tests.bot.fakeslack import RESPONSE_URL, iter_blocks_text

SLACK_TEAM = "T0ACME"  # the fake Slack's workspace, where the signed requests go
CONSOLE_TEAM = "T0CONSOLE"  # the console's workspace, in the same database
USER = "U0BOB"  # holds every role in both workspaces
ROLES = ("admin", "approver", "security", "pmo")

#: Entries that only read: they may store jobs or files, never change the catalog.
READ_ONLY = frozenset(
    {"help", "list", "show", "explain", "diff", "export", "audit", "jobs", "drivers", "priorities"}
)

UowFactory = Callable[[], UnitOfWork]
#: A form's answers by input block id: text (also numbers and one choice, by value),
#: a list of choice values (several choices), or yes / no (a single checkbox).
Answer = str | list[str] | bool


@dataclass(frozen=True)
class Case:
    """`text` typed in both surfaces (`slack`: as Slack's wire carries it, when it
    differs); `setup` run through the core in both workspaces first; `form` answers the
    modal the command opens."""

    text: str
    setup: tuple[str, ...] = ()
    form: Mapping[str, Answer] | None = None
    slack: str | None = None

    @property
    def slack_text(self) -> str:
        """What Slack posts: the text with `&`, `<` and `>` escaped, as Slack does."""
        if self.slack is not None:
            return self.slack
        return self.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


IB = {
    name: f"initiative_{name}"
    for name in ("summary", "cadence", "duration", "capex", "value", "data", "hosting")
} | {
    "personal_data": "initiative_personal_data",
    "depends_on": "initiative_depends_on",
    "excludes": "initiative_excludes",
}

CASES = [
    pytest.param(Case('approve FACEBOOK "worth a try"'), id="approve"),
    pytest.param(Case('reject OUTAGE "duplicates LISTEN: cost <<< value & risk > 2"'), id="reject"),
    pytest.param(Case("changes FACEBOOK add the expected reach & cost"), id="changes"),
    pytest.param(Case("request-changes OUTAGE say who runs it"), id="changes-alias"),
    pytest.param(Case("withdraw OUTAGE"), id="withdraw"),
    pytest.param(Case("review LISTEN passed"), id="review-passed"),
    pytest.param(
        Case('review SUPPORT conditions "EU data residency only"'), id="review-conditions"
    ),
    pytest.param(Case('review SAAS-COMM failed "no DPA"'), id="review-failed"),
    pytest.param(Case("pin LISTEN 2028Q1"), id="pin"),
    pytest.param(Case("pin TWITTER 2"), id="pin-phase-number"),
    pytest.param(Case("unpin LISTEN", setup=("pin LISTEN 2028Q1",)), id="unpin"),
    pytest.param(
        Case("role U0CAROL approver", slack="role <@U0CAROL|carol> approver"), id="role-grant"
    ),
    pytest.param(
        Case(
            "role revoke U0CAROL approver",
            setup=("role U0CAROL approver",),
            slack="role revoke <@U0CAROL|carol> approver",
        ),
        id="role-revoke",
    ),
    pytest.param(Case("publish", setup=("plan time=2s",)), id="publish"),
    pytest.param(Case("plan time=2s"), id="plan"),
    pytest.param(Case("plan budget=300k phases=6 from=2027Q2 time=2s"), id="plan-options"),
    pytest.param(
        Case("plan time=2s", setup=("approve FACEBOOK", "plan time=2s", "publish")),
        id="plan-against-baseline",
    ),
    pytest.param(Case("plan time=2s", setup=("pin TWITTER 2",)), id="plan-with-a-pin"),
    pytest.param(
        Case("plan budget=200k time=10s", setup=("plan time=2s", "publish")),
        id="plan-budget-cut-against-baseline",
    ),
    pytest.param(
        Case("plan budget=200k stability=off time=10s", setup=("plan time=2s", "publish")),
        id="plan-stability-off",
    ),
    pytest.param(
        Case("plan budget=200k stability=high time=10s", setup=("plan time=2s", "publish")),
        id="plan-stability-high",
    ),
    pytest.param(Case("whatif capacity integration=+1"), id="whatif"),
    pytest.param(Case("whatif without SSO and with FACEBOOK"), id="whatif-with-without"),
    pytest.param(Case("whatif budget-20%"), id="whatif-budget"),
    pytest.param(
        Case(
            "propose Employee podcast",
            form={
                IB["summary"]: "A weekly show about our teams.",
                IB["cadence"]: "agile",
                IB["duration"]: "2",
                IB["capex"]: "30k",
                IB["value"]: "40k",
                IB["data"]: "internal",
                IB["personal_data"]: True,
                IB["depends_on"]: ["BLOG", "SSO"],
            },
        ),
        id="propose",
    ),
    pytest.param(
        Case(
            "propose",
            form={
                "initiative_key": "TOM",
                "initiative_title": "Tom & Jerry <fan club>",
                "initiative_value": "1k",
                "initiative_data": "public",
                "initiative_uses": "integration: 2",
            },
        ),
        id="propose-with-a-key",
    ),
    pytest.param(
        Case(
            "edit FACEBOOK",
            form={
                IB["summary"]: "A maintained company page, now with a monthly live Q&A.",
                IB["value"]: "8k",
                IB["hosting"]: "hybrid",
                IB["excludes"]: ["TWITTER"],
                IB["depends_on"]: [],
            },
        ),
        id="edit",
    ),
    pytest.param(Case("feed"), id="feed"),
    pytest.param(Case("feed revoke", setup=("feed",)), id="feed-revoke"),
    pytest.param(Case("plan objective=strategic time=2s"), id="plan-strategic"),
    pytest.param(Case("plan blend=0.5 time=2s"), id="plan-blend"),
    pytest.param(
        Case(
            "weigh",
            form={
                "pair|engage|collaborate": "3",
                "pair|engage|secure": "1/5",
                "pair|secure|cost": "1",
            },
        ),
        id="weigh",
    ),
    pytest.param(
        Case(
            "weigh cost engage",
            form={"pair|engage|cost": "1/9"},
        ),
        id="weigh-one-pair",
    ),
    pytest.param(
        Case(
            "drivers edit",
            form={
                "driver|engage|name": "Customer engagement online",
                "driver|cost|retire": True,
                "new|1|key": "brand",
                "new|1|name": "Brand reputation",
                "new|1|description": "What people say about us.\nAnd where.",
            },
        ),
        id="edit-drivers",
    ),
    pytest.param(
        Case(
            "edit SSO",
            form={"initiative_score_engage": "4", "initiative_score_secure": "5"},
        ),
        id="edit-scores",
    ),
    pytest.param(
        Case(
            "settings",
            form={
                "settings_objective": "blend",
                "settings_blend": "2.5",
                "settings_stability": "high",
            },
        ),
        id="settings-objective",
    ),
    pytest.param(
        Case(
            "settings",
            form={
                "settings_name": "Acme social computing, revised",
                "settings_calendar_phases": "10",
                "settings_budget_per_phase": "300k",
                "settings_capacity": "security_reviews: 2\nintegration: 4\nagile_teams: 2",
                "settings_policy_forbid": ["saas_restricted", "saas_confidential"],
            },
        ),
        id="settings",
    ),
]


# --------------------------------------------------------------------------- coverage


def _case_commands() -> list[c.Command]:
    out = []
    for param in CASES:
        [case] = param.values
        out.append(parse_command(case.text, escaped=False))
        out.append(parse_command(case.slack_text))
    return out


def test_every_entry_that_changes_the_catalog_is_covered() -> None:
    names = {e.name for e in ENTRIES}
    covered = {entry_for(command).name for command in _case_commands()}
    assert not covered & READ_ONLY, "a read-only entry has a case: is it read-only?"
    assert not READ_ONLY - names, f"no such entries: {sorted(READ_ONLY - names)}"
    missing = names - READ_ONLY - covered
    assert not missing, f"entries that change the catalog without a case: {sorted(missing)}"
    role_actions = {cmd.action for cmd in _case_commands() if isinstance(cmd, c.Role)}
    assert role_actions >= {"grant", "revoke"}


def test_each_case_is_the_same_command_on_both_surfaces() -> None:
    for param in CASES:
        [case] = param.values
        console = parse_command(case.text, escaped=False)
        slack = parse_command(case.slack_text)
        if isinstance(slack, c.Role):  # Slack's mention carries a name, a user id does not
            slack = dataclasses.replace(slack, user_name=None)
        assert console == slack, case.text


# --------------------------------------------------------------------------- the test


@pytest.fixture
def both(served: Served) -> Served:
    """The demo portfolio and the same grants in the Slack and the console workspace."""
    for team in (SLACK_TEAM, CONSOLE_TEAM):
        with served.uow() as uow:
            services.load_demo(uow, actor=OPERATOR, team_id=team)
        for role in ROLES:
            with served.uow() as uow:
                services.grant_role(uow, actor=OPERATOR, team_id=team, user_id=USER, role=role)
    return served


@pytest.fixture(autouse=True)
def public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """`feed` gives an address under TOWNHALL_PUBLIC_URL."""
    monkeypatch.setenv("TOWNHALL_PUBLIC_URL", "https://townhall.example.com")


@pytest.mark.parametrize("case", CASES)
def test_console_and_slack_change_the_catalog_alike(both: Served, case: Case) -> None:
    for team in (SLACK_TEAM, CONSOLE_TEAM):
        for text in case.setup:
            _core(text, _context(both.uow, team))
    assert snapshot(both.uow, SLACK_TEAM) == snapshot(both.uow, CONSOLE_TEAM)
    before = snapshot(both.uow, CONSOLE_TEAM)

    output = _through_console(both.uow, case)
    _through_slack(both, case)

    by_console = snapshot(both.uow, CONSOLE_TEAM)
    by_slack = snapshot(both.uow, SLACK_TEAM)
    assert by_console != before, f"the console changed nothing:\n{output}"
    assert by_slack != before, f"Slack changed nothing; it answered:\n{_slack_answers(both)}"
    differences = _differences(by_console, by_slack)
    assert not differences, "console (left) and Slack (right) differ:\n" + pformat(differences)
    assert by_console == by_slack


def _context(uow: UowFactory, team: str) -> Context:
    return Context(actor=Actor.user(team_id=team, user_id=USER), team_id=team, uow_factory=uow)


def _core(text: str, ctx: Context) -> None:
    """Run a setup command through the core alone (a job's use case in place)."""
    reply = handle_text(text, ctx, escaped=False)
    if reply.job is not None:
        reply = run_job(reply.job.payload, ctx)
    assert not reply.error, f"setup `{text}` failed: {reply.text}"


# --------------------------------------------------------------------------- console


def _through_console(uow: UowFactory, case: Case) -> str:
    ctx = _context(uow, CONSOLE_TEAM)
    answers: list[str] = []
    if case.form is not None:
        modal = handle_text(case.text, ctx, escaped=False).modal
        assert modal is not None, f"`{case.text}` opens no form"
        answers = console_script(modal, case.form)
    lines: list[str] = []

    def read(prompt: str) -> str:
        if not answers:
            raise EOFError  # the script ran out: the form asked for more than expected
        lines.append(prompt + answers[0])
        return answers.pop(0)

    reply = run_command(
        case.text,
        actor=ctx.actor,
        team_id=CONSOLE_TEAM,
        uow_factory=uow,
        write=lines.append,
        read=read,
        progress_interval=60.0,
    )
    output = "\n".join(lines)
    assert not reply.error, f"the console refused `{case.text}`:\n{output}"
    assert not answers, f"answers left over:\n{answers}\n{output}"
    return output


def console_script(modal: Mapping[str, Any], form: Mapping[str, Answer]) -> list[str]:
    """What is typed at the console's prompts: Enter for each field not answered."""
    inputs = [b for b in modal["blocks"] if b["type"] == "input"]
    unknown = set(form) - {b["block_id"] for b in inputs}
    assert not unknown, f"the form has no fields {sorted(unknown)}"
    typed: list[str] = []
    for block in inputs:
        if block["block_id"] not in form:
            typed.append("")
            continue
        answer = form[block["block_id"]]
        element = block["element"]
        chosen = [o for o in element.get("options", []) if o["value"] == answer]
        if chosen and isinstance(answer, str) and re.fullmatch(r"[0-9/]+", answer):
            # a number is typed as the text shown: alone it would be the line's number
            typed.append(chosen[0]["text"]["text"])
            continue
        if isinstance(answer, bool):
            typed.append("yes" if answer else "no")
        elif isinstance(answer, list):
            typed.append(", ".join(answer) if answer else "-")
        elif element.get("multiline"):
            typed += [*answer.splitlines(), ""]  # a multiline text ends with an empty line
        else:
            typed.append(answer)
    return typed


# --------------------------------------------------------------------------- Slack


def _through_slack(served: Served, case: Case) -> None:
    bob = served.slack.as_user(USER)
    fake, events = served.fake, served.events_url
    if case.form is not None:
        opened = len(fake.calls("views.open"))
        assert bob.command(case.slack_text).send(events).status == 200
        call = fake.wait_for("views.open", count=opened + 1)[opened]
        view = fake.view(call.response["view"]["id"])
        values = submitted(view, **slack_state(view, case.form))
        reply = bob.view_submission(view=view, values=values).send(events)
        assert reply.status == 200, reply.text
        # taken: the modal closes, or shows the outcome in its place (weights, drivers)
        assert not reply.body or reply.json()["response_action"] == "update", reply.text
        return
    entry = entry_for(parse_command(case.slack_text))
    if entry.slow:
        assert bob.command(case.slack_text).send(events).status == 200
        _wait_for_jobs(served, count=1)  # the setup ran its jobs' use cases in place
        return
    answered = len(fake.calls(RESPONSE_URL))
    assert bob.command(case.slack_text).send(events).status == 200
    fake.wait_for(RESPONSE_URL, count=answered + 1)


def slack_state(view: Mapping[str, Any], form: Mapping[str, Answer]) -> dict[str, Any]:
    """The element states Slack submits for `form`, options taken from `view`."""
    out: dict[str, Any] = {}
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    for block_id, answer in form.items():
        element = elements[block_id]
        options = {o["value"]: o for o in element.get("options", [])}
        kind = element["type"]
        if kind in ("plain_text_input", "number_input"):
            assert isinstance(answer, str)
            out[block_id] = {"value": answer}
        elif kind in ("static_select", "radio_buttons"):
            assert isinstance(answer, str)
            out[block_id] = {"selected_option": options[answer]}
        elif kind == "checkboxes" and isinstance(answer, bool):
            out[block_id] = {"selected_options": [*options.values()][:1] if answer else []}
        else:
            assert isinstance(answer, list)
            out[block_id] = {"selected_options": [options[v] for v in answer]}
    return out


def _wait_for_jobs(served: Served, *, count: int, timeout: float = 30.0) -> None:
    """Wait until the Slack workspace has `count` jobs, all finished."""
    deadline = time.monotonic() + timeout
    while True:
        with served.uow() as uow:
            jobs = services.recent_jobs(uow, actor=OPERATOR, team_id=SLACK_TEAM)
        if len(jobs) >= count and all(j.finished for j in jobs):
            return
        assert time.monotonic() < deadline, f"jobs not finished: {[j.status for j in jobs]}"
        time.sleep(0.05)


def _slack_answers(served: Served) -> str:
    calls = served.fake.calls(RESPONSE_URL) + served.fake.calls("chat.update")
    return "\n---\n".join("\n".join(iter_blocks_text(c.body.get("blocks") or [])) for c in calls)


# --------------------------------------------------------------------------- snapshot

#: Keys that name rows or workspaces, not what the catalog says (and moments: `*_at`).
_DROPPED = ("id", "team_id", "workspace_id", "roadmap_id", "job_id")
#: A roadmap named by its row id in an audit note.
_ROADMAP_ID = re.compile(r"\broadmap \d+")


def plain(value: Any) -> Any:
    """A value as comparable plain data: no ids, timestamps or team ids."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {
            str(k): plain(v)
            for k, v in value.items()
            if str(k) not in _DROPPED and not str(k).endswith("_at")
        }
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return None
    return value


def _roadmap(view: Any) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "kind": view.kind,
        "status": view.status,
        "objective": view.objective,
        "published": view.published,
        "created_by": view.created_by,
        "published_by": view.published_by,
        "scheduled": sorted((s.key, s.start_phase) for s in view.roadmap.scheduled),
        "unscheduled": sorted(u.key for u in view.roadmap.unscheduled),
        # what keeping to the published roadmap kept and cost, as every surface says it
        "stability": None if view.roadmap.stability is None else view.roadmap.stability.summary(),
    }


def snapshot(uow_factory: UowFactory, team: str) -> dict[str, Any]:
    """What the catalog holds for a workspace, comparable across workspaces."""
    with uow_factory() as uow:
        initiatives = {
            v.key: {"spec": plain(v.spec), "version": v.version, "updated_by": v.updated_by}
            for v in services.list_initiatives(uow, team_id=team)
        }
        roles = sorted(
            (g.user_id, g.role, g.granted_by) for g in services.list_roles(uow, team_id=team)
        )
        settings = plain(services.get_settings(uow, team_id=team))
        drivers = plain(services.drivers_overview(uow, team_id=team))
        roadmaps = {
            "latest": _roadmap(services.latest_roadmap(uow, team_id=team)),
            "whatif": _roadmap(services.latest_roadmap(uow, team_id=team, kind="whatif")),
            "published": _roadmap(services.published_roadmap(uow, team_id=team)),
        }
        trail = [
            {
                "actor": e.actor,
                "action": e.action,
                "entity": e.entity,
                "key": None if e.entity in ("roadmap", "workspace") else e.key,  # ids
                "before": plain(e.before),
                "after": plain(e.after),
                "note": _ROADMAP_ID.sub("roadmap #", e.note),
            }
            for e in services.audit_trail(uow, actor=OPERATOR, team_id=team, limit=500)
        ]
        jobs = [  # slow commands are recorded as jobs on both surfaces (not where they deliver)
            (j.kind, j.title, j.status, j.attempts, j.requested_by, plain(j.request), j.error)
            for j in services.recent_jobs(uow, actor=OPERATOR, team_id=team)
        ]
    return {
        "initiatives": initiatives,
        "jobs": jobs,
        "roles": roles,
        "settings": settings,
        "drivers": drivers,
        "roadmaps": roadmaps,
        "audit": trail,
    }


def _differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Where two snapshots differ, one level into each section (a readable failure)."""
    out: dict[str, Any] = {}
    for section in sorted(set(a) | set(b)):
        left, right = a.get(section), b.get(section)
        if left == right:
            continue
        if isinstance(left, Mapping) and isinstance(right, Mapping):
            out[section] = {
                k: (left.get(k), right.get(k))
                for k in sorted(set(left) | set(right))
                if left.get(k) != right.get(k)
            }
        elif isinstance(left, Sequence) and isinstance(right, Sequence):
            pairs = enumerate(zip(left, right, strict=False))
            out[section] = {
                "lengths": (len(left), len(right)),
                "first differences": [(i, x, y) for i, (x, y) in pairs if x != y][:5],
            }
        else:
            out[section] = (left, right)
    return out
