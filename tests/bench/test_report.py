from __future__ import annotations

from bench.cases import select_cases, spread
from bench.report import row, verdicts
from bench.run import Result


def _gen(name, family="200x12", *, value, bound, greedy, build=0.5, peak=300.0, errors=()):
    return Result(
        "generated", family, name, items=200, phases=12, status="feasible", value=value,
        bound=bound, gap=(bound - value) / bound, seconds=10.0, greedy_value=greedy,
        build_seconds=build, peak_mb=peak, errors=list(errors),
    )  # fmt: skip


def _verdict(results, family):
    return next(v for v in verdicts(results, family_sizes={}) if v.family == family)


def test_200x12_meets_its_target_only_with_a_small_gap_and_a_clear_lead_over_greedy():
    good = [
        _gen("a", value=980, bound=1000, greedy=900),
        _gen("b", value=990, bound=1000, greedy=910),
    ]
    assert _verdict(good, "200x12").met is True
    slow = [*good, _gen("c", value=900, bound=1000, greedy=880)]  # only 2.3% over greedy
    assert _verdict(slow, "200x12").met is False
    loose = [*good, _gen("d", value=900, bound=1000, greedy=800)]  # 10% gap
    assert _verdict(loose, "200x12").met is False
    broken = [*good, _gen("e", value=990, bound=1000, greedy=900, errors=["CP-SAT: x"])]
    assert _verdict(broken, "200x12").met is False


def test_1000x24_needs_greedy_value_a_quick_build_and_little_memory():
    fine = _gen("a", "1000x24", value=1000, bound=1100, greedy=1000, build=2.0, peak=700)
    assert _verdict([fine], "1000x24").met is True
    for bad in (
        _gen("b", "1000x24", value=990, bound=1100, greedy=1000),
        _gen("c", "1000x24", value=1000, bound=1100, greedy=900, build=6.0),
        _gen("d", "1000x24", value=1000, bound=1100, greedy=900, peak=1500),
    ):
        assert _verdict([fine, bad], "1000x24").met is False


def test_knapsack_target_is_on_the_mean_shortfall_and_a_missing_solution_counts_fully():
    def knap(name, value, best=10000):
        return Result("mknap", "mknapcb1", name, status="feasible", value=value, bound=best,
                      reference=best)  # fmt: skip

    assert _verdict([knap("a", 10000), knap("b", 9995)], "mknapcb1").met is True  # 0.025%
    assert _verdict([knap("a", 10000), knap("b", 9980)], "mknapcb1").met is False  # 0.1%
    assert _verdict([knap("a", 10000), knap("b", None)], "mknapcb1").met is False


def test_scheduling_rows_show_makespans_and_the_target_counts_exact_optima():
    def sched(name, value, optimum=40, horizon=50):
        return Result("psplib", "j30", name, items=31, phases=horizon, status="optimal",
                      value=value, bound=value, greedy_value=5, reference=optimum,
                      horizon=horizon)  # fmt: skip

    hit = sched("a", 10)  # makespan 40
    cells = row(hit)
    assert cells[3] == "40" and cells[6] == "40" and cells[8] == "45"
    assert hit.ratio == 45 / 40
    many = [sched(f"x{i}", 10) for i in range(19)]
    assert _verdict([*many, sched("miss", 9)], "j30").met is True  # 19 of 20 = 95%
    assert _verdict([*many[:18], sched("m1", 9), sched("m2", 9)], "j30").met is False


def test_samples_spread_over_each_family(bench_data):
    assert spread(3, 30) == [0, 10, 20]
    assert spread(40, 30) == list(range(30))
    cases = select_cases(suites=("mknap", "psplib"), data=bench_data, sample=3, demo=None)
    names = [c.name for c in cases]
    assert names == ["mknapcb1-00", "mknapcb1-10", "mknapcb1-20", "mknapcb4-00", "mknapcb4-10",
                     "mknapcb4-20", "j301_1", "j3017_1", "j3033_1"]  # fmt: skip
    everything = select_cases(
        suites=("psplib",), data=bench_data, sample=1, all_psplib=True, demo=None
    )
    assert len(everything) == 480


def test_a_search_without_a_plan_is_shown_as_such_and_is_not_a_broken_rule():
    lost = Result("psplib", "j30", "j3025_1", items=31, phases=100, status="unknown",
                  reference=93, horizon=100, greedy_missing=4)  # fmt: skip
    assert lost.valid and not lost.planned
    check = row(lost)[-1]
    assert str(check) == "no roadmap: CP-SAT unknown; greedy: no plan (4 mandatory left out)"
    assert _verdict([lost], "j30").met is False
    broken = Result("mknap", "mknapcb1", "x", status="feasible", value=1, bound=1,
                    errors=["CP-SAT: r0 over capacity", "greedy: y"])  # fmt: skip
    assert str(row(broken)[-1]) == "ERROR: CP-SAT: r0 over capacity (+1 more)"
