"""Reading a portfolio file (version 1): every section checked, every defect reported.

`parse_portfolio` raises a single `PortfolioError` listing every defect (initiative,
field, what was expected); nothing partial is ever returned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from planner.errors import PortfolioError
from planner.portfolio.records import (
    BUILTIN_RESOURCES,
    CADENCES,
    DATA_CLASSES,
    HOSTINGS,
    INITIATIVE_FIELDS,
    KEY_RE,
    PHASE_KINDS,
    RESOURCE_RE,
    REVIEW_OUTCOMES,
    RULE_CONDITIONS,
    STATUSES,
    Budget,
    Calendar,
    InitiativeSpec,
    Policy,
    Portfolio,
    split_policy_rule,
)
from planner.portfolio.values import ValueReader


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


class _Reader(ValueReader):
    """The sections of a portfolio file, each read with the value readers it inherits."""

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
                        f"{'/'.join(RULE_CONDITIONS)}, or hosting_condition)",
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
        names = INITIATIVE_FIELDS
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
