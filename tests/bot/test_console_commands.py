"""`townhall chat` fills the forms that Slack shows as modals, field by field, with the
modal's own validation; slow commands it runs are the workspace's jobs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from bot.console import run_command
from catalog import services
from catalog.domain import Actor
from catalog.uow import UnitOfWork

OPERATOR = Actor.operator()
TOWNHALL = str(Path(sys.executable).with_name("townhall"))


@pytest.fixture
def demo_uow(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    with uow() as u:
        services.load_demo(u, actor=OPERATOR, team_id="local")
    return uow


class Person:
    """Answers a form as a person would: by the label of the field asked (Enter for the
    rest), each label's answers in turn; keeps the transcript."""

    def __init__(self, answers: Mapping[str, list[str]]) -> None:
        self.answers = {label: list(values) for label, values in answers.items()}
        self.lines: list[str] = []
        self.label = ""
        self.reads = 0

    def write(self, text: str) -> None:
        self.lines.append(text)
        for line in text.splitlines():
            if line and not line.startswith((" ", ">")):
                self.label = line

    def read(self, prompt: str) -> str:
        self.reads += 1
        if self.reads > 200:  # a form that keeps asking: give up as at the end of input
            raise EOFError
        # a question asked on the prompt line itself (a pair to weigh), else the field's
        asked = prompt if prompt.strip() not in ("", ">", "…") else self.label
        self.lines.append(prompt)
        for label, values in self.answers.items():
            if asked.startswith(label) and values:
                return values.pop(0)
        return ""

    @property
    def transcript(self) -> str:
        return "\n".join(self.lines)


def test_propose_asks_each_field_and_re_asks_a_bad_one(demo_uow) -> None:
    with demo_uow() as u:
        services.grant_role(u, actor=OPERATOR, team_id="local", user_id="U0BOB", role="approver")
    person = Person(
        {
            "Cadence": ["Agile"],
            "Duration": ["2"],
            "Build cost": ["lots", "250k"],
            "Value per live phase": ["20k"],
            "Hosting": ["1"],
            "Data classification": ["1"],
        }
    )
    reply = run_command(
        "propose Employee advocacy",
        actor=Actor.user(team_id="local", user_id="U0CARA"),
        team_id="local",
        uow_factory=demo_uow,
        write=person.write,
        read=person.read,
    )
    assert not reply.error, person.transcript
    assert "Title" in person.transcript and "Now: Employee advocacy" in person.transcript
    # the modal's own message under the field, then the field asked again
    assert person.transcript.count("Build cost") >= 2 and "! " in person.transcript
    with demo_uow() as u:
        views = services.list_initiatives(u, team_id="local", status="proposed")
    new = [v for v in views if v.title == "Employee advocacy"]
    assert len(new) == 1
    spec = new[0].spec
    assert (spec.capex, spec.value, spec.duration, spec.cadence) == (250_000, 20_000, 2, "agile")
    assert spec.proposer == "U0CARA"
    assert "→ DM to @U0BOB" in person.transcript  # the approvers are asked to decide


def test_edit_shows_current_values_and_enter_keeps_them(demo_uow) -> None:
    with demo_uow() as u:
        before = services.get_initiative(u, team_id="local", key="FACEBOOK")
    person = Person({"Title": ["Company page on Facebook and Instagram"]})
    reply = run_command(
        "edit FACEBOOK",
        actor=OPERATOR,
        team_id="local",
        uow_factory=demo_uow,
        write=person.write,
        read=person.read,
    )
    assert not reply.error, person.transcript
    assert f"Now: {before.title}" in person.transcript
    with demo_uow() as u:
        after = services.get_initiative(u, team_id="local", key="FACEBOOK")
    assert after.title == "Company page on Facebook and Instagram"
    assert after.version == before.version + 1
    assert after.spec.capex == before.spec.capex and after.spec.value == before.spec.value


def test_settings_change_one_field_and_keep_the_rest(demo_uow) -> None:
    with demo_uow() as u:
        before = services.get_settings(u, team_id="local")
    person = Person({"Budget per phase": ["300k"]})
    reply = run_command(
        "settings",
        actor=OPERATOR,
        team_id="local",
        uow_factory=demo_uow,
        write=person.write,
        read=person.read,
    )
    assert not reply.error, person.transcript
    with demo_uow() as u:
        after = services.get_settings(u, team_id="local")
    assert after.budget.per_phase != before.budget.per_phase
    assert after.calendar == before.calendar and after.policy == before.policy
    assert after.capacity == before.capacity


def test_jobs_lists_what_the_console_ran(demo_uow) -> None:
    lines: list[str] = []
    kw = dict(actor=OPERATOR, team_id="local", uow_factory=demo_uow, write=lines.append)
    run_command("plan time=5s", **kw)
    run_command("whatif budget-10%", **kw)
    lines.clear()
    run_command("jobs", **kw)
    out = "\n".join(lines)
    assert "Planning" in out and "What if budget-10%" in out
    assert "No plans" not in out


def test_cancelling_a_form_from_stdin_saves_nothing(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.sqlite3'}"}
    env["COLUMNS"] = "200"
    run = {"cwd": tmp_path, "env": env, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run([TOWNHALL, "demo"], check=True, **run)
    before = subprocess.run([TOWNHALL, "list"], **run).stdout
    proc = subprocess.run(
        [TOWNHALL, "chat", "-c", "propose Employee advocacy"], input="\ncancel\n", **run
    )
    assert proc.returncode == 1
    assert "nothing was saved" in proc.stdout
    assert subprocess.run([TOWNHALL, "list"], **run).stdout == before
