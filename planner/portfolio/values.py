"""Reading single values of a portfolio file: each reader records a defect and returns None.

`ValueReader` collects every defect (`where: expected …, got …`) so that
`planner.portfolio.reader` can report them all at once.
"""

from __future__ import annotations

from typing import Any


class ValueReader:
    def __init__(self) -> None:
        self.problems: list[str] = []

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


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    return f"{value!r} ({type(value).__name__})"
