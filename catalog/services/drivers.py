"""Business drivers: managing them (admins), weighing them by pairwise comparison
(leaders, approvers, admins), their weights and the priority list they give.

The arithmetic is `planner.drivers` (the Analytic Hierarchy Process); this module keeps
who may do what, what is stored and what is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from catalog.domain import (
    CHANGES_REQUESTED,
    DRIVER_ROLES,
    PROPOSED,
    WEIGH_ROLES,
    Actor,
)
from catalog.errors import ValidationFailed
from catalog.models import RoleGrant
from catalog.models import Workspace as WorkspaceRow
from catalog.services._access import require_role
from catalog.services._lookup import (
    active_drivers,
    driver_rows,
    initiative_rows,
    judgment_rows,
    lock_workspace,
    portfolio_mapping,
    workspace_for,
    workspace_row,
)
from catalog.services._problems import parse_or_fail
from catalog.services._rows import driver_of, judgment_of, row_to_spec, stored_pair
from catalog.services._strategy import in_place, write_drivers, write_judgments
from catalog.uow import UnitOfWork
from catalog.views import DriversView, PriorityRow, PriorityView
from planner.drivers import (
    MAX_DRIVER_DESCRIPTION_LENGTH,
    MAX_DRIVER_NAME_LENGTH,
    MAX_DRIVERS,
    RATIO_HELP,
    Driver,
    DriverWeights,
    PersonWeights,
    contributions,
    group_weights,
    pairs,
    parse_ratio,
    person_weights,
    ratio_text,
    strategic_score,
)
from planner.drivers import answers as answers_by_pair
from planner.portfolio.strategy import StrategyReader

#: Statuses whose initiatives the priority list ranks: decided for, or awaiting a decision.
PRIORITY_STATUSES = ("approved", PROPOSED, CHANGES_REQUESTED)
#: Fields a change of the manage form may name.
CHANGE_FIELDS = ("key", "name", "description", "retired")


def pair_field(a: str, b: str) -> str:
    """The field name under which a judgment form's error about pair (a, b) is reported."""
    return f"{a}:{b}"


# --------------------------------------------------------------------------- reading


def _weights(uow: UnitOfWork, ws: WorkspaceRow) -> DriverWeights:
    drivers = [driver_of(r) for r in active_drivers(uow, ws)]
    return group_weights(drivers, [judgment_of(j) for j in judgment_rows(uow, ws)])


def _weighers(uow: UnitOfWork, ws: WorkspaceRow) -> tuple[str, ...]:
    """Everyone holding a role that weighs the drivers, by name."""
    query = select(RoleGrant.user_id).where(
        RoleGrant.workspace_id == ws.id, RoleGrant.role.in_(WEIGH_ROLES)
    )
    return tuple(sorted(set(uow.session.scalars(query))))


def _view(uow: UnitOfWork, ws: WorkspaceRow) -> DriversView:
    rows = driver_rows(uow, ws)
    weights = _weights(uow, ws)
    active = tuple(driver_of(r) for r in rows if not r.retired)
    pending: tuple[str, ...] = ()
    if len(active) >= 2:
        pending = tuple(
            who
            for who in _weighers(uow, ws)
            if who not in weights.people or not weights.people[who].complete
        )
    return DriversView(
        drivers=active,
        retired=tuple(driver_of(r) for r in rows if r.retired),
        weights=weights,
        pending=pending,
    )


def drivers_overview(uow: UnitOfWork, *, team_id: str) -> DriversView:
    """The active and retired drivers, the group's and each person's weights, and who
    may weigh but has not answered every pair."""
    return _view(uow, workspace_row(uow, team_id))


def my_judgments(uow: UnitOfWork, *, actor: Actor, team_id: str) -> dict[tuple[str, str], str]:
    """The actor's answers between active drivers, by pair in the drivers' order (as
    `planner.drivers.pairs` asks them), ratio as text ("3", "1/3")."""
    ws = workspace_row(uow, team_id)
    keys = [d.key for d in active_drivers(uow, ws)]
    given = answers_by_pair(keys, [judgment_of(j) for j in judgment_rows(uow, ws, actor.user_id)])
    return {pair: ratio_text(given[pair]) for pair in pairs(keys) if pair in given}


def priorities(uow: UnitOfWork, *, team_id: str) -> PriorityView:
    """Approved and proposed initiatives (changes requested too) by strategic score,
    highest first (ties in portfolio order), each with every driver's contribution
    w_d × score_d under the group's weights."""
    ws = workspace_row(uow, team_id)
    weights = _weights(uow, ws)
    keys = tuple(weights.weights)
    rows = []
    for row in initiative_rows(uow, ws):
        if row.status not in PRIORITY_STATUSES:
            continue
        spec = row_to_spec(row, keys)
        rows.append(
            PriorityRow(
                key=spec.key,
                title=spec.title,
                status=spec.status,
                score=strategic_score(spec.scores, weights.weights),
                scores={k: spec.scores.get(k, 0) for k in keys},
                contributions=contributions(spec.scores, weights.weights),
            )
        )
    ranked = sorted(enumerate(rows), key=lambda ir: (-round(ir[1].score, 12), ir[0]))
    return PriorityView(weights=weights, rows=tuple(r for _, r in ranked))


# --------------------------------------------------------------------------- managing


def save_drivers(
    uow: UnitOfWork, *, actor: Actor, team_id: str, changes: Sequence[Mapping[str, Any]]
) -> DriversView:
    """Add, rename, describe, retire and restore drivers (admins), in one transaction.

    Each change names a driver by `key` and states what it wants: `name`,
    `description`, `retired` (True retires it, False restores it). A new key adds a
    driver (it needs a name) after the others; a retired key is never reused for
    something new: restore it (`retired: False`) or choose another key. At most
    `MAX_DRIVERS` may be active. Errors name the change: `drivers[2].name`.
    """
    ws = workspace_for(uow, team_id, actor)
    lock_workspace(uow, ws)
    require_role(uow, ws, actor, DRIVER_ROLES, "manage the business drivers")
    rows = {r.key: r for r in driver_rows(uow, ws)}
    wanted = {r.key: driver_of(r) for r in rows.values() if not r.retired}
    order = [r.key for r in rows.values() if not r.retired]
    reader = StrategyReader()
    problems: dict[str, str] = {}
    seen: set[str] = set()
    if not isinstance(changes, Sequence) or isinstance(changes, str | bytes):
        raise ValidationFailed({"drivers": "expected a list of driver changes"})
    for index, change in enumerate(changes):
        where = f"drivers[{index}]"
        before = reader.defects
        key = _change_key(reader, where, change)
        if key is None or reader.defects > before:
            continue
        if key in seen:
            problems[f"{where}.key"] = f"{key} is changed twice; change each driver once"
            continue
        seen.add(key)
        row = rows.get(key)
        retired = change.get("retired")
        if retired is not None and not isinstance(retired, bool):
            problems[f"{where}.retired"] = f"expected true or false, got {retired!r}"
            continue
        if row is None and retired:
            problems[f"{where}.key"] = f"there is no driver {key} to retire"
            continue
        if row is not None and row.retired and retired is not False:
            problems[f"{where}.key"] = (
                f"{key} is a retired driver ({row.name}); restore it, or choose another key "
                "for a new driver"
            )
            continue
        current = wanted.get(key) or (driver_of(row) if row is not None else None)
        name = _text(reader, f"{where}.name", change, "name", current, MAX_DRIVER_NAME_LENGTH)
        description = _text(
            reader,
            f"{where}.description",
            change,
            "description",
            current,
            MAX_DRIVER_DESCRIPTION_LENGTH,
        )
        if name is None or description is None:
            continue
        if retired:
            wanted.pop(key, None)
            order.remove(key)
            continue
        wanted[key] = Driver(key=key, name=name, description=description)
        if key not in order:
            order.append(key)
    problems.update(_reader_fields(reader))
    if not problems and len(order) > MAX_DRIVERS:
        problems["drivers"] = (
            f"at most {MAX_DRIVERS} drivers may be active, this makes {len(order)}; "
            "retire one first"
        )
    if problems:
        raise ValidationFailed(problems)
    drivers = [wanted[k] for k in in_place(order, rows.values())]
    data = portfolio_mapping(uow, ws)
    data["drivers"] = [
        {"key": d.key, "name": d.name, "description": d.description} for d in drivers
    ]
    data.pop("judgments", None)  # judgments between the active drivers stay valid
    for item in data["initiatives"]:  # a retired driver's scores are kept, not shown
        item["scores"] = {k: v for k, v in item["scores"].items() if k in wanted}
    parse_or_fail(data)  # e.g. the objective plans for drivers and none would be left
    if write_drivers(uow, ws, actor, drivers, how=""):
        uow.commit()
    return _view(uow, ws)


def _change_key(reader: StrategyReader, where: str, change: Any) -> str | None:
    if reader.mapping(where, change, CHANGE_FIELDS) is None:
        return None
    if "key" not in change:
        reader.add(f"{where}.key: name the driver's key, like engage")
        return None
    value = change["key"]
    return reader.driver_key(f"{where}.key", value.lower() if isinstance(value, str) else value)


def _text(
    reader: StrategyReader,
    where: str,
    change: Mapping[str, Any],
    name: str,
    current: Driver | None,
    most: int,
) -> str | None:
    """A name or description: the change's, else the driver's current one; a new driver
    needs a name."""
    if name in change and change[name] is not None:
        value = reader.text(where, change[name], allow_empty=name != "name", max_length=most)
        return value.strip() if value is not None else None
    if current is not None:
        return getattr(current, name)
    if name == "name":
        reader.add(f"{where}: a new driver needs a name, like Customer engagement")
        return None
    return ""


def _reader_fields(reader: StrategyReader) -> dict[str, str]:
    """The reader's defects (`drivers[0].name: expected …`) by field."""
    out: dict[str, str] = {}
    for problem in reader.report():
        field, _, text = problem.partition(": ")
        out.setdefault(field, text or problem)
    return out


# --------------------------------------------------------------------------- weighing


def record_judgments(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    answers: Mapping[tuple[str, str], Fraction | int | str],
) -> PersonWeights:
    """Save the actor's answers (leaders, approvers, admins): for each pair (a, b), a is
    `ratio` times as important as b (Saaty's scale: 1..9 or 1/2..1/9).

    Answers are per person and may be revised: a pair answered before is replaced. Every
    answer must name two different active drivers and a ratio on the scale, or nothing
    is saved (ValidationFailed by pair, `engage:secure`). A change is audited as `weigh`
    with the pairs before and after. Returns the actor's weights and consistency over
    all their answers.
    """
    ws = workspace_row(uow, team_id)
    lock_workspace(uow, ws)
    require_role(uow, ws, actor, WEIGH_ROLES, "weigh the business drivers")
    rows = driver_rows(uow, ws)
    names = {r.key: r.name for r in rows}
    active = [r.key for r in rows if not r.retired]
    problems: dict[str, str] = {}
    wanted: dict[tuple[str, str, str], str] = {}
    if not answers:
        raise ValidationFailed({"__all__": "no answers given; compare at least one pair"})
    if len(active) < 2:
        raise ValidationFailed(
            {"__all__": "there are fewer than two drivers to compare; an admin adds them first"}
        )
    for (a, b), ratio in answers.items():
        field = pair_field(a, b)
        label = f"{names.get(a, a)} vs {names.get(b, b)}"
        problem = _pair_problem(a, b, names, active)
        if problem is None:
            try:
                value = parse_ratio(ratio)
            except ValueError:
                problem = f"{label}: expected {RATIO_HELP}; got {ratio!r}"
            else:
                first, second, text = stored_pair(a, b, value)
                key = (actor.user_id, first, second)
                if key in wanted:
                    problem = f"{label}: this pair is answered twice; answer it once"
                wanted[key] = text
        if problem is not None:
            problems[field] = problem
    if problems:
        raise ValidationFailed(problems)
    if write_judgments(uow, ws, actor, wanted, action="weigh", user_id=actor.user_id):
        uow.commit()
    drivers = [driver_of(r) for r in rows if not r.retired]
    mine = [judgment_of(j) for j in judgment_rows(uow, ws, actor.user_id)]
    return person_weights(drivers, mine, by=actor.user_id)


def _pair_problem(a: Any, b: Any, names: Mapping[str, str], active: Sequence[str]) -> str | None:
    if not isinstance(a, str) or not isinstance(b, str):
        return f"expected two driver keys, got {a!r} and {b!r}"
    if a == b:
        return f"{names.get(a, a)} is compared with itself; compare two different drivers"
    for key in (a, b):
        if key not in names:
            known = ", ".join(active)
            return f"{key!r} is not a driver (drivers: {known})"
        if key not in active:
            return f"{names[key]} ({key}) is retired; it is no longer weighed"
    return None
