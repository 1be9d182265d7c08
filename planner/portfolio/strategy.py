"""Reading the strategy sections of a portfolio file: business drivers, pairwise
judgments, the objective and each initiative's scores (`planner.drivers`).

    drivers:
      - {key: engage, name: Customer engagement, description: …}
    judgments:            # a is `ratio` times as important as b; "1/3": b is 3x a
      - {by: U0CIO, a: engage, b: secure, ratio: 3}
    objective: strategic  # value (the default) | strategic | blend
    blend: 0.5            # weight of the strategic term in blend
    initiatives:
      - key: TWITTER
        scores: {engage: 5, secure: 1}   # 0..5 or none … transformative; missing: 0
"""

from __future__ import annotations

import math
from typing import Any

from planner.drivers import (
    DRIVER_KEY_RE,
    MAX_DRIVER_DESCRIPTION_LENGTH,
    MAX_DRIVER_KEY_LENGTH,
    MAX_DRIVER_NAME_LENGTH,
    MAX_DRIVERS,
    MAX_SCORE,
    RATIO_HELP,
    SCORE_LEVELS,
    Driver,
    Judgment,
    parse_ratio,
)
from planner.portfolio.records import (
    MAX_BLEND,
    MAX_JUDGMENTS,
    MAX_PROPOSER_LENGTH,
    OBJECTIVES,
)
from planner.portfolio.values import ValueReader, quote, show


class StrategyReader(ValueReader):
    """Value readers for the strategy sections; each records defects and returns None
    (or what is valid) like the rest of `ValueReader`."""

    def drivers(self, data: Any) -> tuple[Driver, ...] | None:
        if data is None:
            return ()
        if not isinstance(data, list):
            self.fail("drivers", "a list of drivers like {key: engage, name: Engagement}", data)
            return None
        if len(data) > MAX_DRIVERS:
            self.add(f"drivers: expected at most {MAX_DRIVERS} drivers, got {len(data):,}")
            return None
        before = self.defects
        out: list[Driver] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(data):
            where = f"drivers[{index}]"
            if self.mapping(where, item, ("key", "name", "description")) is None:
                continue
            key = self.driver_key(f"{where}.key", item.get("key"))
            name = self.text(
                f"{where}.name",
                item.get("name"),
                allow_empty=False,
                max_length=MAX_DRIVER_NAME_LENGTH,
            )
            description = self.text(
                f"{where}.description",
                item.get("description", ""),
                max_length=MAX_DRIVER_DESCRIPTION_LENGTH,
            )
            if key is None or name is None or description is None:
                continue
            if key in seen:
                self.add(f"{where}.key: duplicate driver {quote(key)} (also drivers[{seen[key]}])")
                continue
            seen[key] = index
            out.append(Driver(key=key, name=name.strip(), description=description.strip()))
        return tuple(out) if self.defects == before else None

    def driver_key(self, where: str, value: Any) -> str | None:
        if not isinstance(value, str) or not DRIVER_KEY_RE.match(value.strip()):
            self.fail(where, "a driver key in lower case, like engage or cost_cut", value)
            return None
        key = value.strip()
        if len(key) > MAX_DRIVER_KEY_LENGTH:
            self.add(
                f"{where}: expected at most {MAX_DRIVER_KEY_LENGTH} characters, got "
                f"{len(key):,} ({quote(key)}); shorten it"
            )
            return None
        return key

    def judgments(self, data: Any, drivers: tuple[Driver, ...] | None) -> tuple[Judgment, ...]:
        """Judgments between two drivers; when `drivers` could not be read, the names
        are not checked against them (that defect is reported already)."""
        if data is None:
            return ()
        if not isinstance(data, list):
            self.fail("judgments", "a list like {by: U0CIO, a: engage, b: secure, ratio: 3}", data)
            return ()
        if len(data) > MAX_JUDGMENTS:
            self.add(f"judgments: expected at most {MAX_JUDGMENTS:,} judgments, got {len(data):,}")
            return ()
        known = None if drivers is None else {d.key for d in drivers}
        out: list[Judgment] = []
        seen: dict[tuple[str, frozenset[str]], int] = {}
        for index, item in enumerate(data):
            where = f"judgments[{index}]"
            if self.mapping(where, item, ("by", "a", "b", "ratio")) is None:
                continue
            for required in ("by", "a", "b", "ratio"):
                if required not in item:
                    self.add(f"{where}: field '{required}' is missing")
            if any(name not in item for name in ("by", "a", "b", "ratio")):
                continue
            by = self.text(
                f"{where}.by", item["by"], allow_empty=False, max_length=MAX_PROPOSER_LENGTH
            )
            a = self.judged_driver(f"{where}.a", item["a"], known)
            b = self.judged_driver(f"{where}.b", item["b"], known)
            ratio = self.ratio(f"{where}.ratio", item["ratio"])
            if by is None or a is None or b is None or ratio is None:
                continue
            by = by.strip()
            if a == b:
                self.add(f"{where}: compares {quote(a)} with itself; name two different drivers")
                continue
            pair = (by, frozenset((a, b)))
            if pair in seen:
                self.add(
                    f"{where}: {by} already compared {a} and {b} in judgments[{seen[pair]}]; "
                    "keep one answer per person and pair"
                )
                continue
            seen[pair] = index
            out.append(Judgment(by=by, a=a, b=b, ratio=ratio))
        return tuple(out)

    def judged_driver(self, where: str, value: Any, known: set[str] | None) -> str | None:
        key = self.driver_key(where, value)
        if key is not None and known is not None and key not in known:
            self.add(f"{where}: {quote(key)} is not a driver ({_known(known)})")
            return None
        return key

    def ratio(self, where: str, value: Any) -> Any:
        try:
            return parse_ratio(value)
        except ValueError:
            self.fail(where, RATIO_HELP, value)
            return None

    def objective(self, value: Any) -> str | None:
        return self.choice("objective", value, OBJECTIVES)

    def blend(self, value: Any) -> float | None:
        expected = f"a number above 0 and at most {MAX_BLEND:g} (the strategic term's weight)"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail("blend", expected, value)
            return None
        if not math.isfinite(value) or not 0 < value <= MAX_BLEND:
            self.fail("blend", expected, value)
            return None
        return float(value)

    def scores(self, label: str, value: Any, drivers: tuple[Driver, ...] | None) -> dict[str, int]:
        """An initiative's scores: driver key -> 0..5 or a level word (`high`)."""
        where = f"{label}: field 'scores'"
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(where, "a mapping of driver key to a score 0-5, like {engage: 4}", value)
            return {}
        if len(value) > MAX_DRIVERS:
            self.add(f"{where}: expected at most {MAX_DRIVERS} drivers, got {len(value):,}")
            return {}
        known = None if drivers is None else {d.key for d in drivers}
        out: dict[str, int] = {}
        for name, score in value.items():
            key = self.driver_key(where, name)
            if key is None:
                continue
            if known is not None and key not in known:
                self.add(f"{where}: {quote(key)} is not a driver ({_known(known)})")
                continue
            got = self.score(f"{where}.{key}", score)
            if got is not None:
                out[key] = got
        return out

    def score(self, where: str, value: Any) -> int | None:
        if isinstance(value, str) and value.strip().lower() in SCORE_LEVELS:
            return SCORE_LEVELS.index(value.strip().lower())
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SCORE:
            return value
        levels = ", ".join(f"{i} {word}" for i, word in enumerate(SCORE_LEVELS))
        self.add(f"{where}: expected a score 0 to {MAX_SCORE} ({levels}), got {show(value)}")
        return None


def _known(known: set[str]) -> str:
    if not known:
        return "the portfolio has no drivers; add a drivers section"
    return "drivers: " + ", ".join(sorted(known))
