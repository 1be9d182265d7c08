"""`townhall weights` (table and JSON, from a portfolio file or the workspace) and
`townhall plan --objective/--blend`, through the real console script."""

from __future__ import annotations

import json

import yaml

from planner import load_portfolio
from planner.drivers import group_weights
from tests.bot.test_cli import DEMO, cli  # noqa: F401  (the fixture)


def _expected(path) -> dict:
    """The JSON the issue specifies, computed with the planner from the file."""
    portfolio = load_portfolio(path)
    weights = group_weights(portfolio.drivers, portfolio.judgments)
    return {
        "drivers": [
            {"key": d.key, "name": d.name, "weight": round(weights.weights[d.key], 6)}
            for d in portfolio.drivers
        ],
        "cr": round(weights.cr, 6),
        "by": {
            who: {
                "weights": {k: round(w, 6) for k, w in p.weights.items()},
                "cr": None if p.cr is None else round(p.cr, 6),
                "complete": p.complete,
            }
            for who, p in weights.people.items()
        },
    }


def test_weights_of_a_file_as_json_and_as_a_table(cli) -> None:  # noqa: F811
    data = json.loads(cli("weights", str(DEMO), "--format", "json").stdout)
    assert data == _expected(DEMO)
    assert set(data) == {"drivers", "cr", "by"}
    assert set(data["by"]) == {"U0CIO", "U0CMO"}
    assert abs(sum(d["weight"] for d in data["drivers"]) - 1) < 1e-5
    assert all(set(p) == {"weights", "cr", "complete"} for p in data["by"].values())
    table = cli("weights", str(DEMO)).stdout
    for d in data["drivers"]:
        assert d["name"] in table and f"{100 * d['weight']:.1f}%" in table
    assert "█" in table and f"group CR {data['cr']:.3f}" in table
    assert "U0CIO" in table and "6/6" in table


def test_weights_of_the_workspace_match_the_file_it_was_loaded_from(cli) -> None:  # noqa: F811
    cli("demo")
    data = json.loads(cli("weights", "--format", "json").stdout)
    assert data == _expected(DEMO)
    assert "Customer engagement" in cli("weights").stdout


def test_an_incomplete_and_an_inconsistent_person_are_shown_as_such(cli) -> None:  # noqa: F811
    doc = yaml.safe_load(DEMO.read_text())
    doc["judgments"] += [
        {"by": "U0CFO", "a": "engage", "b": "cost", "ratio": "1/3"},
        {"by": "U0COO", "a": "engage", "b": "collaborate", "ratio": 9},
        {"by": "U0COO", "a": "engage", "b": "secure", "ratio": 9},
        {"by": "U0COO", "a": "engage", "b": "cost", "ratio": "1/9"},
        {"by": "U0COO", "a": "collaborate", "b": "secure", "ratio": 9},
        {"by": "U0COO", "a": "collaborate", "b": "cost", "ratio": 9},
        {"by": "U0COO", "a": "secure", "b": "cost", "ratio": 9},
    ]
    path = cli.tmp / "leaders.yaml"
    path.write_text(yaml.safe_dump(doc))
    data = json.loads(cli("weights", str(path), "--format", "json").stdout)
    assert data == _expected(path)
    assert data["by"]["U0CFO"] == {"weights": {}, "cr": None, "complete": False}
    assert data["by"]["U0COO"]["complete"] and data["by"]["U0COO"]["cr"] > 0.10
    table = cli("weights", str(path)).stdout
    assert "1/6" in table and "incomplete" in table
    assert "inconsistent" in table and "Customer engagement vs Cost efficiency" in table


def test_weights_errors_are_one_line(cli) -> None:  # noqa: F811
    proc = cli("weights", "missing.yaml", ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "missing.yaml" in proc.stderr
    none = cli("weights", "--format", "json", ok=False)  # no workspace loaded yet
    assert none.returncode == 1 and "townhall demo" in none.stderr


def test_plan_a_file_for_strategy_or_a_blend(cli) -> None:  # noqa: F811
    money = json.loads(cli("plan", str(DEMO), "--format", "json").stdout)
    assert money["goal"]["objective"] == "value" and isinstance(money["objective"], int)
    strategic = json.loads(
        cli("plan", str(DEMO), "--objective", "strategic", "--format", "json").stdout
    )
    assert strategic["goal"]["objective"] == "strategic" and strategic["status"] == "optimal"
    assert strategic["objective"] == round(sum(s["value"] for s in strategic["scheduled"]), 4)
    assert all(s["strategic_score"] is not None for s in strategic["scheduled"])
    blend = json.loads(cli("plan", str(DEMO), "--blend", "0.5", "--format", "json").stdout)
    assert blend["goal"]["objective"] == "blend" and blend["goal"]["blend"] == 0.5
    table = cli("plan", str(DEMO), "--objective", "strategic").stdout
    assert "strategic score" in table and "Planned for strategic score" in table


def test_plan_the_workspace_for_strategy(cli) -> None:  # noqa: F811
    cli("demo")
    out = cli("plan", "--objective", "strategic", "--time-limit", "5").stdout
    assert "optimal, strategic score" in out
    data = json.loads(cli("plan", "--objective", "value", "--format", "json").stdout)
    assert data["goal"]["objective"] == "value"


def test_plan_objective_errors_are_one_line(cli) -> None:  # noqa: F811
    for args, message in (
        (("--blend", "0"), "--blend 0: expected a number more than 0 and at most 100"),
        (("--blend", "2", "--objective", "value"), "drop --blend, or use --objective blend"),
        (("--objective", "money"), "'money' is not one of"),
    ):
        proc = cli("plan", str(DEMO), *args, ok=False)
        assert proc.returncode != 0, args
        assert message in " ".join(proc.stderr.split()), proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
    cli("demo")
    both = cli("plan", "--objective", "strategic", "--what-if", "budget-10%", ok=False)
    assert both.returncode == 1 and "or drop those options" in " ".join(both.stderr.split())
    assert "--objective, --blend and --stability plan the workspace once" in " ".join(
        both.stderr.split()
    )
