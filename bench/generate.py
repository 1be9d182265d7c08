"""Seeded generator of realistic social-computing portfolios for the benchmarks.

See `generate_portfolio` for what an instance looks like; `mandatory_schedule` gives a
schedule of the mandatory part that proves an instance feasible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from planner.drivers import Driver, Judgment, pairs
from planner.portfolio import Portfolio, parse_portfolio
from planner.problem import AGILE_TEAMS, SECURITY_REVIEWS, WATERFALL_PROGRAMS, Item, Problem
from planner.problem import build_problem as _build_problem
from planner.roadmap import spend_by_phase

START = dt.date(2027, 1, 1)
NAMED_RESOURCES = ("integration", "data_engineering")

# key, title, hosting, data, personal data, uses per build phase
_FOUNDATIONS: tuple[tuple[str, str, str, str, bool, dict[str, int]], ...] = (
    ("SSO", "Single sign-on for SaaS applications", "on_prem", "internal", False,
     {"integration": 3}),
    ("DLP", "Data-loss prevention and privacy controls", "on_prem", "confidential", True,
     {"integration": 2, "data_engineering": 1}),
    ("INTEG", "SaaS integration layer (API gateway)", "hybrid", "internal", False,
     {"integration": 4}),
    ("IAM-GOV", "Identity governance and access reviews", "on_prem", "confidential", True,
     {"integration": 2}),
    ("CDP", "Customer data platform", "hybrid", "confidential", True,
     {"integration": 2, "data_engineering": 3}),
    ("CASB", "Cloud access security broker", "saas", "internal", False, {"integration": 2}),
    ("CONSENT", "Consent and preference management", "hybrid", "confidential", True,
     {"integration": 2, "data_engineering": 1}),
    ("ARCHIVE", "Records retention and e-discovery archive", "on_prem", "confidential", True,
     {"integration": 1, "data_engineering": 2}),
    ("SIEM", "Security monitoring of SaaS audit logs", "on_prem", "internal", False,
     {"integration": 2, "data_engineering": 1}),
    ("SEARCH", "Enterprise search index", "on_prem", "internal", False,
     {"integration": 2, "data_engineering": 2}),
    ("MDM", "Mobile device management", "saas", "internal", False, {"integration": 1}),
    ("DATA-LAKE", "Analytics data lake", "hybrid", "internal", False,
     {"integration": 1, "data_engineering": 4}),
)  # fmt: skip

_UNITS = (
    "Marketing", "Sales", "HR", "Finance", "Engineering", "Operations", "Legal", "Retail",
    "Field service", "R&D", "Procurement", "Supply chain", "Customer care", "IT",
)  # fmt: skip
_NETWORKS = (
    "Twitter", "Facebook", "LinkedIn", "Instagram", "YouTube", "TikTok", "Reddit", "WhatsApp",
)  # fmt: skip
_PRODUCTS = (
    "Aurora", "Borealis", "Cascade", "Delta", "Ember", "Fjord", "Glacier", "Harbor", "Ion",
    "Juniper",
)  # fmt: skip


@dataclass(frozen=True)
class _Category:
    prefix: str
    name: str
    titles: tuple[str, ...]
    hosting: Mapping[str, float]  # weights
    data: Mapping[str, float]  # weights
    personal: float  # probability of handling personal data
    waterfall: float  # probability of a waterfall cadence
    integration: tuple[int, int]  # range of use per build phase
    data_engineering: tuple[int, int]
    weight: float  # share of the portfolio


_CATEGORIES = (
    _Category(
        "SOC", "internal social",
        ("Internal blogging network for {unit}", "Internal social network for {unit}",
         "Enterprise wiki for {unit}", "Ideas and innovation hub for {unit}",
         "Executive blogging program for {unit}"),
        {"on_prem": 5, "saas": 3, "hybrid": 2}, {"internal": 8, "confidential": 2, "public": 1},
        0.1, 0.3, (0, 2), (0, 1), 3,
    ),
    _Category(
        "ENG", "customer engagement",
        ("Customer engagement on {network}", "Company page on {network}",
         "Influencer program on {network}", "Campaign publishing on {network}"),
        {"saas": 1}, {"public": 1}, 0.15, 0.1, (0, 1), (0, 1), 3,
    ),
    _Category(
        "LSN", "social listening",
        ("Social listening for {product}", "Sentiment analytics for {product}",
         "Outage and complaint monitoring on {network}", "Competitive intelligence on {network}"),
        {"saas": 7, "hybrid": 3}, {"internal": 6, "confidential": 4}, 0.2, 0.2, (1, 2), (1, 3), 2,
    ),
    _Category(
        "COM", "communities",
        ("Customer community for {product}", "Partner community for {product}",
         "Developer forum for {product}", "Alumni network for {unit}"),
        {"saas": 5, "hybrid": 3, "on_prem": 2}, {"internal": 6, "confidential": 4},
        0.8, 0.4, (1, 3), (0, 2), 2,
    ),
    _Category(
        "SUP", "social customer support",
        ("Social features in customer support for {product}", "Chat-based support for {product}",
         "Community answers in the {product} knowledge base"),
        {"hybrid": 6, "saas": 4}, {"internal": 5, "confidential": 5}, 0.9, 0.6, (2, 4), (0, 2),
        1.5,
    ),
    _Category(
        "COL", "collaboration",
        ("Team collaboration space for {unit}", "Video town halls for {unit}",
         "Document co-authoring for {unit}", "Employee advocacy app for {unit}"),
        {"saas": 6, "on_prem": 2, "hybrid": 2}, {"internal": 7, "confidential": 3},
        0.3, 0.35, (0, 2), (0, 1), 2,
    ),
)  # fmt: skip

_COMPLIANCE = (
    "Social media policy and guidance",
    "Records retention for social channels",
    "Accessibility of community sites",
    "Privacy notice for social logins",
    "Brand guidelines for public networks",
    "Moderation and escalation playbook",
)


def parse_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """Generated sizes as `NxP`, comma-separated (`200x12,1000x24`), for argparse."""
    out = []
    for part in text.split(","):
        try:
            n, phases = (int(x) for x in part.lower().split("x"))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"expected sizes like 200x12, got {part!r}") from exc
        out.append((n, phases))
    return tuple(out)


def generate_portfolio(n: int, phases: int, *, seed: int) -> Portfolio:
    """A realistic portfolio of `n` initiatives over `phases` phases, the same for a seed.

    What it holds (every figure drawn from the seeded generator):

    - calendar: quarters up to 12 phases, months beyond; waterfall tollgates every other
      phase (a list for quarters, an RRULE for months); a year-end freeze (Q4, or
      December) each year once the horizon has room for it;
    - foundations (`SSO`, `DLP`, `INTEG`, … about one per 25 initiatives, at least 3,
      later ones a second wave of an earlier one): waterfall, 2-3 quarters, expensive,
      modest value of their own; `SSO` is mandatory. Most other initiatives depend on one
      to three of them, the first ones much more often, and SaaS initiatives handling
      personal data usually on `DLP`;
    - the rest, from six categories (internal social, customer engagement, social
      listening, communities, social customer support, collaboration) with
      category-typical hosting, data class, personal data and cadence (about 30% are
      waterfall); a few depend on an earlier initiative of their category; about one in
      twelve comes as a build-vs-buy pair (`-BUILD` on-prem waterfall, dearer to build,
      cheaper to run; `-BUY` SaaS agile) that exclude each other;
    - money in whole units: capex 20k-400k (agile) or 150k-1.5M (waterfall), opex 2-8%
      of capex per quarter, value 8-45% of capex per quarter (per-month figures are a
      third); a few mandatory compliance initiatives (cheap, agile); about 8% with an
      earliest start and 8% with a deadline that leaves room;
    - policy: reviews for SaaS with personal data, confidential and restricted data;
      SaaS with restricted data forbidden (a few such initiatives, one in three with an
      approved exception, i.e. a passed review); some reviews already recorded as passed,
      passed with conditions or failed;
    - limits that bind: a per-phase budget ramping up by year whose sum is 45-60% of what
      scheduling everything as early as possible would spend, a total budget of 92% of
      that sum, and capacities of `integration`, `data_engineering`, `agile_teams`,
      `waterfall_programs` and `security_reviews` at 50-75% of that schedule's average
      demand (never below the largest single need).

    The mandatory part is checked to be schedulable (`mandatory_schedule`); an initiative
    that cannot be placed loses its mandatory flag, so every instance is feasible.
    """
    if n < 6:
        raise ValueError("a generated portfolio needs at least 6 initiatives")
    if phases < 4:
        raise ValueError("a generated portfolio needs at least 4 phases")
    rng = random.Random(f"townhall-bench/{n}/{phases}/{seed}")
    per_quarter = 1 if phases <= 12 else 3  # phases per quarter
    calendar = _calendar(phases, per_quarter)
    drafts = _initiatives(rng, n, phases, per_quarter)
    data: dict[str, Any] = {
        "version": 1,
        "name": f"Generated portfolio {n}x{phases} (seed {seed})",
        "calendar": calendar,
        "policy": {
            "review": ["saas_personal_data", "confidential", "restricted"],
            "forbid": ["saas_restricted"],
        },
        "initiatives": drafts,
    }
    early = _asap_starts(_build_problem(parse_portfolio(data)))
    _add_deadlines(rng, drafts, early, phases)
    problem = _build_problem(parse_portfolio(data))
    early = _asap_starts(problem)
    data["budget"] = _budget(rng, problem, early, per_quarter)
    data["capacity"] = _capacity(rng, problem, early)
    while True:
        portfolio = parse_portfolio(data)
        _, unplaced = mandatory_schedule(_build_problem(portfolio))
        if not unplaced:
            return portfolio
        for draft in drafts:
            if draft["key"] in unplaced:
                draft["mandatory"] = False
                draft.pop("deadline", None)


def mandatory_schedule(problem: Problem) -> tuple[dict[str, int], set[str]]:
    """Starts for everything that must be selected and its prerequisites, placed one by one.

    Each is put at its first start that keeps every rule of the model (dependencies,
    tollgates, freeze, window, budgets, capacities, reviews) given those placed before.
    Returns the starts and the keys that could not be placed (empty: the mandatory part
    of the problem is feasible, and the starts prove it).
    """
    by_key = {it.key: it for it in problem.items}
    ledger = _Ledger(problem)
    starts: dict[str, int] = {}
    unplaced: set[str] = set()
    for key in problem.in_dependency_order(problem.required_keys()):
        item = by_key[key]
        if problem.must_drop(item) or any(dep not in starts for dep in item.depends_on):
            unplaced.add(key)
            continue
        ready = max((starts[dep] + by_key[dep].duration for dep in item.depends_on), default=0)
        for s in problem.allowed_starts(item):
            if s >= ready and ledger.fits(item, s):
                ledger.add(item, s)
                starts[key] = s
                break
        else:
            unplaced.add(key)
    return starts, unplaced


# --------------------------------------------------------------------------- pieces


def _calendar(phases: int, per_quarter: int) -> dict[str, Any]:
    year = 4 * per_quarter
    calendar: dict[str, Any] = {
        "start": START.isoformat(),
        "phase": "quarter" if per_quarter == 1 else "month",
        "phases": phases,
    }
    if per_quarter == 1:
        calendar["tollgates"] = list(range(0, phases, 2))
    else:
        calendar["tollgates"] = "FREQ=MONTHLY;INTERVAL=2"
    # the last phase of each year, when the year has a phase left after it or is whole
    freeze = [p for p in range(year - 1, phases, year) if p >= 3]
    if freeze:
        calendar["freeze"] = freeze
    return calendar


def _money(low: float, high: float, rng: random.Random, step: int = 5000) -> int:
    """Log-uniform amount in [low, high], rounded to `step`."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return max(step, round(value / step) * step)


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[k] for k in names])[0]


def _duration(rng: random.Random, low: int, high: int, phases: int, per_quarter: int) -> int:
    """A duration drawn in quarters, converted to phases and clamped to the horizon."""
    quarters = rng.randint(low, high)
    d = quarters if per_quarter == 1 else rng.randint(max(1, 3 * quarters - 2), 3 * quarters)
    return max(1, min(d, 6, phases // 2))


def _economics(
    rng: random.Random, capex: int, per_quarter: int, *, value: tuple[float, float]
) -> tuple[int, int]:
    """Opex and value per phase for a capex."""
    opex = max(1000, round(capex * rng.uniform(0.02, 0.08) / per_quarter / 1000) * 1000)
    benefit = max(1000, round(capex * rng.uniform(*value) / per_quarter / 1000) * 1000)
    return opex, benefit


def _foundations(
    rng: random.Random, count: int, phases: int, per_quarter: int
) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        key, title, hosting, data, personal, uses = _FOUNDATIONS[i % len(_FOUNDATIONS)]
        wave = i // len(_FOUNDATIONS) + 1
        capex = _money(300_000, 1_200_000, rng)
        opex, value = _economics(rng, capex, per_quarter, value=(0.03, 0.10))
        draft: dict[str, Any] = {
            "key": key if wave == 1 else f"{key}-{wave}",
            "title": title if wave == 1 else f"{title}, wave {wave}",
            "category": "foundation",
            "cadence": "waterfall",
            "duration": _duration(rng, 2, 3, phases, per_quarter),
            "capex": capex,
            "opex": opex,
            "value": value,
            "hosting": hosting,
            "data": data,
            "personal_data": personal,
            "uses": dict(uses),
        }
        if wave > 1:
            draft["depends_on"] = [key if wave == 2 else f"{key}-{wave - 1}"]
        if i == 0:
            draft["mandatory"] = True
        out.append(draft)
    return out


def _compliance(
    rng: random.Random, index: int, number: int, phases: int, per_quarter: int
) -> dict[str, Any]:
    capex = _money(20_000, 80_000, rng)
    opex, value = _economics(rng, capex, per_quarter, value=(0.02, 0.10))
    title = _COMPLIANCE[index % len(_COMPLIANCE)]
    return {
        "key": f"GOV-{number}",
        "title": title if index < len(_COMPLIANCE) else f"{title} (update {number})",
        "category": "governance",
        "cadence": "agile",
        "duration": _duration(rng, 1, 1, phases, per_quarter),
        "capex": capex,
        "opex": opex,
        "value": value,
        "hosting": "on_prem",
        "data": "public",
        "mandatory": True,
    }


def _initiative(
    rng: random.Random, category: _Category, number: int, phases: int, per_quarter: int
) -> dict[str, Any]:
    title = rng.choice(category.titles).format(
        unit=rng.choice(_UNITS), network=rng.choice(_NETWORKS), product=rng.choice(_PRODUCTS)
    )
    waterfall = rng.random() < category.waterfall
    capex = _money(150_000, 1_500_000, rng) if waterfall else _money(20_000, 400_000, rng)
    opex, value = _economics(rng, capex, per_quarter, value=(0.08, 0.45))
    draft: dict[str, Any] = {
        "key": f"{category.prefix}-{number}",
        "title": title,
        "category": category.name,
        "cadence": "waterfall" if waterfall else "agile",
        "duration": _duration(rng, 2, 4, phases, per_quarter)
        if waterfall
        else _duration(rng, 1, 2, phases, per_quarter),
        "capex": capex,
        "opex": opex,
        "value": value,
        "hosting": _pick(rng, category.hosting),
        "data": _pick(rng, category.data),
        "personal_data": rng.random() < category.personal,
    }
    uses = {
        "integration": rng.randint(*category.integration),
        "data_engineering": rng.randint(*category.data_engineering),
    }
    draft["uses"] = {k: v for k, v in uses.items() if v}
    if not waterfall and rng.random() < 0.25:
        draft["teams"] = 2
    return draft


def _build_vs_buy(base: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Two exclusive ways to deliver the same initiative."""
    build = dict(base)
    buy = dict(base)
    build.update(
        key=base["key"] + "-BUILD",
        title=f"{base['title']} (build, self-hosted)",
        cadence="waterfall",
        hosting="on_prem",
        capex=round(base["capex"] * 1.6 / 5000) * 5000,
        opex=max(1000, round(base["opex"] * 0.6 / 1000) * 1000),
        duration=max(base["duration"], 2),
        uses={
            **base.get("uses", {}),
            "integration": base.get("uses", {}).get("integration", 0) + 1,
        },
    )
    build.pop("teams", None)
    buy.update(
        key=base["key"] + "-BUY",
        title=f"{base['title']} (buy, SaaS)",
        cadence="agile",
        hosting="saas",
        capex=max(5000, round(base["capex"] * 0.5 / 5000) * 5000),
        opex=round(base["opex"] * 1.8 / 1000) * 1000 + 1000,
        value=round(base["value"] * rng.uniform(0.85, 1.0) / 1000) * 1000,
        duration=max(1, base["duration"] - 1),
        excludes=[build["key"]],
    )
    return [build, buy]


def _initiatives(rng: random.Random, n: int, phases: int, per_quarter: int) -> list[dict[str, Any]]:
    n_found = max(3, min(2 * len(_FOUNDATIONS), round(n / 25)))
    n_gov = max(1, round(n / 40))
    drafts = _foundations(rng, n_found, phases, per_quarter)
    foundation_keys = [d["key"] for d in drafts]
    popularity = [1 / (rank + 1) for rank in range(len(foundation_keys))]
    drafts += [_compliance(rng, i, i + 1, phases, per_quarter) for i in range(n_gov)]
    drafts[-1]["depends_on"] = ["SSO"]  # a compliance rule for the new single sign-on
    restricted = max(1, round(n / 50))
    number = 0
    by_category: dict[str, list[str]] = {}
    while len(drafts) < n:
        number += 1
        category = rng.choices(_CATEGORIES, weights=[c.weight for c in _CATEGORIES])[0]
        draft = _initiative(rng, category, number, phases, per_quarter)
        if restricted and category.prefix == "COL" and draft["hosting"] == "saas":
            restricted -= 1
            draft.update(
                title=f"Restricted HR data in a SaaS collaboration tool ({draft['title']})",
                data="restricted",
                personal_data=True,
            )
            if rng.random() < 1 / 3:
                draft.update(review="passed", review_note="approved exception: EU-hosted tenant")
            else:
                draft["review"] = None  # not reviewed: the policy forbids it
        deps = _draw_dependencies(rng, draft, foundation_keys, popularity)
        earlier = by_category.get(category.prefix, [])
        if earlier and rng.random() < 0.1:
            deps.append(rng.choice(earlier[-20:]))
        if deps:
            draft["depends_on"] = deps
        if "review" not in draft:
            _record_review(rng, draft)
        elif draft["review"] is None:
            del draft["review"]
        if rng.random() < 0.08:
            draft["earliest"] = rng.randint(1, max(1, phases // 3))
        if len(drafts) + 2 <= n and rng.random() < 1 / 12:
            pair = _build_vs_buy(draft, rng)
            drafts += pair
        else:
            pair = [draft]
            drafts.append(draft)
        by_category.setdefault(category.prefix, []).append(pair[0]["key"])
    return drafts


def _draw_dependencies(
    rng: random.Random, draft: dict[str, Any], foundations: list[str], popularity: list[float]
) -> list[str]:
    count = rng.choices((0, 1, 2, 3), weights=(30, 40, 25, 5))[0]
    chosen: list[str] = []
    while len(chosen) < min(count, len(foundations)):
        key = rng.choices(foundations, weights=popularity)[0]
        if key not in chosen:
            chosen.append(key)
    exposed = draft["hosting"] == "saas" and draft["personal_data"]
    if exposed and "DLP" not in chosen and rng.random() < 0.7:
        chosen.append("DLP")
    return chosen


def _record_review(rng: random.Random, draft: dict[str, Any]) -> None:
    sensitive = draft["data"] in ("confidential", "restricted") or (
        draft["hosting"] == "saas" and draft["personal_data"]
    )
    if not sensitive:
        return
    roll = rng.random()
    if roll < 0.15:
        draft["review"] = "passed"
    elif roll < 0.20:
        draft.update(review="conditions", review_note="quarterly access recertification")
    elif roll < 0.23:
        draft.update(review="failed", review_note="vendor stores data outside approved regions")


def _asap_starts(problem: Problem) -> dict[str, int]:
    """Every schedulable item at its first allowed start after its prerequisites.

    Budgets and capacities are ignored: this is the "everything, as early as possible"
    plan that the limits are then cut from.
    """
    by_key = {it.key: it for it in problem.items}
    starts: dict[str, int] = {}
    for key in problem.in_dependency_order(by_key):
        item = by_key[key]
        if problem.must_drop(item) or any(dep not in starts for dep in item.depends_on):
            continue
        ready = max((starts[d] + by_key[d].duration for d in item.depends_on), default=0)
        first = next((s for s in problem.allowed_starts(item) if s >= ready), None)
        if first is not None:
            starts[key] = first
    return starts


def _add_deadlines(
    rng: random.Random, drafts: list[dict[str, Any]], early: Mapping[str, int], phases: int
) -> None:
    """Deadlines (last go-live phase) on about 8% of initiatives, with some slack."""
    for draft in drafts:
        key = draft["key"]
        if key not in early or draft.get("excludes") or rng.random() >= 0.08:
            continue
        live = early[key] + draft["duration"] - 1
        deadline = min(phases - 1, live + rng.randint(1, max(1, phases // 3)))
        draft["deadline"] = deadline


def _budget(
    rng: random.Random, problem: Problem, early: Mapping[str, int], per_quarter: int
) -> dict[str, Any]:
    spend = sum(spend_by_phase(problem, early), Fraction(0))
    share = rng.uniform(0.45, 0.60)
    year = 4 * per_quarter
    ramp = [1.0 + 0.08 * (p // year) - (0.1 if p < per_quarter * 2 else 0.0)
            for p in range(problem.horizon)]  # fmt: skip
    scale = float(spend) * share / sum(ramp)
    per_phase = [max(5000, round(scale * r / 5000) * 5000) for r in ramp]
    return {"per_phase": per_phase, "total": round(sum(per_phase) * 0.92 / 5000) * 5000}


def _capacity(rng: random.Random, problem: Problem, early: Mapping[str, int]) -> dict[str, int]:
    items = [problem.item(k) for k in early]
    P = problem.horizon
    out: dict[str, int] = {}
    for resource in (*NAMED_RESOURCES, AGILE_TEAMS, WATERFALL_PROGRAMS):
        demand = sum(it.use(resource) * it.duration for it in items) / P
        largest = max((it.use(resource) for it in items), default=0)
        out[resource] = max(1, largest, math.ceil(demand * rng.uniform(0.50, 0.75)))
    reviews = sum(1 for it in items if it.needs_review) / P
    out[SECURITY_REVIEWS] = max(1, math.ceil(reviews * rng.uniform(0.50, 0.75)))
    return out


class _Ledger:
    """Spend and resource use of the items placed so far, to test one more."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        P = problem.horizon
        self.spend = [Fraction(0)] * P
        self.use = {r: [0] * P for r in problem.capacity}

    def _changes(self, item: Item, start: int) -> tuple[dict[int, Fraction], dict[str, dict]]:
        P = self.problem.horizon
        money: dict[int, Fraction] = {}
        for p in range(start, start + item.duration):
            money[p] = item.capex_share()
        for p in range(start + item.duration, P):
            money[p] = Fraction(item.opex)
        use: dict[str, dict[int, int]] = {}
        for r in self.use:
            if r == SECURITY_REVIEWS:
                if item.needs_review:
                    use[r] = {start: 1}
            elif item.use(r):
                use[r] = {p: item.use(r) for p in range(start, start + item.duration)}
        return money, use

    def fits(self, item: Item, start: int) -> bool:
        problem = self.problem
        money, use = self._changes(item, start)
        for p, amount in money.items():
            budget = problem.budget[p]
            if budget is not None and self.spend[p] + amount > budget:
                return False
        total = problem.total_budget
        if total is not None and sum(self.spend, Fraction(0)) + sum(money.values()) > total:
            return False
        for r, by_phase in use.items():
            for p, amount in by_phase.items():
                cap = problem.capacity_at(r, p)
                if cap is not None and self.use[r][p] + amount > cap:
                    return False
        return True

    def add(self, item: Item, start: int) -> None:
        money, use = self._changes(item, start)
        for p, amount in money.items():
            self.spend[p] += amount
        for r, by_phase in use.items():
            for p, amount in by_phase.items():
                self.use[r][p] += amount


#: The drivers a generated portfolio is scored against (`with_drivers`).
BENCH_DRIVERS = (
    Driver("engage", "Customer engagement"),
    Driver("collaborate", "Employee collaboration"),
    Driver("secure", "Security and compliance"),
    Driver("cost", "Cost efficiency"),
)


def with_drivers(portfolio: Portfolio, *, seed: int) -> Portfolio:
    """The portfolio with business drivers, when it has none: `BENCH_DRIVERS`, complete
    judgments from two leaders who lean different ways (each ratio drawn from Saaty's
    scale, so their consistency varies as real answers do), and an impact score 0-5 per
    initiative and driver, drawn around a per-category profile. Same seed, same result."""
    if portfolio.drivers:
        return portfolio
    rng = random.Random(f"townhall-bench/drivers/{portfolio.name}/{seed}")
    keys = [d.key for d in BENCH_DRIVERS]
    judgments = []
    for person, favourite in (("U0CIO", "secure"), ("U0CMO", "engage")):
        for a, b in pairs(keys):
            k = rng.randint(1, 5)
            if favourite == a:
                ratio = Fraction(k + 2)
            elif favourite == b:
                ratio = Fraction(1, k + 2)
            else:
                ratio = Fraction(k) if rng.random() < 0.5 else Fraction(1, k)
            judgments.append(Judgment(person, a, b, ratio))
    profiles: dict[str, dict[str, int]] = {}
    initiatives = []
    for spec in portfolio.initiatives:
        profile = profiles.setdefault(spec.category, {key: rng.randint(0, 5) for key in keys})
        scores = {key: min(5, max(0, profile[key] + rng.randint(-2, 2))) for key in keys}
        initiatives.append(replace(spec, scores={k: v for k, v in scores.items() if v}))
    return replace(
        portfolio,
        drivers=BENCH_DRIVERS,
        judgments=tuple(judgments),
        initiatives=tuple(initiatives),
    )
