"""`townhall import FILE` (and `--merge`) with the hostile files of items 16, 17 and 18:
one line naming what is wrong and where, no traceback, nothing written, answered at
once; and a file in the chat's grammar (`25k`, `2027Q3`) imports (item 20)."""

from __future__ import annotations

import time

import pytest

from tests.bot.test_cli import cli  # noqa: F401 - the fixture
from tests.planner.test_portfolio_limits import BOMB

HEAD = "version: 1\ncalendar: {start: 2027-01-01, phases: 8}\n"
ITEM = "{key: A, title: t, duration: 1, value: 1%s}"

FILES = {
    "bomb.yaml": (BOMB.encode(), "line 5: YAML aliases (*name) repeat more than 10,000 values"),
    "latin.yaml": (
        (HEAD + "name: Café\ninitiatives: []\n").encode("latin-1"),
        "is not UTF-8: the byte 0xE9 at offset",
    ),
    "date.yaml": (
        (HEAD + "initiatives:\n- " + ITEM % ", deadline: 2027-13-01" + "\n").encode(),
        "field 'deadline': '2027-13-01' is not a date",
    ),
    "deep.json": (
        ('{"version": 1, "initiatives": ' + "[" * 20_000 + "]" * 20_000 + "}").encode(),
        "nested more than 32 levels deep",
    ),
    "repeated.yaml": (
        (
            HEAD + "initiatives:\n- key: A\n  title: t\n  duration: 1\n  value: 1\n  title: u\n"
        ).encode(),
        "line 8: the key 'title' is repeated in the same mapping (first on line 5)",
    ),
    "huge.yaml": (
        (HEAD + "initiatives:\n- " + ITEM % ", capex: 9223372036854775808" + "\n").encode(),
        "field 'capex': expected whole currency units ≤ 1,000,000,000,000",
    ),
    "phases.yaml": (
        b"version: 1\ncalendar: {start: 2027-01-01, phases: 30000}\ninitiatives: []\n",
        "calendar.phases: expected at most 400 phases",
    ),
}


#: A merge reads the file the same way; these check that it answers the same.
MERGED = ("bomb.yaml", "date.yaml", "phases.yaml")


@pytest.mark.parametrize("merge", [False, True])
def test_hostile_files_are_refused_in_one_line(cli, merge: bool) -> None:  # noqa: F811
    for name, (raw, expected) in FILES.items():
        if merge and name not in MERGED:
            continue
        path = cli.tmp / name
        path.write_bytes(raw)
        started = time.perf_counter()
        args = ("import", str(path), "--merge") if merge else ("import", str(path))
        proc = cli(*args, ok=False)
        assert time.perf_counter() - started < 30
        assert proc.returncode != 0, name
        err = " ".join(proc.stderr.split())
        assert expected in err, (name, err)
        assert "Traceback" not in proc.stderr + proc.stdout and len(proc.stderr) < 1000
    assert "No initiatives" in cli("list").stdout


def test_a_file_in_the_chats_grammar_imports(cli) -> None:  # noqa: F811
    path = cli.tmp / "chat.yaml"
    path.write_text(
        HEAD
        + "budget: {per_phase: 250k, total: '$1.2M'}\ninitiatives:\n- "
        + ITEM % ", capex: '$40,000', opex: 1.5k, earliest: 2027Q3, deadline: 2028-03-31"
        + "\n"
    )
    cli("import", str(path))
    shown = " ".join(cli("show", "A").stdout.split())
    for part in ("capex │ 40000", "opex │ 1500", "earliest │ 2", "deadline │ 4"):
        assert part in shown, shown
