"""Writing business drivers and judgments, with their audit entries: shared by the
drivers service (the manage form, the judgment form) and the portfolio import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

from catalog.domain import Actor
from catalog.models import Driver as DriverRow
from catalog.models import JudgmentRecord
from catalog.models import Workspace as WorkspaceRow
from catalog.services._audit import audit
from catalog.services._lookup import driver_rows, judgment_rows
from catalog.services._rows import stored_pair
from catalog.uow import UnitOfWork
from planner.drivers import Driver, Judgment

#: A judgment as the database keys it: (person, a, b) with a < b.
JudgmentKey = tuple[str, str, str]


def pair_label(a: str, b: str) -> str:
    """How the audit trail names a pair: `engage:secure`."""
    return f"{a}:{b}"


def _driver_state(row: DriverRow) -> dict[str, object]:
    return {
        "name": row.name,
        "description": row.description,
        "position": row.position,
        "retired": row.retired,
    }


def in_place(keys: Sequence[str], rows: Iterable[DriverRow]) -> list[str]:
    """`keys` with the drivers the workspace has (active or retired) in their stored
    order and new ones after them, in the order given: a restored driver goes back to
    its place."""
    at = {r.key: r.position for r in rows}
    given = {key: i for i, key in enumerate(keys)}
    return sorted(keys, key=lambda k: (k not in at, at.get(k, 0), given[k]))


def _positions(rows: Mapping[str, DriverRow], wanted: Sequence[Driver]) -> dict[str, int]:
    """Where each driver goes: existing ones keep their place and new ones follow the
    last, unless that would not give `wanted`'s order; then the wanted drivers are
    numbered in order and the retired ones follow."""
    top = max((r.position for r in rows.values()), default=-1)
    out: dict[str, int] = {}
    for driver in wanted:
        row = rows.get(driver.key)
        if row is not None:
            out[driver.key] = row.position
        else:
            top += 1
            out[driver.key] = top
    order = [out[d.key] for d in wanted]
    if all(x < y for x, y in pairwise(order)):
        return out
    out = {d.key: i for i, d in enumerate(wanted)}
    others = sorted((r for r in rows.values() if r.key not in out), key=lambda r: r.position)
    for position, row in enumerate(others, start=len(wanted)):
        out[row.key] = position
    return out


def write_drivers(
    uow: UnitOfWork, ws: WorkspaceRow, actor: Actor, wanted: Sequence[Driver], *, how: str
) -> tuple[str, ...]:
    """Make `wanted` the workspace's active drivers, in that order.

    A wanted key the workspace has is updated (renamed, described, restored when
    retired); a new one is added; an active driver not wanted is retired (never deleted:
    its key keeps its meaning, and its judgments and scores stay for a restore). Each
    driver that changes gets one audit entry: `driver.add`, `driver.edit`,
    `driver.move` (its place only), `driver.retire` or `driver.restore`, with `how`
    (e.g. "import") as the note. Returns the keys that changed. No commit.
    """
    rows = {r.key: r for r in driver_rows(uow, ws)}
    positions = _positions(rows, wanted)
    wanted_keys = {d.key for d in wanted}
    changed: list[str] = []
    for driver in wanted:
        row = rows.get(driver.key)
        if row is None:
            row = DriverRow(
                workspace_id=ws.id,
                key=driver.key,
                name=driver.name,
                description=driver.description,
                position=positions[driver.key],
                retired=False,
                updated_by=str(actor),
            )
            uow.session.add(row)
            changed.append(driver.key)
            after = {"name": driver.name, "description": driver.description}
            audit(
                uow,
                ws,
                actor,
                action="driver.add",
                entity="driver",
                key=driver.key,
                after=after,
                note=how,
            )
            continue
        before = _driver_state(row)
        row.name, row.description = driver.name, driver.description
        row.position, row.retired = positions[driver.key], False
        _record(uow, ws, actor, row, before, how=how, changed=changed)
    for key, row in rows.items():
        if key not in wanted_keys:
            before = _driver_state(row)
            row.position, row.retired = positions.get(key, row.position), True
            _record(uow, ws, actor, row, before, how=how, changed=changed)
    uow.session.flush()
    return tuple(changed)


def _record(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    actor: Actor,
    row: DriverRow,
    before: Mapping[str, object],
    *,
    how: str,
    changed: list[str],
) -> None:
    after = _driver_state(row)
    old = {k: v for k, v in before.items() if after[k] != v}
    if not old:
        return
    new = {k: after[k] for k in old}
    if "retired" in old:
        verb = "retire" if row.retired else "restore"
    elif old.keys() == {"position"}:
        verb = "move"
    else:
        verb = "edit"
    row.updated_by = str(actor)
    changed.append(row.key)
    audit(
        uow,
        ws,
        actor,
        action=f"driver.{verb}",
        entity="driver",
        key=row.key,
        before=old,
        after=new,
        note=how,
    )


def stored_judgments(judgments: Iterable[Judgment]) -> dict[JudgmentKey, str]:
    """Judgments keyed as the database keeps them; the later of two for a pair wins."""
    out: dict[JudgmentKey, str] = {}
    for j in judgments:
        a, b, ratio = stored_pair(j.a, j.b, j.ratio)
        out[(j.by, a, b)] = ratio
    return out


def write_judgments(
    uow: UnitOfWork,
    ws: WorkspaceRow,
    actor: Actor,
    wanted: Mapping[JudgmentKey, str],
    *,
    remove: Iterable[JudgmentKey] = (),
    action: str,
    user_id: str | None = None,
) -> tuple[str, ...]:
    """Insert or update the `wanted` judgments (ratio text by person and stored pair) and
    delete those in `remove`; `user_id` limits the rows read to one person's.

    Each person whose answers change gets one audit entry `action` (entity `judgment`,
    key the person) with the pairs before and after. Returns those people. No commit.
    """
    rows = {(r.user_id, r.a, r.b): r for r in judgment_rows(uow, ws, user_id)}
    before: dict[str, dict[str, str | None]] = {}
    after: dict[str, dict[str, str | None]] = {}

    def note(key: JudgmentKey, old: str | None, new: str | None) -> None:
        by, a, b = key
        before.setdefault(by, {})[pair_label(a, b)] = old
        after.setdefault(by, {})[pair_label(a, b)] = new

    for key, ratio in wanted.items():
        row = rows.get(key)
        if row is None:
            by, a, b = key
            uow.session.add(JudgmentRecord(workspace_id=ws.id, user_id=by, a=a, b=b, ratio=ratio))
            note(key, None, ratio)
        elif row.ratio != ratio:
            note(key, row.ratio, ratio)
            row.ratio = ratio
    for key in remove:
        row = rows.get(key)
        if row is not None and key not in wanted:
            note(key, row.ratio, None)
            uow.session.delete(row)
    for by in sorted(after):
        audit(
            uow,
            ws,
            actor,
            action=action,
            entity="judgment",
            key=by,
            before=before[by],
            after=after[by],
        )
    uow.session.flush()
    return tuple(sorted(after))
