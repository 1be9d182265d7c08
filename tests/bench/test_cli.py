"""The runner through its real entry point, `python -m bench`, on tiny samples."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.paths import PROJECT_ROOT
from bench.report import COLUMNS


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def smoke(bench_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "out.json"
    run = _bench(
        "--sample", "1", "--sizes", "12x4", "--worst", "12x4", "--time-limit", "1",
        "--workers", "1", "--json", str(out),
    )  # fmt: skip
    return run, json.loads(out.read_text()) if out.exists() else None


def test_one_instance_per_family_gives_a_table_per_suite(smoke):
    run, _ = smoke
    assert run.returncode == 0, run.stdout + run.stderr
    for title in ("Generated portfolios", "Multidimensional knapsack", "PSPLIB j30"):
        assert title in run.stdout
    header = next(line for line in run.stdout.splitlines() if line.startswith("┃ instance"))
    cells = [c.strip() for c in header.strip("┃│ ").split("┃")]
    assert tuple(cells) == COLUMNS
    for name in ("gen-12x4-s1", "gen-12x4-s1-strategic", "mknapcb1-00", "mknapcb4-00", "j301_1"):
        assert name in run.stdout
    assert "ERROR" not in run.stdout
    assert "mknapcb1 (1 of 30): mean gap to best-known" in run.stdout
    assert "j30 (1 of 480): optimal makespan on" in run.stdout


def test_the_json_holds_consistent_figures_for_every_instance(smoke):
    _, report = smoke
    results = {r["name"]: r for r in report["results"]}
    assert {"gen-12x4-s1", "mknapcb1-00", "mknapcb4-00", "j301_1"} <= set(results)
    for r in results.values():
        assert r["errors"] == [], r["name"]
        assert r["value"] is not None and r["value"] <= r["bound"]
        # the greedy either planned or, its documented best effort, left must-haves out
        assert (r["greedy_value"] is None) == (r["greedy_missing"] > 0), r["name"]
    gen = results["gen-12x4-s1"]
    assert (gen["items"], gen["phases"]) == (12, 4)
    assert gen["build_seconds"] is not None and gen["peak_mb"] > 0
    knapsack = results["mknapcb1-00"]
    assert knapsack["reference"] == 24381
    assert knapsack["reference_gap"] == pytest.approx((24381 - knapsack["value"]) / 24381)
    schedule = results["j301_1"]
    assert schedule["reference"] == 43
    assert schedule["makespan"] == schedule["horizon"] - schedule["value"] >= 43
    strategic = results["gen-12x4-s1-strategic"]
    assert (strategic["objective"], strategic["scale"]) == ("strategic", 10_000)
    assert strategic["value"] != gen["value"]  # planned for the score, in its own units
    assert results["demo-strategic"]["status"] == "optimal"
    worst = results["worst-12x4-s1"]
    assert worst["family"] == "worst 12x4" and worst["engine"] == "cpsat"
    for r in (gen, worst, knapsack, schedule):
        assert r["engine"] == "cpsat" and r["time_limit"] == 1.0  # small: CP-SAT alone
        assert all(value <= bound for _, value, bound in r["trace"])
    assert gen["to_1pct"] is not None and gen["to_1pct"] <= gen["seconds"]
    assert report["settings"]["time_limit"] == 1.0
    assert {v["family"] for v in report["verdicts"]} >= {
        "12x4", "12x4 strategic", "demo strategic", "mknapcb1", "mknapcb4", "j30"
    }  # fmt: skip


def test_a_case_that_cannot_run_is_an_error_row_and_a_failing_exit(tmp_path):
    run = _bench("--suite", "mknap", "--sample", "1", "--data", str(tmp_path / "nowhere"))
    assert run.returncode == 1
    assert "ERROR: exception" in run.stdout
    assert "mknapcb1-00" in run.stdout
