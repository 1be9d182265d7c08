"""Fuzzing portfolio files (hypothesis, bounded: the file runs in well under a minute).

Properties: `parse_portfolio`, `parse_portfolio_text` and `load_portfolio` return a
Portfolio or raise PortfolioError, nothing else, whatever the data or the bytes: wrong
types, missing fields, huge and non-finite numbers, impossible dates, unicode digits,
YAML anchors and aliases, deep nesting, other encodings, repeated keys, dependency
cycles; every message is bounded (at most 51 problems of a few hundred characters);
each file is read within a time bound; what reads, plans (`build_problem`, tollgates).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.calendar import phases_of, tollgate_phases
from planner.errors import PortfolioError
from planner.portfolio import (
    INITIATIVE_FIELDS,
    Portfolio,
    dump_portfolio,
    load_portfolio,
    parse_portfolio,
    parse_portfolio_text,
)
from planner.portfolio.source import decode
from planner.problem import build_problem

#: Seconds one example may take (most take milliseconds).
TIME_BOUND = 5.0
#: Longest message a refusal may have: 50 problems and a count of the rest.
MESSAGE_BOUND = 51 * 600

BASE: dict[str, Any] = {
    "version": 1,
    "name": "Fuzz",
    "calendar": {"start": "2027-01-01", "phases": 8, "tollgates": [0, 2, 4], "freeze": [7]},
    "budget": {"per_phase": 100_000, "total": 500_000},
    "capacity": {"integration": 4},
    "policy": {"review": ["saas_personal_data"], "forbid": ["saas_restricted"]},
    "initiatives": [
        {"key": "SSO", "title": "Single sign-on", "duration": 2, "value": 10_000, "capex": 80_000},
        {
            "key": "BLOG",
            "title": "Blogs",
            "duration": 1,
            "value": 3_000,
            "cadence": "agile",
            "depends_on": ["SSO"],
            "uses": {"integration": 1},
        },
        {"key": "WIKI", "title": "Wiki", "duration": 1, "value": 2_000, "excludes": ["BLOG"]},
    ],
}

HOSTILE_TEXTS = [
    "2027-13-01",
    "2027-02-30",
    "0000-01-01",
    "9999-12-31",
    "25k",
    "$40,000",
    "1.5k",
    "2000B",
    "-5k",
    "2027Q3",
    "2031Q1",
    "FY2028Q1",
    "Sprint 4",
    "next quarter",
    "phase 3",
    "²",
    "٣٠٠",
    "３",
    "𝟠",
    "\x00",
    "a\ud800b",
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;INTERVAL=1",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;BYHOUR=1",
    "FREQ=YEARLY;INTERVAL=99999999999999999999",
    "FREQ=MONTHLY;COUNT=0",
    "FREQ=MONTHLY;UNTIL=20260101",
    "FREQ=WEEKLY;BYDAY=+99MO",
    "FREQ=MONTHLY;BYSETPOS=0",
    "RRULE:FREQ=MONTHLY;INTERVAL=3",
    "saas_personal_data",
    "SSO",
    "sso",
    "x" * 100_000,
    "9" * 5000,
    "",
    " ",
]
HUGE_NUMBERS = [10**100, 2**63, 2**63 - 1, -(2**63), 10**12, 10**12 + 1, 401, 400]


def enormous() -> int:
    """10**5000: more digits than Python converts to text (hypothesis cannot show it in a
    sampled list, so it is built)."""
    return 10**5000


FLOATS = [1e308, -1e308, math.inf, -math.inf, math.nan, 1.5, 0.0, -0.0, 2.0**63, 1e12]


def nested(depth: int) -> Any:
    out: Any = []
    for _ in range(depth):
        out = [out]
    return out


def looped() -> list[Any]:
    out: list[Any] = []
    out.append(out)
    return out


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.sampled_from(HUGE_NUMBERS),
        st.builds(enormous),
        st.integers(min_value=13, max_value=6000).map(lambda digits: 10**digits),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(FLOATS),
        st.text(max_size=30),
        st.sampled_from(HOSTILE_TEXTS),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=10),
    )


def values() -> st.SearchStrategy[Any]:
    tree = st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), inner, max_size=4),
        ),
        max_leaves=8,
    )
    return st.one_of(
        tree,
        st.integers(min_value=30, max_value=20_000).map(nested),
        st.builds(looped),
        st.integers(min_value=0, max_value=3000).map(lambda n: list(range(n))),
    )


#: Where a hostile value may go: a top-level section, a calendar or budget setting, an
#: initiative field (of any of them, or of a new one), or a whole section.
PLACES = (
    [
        ("top", name)
        for name in ("version", "name", "calendar", "budget", "capacity", "policy", "initiatives")
    ]
    + [
        ("calendar", name)
        for name in ("start", "phase", "phases", "tollgates", "freeze", "fiscal_year_start", "x")
    ]
    + [("budget", n) for n in ("per_phase", "total")]
    + [("capacity", n) for n in ("integration", "security_reviews", "Bad Name", "a" * 41)]
    + [("policy", n) for n in ("review", "forbid")]
    + [("initiative", name) for name in (*INITIATIVE_FIELDS, "colour")]
)


@st.composite
def portfolios(draw: st.DrawFn) -> dict[str, Any]:
    """The base portfolio with a few values replaced, fields removed, initiatives added."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        where, name = draw(st.sampled_from(PLACES))
        remove = draw(st.booleans()) and draw(st.booleans())
        value = draw(values())
        if where == "top":
            target: Any = data
        elif where == "initiative":
            items = data.get("initiatives")
            if not isinstance(items, list) or not items:
                continue
            target = items[draw(st.integers(min_value=0, max_value=len(items) - 1))]
        else:
            target = data.get(where)
        if not isinstance(target, dict):
            continue
        if remove:
            target.pop(name, None)
        else:
            target[name] = value
    if draw(st.booleans()) and isinstance(data.get("initiatives"), list):
        extra = draw(st.integers(min_value=0, max_value=3))
        data["initiatives"] += [
            {"key": f"N{i}", "title": "t", "duration": 1, "value": 1, "depends_on": [f"N{i + 1}"]}
            for i in range(extra)
        ]  # N0 → N1 → … and a last one naming an unknown key
    return data


def check_refusal(exc: PortfolioError) -> None:
    assert exc.problems and len(exc.problems) <= 51
    assert all(isinstance(p, str) and p for p in exc.problems)
    assert len(str(exc)) < MESSAGE_BOUND, str(exc)[:300]
    assert "Traceback" not in str(exc)
    assert "datetime.date(" not in str(exc)


def check_read(read: Callable[[], Portfolio]) -> Portfolio | None:
    started = time.perf_counter()
    try:
        portfolio = read()
    except PortfolioError as exc:
        check_refusal(exc)
        portfolio = None
    assert time.perf_counter() - started < TIME_BOUND
    if portfolio is not None:
        # what reads can be planned: phases, tollgates and the problem build
        started = time.perf_counter()
        assert len(phases_of(portfolio.calendar)) == portfolio.calendar.phases
        tollgate_phases(portfolio.calendar)
        build_problem(portfolio)
        assert time.perf_counter() - started < TIME_BOUND
    return portfolio


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(portfolios())
def test_any_portfolio_mapping_reads_or_is_refused_clearly(data: dict[str, Any]) -> None:
    portfolio = check_read(lambda: parse_portfolio(data))
    if portfolio is not None:  # and what reads, writes back and reads the same
        assert parse_portfolio_text(dump_portfolio(portfolio)) == portfolio


@FUZZ
@given(values())
def test_anything_at_all_as_a_portfolio_is_refused_clearly(data: Any) -> None:
    check_read(lambda: parse_portfolio(data))


# --------------------------------------------------------------------------- texts

YAML_SCALARS = [
    "2027-13-01",
    "2027-02-30",
    "2027-02-29",
    "2028-02-29 25:00:00",
    ".nan",
    ".inf",
    "-.inf",
    "1.0e+308",
    "1e308",
    "9" * 5000,
    "0x" + "F" * 100,
    "0o777",
    "1:30:00",
    "!!binary xx",
    "!!binary aGVsbG8=",
    "!!timestamp foo",
    "!!int x",
    "!!float x",
    "!!bool maybe",
    "!!str 5",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object:os.system ls",
    "*undefined",
    "&a [*a]",
    "&b {x: *b}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "{? [a]: 1}",
    "'\\x00'",
    '"\\0"',
    '"\\ud800"',
    "yes",
    "NO",
    "~",
    "25k",
    "$40,000",
    "2027Q3",
    "²",
    "٣",
    "|\n  multi\n  line",
    "{a: 1, a: 2}",
]

BOMB = (
    "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
)


def base_yaml() -> str:
    return yaml.safe_dump(BASE, sort_keys=False, allow_unicode=True)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """The base file, its lines changed: a value replaced by a hostile YAML scalar, a line
    repeated (a repeated key), an anchor bomb or deep nesting added, text spliced in."""
    lines = base_yaml().splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        kind = draw(st.sampled_from(["value", "repeat", "bomb", "deep", "splice", "drop"]))
        line = lines[at]
        if kind == "value" and ":" in line:
            head = line.split(":", 1)[0]
            lines[at] = f"{head}: {draw(st.sampled_from(YAML_SCALARS))}"
        elif kind == "repeat":
            lines.insert(at, line)
        elif kind == "bomb":
            lines[:0] = BOMB.splitlines()
            at_key = next((i for i, x in enumerate(lines) if x.startswith("name:")), None)
            if at_key is not None:
                lines[at_key] = "name: *f"
        elif kind == "deep":
            depth = draw(st.integers(min_value=20, max_value=20_000))
            lines.append("extra: " + "[" * depth + "]" * depth)
        elif kind == "splice":
            cut = draw(st.integers(min_value=0, max_value=len(line)))
            lines[at] = line[:cut] + draw(st.text(max_size=20)) + line[cut:]
        elif kind == "drop":
            del lines[at]
    return "\n".join(lines) + "\n"


@FUZZ
@given(yaml_texts())
def test_any_yaml_file_reads_or_is_refused_clearly(text: str) -> None:
    check_read(lambda: parse_portfolio_text(text, fmt="yaml"))


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    text = json.dumps(BASE, indent=1)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["value", "repeat", "deep", "splice", "number"]))
        lines = text.splitlines()
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if kind == "value" and '": ' in lines[at]:
            head = lines[at].split('": ', 1)[0]
            tail = "," if lines[at].rstrip().endswith(",") else ""
            value = draw(
                st.sampled_from(
                    [
                        "NaN",
                        "Infinity",
                        "-Infinity",
                        "1e999",
                        "9" * 5000,
                        '"2027-13-01"',
                        '"\\u0000"',
                        '"\\ud800"',
                        "[" * 40 + "]" * 40,
                        "{}",
                        "null",
                        '"25k"',
                        '"2027Q3"',
                    ]
                )
            )
            lines[at] = f'{head}": {value}{tail}'
        elif kind == "repeat" and '": ' in lines[at] and lines[at].rstrip().endswith(","):
            lines.insert(at, lines[at])
        elif kind == "deep":
            depth = draw(st.integers(min_value=30, max_value=20_000))
            lines[0] = '{"deep": ' + "[" * depth + "]" * depth + ","
        elif kind == "splice":
            cut = draw(st.integers(min_value=0, max_value=len(lines[at])))
            lines[at] = lines[at][:cut] + draw(st.text(max_size=10)) + lines[at][cut:]
        elif kind == "number":
            lines[at] = lines[at].replace("10000", str(draw(st.sampled_from(HUGE_NUMBERS))))
        text = "\n".join(lines)
    return text


@FUZZ
@given(json_texts())
def test_any_json_file_reads_or_is_refused_clearly(text: str) -> None:
    check_read(lambda: parse_portfolio_text(text, fmt="json"))


ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16", "utf-16-le", "cp1252", "utf-32"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(ENCODINGS),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.sampled_from(["yaml", "json"]),
)
def test_any_bytes_in_any_encoding_read_or_are_refused_clearly(
    tmp_path_factory: Any, encoding: str, name: str, noise: bytes, fmt: str
) -> None:
    data = copy.deepcopy(BASE)
    data["name"] = f"Café {name}" if name.strip() else "Café"
    text = json.dumps(data, ensure_ascii=False) if fmt == "json" else base_yaml()
    if fmt == "yaml":
        text = text.replace("name: Fuzz", f"name: {json.dumps(data['name'], ensure_ascii=False)}")
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    raw = raw[: len(raw) // 2] + noise + raw[len(raw) // 2 :]
    path = Path(tmp_path_factory.mktemp("enc")) / f"p.{fmt}"
    path.write_bytes(raw)
    check_read(lambda: load_portfolio(path))
    try:
        decode(raw, source="p")
    except PortfolioError as exc:
        check_refusal(exc)
        assert "is not UTF-8" in str(exc) and "offset" in str(exc)


def test_the_fuzzers_inputs_include_what_the_issue_found() -> None:
    """The examples of the issue, read once each, plainly (the fuzzers draw them too)."""
    for value in ("2027-13-01", 10**100, 1e308, 2**63, math.inf, math.nan, enormous()):
        data = copy.deepcopy(BASE)
        data["initiatives"][0]["capex"] = value
        data["initiatives"][1]["deadline"] = value
        try:
            parse_portfolio(data)
        except PortfolioError as exc:
            check_refusal(exc)
        else:  # pragma: no cover - each of these is refused
            raise AssertionError(value)
    assert dt.date(2027, 1, 1) in [p.start for p in phases_of(parse_portfolio(BASE).calendar)]
