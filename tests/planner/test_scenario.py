from fractions import Fraction

import pytest

from planner.errors import ScenarioError
from planner.scenario import (
    BudgetChange,
    CapacityChange,
    Change,
    PhaseCountChange,
    Pin,
    TotalBudgetChange,
    Unpin,
    With,
    Without,
    apply,
    changes,
    describe,
    parse_whatif,
    resolve_phase,
)
from tests.planner.factories import make_portfolio, make_problem

ITEMS = [
    {"key": "A", "capex": 100, "uses": {"integration": 2}},
    {"key": "B", "capex": 200, "depends_on": ["A"]},
    {"key": "C", "status": "proposed"},
    {"key": "D", "mandatory": True, "cadence": "agile"},
    {"key": "E", "pin": 1, "duration": 2},
    {"key": "F", "status": "done"},
    {"key": "W", "cadence": "waterfall", "duration": 2},
]


def base(**settings):
    settings = {
        "phases": 4,
        "budget": 1000,
        "total": 3000,
        "capacity": {"integration": 4, "security_reviews": [1, 1, 2, 2]},
        **settings,
    }
    return make_problem(ITEMS, **settings)


# --------------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("budget-20%", [BudgetChange(Change("scale", Fraction(4, 5)))]),
        ("budget +10%", [BudgetChange(Change("scale", Fraction(11, 10)))]),
        ("budget\u221220%", [BudgetChange(Change("scale", Fraction(4, 5)))]),
        ("budget=1.2M", [BudgetChange(Change("set", Fraction(1_200_000)))]),
        ("budget=80%", [BudgetChange(Change("scale", Fraction(4, 5)))]),
        ("budget+250k", [BudgetChange(Change("add", Fraction(250_000)))]),
        ("budget=-$40,000", [BudgetChange(Change("add", Fraction(-40_000)))]),
        ("budget=300k in 2027Q3", [BudgetChange(Change("set", Fraction(300_000)), "2027Q3")]),
        ("budget-10% in 2", [BudgetChange(Change("scale", Fraction(9, 10)), 2)]),
        ("total=1.8M", [TotalBudgetChange(Change("set", Fraction(1_800_000)))]),
        ("total budget -10%", [TotalBudgetChange(Change("scale", Fraction(9, 10)))]),
        ("capacity integration=+2", [CapacityChange("integration", Change("add", Fraction(2)))]),
        ("capacity integration=-1", [CapacityChange("integration", Change("add", Fraction(-1)))]),
        ("capacity integration=5", [CapacityChange("integration", Change("set", Fraction(5)))]),
        (
            "capacity Security-Reviews+1 in 2027Q2",
            [CapacityChange("security_reviews", Change("add", Fraction(1)), "2027Q2")],
        ),
        ("without soc-7", [Without("SOC-7")]),
        ("with SOC-7", [With("SOC-7")]),
        ("pin SOC-7 3", [Pin("SOC-7", 3)]),
        ("pin SOC-7 to 2027Q3", [Pin("SOC-7", "2027Q3")]),
        ("unpin SOC-7", [Unpin("SOC-7")]),
        ("phases+2", [PhaseCountChange(Change("add", Fraction(2)))]),
        ("phases=+2", [PhaseCountChange(Change("add", Fraction(2)))]),
        ("phases=10", [PhaseCountChange(Change("set", Fraction(10)))]),
    ],
)
def test_parse_one_whatif(text, expected) -> None:
    assert parse_whatif(text) == expected


def test_parse_several_separated_by_commas_semicolons_and_and() -> None:
    got = parse_whatif("budget=$40,000, without A and with C; pin E 2")
    assert got == [
        BudgetChange(Change("set", Fraction(40_000))),
        Without("A"),
        With("C"),
        Pin("E", 2),
    ]
    assert describe(got) == "budget = 40k, without A, with C, pin E 2"


def test_a_key_containing_and_is_not_split() -> None:
    assert parse_whatif("with AND-1 and without BRAND-2") == [With("AND-1"), Without("BRAND-2")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no what-if given"),
        ("frobnicate everything", "'frobnicate everything' is not a what-if I know"),
        ("budget", "'budget': expected budget-20%"),
        ("budget-abc", "'abc' is neither a percentage nor an amount of money"),
        ("budget-200%", "cannot cut by more than 100%"),
        ("budget=+-5%", "expected budget-20%"),
        ("capacity integration=lots", "'lots' is not a whole number"),
        ("capacity integration", "expected capacity integration=+2"),
        ("with so c", "'so c' is not an initiative key"),
        ("pin SOC-7", "expected pin KEY PHASE"),
        ("phases+20%", "expected a number of phases"),
        ("phases", "expected phases+2 or phases=10"),
    ],
)
def test_parse_errors_name_the_part_and_what_was_expected(text, message) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_whatif(text)
    assert message in str(err.value)


def test_a_bad_part_among_good_ones_is_named() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_whatif("budget-20%, capacity integration=+x, without A")
    assert "'capacity integration=+x'" in str(err.value)


# --------------------------------------------------------------------------- budgets


def test_budget_percent_applies_to_every_phase_and_the_total() -> None:
    """Item 21: `budget-20%` cut only the per-phase budgets; the total cap still bound
    (spend fell 11%). A percentage of the budget is a percentage of the money."""
    problem = apply(base(), "budget-20%")
    assert problem.budget == (800, 800, 800, 800)
    assert problem.total_budget == 2400
    assert apply(base(), "budget=80%").total_budget == 2400
    assert apply(base(total=None), "budget+10%").total_budget is None


def test_budget_amounts_are_per_phase_and_leave_the_total() -> None:
    assert apply(base(), "budget+250").total_budget == 3000
    assert apply(base(), "budget=500").total_budget == 3000
    assert apply(base(), "budget-10% in 2027Q3").total_budget == 3000
    assert apply(base(), "total-20%").budget == (1000,) * 4  # the total alone


def test_budget_percent_with_only_a_total_changes_the_total() -> None:
    problem = apply(base(budget=None), "budget-20%")
    assert problem.budget == (None,) * 4
    assert problem.total_budget == 2400


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("budget-20%", ["budget of every phase 1k → 800", "total budget 3k → 2.4k"]),
        (
            "budget+250",
            [
                "budget of every phase 1k → 1,250",
                "total budget stays 3k (total+… or total=… changes it)",
            ],
        ),
        ("budget=300 in 2027Q3", ["budget of 2027Q3 1k → 300"]),
        ("total=5k", ["total budget 3k → 5k"]),
        ("capacity integration=+2", ["capacity of integration in every phase 4 → 6"]),
        ("phases+2", ["phases 4 → 6"]),
        ("without A, with C", ["without A", "with C"]),
    ],
)
def test_changes_say_exactly_what_a_whatif_changed(text: str, lines: list[str]) -> None:
    assert list(changes(base(), text)) == lines


def test_changes_of_uneven_budgets_give_the_range() -> None:
    got = changes(base(budget=[100, 200, 300, 400], total=None), "budget+10%")
    assert list(got) == ["budget per phase 100–400 → 110–440"]


def test_budget_change_in_one_phase_by_label_or_index() -> None:
    assert apply(base(), "budget=300 in 2027Q3").budget == (1000, 1000, 300, 1000)
    assert apply(base(), "budget+10% in 1").budget == (1000, 1100, 1000, 1000)


def test_budget_add_and_percent_round_to_whole_units() -> None:
    problem = apply(base(budget=[100, 101, 102, 103]), "budget+5%")
    assert problem.budget == (105, 106, 107, 108)
    assert apply(base(), "budget+250").budget == (1250,) * 4


def test_budget_changes_compose_in_order() -> None:
    assert apply(base(), "budget=500 and budget+10%").budget == (550,) * 4


def test_budget_without_a_budget_can_be_set_but_not_cut() -> None:
    problem = make_problem(ITEMS, phases=4)
    assert apply(problem, "budget=250").budget == (250,) * 4
    with pytest.raises(ScenarioError, match=r"no per-phase budget to change .* nor a total"):
        apply(problem, "budget-20%")
    with pytest.raises(ScenarioError, match="set a budget for every phase first"):
        apply(problem, "budget=300 in 2")


def test_budget_cannot_become_negative() -> None:
    with pytest.raises(ScenarioError, match="budget of 2027Q1 would be negative"):
        apply(base(), "budget-2000")


def test_total_budget_changes() -> None:
    assert apply(base(), "total-10%").total_budget == 2700
    assert apply(base(), "total=5k").total_budget == 5000
    with pytest.raises(ScenarioError, match="no total budget to change"):
        apply(base(total=None), "total+10%")
    assert apply(base(total=None), "total=1000").total_budget == 1000


# --------------------------------------------------------------------------- capacity


def test_capacity_changes_add_subtract_and_set() -> None:
    assert apply(base(), "capacity integration=+2").capacity["integration"] == (6,) * 4
    assert apply(base(), "capacity integration=-1").capacity["integration"] == (3,) * 4
    assert apply(base(), "capacity integration=5").capacity["integration"] == (5,) * 4
    one = apply(base(), "capacity security_reviews+1 in 2027Q2")
    assert one.capacity["security_reviews"] == (1, 2, 2, 2)


def test_capacity_of_an_unlimited_resource_can_be_set_but_not_shifted() -> None:
    problem = apply(base(), "capacity agile_teams=3")
    assert problem.capacity["agile_teams"] == (3,) * 4
    with pytest.raises(ScenarioError, match="agile_teams has no capacity limit"):
        apply(base(), "capacity agile_teams+1")


def test_unknown_resource_is_named_with_suggestions() -> None:
    with pytest.raises(ScenarioError) as err:
        apply(base(), "capacity integraton=+2")
    text = str(err.value)
    assert "unknown resource 'integraton'" in text
    assert "did you mean integration" in text


def test_capacity_cannot_become_negative() -> None:
    with pytest.raises(ScenarioError, match="capacity of integration in 2027Q1 would be negative"):
        apply(base(), "capacity integration=-5")


# --------------------------------------------------------------------------- with / without


def test_without_forces_out_even_a_mandatory_initiative() -> None:
    problem = apply(base(), "without D")
    assert "D" in problem.force_out
    assert not problem.must_select(problem.item("D"))
    assert problem.must_drop(problem.item("D"))


def test_without_a_pinned_one_clears_the_pin() -> None:
    problem = apply(base(), "without E")
    assert problem.item("E").pin is None
    assert problem.must_drop(problem.item("E"))


def test_with_includes_a_proposed_initiative_and_forces_it_in() -> None:
    problem = apply(base(), "with C")
    assert "C" in problem.keys
    assert problem.must_select(problem.item("C"))


def test_with_an_approved_one_forces_it_in_and_cancels_an_earlier_without() -> None:
    problem = apply(base(), "without A, with A")
    assert problem.must_select(problem.item("A"))
    assert not problem.must_drop(problem.item("A"))


def test_with_then_without_a_proposed_one_leaves_it_forced_out() -> None:
    problem = apply(base(), "with C and without C")
    assert problem.must_drop(problem.item("C"))
    assert not problem.must_select(problem.item("C"))


def test_unknown_keys_are_named_with_suggestions() -> None:
    with pytest.raises(ScenarioError) as err:
        apply(base(), "without X-1")
    assert "without X-1: there is no initiative X-1" in str(err.value)
    portfolio = make_portfolio([{"key": "SOC-7"}, {"key": "SOC-8"}])
    with pytest.raises(ScenarioError, match=r"did you mean SOC-7"):
        apply(portfolio, "with SOC-77")


def test_without_something_outside_the_plan_says_so() -> None:
    with pytest.raises(ScenarioError, match=r"C is not part of the plan anyway .it is proposed."):
        apply(base(), "without C")


def test_with_a_done_or_blocked_initiative_is_refused() -> None:
    with pytest.raises(ScenarioError, match="F is done"):
        apply(base(), "with F")
    blocked = make_problem(
        [{"key": "HR", "hosting": "saas", "data": "restricted"}], forbid=["saas_restricted"]
    )
    with pytest.raises(ScenarioError, match="with HR: HR can never be scheduled: forbidden"):
        apply(blocked, "with HR")


def test_with_one_whose_dependency_is_proposed_names_the_dependency() -> None:
    problem = make_problem([{"key": "A", "status": "proposed"}, {"key": "B", "depends_on": ["A"]}])
    with pytest.raises(ScenarioError, match="depends on A, which is proposed"):
        apply(problem, "with B")
    both = apply(problem, "with A and with B")
    assert {"A", "B"} <= both.force_in


# --------------------------------------------------------------------------- pins


def test_pin_and_unpin() -> None:
    problem = apply(base(), "pin A 2027Q3")
    assert problem.item("A").pin == 2
    assert problem.must_select(problem.item("A"))
    assert apply(base(), "unpin E").item("E").pin is None


def test_pin_checks_the_initiatives_own_rules() -> None:
    with pytest.raises(ScenarioError, match=r"W cannot start in 2027Q2: .*not a tollgate"):
        apply(base(tollgates=[0, 2]), "pin W 1")
    with pytest.raises(ScenarioError, match="would not finish inside the 4-phase horizon"):
        apply(base(), "pin W 3")
    with pytest.raises(ScenarioError, match="inside a freeze"):
        apply(base(freeze=[1]), "pin A 1")


def test_pin_of_a_proposed_one_needs_with_first() -> None:
    with pytest.raises(ScenarioError, match="add 'with C' first"):
        apply(base(), "pin C 1")
    assert apply(base(), "with C, pin C 1").item("C").pin == 1


def test_unpin_of_an_unpinned_one_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="unpin A: A is not pinned"):
        apply(base(), "unpin A")


def test_unknown_phase_is_named() -> None:
    with pytest.raises(ScenarioError) as err:
        apply(base(), "pin A 2031Q1")
    assert "'2031Q1' is not a phase of this plan" in str(err.value)
    assert "0–3" in str(err.value)


def test_resolve_phase_accepts_index_label_quarter_and_date() -> None:
    phases = make_problem([{"key": "A"}], phases=8).phases
    assert resolve_phase(phases, 5) == 5
    assert resolve_phase(phases, "5") == 5
    assert resolve_phase(phases, "2028q2") == 5
    assert resolve_phase(phases, "Q3") == 2
    assert resolve_phase(phases, "2027-08-15") == 2
    with pytest.raises(ScenarioError):
        resolve_phase(phases, 8)


# --------------------------------------------------------------------------- phases


def test_phases_extend_the_horizon_with_the_last_budget_and_capacity() -> None:
    problem = apply(base(budget=[1, 2, 3, 4], tollgates=[0, 2]), "phases+2")
    assert problem.horizon == 6
    assert problem.phases[-1].label == "2028Q2"
    assert problem.budget == (1, 2, 3, 4, 4, 4)
    assert problem.capacity["security_reviews"] == (1, 1, 2, 2, 2, 2)
    assert problem.capacity["integration"] == (4,) * 6
    assert problem.tollgates == frozenset({0, 2, 4})


def test_phases_can_shrink_and_deadlines_beyond_lapse() -> None:
    items = [{"key": "A", "deadline": 3}, {"key": "B", "deadline": 1}]
    problem = apply(make_problem(items, phases=4, freeze=[3]), "phases=3")
    assert problem.horizon == 3
    assert problem.item("A").deadline is None
    assert problem.item("B").deadline == 1
    assert problem.freeze == frozenset()


def test_shrinking_below_a_pin_is_refused() -> None:
    with pytest.raises(ScenarioError, match="E is pinned to phase 1 and would not finish"):
        apply(base(), "phases-2")
    with pytest.raises(ScenarioError, match="at least 1 phase"):
        apply(base(), "phases=0")


# --------------------------------------------------------------------------- apply


def test_apply_keeps_the_base_problems_options() -> None:
    problem = make_problem(ITEMS, include=["C"], force_out=["B"], budget=1000)
    scenario = apply(problem, "budget+10%")
    assert "C" in scenario.keys
    assert "C" in scenario.force_in
    assert "B" in scenario.force_out
    assert scenario.budget == (1100,) * 4


def test_apply_with_no_transform_rebuilds_the_same_problem() -> None:
    problem = base()
    assert apply(problem, []) == problem


def test_apply_to_a_portfolio_takes_build_options() -> None:
    portfolio = make_portfolio(ITEMS, budget=1000)
    problem = apply(portfolio, [Without("A")], include=["C"])
    assert "C" in problem.keys
    assert problem.force_out == frozenset({"A"})


def test_apply_leaves_the_base_untouched() -> None:
    problem = base()
    apply(problem, "budget-50%, without D, pin A 2, phases+1")
    assert problem.budget == (1000,) * 4
    assert problem.item("D").mandatory
    assert problem.item("A").pin is None
    assert problem.horizon == 4


# --------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("phases+²", "'²' is not a whole number (digits 0–9)"),
        ("capacity integration=٣", "'٣' is not a whole number (digits 0–9)"),
        ("budget-٢٠%", "'٢٠%' is not a percentage"),
        ("budget-1e3%", "'1e3%' is not a percentage"),
        ("budget+1_0%", "'1_0%' is not a percentage"),
        ("pin A ²", "'²' is not a phase: expected a phase number"),
        ("budget=10 in ٣", "'٣' is not a phase: expected a phase number"),
        ("capacity integration=+99999999999999999999", "at most 1,000,000"),
        ("budget=99999999999999999999", "at most 1,000,000,000,000"),
        ("total+" + "9" * 5000, "at most 1,000,000,000,000"),
        ("budget+10001%", "at most +10000%"),
        ("phases+401", "at most 400"),
        ("pin A 400", "at most 400 phases"),
    ],
)
def test_numbers_are_ascii_and_bounded_when_read(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_whatif(text)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("budget+10000%", "the budget of 2027Q1 would be 1,010,000,000,000, more than"),
        ("total+10000%", "the total budget would be 1,010,000,000,000, more than"),
        ("capacity integration=1000000 and capacity integration+1", "would be 1,000,001"),
        ("phases+300 and phases+300", "604 phases is more than the 400 allowed"),
    ],
)
def test_results_beyond_the_bounds_are_refused(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        apply(base(budget=10**10, total=10**10), text)
    assert message in str(err.value)


def test_resolve_phase_refuses_unicode_digits() -> None:
    phases = make_problem([{"key": "A"}], phases=8).phases
    with pytest.raises(ScenarioError, match="'²' is not a phase of this plan"):
        resolve_phase(phases, "²")
