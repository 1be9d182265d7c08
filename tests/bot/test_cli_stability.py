"""`townhall plan FILE --baseline ROADMAP.json [--stability LEVEL]`: a portfolio file
re-planned against a published roadmap, as the workspace is against its own, through the
real console script; the options that would change nothing are refused."""

from __future__ import annotations

import json

import yaml

from tests.bot.test_cli import DEMO, cli  # noqa: F401  (the fixture)


def _budget_cut(cli, per_phase: int = 200_000) -> str:  # noqa: F811
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["budget"]["per_phase"] = per_phase
    path = cli.tmp / "cut.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def _published(cli) -> str:  # noqa: F811
    path = cli.tmp / "published.json"
    path.write_text(cli("plan", str(DEMO), "--format", "json").stdout, encoding="utf-8")
    return str(path)


def test_a_file_replanned_against_its_baseline_keeps_sso_and_says_what_it_cost(cli) -> None:  # noqa: F811
    baseline, cut = _published(cli), _budget_cut(cli)
    out = cli("plan", cut, "--baseline", baseline).stdout
    assert "Stability kept 4 of 9 published starts (5 moved); it cost 84,000 of value" in out
    assert "gives 957,000" in out
    assert f"Compared with the baseline {baseline}:" in out
    assert "stability penalty" not in out
    document = json.loads(cli("plan", cut, "--baseline", baseline, "--format", "json").stdout)
    assert "SSO" in {s["key"] for s in document["scheduled"]}
    assert document["stability"]["level"] == "normal" and document["stability"]["dropped"] == 0

    free = cli("plan", cut, "--baseline", baseline, "--stability", "off").stdout
    assert "value 957k" in free and "Stability off:" in free
    assert free.index(" is dropped: ") < free.index(" moves from ")  # dropped first
    high = json.loads(
        cli("plan", cut, "--baseline", baseline, "--stability", "high", "--format", "json").stdout
    )
    assert high["stability"]["level"] == "high"


def test_stability_without_a_baseline_changes_nothing_and_is_refused(cli) -> None:  # noqa: F811
    proc = cli("plan", str(DEMO), "--stability", "off", ok=False)
    assert proc.returncode == 1
    assert "a FILE has none: give it with --baseline ROADMAP.json" in proc.stderr


def test_a_baseline_is_for_a_file_of_the_same_calendar(cli) -> None:  # noqa: F811
    baseline = _published(cli)
    cli("demo")
    workspace = cli("plan", "--baseline", baseline, ok=False)
    assert workspace.returncode == 1 and "--baseline is for a portfolio FILE" in workspace.stderr

    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["calendar"]["start"] = "2027-04-01"
    later = cli.tmp / "later.yaml"
    later.write_text(yaml.safe_dump(data), encoding="utf-8")
    moved = cli("plan", str(later), "--baseline", baseline, ok=False)
    assert moved.returncode == 1
    assert "its phases (2027Q1, 2027Q2, 2027Q3, …) are not this portfolio's" in moved.stderr

    broken = cli.tmp / "broken.json"
    broken.write_text("{", encoding="utf-8")
    unread = cli("plan", str(DEMO), "--baseline", str(broken), ok=False)
    assert unread.returncode == 1 and "cannot read roadmap" in unread.stderr

    whatif = cli("plan", str(DEMO), "--baseline", baseline, "--what-if", "budget-10%", ok=False)
    assert whatif.returncode == 1 and "drop --baseline, or --what-if" in whatif.stderr
