"""Portfolio files, version 1 (DESIGN §5): typed records, validation, YAML/JSON in and out.

A `Portfolio` is what a user writes: settings plus initiatives, with defaults filled in.
`load_portfolio` / `parse_portfolio` validate everything at once and raise a single
`PortfolioError` listing every defect (initiative, field, what was expected); nothing
partial is ever returned. `portfolio_to_dict` writes the same format back, so that
load → dump → load is lossless.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from planner.errors import PortfolioError

CADENCES = ("waterfall", "agile")
HOSTINGS = ("saas", "on_prem", "hybrid")
DATA_CLASSES = ("public", "internal", "confidential", "restricted")
PHASE_KINDS = ("quarter", "month", "sprint")
REVIEW_OUTCOMES = ("passed", "conditions", "failed")
STATUSES = (
    "proposed",
    "changes_requested",
    "approved",
    "scheduled",
    "in_progress",
    "done",
    "rejected",
    "withdrawn",
)
#: Statuses whose initiatives the planner schedules.
PLANNABLE_STATUSES = ("approved", "scheduled", "in_progress")
#: Resources computed by the model itself; they cannot appear under `uses`.
BUILTIN_RESOURCES = ("security_reviews", "agile_teams", "waterfall_programs")
KEY_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
RESOURCE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Policy rules: a hosting, a data condition, or `hosting_condition` (e.g. saas_personal_data).
_RULE_CONDITIONS = ("personal_data", *DATA_CLASSES)


def policy_rule_matches(rule: str, *, hosting: str, data: str, personal_data: bool) -> bool:
    """True when an initiative with these attributes falls under a policy rule."""
    host, cond = split_policy_rule(rule)
    if host is not None and host != hosting:
        return False
    if cond is None:
        return True
    if cond == "personal_data":
        return personal_data
    return data == cond


def split_policy_rule(rule: str) -> tuple[str | None, str | None]:
    """Split `saas_personal_data` into ("saas", "personal_data"); raise ValueError if unknown."""
    if rule in HOSTINGS:
        return rule, None
    if rule in _RULE_CONDITIONS:
        return None, rule
    for host in HOSTINGS:
        rest = rule.removeprefix(host + "_")
        if rest != rule and rest in _RULE_CONDITIONS:
            return host, rest
    raise ValueError(rule)


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    phases: int
    phase: str = "quarter"
    tollgates: tuple[int, ...] | str | None = None  # None: every phase; str: an RRULE
    freeze: tuple[int, ...] = ()
    fiscal_year_start: int = 1  # month the fiscal year starts in


@dataclass(frozen=True)
class Budget:
    per_phase: int | tuple[int, ...] | None = None  # None: unlimited
    total: int | None = None


@dataclass(frozen=True)
class Policy:
    review: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()


@dataclass(frozen=True)
class InitiativeSpec:
    """One initiative exactly as the portfolio states it (defaults filled in)."""

    key: str
    title: str
    duration: int
    value: int
    summary: str = ""
    category: str = ""
    status: str = "approved"
    proposer: str | None = None
    owner: str | None = None
    cadence: str = "waterfall"
    capex: int = 0
    opex: int = 0
    hosting: str = "on_prem"
    data: str = "internal"
    personal_data: bool = False
    security_review: bool | None = None  # True / False override the policy
    review: str | None = None  # recorded outcome: passed | conditions | failed
    review_note: str = ""
    uses: Mapping[str, int] = field(default_factory=dict)
    teams: int = 1
    depends_on: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    mandatory: bool = False
    earliest: int = 0
    deadline: int | None = None  # last allowed go-live phase; None: end of horizon
    pin: int | None = None


#: Every field of an initiative, in `InitiativeSpec` order: the one list the exports'
#: columns and the bot's initiative form are derived from.
INITIATIVE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(InitiativeSpec))


@dataclass(frozen=True)
class Portfolio:
    calendar: Calendar
    initiatives: tuple[InitiativeSpec, ...]
    name: str = "Portfolio"
    budget: Budget = field(default_factory=Budget)
    capacity: Mapping[str, int | tuple[int, ...]] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)

    def initiative(self, key: str) -> InitiativeSpec:
        for item in self.initiatives:
            if item.key == key:
                return item
        raise KeyError(key)

    def with_initiatives(self, initiatives: tuple[InitiativeSpec, ...]) -> Portfolio:
        return replace(self, initiatives=initiatives)


# --------------------------------------------------------------------------- reading


def load_portfolio(path: str | Path) -> Portfolio:
    """Read a YAML (.yaml/.yml) or JSON (.json) portfolio file and validate it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PortfolioError([f"cannot read {path}: {exc.strerror or exc}"]) from exc
    return parse_portfolio_text(
        text, fmt="json" if path.suffix.lower() == ".json" else "yaml", source=str(path)
    )


def parse_portfolio_text(text: str, *, fmt: str = "yaml", source: str = "portfolio") -> Portfolio:
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise PortfolioError([f"{source} is not valid {fmt.upper()}: {exc}"]) from exc
    return parse_portfolio(data)


def parse_portfolio(data: Any) -> Portfolio:
    """Validate a mapping in the version 1 format; raise PortfolioError listing every defect."""
    return _Reader().portfolio(data)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    # --- small typed readers; each records a problem and returns None on bad input
    def fail(self, where: str, expected: str, got: Any) -> None:
        self.problems.append(f"{where}: expected {expected}, got {_show(got)}")

    def integer(
        self, where: str, value: Any, *, minimum: int | None = None, what: str = "a whole number"
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(where, what if minimum is None else f"{what} ≥ {minimum}", value)
                return None
        if minimum is not None and value < minimum:
            self.fail(where, f"{what} ≥ {minimum}", value)
            return None
        return value

    def money(self, where: str, value: Any) -> int | None:
        return self.integer(where, value, minimum=0, what="whole currency units")

    def boolean(self, where: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.fail(where, "true or false", value)
            return None
        return value

    def text(self, where: str, value: Any, *, allow_empty: bool = True) -> str | None:
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.fail(where, "text" if allow_empty else "non-empty text", value)
            return None
        return value.strip() if not allow_empty else value

    def choice(self, where: str, value: Any, options: tuple[str, ...]) -> str | None:
        if value not in options:
            self.fail(where, "one of " + ", ".join(options), value)
            return None
        return value

    def mapping(self, where: str, value: Any, allowed: tuple[str, ...] | None) -> dict | None:
        if not isinstance(value, dict):
            self.fail(where, "a mapping", value)
            return None
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    self.problems.append(
                        f"{where}: unknown field '{name}' (known: {', '.join(allowed)})"
                    )
        return value

    def str_list(self, where: str, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, "a list of keys", value)
            return None
        return tuple(v.strip().upper() for v in value)

    def phase_list(self, where: str, value: Any, phases: int | None) -> tuple[int, ...] | None:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(where, "a list of phase indices", value)
            return None
        out = []
        for i, v in enumerate(value):
            n = self.integer(f"{where}[{i}]", v, minimum=0, what="a phase index")
            if n is not None and phases is not None and n >= phases:
                self.fail(f"{where}[{i}]", f"a phase index below {phases} (phases are 0-based)", n)
                n = None
            if n is not None:
                out.append(n)
        return tuple(sorted(set(out)))

    def per_phase(
        self, where: str, value: Any, phases: int | None, *, money: bool
    ) -> int | tuple[int, ...] | None:
        read = self.money if money else (lambda w, v: self.integer(w, v, minimum=0))
        if isinstance(value, list):
            if phases is not None and len(value) != phases:
                self.problems.append(
                    f"{where}: expected one number or a list of {phases} numbers "
                    f"(one per phase), got a list of {len(value)}"
                )
                return None
            items = [read(f"{where}[{i}]", v) for i, v in enumerate(value)]
            if any(v is None for v in items):
                return None
            return tuple(int(v) for v in items if v is not None)
        return read(where, value)

    # --- sections
    def portfolio(self, data: Any) -> Portfolio:
        top = ("version", "name", "calendar", "budget", "capacity", "policy", "initiatives")
        if self.mapping("portfolio", data, top) is None:
            raise PortfolioError(self.problems)
        if data.get("version") != 1:
            self.fail("version", "1", data.get("version"))
        name = self.text("name", data.get("name", "Portfolio"), allow_empty=False) or "Portfolio"
        calendar = self.calendar(data.get("calendar"))
        phases = calendar.phases if calendar else None
        budget = self.budget(data.get("budget") or {}, phases)
        capacity = self.capacity(data.get("capacity") or {}, phases)
        policy = self.policy(data.get("policy") or {})
        initiatives = self.initiatives(data.get("initiatives"), phases)
        if self.problems or calendar is None or initiatives is None:
            raise PortfolioError(self.problems)
        return Portfolio(
            name=name,
            calendar=calendar,
            budget=budget or Budget(),
            capacity=capacity or {},
            policy=policy or Policy(),
            initiatives=initiatives,
        )

    def calendar(self, data: Any) -> Calendar | None:
        allowed = ("start", "phase", "phases", "tollgates", "freeze", "fiscal_year_start")
        if data is None:
            self.problems.append("calendar: missing (needs at least start and phases)")
            return None
        if self.mapping("calendar", data, allowed) is None:
            return None
        start = data.get("start")
        if isinstance(start, str):
            with contextlib.suppress(ValueError):
                start = dt.date.fromisoformat(start)
        if isinstance(start, dt.datetime):
            start = start.date()
        if not isinstance(start, dt.date):
            self.fail("calendar.start", "a date like 2027-01-01", start)
        phases = self.integer(
            "calendar.phases", data.get("phases"), minimum=1, what="a number of phases"
        )
        kind = self.choice("calendar.phase", data.get("phase", "quarter"), PHASE_KINDS)
        raw_gates = data.get("tollgates")
        tollgates: tuple[int, ...] | str | None
        if raw_gates is None:
            tollgates = None
        elif isinstance(raw_gates, str):
            tollgates = raw_gates.strip()
            try:
                from dateutil.rrule import rrulestr

                rrulestr(tollgates, dtstart=dt.datetime(2000, 1, 1))
            except (ValueError, TypeError) as exc:
                self.fail("calendar.tollgates", f"a list of phases or an RRULE ({exc})", raw_gates)
        else:
            tollgates = self.phase_list("calendar.tollgates", raw_gates, phases)
        freeze = self.phase_list("calendar.freeze", data.get("freeze"), phases)
        fy = self.integer(
            "calendar.fiscal_year_start",
            data.get("fiscal_year_start", 1),
            minimum=1,
            what="a month number 1-12",
        )
        if fy is not None and fy > 12:
            self.fail("calendar.fiscal_year_start", "a month number 1-12", fy)
        if not isinstance(start, dt.date) or phases is None or kind is None or freeze is None:
            return None
        return Calendar(
            start=start,
            phases=phases,
            phase=kind,
            tollgates=tollgates,
            freeze=freeze,
            fiscal_year_start=fy or 1,
        )

    def budget(self, data: Any, phases: int | None) -> Budget | None:
        if self.mapping("budget", data, ("per_phase", "total")) is None:
            return None
        per_phase = data.get("per_phase")
        if per_phase is not None:
            per_phase = self.per_phase("budget.per_phase", per_phase, phases, money=True)
        total = data.get("total")
        if total is not None:
            total = self.money("budget.total", total)
        return Budget(per_phase=per_phase, total=total)

    def capacity(self, data: Any, phases: int | None) -> dict[str, int | tuple[int, ...]] | None:
        if self.mapping("capacity", data, None) is None:
            return None
        out: dict[str, int | tuple[int, ...]] = {}
        for name, value in data.items():
            if not isinstance(name, str) or not RESOURCE_RE.match(name):
                self.fail("capacity", "resource names in lower case (e.g. integration)", name)
                continue
            cap = self.per_phase(f"capacity.{name}", value, phases, money=False)
            if cap is not None:
                out[name] = cap
        return out

    def policy(self, data: Any) -> Policy | None:
        if self.mapping("policy", data, ("review", "forbid")) is None:
            return None
        lists = {}
        for part in ("review", "forbid"):
            rules = data.get(part) or []
            if not isinstance(rules, list):
                self.fail(f"policy.{part}", "a list of rules", rules)
                continue
            good = []
            for rule in rules:
                try:
                    split_policy_rule(rule)
                    good.append(rule)
                except (ValueError, TypeError):
                    self.fail(
                        f"policy.{part}",
                        "rules like saas_personal_data, confidential, saas_restricted "
                        f"(a hosting {'/'.join(HOSTINGS)}, a condition "
                        f"{'/'.join(_RULE_CONDITIONS)}, or hosting_condition)",
                        rule,
                    )
            lists[part] = tuple(good)
        return Policy(review=lists.get("review", ()), forbid=lists.get("forbid", ()))

    def initiatives(self, data: Any, phases: int | None) -> tuple[InitiativeSpec, ...] | None:
        if not isinstance(data, list):
            self.fail("initiatives", "a list of initiatives", data)
            return None
        specs: list[InitiativeSpec] = []
        links: dict[str, dict[str, tuple[str, ...]]] = {}  # key → depends_on / excludes
        seen: dict[str, int] = {}
        for index, item in enumerate(data):
            spec, key = self.initiative(index, item, phases)
            if key is None:
                continue
            if key in seen:
                self.problems.append(
                    f"initiative {key}: duplicate key (also initiative #{seen[key] + 1})"
                )
                continue
            seen[key] = index
            links[key] = (
                {
                    name: tuple(
                        str(v).strip().upper() for v in item.get(name) or () if isinstance(v, str)
                    )
                    for name in ("depends_on", "excludes")
                }
                if isinstance(item.get("depends_on") or [], list)
                and isinstance(item.get("excludes") or [], list)
                else {"depends_on": (), "excludes": ()}
            )
            if spec is not None:
                specs.append(spec)
        self.links(links)
        return tuple(specs)

    def initiative(
        self, index: int, data: Any, phases: int | None
    ) -> tuple[InitiativeSpec | None, str | None]:
        """The spec (None if invalid) and the key (None if the key itself is bad)."""
        names = tuple(f.name for f in fields(InitiativeSpec))
        label = f"initiative #{index + 1}"
        if not isinstance(data, dict):
            self.fail(label, "a mapping with key, title, duration and value", data)
            return None, None
        raw_key = data.get("key")
        if isinstance(raw_key, str) and KEY_RE.match(raw_key.strip().upper()):
            key = raw_key.strip().upper()
            label = f"initiative {key}"
        else:
            self.fail(f"{label}: field 'key'", "letters, digits and dashes (e.g. SOC-7)", raw_key)
            key = None
        before = len(self.problems)
        self.mapping(label, data, names)
        for required in ("title", "duration", "value"):
            if required not in data:
                self.problems.append(f"{label}: field '{required}' is missing")
        got: dict[str, Any] = {}
        checks = {
            "title": lambda w, v: self.text(w, v, allow_empty=False),
            "summary": self.text,
            "category": self.text,
            "review_note": self.text,
            "proposer": lambda w, v: None if v is None else self.text(w, v),
            "owner": lambda w, v: None if v is None else self.text(w, v),
            "status": lambda w, v: self.choice(w, v, STATUSES),
            "cadence": lambda w, v: self.choice(w, v, CADENCES),
            "hosting": lambda w, v: self.choice(w, v, HOSTINGS),
            "data": lambda w, v: self.choice(w, v, DATA_CLASSES),
            "review": lambda w, v: None if v is None else self.choice(w, v, REVIEW_OUTCOMES),
            "duration": lambda w, v: self.integer(w, v, minimum=1, what="a number of phases"),
            "value": self.money,
            "capex": self.money,
            "opex": self.money,
            "teams": lambda w, v: self.integer(w, v, minimum=0, what="a number of teams"),
            "earliest": lambda w, v: self.integer(w, v, minimum=0, what="a phase index"),
            "deadline": lambda w, v: (
                None if v is None else self.integer(w, v, minimum=0, what="a phase index")
            ),
            "pin": lambda w, v: (
                None if v is None else self.integer(w, v, minimum=0, what="a phase index")
            ),
            "personal_data": self.boolean,
            "mandatory": self.boolean,
            "security_review": lambda w, v: None if v is None else self.boolean(w, v),
            "depends_on": self.str_list,
            "excludes": self.str_list,
        }
        for name, check in checks.items():
            if name in data:
                got[name] = check(f"{label}: field '{name}'", data[name])
        if "uses" in data:
            got["uses"] = self.uses(label, data["uses"])
        if phases is not None:
            self.horizon(label, got, phases)
        if key is None or len(self.problems) > before:
            return None, key
        return InitiativeSpec(key=key, **{k: v for k, v in got.items() if k != "key"}), key

    def uses(self, label: str, value: Any) -> dict[str, int]:
        where = f"{label}: field 'uses'"
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(where, "a mapping of resource to amount per build phase", value)
            return {}
        out = {}
        for name, amount in value.items():
            if name in BUILTIN_RESOURCES:
                hint = (
                    "set 'teams' instead"
                    if name == "agile_teams"
                    else "the planner counts it itself"
                )
                self.problems.append(f"{where}: '{name}' is a built-in resource ({hint})")
                continue
            if not isinstance(name, str) or not RESOURCE_RE.match(name):
                self.fail(where, "resource names in lower case (e.g. integration)", name)
                continue
            n = self.integer(f"{where}.{name}", amount, minimum=0, what="a whole amount")
            if n is not None:
                out[name] = n
        return out

    def horizon(self, label: str, got: dict[str, Any], phases: int) -> None:
        duration = got.get("duration")
        if duration is not None and duration > phases:
            self.problems.append(
                f"{label}: field 'duration': {duration} phases is beyond the horizon of "
                f"{phases} phases"
            )
        for name in ("earliest", "deadline", "pin"):
            value = got.get(name)
            if value is not None and value >= phases:
                self.problems.append(
                    f"{label}: field '{name}': expected a phase index below {phases} "
                    f"(phases are 0-based), got {value}"
                )
        pin, dur = got.get("pin"), duration or 1
        if pin is not None and pin < phases and pin + dur > phases:
            self.problems.append(
                f"{label}: field 'pin': starting in phase {pin}, {dur} phases do not finish "
                f"inside the horizon of {phases} phases"
            )

    def links(self, links: dict[str, dict[str, tuple[str, ...]]]) -> None:
        graph = nx.DiGraph()
        graph.add_nodes_from(links)
        for key, named in links.items():
            for name, others in named.items():
                for other in others:
                    if other == key:
                        self.problems.append(
                            f"initiative {key}: field '{name}' names the initiative itself"
                        )
                    elif other not in links:
                        self.problems.append(
                            f"initiative {key}: field '{name}' names unknown key '{other}'"
                        )
                    elif name == "depends_on":
                        graph.add_edge(other, key)
        for cycle in _cycles(graph):
            path = " → ".join([*cycle, cycle[0]])
            self.problems.append(f"dependency cycle: {path} (depends_on must not loop)")


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One representative cycle per strongly connected component with a loop."""
    out = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        sub = graph.subgraph(component)
        cycle = nx.find_cycle(sub, source=min(component))
        keys = [edge[0] for edge in cycle]
        first = keys.index(min(keys))
        out.append(keys[first:] + keys[:first])
    return sorted(out)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    return f"{value!r} ({type(value).__name__})"


# --------------------------------------------------------------------------- writing


def portfolio_to_dict(portfolio: Portfolio) -> dict[str, Any]:
    """The version 1 mapping of a portfolio; fields at their default are left out."""
    cal = portfolio.calendar
    calendar: dict[str, Any] = {
        "start": cal.start.isoformat(),
        "phase": cal.phase,
        "phases": cal.phases,
    }
    if cal.tollgates is not None:
        calendar["tollgates"] = (
            cal.tollgates if isinstance(cal.tollgates, str) else list(cal.tollgates)
        )
    if cal.freeze:
        calendar["freeze"] = list(cal.freeze)
    if cal.fiscal_year_start != 1:
        calendar["fiscal_year_start"] = cal.fiscal_year_start
    out: dict[str, Any] = {"version": 1, "name": portfolio.name, "calendar": calendar}
    budget: dict[str, Any] = {}
    if portfolio.budget.per_phase is not None:
        budget["per_phase"] = _plain(portfolio.budget.per_phase)
    if portfolio.budget.total is not None:
        budget["total"] = portfolio.budget.total
    if budget:
        out["budget"] = budget
    if portfolio.capacity:
        out["capacity"] = {k: _plain(v) for k, v in portfolio.capacity.items()}
    policy = {
        k: list(v)
        for k, v in (("review", portfolio.policy.review), ("forbid", portfolio.policy.forbid))
        if v
    }
    if policy:
        out["policy"] = policy
    out["initiatives"] = [initiative_to_dict(s) for s in portfolio.initiatives]
    return out


def initiative_to_dict(spec: InitiativeSpec) -> dict[str, Any]:
    defaults = InitiativeSpec(key="", title="", duration=1, value=0)
    out: dict[str, Any] = {}
    for f in fields(InitiativeSpec):
        value = getattr(spec, f.name)
        if f.name in ("key", "title", "duration", "value") or value != getattr(defaults, f.name):
            out[f.name] = _plain(value)
    return out


def dump_portfolio(portfolio: Portfolio, *, fmt: str = "yaml") -> str:
    data = portfolio_to_dict(portfolio)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value
