"""Each subcommand's parser: the words after it (`Args`) in, a command out, or a
UsageError naming what is wrong. `bot.commands.registry` says which parses which."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.errors import UsageError
from bot.parsing.args import Args, nearest
from bot.parsing.tokens import QUOTES, parse_user, tokenize, unescape
from catalog.domain import MEMBER, NOTE_REQUIRED, ROLES, STATUSES
from catalog.usecases import commands as c
from planner.drivers import DRIVER_KEY_RE, MAX_DRIVER_KEY_LENGTH
from planner.errors import PeriodError, ScenarioError
from planner.exports import FORMATS, export_format
from planner.limits import MAX_PHASES, read_whole
from planner.money import MONEY_EXAMPLES, AmountTooLarge, parse_money
from planner.periods import parse_period
from planner.portfolio import MAX_BLEND, OBJECTIVES
from planner.scenario import WHATIF_HELP, parse_whatif
from planner.stability import STABILITY_LEVELS, parse_stability

#: The most seconds `plan time=…` may give the solver.
MAX_TIME_LIMIT = 300.0

GRANTABLE_ROLES = tuple(role for role in ROLES if role != MEMBER)
_OUTCOMES = {
    "passed": "passed",
    "pass": "passed",
    "conditions": "conditions",
    "conditional": "conditions",
    "failed": "failed",
    "fail": "failed",
}
_PLAN_OPTIONS = {
    "budget": "budget",
    "phases": "phases",
    "from": "from",
    "start": "from",
    "time": "time",
    "limit": "time",
    "objective": "objective",
    "goal": "objective",
    "blend": "blend",
    "stability": "stability",
}
_OPTION_NAMES = [f"{o}=" for o in dict.fromkeys(_PLAN_OPTIONS.values())]
#: The options of `plan`, as its errors list them: `budget=, phases=, … or blend=`.
_PLAN_OPTION_LIST = ", ".join(_OPTION_NAMES[:-1]) + " or " + _OPTION_NAMES[-1]
#: What `plan stability=…` accepts, in words: `low, normal, high or off`.
_LEVEL_LIST = ", ".join([*STABILITY_LEVELS][:-1]) + " or " + [*STABILITY_LEVELS][-1]
#: What `plan objective=…` accepts: each objective, and the words people use for it.
_OBJECTIVE_WORDS = {
    **{name: name for name in OBJECTIVES},
    "money": "value",
    "strategy": "strategic",
    "score": "strategic",
    "blended": "blend",
}
_TIME_RE = re.compile(
    r"(?P<n>[0-9]{1,30}(?:\.[0-9]{1,30})?|\.[0-9]{1,30})\s*"
    r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?)?",
    re.I,
)
#: Characters of a typed value quoted back in an error message.
_MOST_SHOWN = 40


def propose(a: Args) -> c.Propose:
    return c.Propose(a.rest(1) or None)


def list_(a: Args) -> c.ListInitiatives:
    if a.count() == 0:
        return c.ListInitiatives()
    raw = " ".join(t.text for t in a.tokens[1:])
    status = re.sub(r"[\s-]+", "_", raw.strip().lower())
    if status == "all":
        return c.ListInitiatives()
    if status not in STATUSES:
        raise a.fail(
            f"Unknown status `{raw}`: expected one of {', '.join(STATUSES)}, or all.",
            suggestion=nearest(status, STATUSES),
        )
    return c.ListInitiatives(status)


def key_only(cls: Callable[[str], c.Command]) -> Callable[[Args], c.Command]:
    def parse(a: Args) -> c.Command:
        key = a.key(1)
        a.at_most(1)
        return cls(key)

    return parse


def approve(a: Args) -> c.Approve:
    return c.Approve(a.key(1), a.rest(2))


def with_reason(cls: Callable[[str, str], c.Command]) -> Callable[[Args], c.Command]:
    def parse(a: Args) -> c.Command:
        key = a.key(1)
        reason = a.rest(2)
        if not reason:
            raise a.fail(f"`{a.name}` needs a reason: say why, after the key.")
        return cls(key, reason)

    return parse


def no_args(cls: Callable[[], c.Command]) -> Callable[[Args], c.Command]:
    def parse(a: Args) -> c.Command:
        a.at_most(0)
        return cls()

    return parse


def plan(a: Args) -> c.Plan:
    """`plan [budget=…] [phases=…] [from=…] [time=…] [objective=…] [blend=…]
    [stability=…]`: money as `parse_money` reads it, periods as `parse_period` does,
    whole numbers in ASCII digits, each within its bound (`planner.limits`); `objective`
    one of `planner.portfolio.OBJECTIVES`, `blend` (which implies objective=blend) a
    weight more than 0 and at most `MAX_BLEND`; `stability` one of
    `planner.stability.STABILITY_LEVELS`."""
    options = _plan_options(a)
    objective, blend = _objective(a, options)
    stability = None
    if "stability" in options:
        raw = options["stability"]
        try:
            stability = parse_stability(raw)
        except ScenarioError:
            close = nearest(raw.strip().lower(), STABILITY_LEVELS)
            raise a.fail(
                f"stability={_clip(raw)}: expected {_LEVEL_LIST} (how firmly "
                "the plan keeps to the published roadmap; off plans as if nothing was "
                "published).",
                suggestion=None if close is None else f"stability={close}",
            ) from None
    budget = phases = start = time_limit = None
    if "budget" in options:
        shown = _clip(options["budget"])
        try:
            budget = parse_money(options["budget"])
        except AmountTooLarge as exc:
            raise a.fail(f"budget={shown}: {exc}.") from None
        except ScenarioError:
            raise a.fail(
                f"budget={shown}: not an amount of money; expected e.g. {MONEY_EXAMPLES}."
            ) from None
    if "phases" in options:
        raw = options["phases"]
        number = read_whole(raw)
        if number is None or not 1 <= number <= MAX_PHASES:
            raise a.fail(
                f"phases={_clip(raw)}: expected a whole number of phases from 1 to {MAX_PHASES}."
            )
        phases = number
    if "from" in options:
        try:
            start = parse_period(options["from"])
        except PeriodError as exc:
            raise a.fail(f"from={_clip(options['from'])}: {exc}") from None
    if "time" in options:
        time_limit = _seconds(a, options["time"])
    return c.Plan(
        budget=budget,
        phases=phases,
        start=start,
        time_limit=time_limit,
        objective=objective,
        blend=blend,
        stability=stability,
    )


def _objective(a: Args, options: dict[str, str]) -> tuple[str | None, float | None]:
    """`objective=` and `blend=` of `plan`: the objective to plan for (None: the
    settings') and the blend weight (None: the settings')."""
    objective = blend = None
    if "objective" in options:
        raw = options["objective"]
        objective = _OBJECTIVE_WORDS.get(raw.strip().lower())
        if objective is None:
            close = nearest(raw.strip().lower(), _OBJECTIVE_WORDS)
            raise a.fail(
                f"objective={_clip(raw)}: expected {', '.join(OBJECTIVES[:-1])} or "
                f"{OBJECTIVES[-1]} (money value, strategic score, or a blend of both).",
                suggestion=None if close is None else f"objective={_OBJECTIVE_WORDS[close]}",
            )
    if "blend" in options:
        raw = options["blend"].strip()
        number = None
        if re.fullmatch(r"[0-9]{1,6}(?:\.[0-9]{1,6})?|\.[0-9]{1,6}", raw):
            number = float(raw)
        if number is None or not 0 < number <= MAX_BLEND:
            raise a.fail(
                f"blend={_clip(raw)}: expected the strategic score's weight in the blend, "
                f"a number more than 0 and at most {MAX_BLEND:g}, e.g. blend=0.5."
            )
        if objective not in (None, "blend"):
            raise a.fail(
                f"blend= weighs the strategic score in objective=blend, not in "
                f"objective={objective}: drop blend=, or write objective=blend."
            )
        objective, blend = "blend", number
    return objective, blend


def _plan_options(a: Args) -> dict[str, str]:
    """`name=value` pairs; a value runs on over words without `=` (`from=next quarter`)
    and may be quoted (`from="next quarter"`)."""
    text = re.sub(r"\s*=\s*", "=", a.text[a.tokens[1].start :] if a.count() else "")
    options: dict[str, str] = {}
    current: str | None = None
    for token in tokenize(text):
        if "=" in token.text and not token.quoted:
            name, value = token.text.split("=", 1)
            canonical = _PLAN_OPTIONS.get(name.lower())
            if canonical is None:
                raise a.fail(
                    f"Unknown option `{name}`: expected {_PLAN_OPTION_LIST}.",
                    suggestion=_option_hint(name),
                )
            if canonical in options:
                raise a.fail(f"`{canonical}=` is given twice.")
            options[canonical] = value
            current = canonical
        elif current is None:
            raise a.fail(
                f"`{token.text}`: options of `plan` are written name=value, e.g. budget=250k."
            )
        else:
            options[current] = f"{options[current]} {token.text}".strip()
    for name, value in options.items():
        value = options[name] = value.strip("".join(QUOTES)).strip()
        if not value:
            raise a.fail(f"`{name}=` needs a value.")
    return options


def _option_hint(name: str) -> str | None:
    close = nearest(name.lower(), _PLAN_OPTIONS)
    return None if close is None else f"{_PLAN_OPTIONS[close]}="


def _seconds(a: Args, raw: str) -> float:
    m = _TIME_RE.fullmatch(raw.strip())
    shown = _clip(raw)
    if m is None:
        if re.fullmatch(r"[0-9]{31,}.*", raw.strip()):  # thousands of digits: only too long
            raise a.fail(
                f"time={shown}: the solver may take more than 0 and at most "
                f"{MAX_TIME_LIMIT:g} seconds."
            )
        raise a.fail(f"time={shown}: expected seconds, e.g. time=30s or time=2m.")
    seconds = float(m["n"]) * (60 if (m["unit"] or "s").lower().startswith("m") else 1)
    if not 0 < seconds <= MAX_TIME_LIMIT:
        raise a.fail(
            f"time={shown}: the solver may take more than 0 and at most {MAX_TIME_LIMIT:g} seconds."
        )
    return seconds


def _clip(text: str) -> str:
    """A typed value quoted back in a message: thousands of characters cut short."""
    return text if len(text) <= _MOST_SHOWN else text[: _MOST_SHOWN - 1] + "…"


def whatif(a: Args) -> c.WhatIf:
    text = " ".join(a.text[a.tokens[1].start :].split()) if a.count() else ""
    if a.escaped:
        text = unescape(text)
    if not text:
        raise a.fail(f"`{a.name}` needs at least one change, e.g. {WHATIF_HELP}.")
    try:
        parse_whatif(text)
    except ScenarioError as exc:
        raise a.fail(f"{exc}.") from None
    return c.WhatIf(text)


def pin(a: Args) -> c.Pin:
    key = a.key(1)
    return c.Pin(key, a.period(2))


def export(a: Args) -> c.Export:
    raw = a.word(1)
    formats = ", ".join(FORMATS)
    if raw is None:
        raise a.fail(f"`export` needs a format: {formats}.")
    a.at_most(1)
    spec = export_format(raw)
    if spec is None:
        words = {
            word: spec.name for spec in FORMATS.values() for word in (spec.name, *spec.aliases)
        }
        close = nearest(raw.lower(), words)
        raise a.fail(
            f"Unknown format `{raw}`: expected {formats}.",
            suggestion=None if close is None else words[close],
        )
    return c.Export(spec.name)


def review(a: Args) -> c.Review:
    key = a.key(1)
    raw = a.word(2)
    if raw is None:
        raise a.fail("`review` needs an outcome: passed, conditions or failed.")
    outcome = _OUTCOMES.get(raw.lower())
    if outcome is None:
        close = nearest(raw.lower(), _OUTCOMES)
        raise a.fail(
            f"Unknown outcome `{raw}`: expected passed, conditions or failed.",
            suggestion=None if close is None else _OUTCOMES[close],
        )
    note = a.rest(3)
    if outcome in NOTE_REQUIRED and not note:
        raise a.fail(f"A review with outcome {outcome} needs a note saying why.")
    return c.Review(key, outcome, note)


def role(a: Args) -> c.Role:
    words = [t.text for t in a.tokens[1:]]
    action = "grant"
    if words and words[0].lower() in ("grant", "add", "revoke", "remove"):
        action = "revoke" if words.pop(0).lower() in ("revoke", "remove") else "grant"
    if not words:
        if action == "revoke" or len(a.tokens) > 1:
            raise a.fail(f"`role {action}` needs a user and a role, e.g. @alice approver.")
        return c.Role("list")
    try:
        user = parse_user(words[0])
    except UsageError as exc:
        raise a.fail(exc.message) from None
    if len(words) == 1:
        if len(a.tokens) - 1 > len(words):
            raise a.fail(f"`role {action}` needs a role: {', '.join(GRANTABLE_ROLES)}.")
        return c.Role("list", user.user_id, user.name)
    if len(words) > 2:
        raise a.fail(f"Too many arguments for `role`: `{' '.join(words[2:])}`.")
    role = words[1].lower()
    if role not in GRANTABLE_ROLES:
        if role == MEMBER:
            raise a.fail("Everyone is a member already; roles are " + ", ".join(GRANTABLE_ROLES))
        raise a.fail(
            f"Unknown role `{words[1]}`: expected {', '.join(GRANTABLE_ROLES)}.",
            suggestion=nearest(role, GRANTABLE_ROLES),
        )
    return c.Role(action, user.user_id, user.name, role)


def audit(a: Args) -> c.Audit:
    if a.count() == 0:
        return c.Audit()
    key = a.key(1)
    a.at_most(1)
    return c.Audit(key)


def weigh(a: Args) -> c.Weigh:
    """`weigh` (every pair of drivers) or `weigh A B` (revise the judgment of A against B;
    driver keys, any case)."""
    if a.count() == 0:
        return c.Weigh()
    if a.count() != 2:
        raise a.fail(
            "`weigh` alone asks every pair of drivers; `weigh A B` revises one pair: "
            "give two driver keys, e.g. weigh engage secure."
        )
    keys = []
    for i in (1, 2):
        raw = a.word(i) or ""
        key = raw.strip().lower()
        if a.tokens[i].quoted or len(key) > MAX_DRIVER_KEY_LENGTH or not DRIVER_KEY_RE.match(key):
            raise a.fail(
                f"'{_clip(raw)}' is not a driver key: lower-case letters, digits, - and _, "
                "e.g. engage. `drivers` lists them."
            )
        keys.append(key)
    if keys[0] == keys[1]:
        raise a.fail(f"`weigh` compares two different drivers; {keys[0]} is given twice.")
    return c.Weigh(pair=(keys[0], keys[1]))


def drivers(a: Args) -> c.Drivers | c.EditDrivers:
    """`drivers` (the weights), or `drivers edit` (the manage form, as `edit-drivers`)."""
    if a.count() == 0:
        return c.Drivers()
    a.at_most(1)
    word = (a.word(1) or "").strip().lower()
    if word in ("edit", "manage"):
        return c.EditDrivers()
    raise a.fail(
        f"`drivers` takes no arguments but `edit`; got `{_clip(a.word(1) or '')}`.",
        suggestion=None if nearest(word, ("edit", "manage")) is None else "drivers edit",
    )
