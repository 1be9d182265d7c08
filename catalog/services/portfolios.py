"""A workspace as a portfolio: export, import (all or nothing) and the demo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from catalog.domain import ADMIN, DRIVER_ROLES, PMO, Actor
from catalog.errors import ImportFailed, ValidationFailed
from catalog.models import Driver as DriverRow
from catalog.models import Initiative
from catalog.services._access import require_role
from catalog.services._audit import audit, changed_fields
from catalog.services._lookup import (
    driver_rows,
    initiative_rows,
    judgment_rows,
    normal_key,
    portfolio_mapping,
    settings_row,
    workspace_for,
    workspace_row,
)
from catalog.services._rows import (
    SETTINGS_SECTIONS,
    apply_settings,
    apply_spec,
    changed_sections,
    merge_settings,
    plain,
    portfolio_settings,
    row_to_spec,
    settings_record,
    settings_to_dict,
    spec_to_dict,
)
from catalog.services._strategy import (
    in_place,
    stored_judgments,
    write_drivers,
    write_judgments,
)
from catalog.services.planning import POLICY_ROLES, audit_settings_change
from catalog.uow import UnitOfWork
from catalog.views import ImportSummary
from planner.drivers import Judgment, parse_ratio
from planner.errors import PortfolioError
from planner.portfolio import Portfolio, load_portfolio, parse_portfolio, portfolio_to_dict

MODES = ("replace", "merge")
DEMO = "demo.yaml"


def workspace_portfolio(uow: UnitOfWork, *, team_id: str) -> Portfolio:
    """The workspace's settings and every initiative as a planner Portfolio.

    Read back through the portfolio rules, so it equals what a file with the same
    content loads as: file → import → export → file loses nothing.
    """
    ws = workspace_row(uow, team_id)
    return parse_portfolio(portfolio_mapping(uow, ws))


export_portfolio = workspace_portfolio


def _as_mapping(portfolio: Portfolio | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(portfolio, Portfolio):
        return portfolio_to_dict(portfolio)
    if isinstance(portfolio, Mapping):
        return dict(portfolio)
    try:  # not a mapping (an empty file, a list): the portfolio rules say what is wrong
        parse_portfolio(portfolio)
    except PortfolioError as exc:
        raise ImportFailed(exc.problems) from exc
    raise ImportFailed([f"expected a portfolio, got {type(portfolio).__name__}"])


def import_portfolio(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: str,
    portfolio: Portfolio | Mapping[str, Any],
    mode: str = "replace",
) -> ImportSummary:
    """Load a portfolio into the workspace in one transaction: everything or nothing.

    `replace`: the workspace becomes the file: its settings sections replace the
    workspace's (a section the file leaves out goes back to its default) and its
    initiatives become exactly the file's (others are deleted). `merge`: only what the
    file states changes: a settings section it leaves out keeps the workspace's value,
    and inside a section it states only the fields it names change (None removes one);
    its initiatives are added or updated by key (each as the file states it whole), the
    others stay, and the file may refer to them (`depends_on: [SSO]` with SSO only in
    the workspace). Either way the result is checked as one portfolio first; any defect
    raises ImportFailed and nothing is written.

    The security policy changes only when the file states a `policy` section, in either
    mode, and only for those who own it (security or admin; the operator too): a change
    to it is audited as `policy.import`. Initiatives keep their version and history when
    the file changes them in place. PMO and admins; the operator's import sets up a
    workspace that does not exist yet.

    Business drivers and judgments follow the same two modes. `replace`: the file's
    drivers become the active ones (the others are retired, never deleted) and the
    judgments between them become the file's; `merge`: the file's drivers are added,
    updated or restored and its judgments (per person and pair) added or revised, the
    rest stays. Changing either takes an admin, as the manage and judgment forms do.
    """
    ws = workspace_for(uow, team_id, actor)
    require_role(uow, ws, actor, (PMO, ADMIN), "import a portfolio")
    if mode not in MODES:
        raise ValidationFailed({"mode": f"expected one of {', '.join(MODES)}, got {mode!r}"})
    incoming = _as_mapping(portfolio)
    settings = settings_row(uow, ws)
    current = settings_to_dict(settings)
    rows = {r.key: r for r in initiative_rows(uow, ws)}
    mapping = portfolio_mapping(uow, ws)
    if mode == "merge":
        incoming = _merged_settings(incoming, current)
        incoming = _merged_strategy(incoming, mapping, driver_rows(uow, ws))
        stated = incoming.get("initiatives")
        # kept initiatives show their scores for every driver of the result: a driver the
        # file restores brings back the scores they kept for it
        keys = _driver_keys(incoming.get("drivers"))
        incoming["initiatives"] = _merged([] if stated is None else stated, rows, keys)
    elif "policy" not in incoming:
        incoming = {**incoming, "policy": current["policy"]}
    try:
        result = parse_portfolio(incoming)
    except PortfolioError as exc:
        raise ImportFailed(exc.problems) from exc
    if current["policy"] != portfolio_settings(result)["policy"]:
        require_role(uow, ws, actor, POLICY_ROLES, "change the security policy")
    if _strategy_of(mapping) != _strategy_of(portfolio_to_dict(result)):
        require_role(uow, ws, actor, DRIVER_ROLES, "change the business drivers or judgments")
    summary = _apply(uow, ws, actor, result, rows, mode=mode)
    if summary.changed:
        audit(
            uow,
            ws,
            actor,
            action="portfolio.import",
            entity="portfolio",
            after={
                "mode": mode,
                "name": result.name,
                "created": list(summary.created),
                "updated": list(summary.updated),
                "deleted": list(summary.deleted),
                "settings_changed": list(summary.settings_changed),
                "drivers_changed": list(summary.drivers_changed),
                "judgments_changed": list(summary.judgments_changed),
            },
        )
        uow.commit()
    return summary


def _merged_settings(incoming: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The file's mapping with each settings section merged into the workspace's.

    Problems of the merge itself (a section that is not a mapping) are reported as the
    portfolio rules report theirs: ImportFailed, naming the section.
    """
    changes = {s: incoming[s] for s in SETTINGS_SECTIONS if s in incoming}
    merged, problems = merge_settings(
        {s: current[s] for s in SETTINGS_SECTIONS if s in current}, changes
    )
    if problems:
        raise ImportFailed([f"{section}: {text}" for section, text in problems.items()])
    rest = {k: v for k, v in incoming.items() if k not in SETTINGS_SECTIONS}
    return {**rest, **merged}


def _strategy_of(data: Mapping[str, Any]) -> tuple[Any, Any]:
    """The drivers and judgments of a portfolio mapping, to tell whether an import
    changes them (judgments as stored: per person and pair, in key order)."""
    drivers = [(d["key"], d["name"], d.get("description", "")) for d in data.get("drivers") or []]
    judgments = stored_judgments(
        Judgment(by=j["by"], a=j["a"], b=j["b"], ratio=parse_ratio(j["ratio"]))
        for j in data.get("judgments") or []
    )
    return drivers, judgments


def _driver_keys(drivers: Any) -> tuple[str, ...]:
    """The keys a `drivers` section names (what is not a driver is left to the rules)."""
    if not isinstance(drivers, list):
        return ()
    keys = (d.get("key") for d in drivers if isinstance(d, Mapping))
    return tuple(k.strip() for k in keys if isinstance(k, str))


def _merged_strategy(
    incoming: dict[str, Any], current: Mapping[str, Any], rows: Sequence[DriverRow]
) -> dict[str, Any]:
    """The file's drivers and judgments merged into the workspace's: the workspace's
    drivers updated by the file's, a retired one the file names restored to its place,
    the file's new ones after them; the workspace's judgments revised and completed by
    the file's (per person and pair)."""
    out = dict(incoming)
    stated = incoming.get("drivers")
    drivers = list(current.get("drivers") or [])
    if isinstance(stated, list):
        by_key = {d["key"]: d for d in drivers}
        odd = []  # not drivers at all: the portfolio rules will say what is wrong
        for item in stated:
            key = item.get("key") if isinstance(item, Mapping) else None
            if isinstance(key, str):
                by_key[key.strip()] = item
            else:
                odd.append(item)
        drivers = [by_key[k] for k in in_place(list(by_key), rows)] + odd
    elif stated is not None:
        drivers = stated  # the portfolio rules will say what is wrong with it
    if drivers:
        out["drivers"] = drivers
    stated = incoming.get("judgments")
    judgments = list(current.get("judgments") or [])
    if isinstance(stated, list):

        def pair(item: Any) -> Any:
            if not isinstance(item, Mapping):
                return None
            by, a, b = item.get("by"), item.get("a"), item.get("b")
            if not all(isinstance(v, str) for v in (by, a, b)):
                return None
            return by.strip(), frozenset((a.strip(), b.strip()))

        given = {pair(item) for item in stated} - {None}
        judgments = [j for j in judgments if pair(j) not in given] + stated
    elif stated is not None:
        judgments = stated
    if judgments:
        out["judgments"] = judgments
    return out


def _merged(incoming: Any, rows: dict[str, Initiative], drivers: tuple[str, ...]) -> Any:
    """The workspace's initiatives updated by the file's, which may refer to each other.

    Existing initiatives keep their place; new ones follow in the file's order.
    """
    if not isinstance(incoming, list):
        return incoming  # the portfolio rules will say what is wrong with it
    by_key: dict[str, Any] = {}
    unkeyed = []
    for item in incoming:
        key = item.get("key") if isinstance(item, Mapping) else None
        if isinstance(key, str) and normal_key(key) not in by_key:
            by_key[normal_key(key)] = item
        else:
            unkeyed.append(item)
    kept = [
        by_key.pop(key) if key in by_key else spec_to_dict(row_to_spec(row, drivers))
        for key, row in rows.items()
    ]
    return kept + list(by_key.values()) + unkeyed


def _apply(
    uow: UnitOfWork,
    ws: Any,
    actor: Actor,
    result: Portfolio,
    rows: dict[str, Initiative],
    *,
    mode: str,
) -> ImportSummary:
    created, updated, unchanged, deleted = [], [], [], []
    settings = settings_row(uow, ws)
    before = settings_record(settings)
    apply_settings(settings, result)
    sections = changed_sections(before, settings_to_dict(settings))
    audit_settings_change(uow, ws, actor, settings, before, how="import")
    drivers_changed, judgments_changed = _apply_strategy(uow, ws, actor, result, mode=mode)
    active = tuple(d.key for d in result.drivers)
    wanted = {s.key for s in result.initiatives}
    for key, row in rows.items():
        if key not in wanted:
            deleted.append(key)
            audit(
                uow,
                ws,
                actor,
                action="initiative.import_delete",
                entity="initiative",
                key=key,
                before=spec_to_dict(row_to_spec(row, active)),
            )
            uow.session.delete(row)
    uow.session.flush()
    for position, spec in enumerate(result.initiatives):
        row = rows.get(spec.key)
        after = spec_to_dict(spec)
        if row is None:
            row = Initiative(workspace_id=ws.id, position=position, updated_by=str(actor))
            apply_spec(row, spec, active)
            uow.session.add(row)
            created.append(spec.key)
            audit(
                uow,
                ws,
                actor,
                action="initiative.import_create",
                entity="initiative",
                key=spec.key,
                after=after,
            )
            continue
        old_fields, new_fields = changed_fields(spec_to_dict(row_to_spec(row, active)), after)
        if row.position != position:
            row.position = position
        if not new_fields:
            unchanged.append(spec.key)
            continue
        apply_spec(row, spec, active)
        row.updated_by = str(actor)
        updated.append(spec.key)
        audit(
            uow,
            ws,
            actor,
            action="initiative.import_update",
            entity="initiative",
            key=spec.key,
            before=plain(old_fields),
            after=plain(new_fields),
        )
    uow.session.flush()
    return ImportSummary(
        mode=mode,
        created=tuple(created),
        updated=tuple(updated),
        deleted=tuple(deleted),
        unchanged=tuple(unchanged),
        settings_changed=sections,
        drivers_changed=drivers_changed,
        judgments_changed=judgments_changed,
    )


def _apply_strategy(
    uow: UnitOfWork, ws: Any, actor: Actor, result: Portfolio, *, mode: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write the portfolio's drivers and judgments (`result` is the merged portfolio in
    merge mode); returns the drivers and the people whose judgments changed."""
    drivers = write_drivers(uow, ws, actor, result.drivers, how="import")
    wanted = stored_judgments(result.judgments)
    remove = ()
    if mode == "replace":  # the judgments between the file's drivers are the file's
        keys = {d.key for d in result.drivers}
        remove = tuple(
            (j.user_id, j.a, j.b) for j in judgment_rows(uow, ws) if j.a in keys and j.b in keys
        )
    people = write_judgments(uow, ws, actor, wanted, remove=remove, action="judgments.import")
    return drivers, people


def demo_path() -> Path:
    """Where the demo portfolio shipped with the package lives."""
    return Path(str(resources.files("catalog").joinpath("data", DEMO)))


def load_demo(uow: UnitOfWork, *, actor: Actor, team_id: str) -> ImportSummary:
    """Load the demo portfolio (`catalog/data/demo.yaml`) into the workspace; loading it again
    changes nothing.

    Merges: what the demo states of the settings and its initiatives are (re)set to the
    file; initiatives the workspace added itself stay.
    """
    try:
        demo = load_portfolio(demo_path())
    except PortfolioError as exc:
        raise ImportFailed(exc.problems) from exc
    return import_portfolio(uow, actor=actor, team_id=team_id, portfolio=demo, mode="merge")
