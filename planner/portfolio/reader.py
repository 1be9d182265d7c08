"""Reading a portfolio file (version 1): every section checked, every defect reported.

`parse_portfolio` raises a single `PortfolioError` listing every defect (initiative,
field, what was expected); nothing partial is ever returned. Whatever the data, reading
it is bounded: the limits of `planner.portfolio.records` (text lengths, numbers, phases,
initiatives, resources), the calendar's (`planner.calendar.calendar_problem`,
`rrule_problem`), and the file's (`planner.portfolio.source`: size, encoding, nesting,
YAML aliases, repeated keys).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import networkx as nx

from planner.calendar import MAX_PHASES, calendar_problem, rrule_problem
from planner.drivers import Driver
from planner.errors import PortfolioError
from planner.portfolio.records import (
    BUILTIN_RESOURCES,
    CADENCES,
    DATA_CLASSES,
    HOSTINGS,
    INITIATIVE_FIELDS,
    KEY_RE,
    MAX_INITIATIVES,
    MAX_NAME_LENGTH,
    MAX_RESOURCE_LENGTH,
    MAX_RESOURCES,
    OBJECTIVES,
    PHASE_KINDS,
    RESOURCE_RE,
    REVIEW_OUTCOMES,
    RULE_CONDITIONS,
    STATUSES,
    TEXT_LIMITS,
    Budget,
    Calendar,
    InitiativeSpec,
    Policy,
    Portfolio,
    split_policy_rule,
)
from planner.portfolio.source import MAX_FILE_BYTES, decode, load_data
from planner.portfolio.strategy import StrategyReader
from planner.portfolio.values import Horizon, quote, show

#: The most rules each policy list may hold.
_MOST_RULES = 100


def load_portfolio(path: str | Path) -> Portfolio:
    """Read a YAML (.yaml/.yml) or JSON (.json) portfolio file and validate it."""
    return parse_portfolio(load_portfolio_data(path))


def load_portfolio_data(path: str | Path) -> Any:
    """The data a portfolio file states (YAML, or JSON by its `.json` suffix), read with
    every guard of `planner.portfolio.source` (size, UTF-8, nesting, YAML aliases,
    repeated keys) but not yet checked as a portfolio: for an import that checks it
    together with the workspace it goes into. Raises PortfolioError."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PortfolioError([f"cannot read {path}: {exc.strerror or exc}"]) from exc
    text = decode(raw, source=str(path), size=_size(path, raw))
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return load_data(text, fmt=fmt, source=str(path))


def _size(path: Path, raw: bytes) -> int:
    """The file's size: what was read, or (when reading stopped at the limit) its own."""
    if len(raw) <= MAX_FILE_BYTES:
        return len(raw)
    try:
        return path.stat().st_size
    except OSError:
        return len(raw)


def parse_portfolio_text(text: str, *, fmt: str = "yaml", source: str = "portfolio") -> Portfolio:
    """Validate the text of a YAML or JSON portfolio; raise PortfolioError."""
    return parse_portfolio(load_data(text, fmt=fmt, source=source))


def parse_portfolio(data: Any) -> Portfolio:
    """Validate a mapping in the version 1 format; raise PortfolioError listing every defect."""
    return _Reader().portfolio(data)


class _Reader(StrategyReader):
    """The sections of a portfolio file, each read with the value readers it inherits."""

    #: The portfolio's drivers, once read (None: the section is invalid), for the scores.
    known_drivers: tuple[Driver, ...] | None = ()

    def portfolio(self, data: Any) -> Portfolio:
        top = (
            "version",
            "name",
            "calendar",
            "budget",
            "capacity",
            "policy",
            "drivers",
            "judgments",
            "objective",
            "blend",
            "initiatives",
        )
        if self.mapping("portfolio", data, top) is None:
            raise PortfolioError(self.report())
        version = data.get("version")
        if isinstance(version, bool) or version != 1:
            self.fail("version", "1", version)
        name = self.text(
            "name", data.get("name", "Portfolio"), allow_empty=False, max_length=MAX_NAME_LENGTH
        )
        calendar = self.calendar(data.get("calendar"))
        horizon = Horizon(calendar) if calendar is not None else None
        phases = calendar.phases if calendar else None
        budget = self.budget(data.get("budget") or {}, phases)
        capacity = self.capacity(data.get("capacity") or {}, phases)
        policy = self.policy(data.get("policy") or {})
        drivers = self.known_drivers = self.drivers(data.get("drivers"))
        judgments = self.judgments(data.get("judgments"), drivers)
        objective = self.objective(data.get("objective", "value"))
        blend = self.blend(data.get("blend", 1.0))
        if objective in OBJECTIVES[1:] and drivers == ():
            self.add(
                f"objective: {objective!r} plans for the business drivers but the portfolio "
                "has none; add a drivers section (and scores), or plan for value"
            )
        initiatives = self.initiatives(data.get("initiatives"), horizon)
        if self.defects or calendar is None or initiatives is None:
            raise PortfolioError(self.report())
        return Portfolio(
            name=name or "Portfolio",
            calendar=calendar,
            budget=budget or Budget(),
            capacity=capacity or {},
            policy=policy or Policy(),
            initiatives=initiatives,
            drivers=drivers or (),
            judgments=judgments,
            objective=objective or "value",
            blend=blend or 1.0,
        )

    def calendar(self, data: Any) -> Calendar | None:
        allowed = ("start", "phase", "phases", "tollgates", "freeze", "fiscal_year_start")
        if data is None:
            self.add("calendar: missing (needs at least start and phases)")
            return None
        if self.mapping("calendar", data, allowed) is None:
            return None
        start = self.date("calendar.start", data.get("start"))
        phases = self.integer(
            "calendar.phases", data.get("phases"), minimum=1, what="a number of phases"
        )
        kind = self.choice("calendar.phase", data.get("phase", "quarter"), PHASE_KINDS)
        fy = self.integer(
            "calendar.fiscal_year_start",
            data.get("fiscal_year_start", 1),
            minimum=1,
            what="a month number 1-12",
        )
        if fy is not None and fy > 12:
            self.fail("calendar.fiscal_year_start", "a month number 1-12", fy)
            fy = None
        if start is None or phases is None or kind is None or fy is None:
            return None
        calendar = Calendar(start=start, phases=phases, phase=kind, fiscal_year_start=fy)
        problem = calendar_problem(calendar)
        if problem is not None:
            self.add(problem)
            return None
        horizon = Horizon(calendar)
        before = self.defects
        raw_gates = data.get("tollgates")
        tollgates: tuple[int, ...] | str | None
        if raw_gates is None:
            tollgates = None
        elif isinstance(raw_gates, str):
            tollgates = raw_gates.strip()
            problem = rrule_problem(tollgates, calendar)
            if problem is not None:
                self.add(
                    f"calendar.tollgates: expected a list of phases or an RRULE; {problem} "
                    f"(got {quote(raw_gates)})"
                )
        else:
            tollgates = self.phase_list("calendar.tollgates", raw_gates, horizon)
        freeze = self.phase_list("calendar.freeze", data.get("freeze"), horizon)
        # Bad tollgates or freeze are reported, and the initiatives are still read against
        # the horizon (the portfolio is refused either way).
        if self.defects > before or freeze is None:
            tollgates, freeze = None, ()
        return Calendar(
            start=start,
            phases=phases,
            phase=kind,
            tollgates=tollgates,
            freeze=freeze,
            fiscal_year_start=fy,
        )

    def date(self, where: str, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        reason = ""
        if isinstance(value, str) and len(value) <= 40:
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError as exc:
                if "-" in value and any(c.isdigit() for c in value):
                    reason = f": {exc}"
        self.add(f"{where}: expected a date like 2027-01-01, got {show(value)}{reason}")
        return None

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
        if len(data) > MAX_RESOURCES:
            self.add(f"capacity: expected at most {MAX_RESOURCES} resources, got {len(data):,}")
            return None
        out: dict[str, int | tuple[int, ...]] = {}
        for name, value in data.items():
            if not self.resource_name("capacity", name):
                continue
            cap = self.per_phase(f"capacity.{name}", value, phases, money=False)
            if cap is not None:
                out[name] = cap
        return out

    def resource_name(self, where: str, name: Any) -> bool:
        if not isinstance(name, str) or not RESOURCE_RE.match(name):
            self.fail(where, "resource names in lower case (e.g. integration)", name)
            return False
        if len(name) > MAX_RESOURCE_LENGTH:
            self.add(
                f"{where}: expected resource names of at most {MAX_RESOURCE_LENGTH} characters, "
                f"got {quote(name)}"
            )
            return False
        return True

    def policy(self, data: Any) -> Policy | None:
        if self.mapping("policy", data, ("review", "forbid")) is None:
            return None
        lists = {}
        for part in ("review", "forbid"):
            rules = data.get(part) or []
            if not isinstance(rules, list):
                self.fail(f"policy.{part}", "a list of rules", rules)
                continue
            if len(rules) > _MOST_RULES:
                self.add(f"policy.{part}: expected at most {_MOST_RULES} rules, got {len(rules):,}")
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
                        f"{'/'.join(RULE_CONDITIONS)}, or hosting_condition)",
                        rule,
                    )
            lists[part] = tuple(good)
        return Policy(review=lists.get("review", ()), forbid=lists.get("forbid", ()))

    def initiatives(self, data: Any, horizon: Horizon | None) -> tuple[InitiativeSpec, ...] | None:
        if not isinstance(data, list):
            self.fail("initiatives", "a list of initiatives", data)
            return None
        if len(data) > MAX_INITIATIVES:
            self.add(
                f"initiatives: expected at most {MAX_INITIATIVES:,} initiatives, got {len(data):,}"
            )
            return None
        specs: list[InitiativeSpec] = []
        links: dict[str, dict[str, tuple[str, ...]]] = {}  # key → depends_on / excludes
        seen: dict[str, int] = {}
        for index, item in enumerate(data):
            spec, key = self.initiative(index, item, horizon)
            if key is None:
                continue
            if key in seen:
                self.add(f"initiative {key}: duplicate key (also initiative #{seen[key] + 1})")
                continue
            seen[key] = index
            links[key] = {
                name: spec_links if (spec_links := _links(item.get(name))) is not None else ()
                for name in ("depends_on", "excludes")
            }
            if spec is not None:
                specs.append(spec)
        self.links(links)
        return tuple(specs)

    def initiative(
        self, index: int, data: Any, horizon: Horizon | None
    ) -> tuple[InitiativeSpec | None, str | None]:
        """The spec (None if invalid) and the key (None if the key itself is bad)."""
        names = INITIATIVE_FIELDS
        label = f"initiative #{index + 1}"
        if not isinstance(data, dict):
            self.fail(label, "a mapping with key, title, duration and value", data)
            return None, None
        raw_key = data.get("key")
        key = None
        if isinstance(raw_key, str) and KEY_RE.match(raw_key.strip().upper()):
            if len(raw_key.strip()) > TEXT_LIMITS["key"]:
                self.add(
                    f"{label}: field 'key': expected at most {TEXT_LIMITS['key']} characters, "
                    f"got {len(raw_key.strip()):,} ({quote(raw_key.strip())}); shorten it"
                )
            else:
                key = raw_key.strip().upper()
                label = f"initiative {key}"
        else:
            self.fail(f"{label}: field 'key'", "letters, digits and dashes (e.g. SOC-7)", raw_key)
        before = self.defects
        self.mapping(label, data, names)
        for required in ("title", "duration", "value"):
            if required not in data:
                self.add(f"{label}: field '{required}' is missing")
        got: dict[str, Any] = {}
        limits = TEXT_LIMITS
        phases = horizon.count if horizon is not None else None
        checks = {
            "title": lambda w, v: self.text(w, v, allow_empty=False, max_length=limits["title"]),
            "summary": lambda w, v: self.text(w, v, max_length=limits["summary"]),
            "category": lambda w, v: self.text(w, v, max_length=limits["category"]),
            "review_note": lambda w, v: self.text(w, v, max_length=limits["review_note"]),
            "proposer": lambda w, v: (
                None if v is None else self.text(w, v, max_length=limits["proposer"])
            ),
            "owner": lambda w, v: (
                None if v is None else self.text(w, v, max_length=limits["owner"])
            ),
            "status": lambda w, v: self.choice(w, v, STATUSES),
            "cadence": lambda w, v: self.choice(w, v, CADENCES),
            "hosting": lambda w, v: self.choice(w, v, HOSTINGS),
            "data": lambda w, v: self.choice(w, v, DATA_CLASSES),
            "review": lambda w, v: None if v is None else self.choice(w, v, REVIEW_OUTCOMES),
            "duration": lambda w, v: self.duration(w, v, phases),
            "value": self.money,
            "capex": self.money,
            "opex": self.money,
            "teams": lambda w, v: self.amount(w, v, what="a number of teams"),
            "earliest": lambda w, v: self.phase(w, v, horizon),
            "deadline": lambda w, v: None if v is None else self.phase(w, v, horizon),
            "pin": lambda w, v: None if v is None else self.phase(w, v, horizon),
            "personal_data": self.boolean,
            "mandatory": self.boolean,
            "security_review": lambda w, v: None if v is None else self.boolean(w, v),
            "depends_on": lambda w, v: self.str_list(w, v, most=MAX_INITIATIVES),
            "excludes": lambda w, v: self.str_list(w, v, most=MAX_INITIATIVES),
        }
        for name, check in checks.items():
            if name in data:
                got[name] = check(f"{label}: field '{name}'", data[name])
        if "uses" in data:
            got["uses"] = self.uses(label, data["uses"])
        if "scores" in data:
            got["scores"] = self.scores(label, data["scores"], self.known_drivers)
        if phases is not None:
            self.horizon(label, got, phases)
        if key is None or self.defects > before:
            return None, key
        return InitiativeSpec(key=key, **{k: v for k, v in got.items() if k != "key"}), key

    def duration(self, where: str, value: Any, phases: int | None) -> int | None:
        most = phases if phases is not None else MAX_PHASES
        n = self.integer(where, value, minimum=1, what="a number of phases")
        if n is not None and n > most:
            shown = show(n).removesuffix(" (int)")
            self.add(f"{where}: {shown} phases is beyond the horizon of {most} phases")
            return None
        return n

    def uses(self, label: str, value: Any) -> dict[str, int]:
        where = f"{label}: field 'uses'"
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(where, "a mapping of resource to amount per build phase", value)
            return {}
        if len(value) > MAX_RESOURCES:
            self.add(f"{where}: expected at most {MAX_RESOURCES} resources, got {len(value):,}")
            return {}
        out = {}
        for name, amount in value.items():
            if name in BUILTIN_RESOURCES:
                hint = (
                    "set 'teams' instead"
                    if name == "agile_teams"
                    else "the planner counts it itself"
                )
                self.add(f"{where}: '{name}' is a built-in resource ({hint})")
                continue
            if not self.resource_name(where, name):
                continue
            n = self.amount(f"{where}.{name}", amount)
            if n is not None:
                out[name] = n
        return out

    def horizon(self, label: str, got: dict[str, Any], phases: int) -> None:
        duration = got.get("duration")
        pin, dur = got.get("pin"), duration or 1
        if pin is not None and pin < phases and pin + dur > phases:
            self.add(
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
                        self.add(f"initiative {key}: field '{name}' names the initiative itself")
                    elif other not in links:
                        self.add(
                            f"initiative {key}: field '{name}' names unknown key {quote(other, 40)}"
                        )
                    elif name == "depends_on":
                        graph.add_edge(other, key)
        for cycle in _cycles(graph):
            path = " → ".join([*cycle, cycle[0]])
            self.add(f"dependency cycle: {path} (depends_on must not loop)")


def _links(value: Any) -> tuple[str, ...] | None:
    """The keys a depends_on or excludes value names, as the links check reads them."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_INITIATIVES:
        return None
    return tuple(v.strip().upper() for v in value if isinstance(v, str))


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
