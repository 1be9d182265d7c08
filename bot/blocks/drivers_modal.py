"""The form where an admin manages the business drivers: rename, describe or retire
each active one, restore a retired one, add new ones; and the reading of its submission.

Blocks: `driver|KEY|name`, `driver|KEY|description`, `driver|KEY|retire` for an active
driver, `driver|KEY|restore` for a retired one, `new|N|key`, `new|N|name`,
`new|N|description` for the Nth new one (`ids.DRIVER_BLOCK_PREFIX`,
`ids.NEW_DRIVER_BLOCK_PREFIX`). Ten active drivers, three new rows and ten retired
make 53 blocks, within a modal's 100.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import Block, context, header, section
from bot.blocks.inputs import State, checkbox, input_block, modal, text_input
from bot.blocks.text import ERROR_TEXT, truncate
from bot.errors import ModalErrors
from planner.drivers import (
    DRIVER_KEY_RE,
    MAX_DRIVER_DESCRIPTION_LENGTH,
    MAX_DRIVER_KEY_LENGTH,
    MAX_DRIVER_NAME_LENGTH,
    MAX_DRIVERS,
    Driver,
)

#: New-driver rows the form offers at most (fewer when the workspace is nearly full).
NEW_ROWS = 3
#: Retired drivers the form offers to restore, at most.
_MOST_RETIRED = 20


def driver_block(key: str, part: str) -> str:
    """The input block of one part (name, description, retire, restore) of a driver."""
    return f"{ids.DRIVER_BLOCK_PREFIX}{key}|{part}"


def new_block(number: int, part: str) -> str:
    """The input block of one part (key, name, description) of the Nth new driver."""
    return f"{ids.NEW_DRIVER_BLOCK_PREFIX}{number}|{part}"


@dataclass(frozen=True)
class DriverChange:
    """One driver as the form leaves it: `key` with its name and description, and
    whether it is to be retired (an active one) or restored (a retired one); `new` for
    a driver added in the form."""

    key: str
    name: str
    description: str = ""
    retire: bool = False
    restore: bool = False
    new: bool = False
    row: int = 0  # a new driver's row in the form (1, 2, …)

    def to_change(self) -> dict[str, Any]:
        """The change `catalog.services.save_drivers` takes: key, name, description, and
        `retired` True to retire, False to restore."""
        if self.restore:
            return {"key": self.key, "retired": False}
        if self.retire:
            return {"key": self.key, "retired": True}
        return {"key": self.key, "name": self.name, "description": self.description}

    def block(self, part: str) -> str:
        """The form's block where a problem with `part` (key, name, description,
        retired) of this change is shown."""
        if self.new:
            return new_block(self.row, part if part in ("key", "name", "description") else "key")
        if self.restore:
            return driver_block(self.key, "restore")
        if part == "retired":
            return driver_block(self.key, "retire")
        return driver_block(self.key, part if part == "description" else "name")


def drivers_modal(
    *,
    drivers: Sequence[Driver],
    retired: Sequence[Driver] = (),
    private_metadata: str = "",
) -> dict[str, Any]:
    """The manage-drivers form, filled in with the active `drivers` and offering to
    restore the `retired` ones."""
    blocks: list[Block] = [
        section(
            "Business drivers are the strategic goals initiatives are scored against. "
            "Renaming keeps every judgment and score; a retired driver drops out of the "
            f"weights and can be restored later. At most {MAX_DRIVERS} are active."
        )
    ]
    for d in drivers:
        blocks += [
            header(d.name),
            input_block(
                "Name",
                text_input(initial=d.name, max_length=MAX_DRIVER_NAME_LENGTH),
                block_id=driver_block(d.key, "name"),
                hint=f"Key: {d.key} (it never changes).",
            ),
            input_block(
                "Description",
                text_input(
                    initial=d.description or None,
                    multiline=True,
                    max_length=MAX_DRIVER_DESCRIPTION_LENGTH,
                ),
                block_id=driver_block(d.key, "description"),
                optional=True,
            ),
            input_block(
                "Retire",
                checkbox("Retire this driver", value="yes", checked=False),
                block_id=driver_block(d.key, "retire"),
                optional=True,
            ),
        ]
    free = MAX_DRIVERS - len(drivers)
    rows = min(NEW_ROWS, max(free, 0))
    if rows:
        blocks.append(header("Add drivers"))
        blocks.append(
            context("Fill in a key and a name for each driver to add; leave a row empty.")
        )
    for number in range(1, rows + 1):
        blocks += [
            input_block(
                f"New driver {number}: key",
                text_input(placeholder="e.g. engage", max_length=MAX_DRIVER_KEY_LENGTH),
                block_id=new_block(number, "key"),
                optional=True,
                hint="Lower-case letters, digits, - and _, starting with a letter.",
            ),
            input_block(
                f"New driver {number}: name",
                text_input(
                    placeholder="e.g. Customer engagement", max_length=MAX_DRIVER_NAME_LENGTH
                ),
                block_id=new_block(number, "name"),
                optional=True,
            ),
            input_block(
                f"New driver {number}: description",
                text_input(multiline=True, max_length=MAX_DRIVER_DESCRIPTION_LENGTH),
                block_id=new_block(number, "description"),
                optional=True,
            ),
        ]
    if not rows:
        blocks.append(
            context(
                f"{MAX_DRIVERS} drivers are active, the most there may be: retire one "
                "to add another."
            )
        )
    if retired:
        blocks.append(header("Retired drivers"))
        for d in list(retired)[:_MOST_RETIRED]:
            blocks.append(
                input_block(
                    d.name,
                    checkbox(f"Restore {d.name}", value="yes", checked=False),
                    block_id=driver_block(d.key, "restore"),
                    optional=True,
                    hint=f"Key: {d.key}.",
                )
            )
    return modal(
        title="Business drivers",
        callback_id=ids.DRIVERS_MODAL,
        blocks=blocks,
        private_metadata=private_metadata,
    )


def read_drivers_submission(
    state_values: Mapping[str, Mapping[str, Any]],
) -> tuple[DriverChange, ...]:
    """Every driver of a submitted manage form as a DriverChange: the active ones (as
    left, retired or not), the retired ones ticked to restore, and each new row that
    has anything typed. Raises ModalErrors for a new row without a key or a name, a key
    that is not a driver key or is typed twice, an empty name, a text too long."""
    state = State(state_values)
    errors: dict[str, str] = {}
    out: list[DriverChange] = []
    keys: set[str] = set()
    for block_id in state_values:
        if not block_id.startswith(ids.DRIVER_BLOCK_PREFIX):
            continue
        key, _, part = block_id[len(ids.DRIVER_BLOCK_PREFIX) :].partition("|")
        if part == "name":
            keys.add(key)
            name = state.text(block_id)
            description = state.text(driver_block(key, "description"))
            if not name:
                errors[block_id] = "Give the driver a name (or tick Retire)."
            _check_lengths(errors, block_id, name, driver_block(key, "description"), description)
            retire = "yes" in state.choices(driver_block(key, "retire"))
            out.append(DriverChange(key, name, description, retire=retire))
        elif part == "restore" and "yes" in state.choices(block_id):
            keys.add(key)
            out.append(DriverChange(key, "", restore=True))
    number = 1
    while state.has(new_block(number, "key")):
        key = state.text(new_block(number, "key"))
        name = state.text(new_block(number, "name"))
        description = state.text(new_block(number, "description"))
        if key or name or description:
            key_block = new_block(number, "key")
            if not key:
                errors[key_block] = "Give the new driver a key, e.g. engage."
            elif len(key) > MAX_DRIVER_KEY_LENGTH or not DRIVER_KEY_RE.match(key):
                errors[key_block] = (
                    f"'{key[:40]}' is not a driver key: lower-case letters, digits, - and _, "
                    f"starting with a letter, at most {MAX_DRIVER_KEY_LENGTH} characters."
                )
            elif key in keys:
                errors[key_block] = f"{key} is a driver already: choose another key."
            if not name:
                errors[new_block(number, "name")] = "Give the new driver a name."
            _check_lengths(
                errors,
                new_block(number, "name"),
                name,
                new_block(number, "description"),
                description,
            )
            keys.add(key)
            out.append(DriverChange(key, name, description, new=True, row=number))
        number += 1
    if errors:
        raise ModalErrors(errors)
    return tuple(out)


def _check_lengths(
    errors: dict[str, str], name_block: str, name: str, description_block: str, description: str
) -> None:
    if len(name) > MAX_DRIVER_NAME_LENGTH:
        errors[name_block] = f"At most {MAX_DRIVER_NAME_LENGTH} characters: this has {len(name)}."
    if len(description) > MAX_DRIVER_DESCRIPTION_LENGTH:
        errors[description_block] = (
            f"At most {MAX_DRIVER_DESCRIPTION_LENGTH} characters: this has {len(description)}."
        )


_CHANGE_FIELD = re.compile(r"^drivers\[(\d+)\](?:\.(\w+))?$")


def driver_errors_for(
    fields: Mapping[str, str], changes: Sequence[DriverChange], *, first: str
) -> dict[str, str]:
    """Catalog errors about the changes (`drivers[2].name` → message) as block id →
    message, under the field of the change named; anything else under `first`."""
    out: dict[str, list[str]] = {}
    for name, message in fields.items():
        m = _CHANGE_FIELD.match(name)
        index = int(m[1]) if m else -1
        if 0 <= index < len(changes):
            target = changes[index].block(m[2] or "key") if m else first
        else:
            target = first
        text = message.strip()
        text = text[:1].upper() + text[1:]
        out.setdefault(target, []).append(text if text.endswith(".") else text + ".")
    return {block: truncate(" ".join(texts), ERROR_TEXT) for block, texts in out.items()}
