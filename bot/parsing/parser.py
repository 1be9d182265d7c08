"""Read the text after the slash command into a Command, or raise a UsageError."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.errors import UsageError
from bot.parsing import commands as c
from bot.parsing.periods import PeriodRef, parse_period
from bot.parsing.tokens import QUOTES, Token, parse_user, rest_of, tokenize, unescape
from bot.parsing.usage import DEFAULT_COMMAND, TOPICS, nearest_subcommand, subcommand, usage
from catalog.domain import MEMBER, ROLES, STATUSES
from planner.errors import ScenarioError
from planner.money import MONEY_EXAMPLES, parse_money
from planner.portfolio import KEY_RE
from planner.scenario import WHATIF_HELP, parse_whatif

#: The most seconds `plan time=…` may give the solver.
MAX_TIME_LIMIT = 300.0
#: The most phases `plan phases=…` may ask for (as for what-ifs).
MAX_PHASES = 400

GRANTABLE_ROLES = tuple(role for role in ROLES if role != MEMBER)
_OUTCOMES = {
    "passed": "passed",
    "pass": "passed",
    "conditions": "conditions",
    "conditional": "conditions",
    "failed": "failed",
    "fail": "failed",
}
_NOTE_REQUIRED = ("conditions", "failed")
_EXPORT_ALIASES = {
    **{f: f for f in c.EXPORT_FORMATS},
    "msproject": "mspdi",
    "ms-project": "mspdi",
    "project": "mspdi",
    "xml": "mspdi",
    "excel": "xlsx",
    "ical": "ics",
    "icalendar": "ics",
    "gantt": "png",
}
_PLAN_OPTIONS = {
    "budget": "budget",
    "phases": "phases",
    "from": "from",
    "start": "from",
    "time": "time",
    "limit": "time",
}
_TIME_RE = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>s|secs?|seconds?|m|mins?|minutes?)?", re.I
)


def parse_command(text: str, *, command: str = DEFAULT_COMMAND, escaped: bool = True) -> c.Command:
    """The command in the text typed after the slash command (`approve SOC-7 "ok"`).

    `command` is the slash command's name, used in usage lines. `escaped` says the text
    comes from Slack, which sends `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`; free
    text (titles, reasons, notes, what-ifs) is unescaped then. Empty text asks for help.
    Raises UsageError with the usage line of the subcommand concerned.
    """
    try:
        tokens = tokenize(text or "")
    except UsageError as exc:
        typed = subcommand((text.split() or [""])[0])
        raise UsageError(exc.message, usage=typed and typed.usage(command)) from None
    if not tokens:
        return c.Help()
    head = tokens[0]
    sub = None if head.quoted else subcommand(head.text)
    if sub is None:
        close = nearest_subcommand(head.text)
        if close is None:
            raise UsageError(
                f"Unknown command `{head.text}`. See `{command} help` for every command."
            )
        raise UsageError(
            f"Unknown command `{head.text}`.", suggestion=close, usage=usage(close, command=command)
        )
    args = _Args(name=sub.name, text=text, tokens=tokens, usage=sub.usage(command), escaped=escaped)
    return _PARSERS[sub.name](args)


@dataclass(frozen=True)
class _Args:
    """The words after a subcommand, and how to complain about them."""

    name: str
    text: str
    tokens: list[Token]
    usage: str
    escaped: bool

    def count(self) -> int:
        return len(self.tokens) - 1

    def word(self, i: int) -> str | None:
        """The i-th argument (1-based), or None."""
        return self.tokens[i].text if i < len(self.tokens) else None

    def rest(self, i: int) -> str:
        """Free text from the i-th argument on (one quoted argument loses its quotes)."""
        return rest_of(self.text, self.tokens, i, escaped=self.escaped)

    def fail(self, message: str, *, suggestion: str | None = None) -> UsageError:
        return UsageError(message, usage=self.usage, suggestion=suggestion)

    def key(self, i: int) -> str:
        """The i-th argument as an initiative key, upper case."""
        raw = self.word(i)
        if raw is None or not raw.strip():
            raise self.fail(f"`{self.name}` needs an initiative key, e.g. SOC-7.")
        key = raw.strip().rstrip(",.;:").upper()
        if self.tokens[i].quoted or not KEY_RE.match(key):
            raise self.fail(
                f"'{raw}' is not an initiative key: letters, digits and dashes, e.g. SOC-7."
            )
        return key

    def at_most(self, n: int) -> None:
        """Refuse more than n arguments."""
        if self.count() > n:
            extra = self.rest(n + 1)
            if n == 0:
                raise self.fail(f"`{self.name}` takes no arguments; got `{extra}`.")
            raise self.fail(f"Too many arguments for `{self.name}`: `{extra}`.")

    def period(self, i: int) -> PeriodRef:
        """The arguments from the i-th on as one period."""
        raw = " ".join(t.text for t in self.tokens[i:])
        if not raw:
            raise self.fail(f"`{self.name}` needs a period, e.g. 2027Q3 or next quarter.")
        try:
            return parse_period(raw)
        except UsageError as exc:
            raise self.fail(exc.message) from None


def _help(a: _Args) -> c.Help:
    a.at_most(1)
    topic = a.word(1)
    if topic is None:
        return c.Help()
    word = topic.strip().lower()
    if word in TOPICS:
        return c.Help(word)
    sub = subcommand(word)
    if sub is None:
        close = nearest_subcommand(word) or _nearest(word, TOPICS)
        raise a.fail(f"There is no help on `{topic}`.", suggestion=close)
    return c.Help(sub.name)


def _propose(a: _Args) -> c.Propose:
    return c.Propose(a.rest(1) or None)


def _list(a: _Args) -> c.ListInitiatives:
    if a.count() == 0:
        return c.ListInitiatives()
    raw = " ".join(t.text for t in a.tokens[1:])
    status = re.sub(r"[\s-]+", "_", raw.strip().lower())
    if status == "all":
        return c.ListInitiatives()
    if status not in STATUSES:
        raise a.fail(
            f"Unknown status `{raw}`: expected one of {', '.join(STATUSES)}, or all.",
            suggestion=_nearest(status, STATUSES),
        )
    return c.ListInitiatives(status)


def _key_only(cls: Callable[[str], c.Command]) -> Callable[[_Args], c.Command]:
    def parse(a: _Args) -> c.Command:
        key = a.key(1)
        a.at_most(1)
        return cls(key)

    return parse


def _approve(a: _Args) -> c.Approve:
    return c.Approve(a.key(1), a.rest(2))


def _with_reason(cls: Callable[[str, str], c.Command]) -> Callable[[_Args], c.Command]:
    def parse(a: _Args) -> c.Command:
        key = a.key(1)
        reason = a.rest(2)
        if not reason:
            raise a.fail(f"`{a.name}` needs a reason: say why, after the key.")
        return cls(key, reason)

    return parse


def _no_args(cls: Callable[[], c.Command]) -> Callable[[_Args], c.Command]:
    def parse(a: _Args) -> c.Command:
        a.at_most(0)
        return cls()

    return parse


def _plan(a: _Args) -> c.Plan:
    options = _plan_options(a)
    budget = phases = start = time_limit = None
    if "budget" in options:
        try:
            budget = parse_money(options["budget"])
        except ScenarioError:
            raise a.fail(
                f"budget={options['budget']}: not an amount of money; expected e.g. "
                f"{MONEY_EXAMPLES}."
            ) from None
    if "phases" in options:
        raw = options["phases"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PHASES:
            raise a.fail(f"phases={raw}: expected a whole number of phases from 1 to {MAX_PHASES}.")
        phases = int(raw)
    if "from" in options:
        try:
            start = parse_period(options["from"])
        except UsageError as exc:
            raise a.fail(f"from={options['from']}: {exc.message}") from None
    if "time" in options:
        time_limit = _seconds(a, options["time"])
    return c.Plan(budget=budget, phases=phases, start=start, time_limit=time_limit)


def _plan_options(a: _Args) -> dict[str, str]:
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
                    f"Unknown option `{name}`: expected budget=, phases=, from= or time=.",
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
    close = _nearest(name.lower(), _PLAN_OPTIONS)
    return None if close is None else f"{_PLAN_OPTIONS[close]}="


def _seconds(a: _Args, raw: str) -> float:
    m = _TIME_RE.fullmatch(raw.strip())
    if m is None:
        raise a.fail(f"time={raw}: expected seconds, e.g. time=30s or time=2m.")
    seconds = float(m["n"]) * (60 if (m["unit"] or "s").lower().startswith("m") else 1)
    if not 0 < seconds <= MAX_TIME_LIMIT:
        raise a.fail(
            f"time={raw}: the solver may take more than 0 and at most {MAX_TIME_LIMIT:g} seconds."
        )
    return seconds


def _whatif(a: _Args) -> c.WhatIf:
    text = " ".join(a.text[a.tokens[1].start :].split()) if a.count() else ""
    if a.escaped:
        text = unescape(text)
    if not text:
        raise a.fail(f"`{a.name}` needs at least one change, e.g. {WHATIF_HELP}.")
    try:
        transforms = parse_whatif(text)
    except ScenarioError as exc:
        raise a.fail(f"{exc}.") from None
    return c.WhatIf(text, tuple(transforms))


def _pin(a: _Args) -> c.Pin:
    key = a.key(1)
    return c.Pin(key, a.period(2))


def _export(a: _Args) -> c.Export:
    raw = a.word(1)
    formats = ", ".join(c.EXPORT_FORMATS)
    if raw is None:
        raise a.fail(f"`export` needs a format: {formats}.")
    a.at_most(1)
    fmt = _EXPORT_ALIASES.get(raw.lower().lstrip("."))
    if fmt is None:
        close = _nearest(raw.lower(), _EXPORT_ALIASES)
        raise a.fail(
            f"Unknown format `{raw}`: expected {formats}.",
            suggestion=None if close is None else _EXPORT_ALIASES[close],
        )
    return c.Export(fmt)


def _review(a: _Args) -> c.Review:
    key = a.key(1)
    raw = a.word(2)
    if raw is None:
        raise a.fail("`review` needs an outcome: passed, conditions or failed.")
    outcome = _OUTCOMES.get(raw.lower())
    if outcome is None:
        close = _nearest(raw.lower(), _OUTCOMES)
        raise a.fail(
            f"Unknown outcome `{raw}`: expected passed, conditions or failed.",
            suggestion=None if close is None else _OUTCOMES[close],
        )
    note = a.rest(3)
    if outcome in _NOTE_REQUIRED and not note:
        raise a.fail(f"A review with outcome {outcome} needs a note saying why.")
    return c.Review(key, outcome, note)


def _role(a: _Args) -> c.Role:
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
            suggestion=_nearest(role, GRANTABLE_ROLES),
        )
    return c.Role(action, user.user_id, user.name, role)


def _audit(a: _Args) -> c.Audit:
    if a.count() == 0:
        return c.Audit()
    key = a.key(1)
    a.at_most(1)
    return c.Audit(key)


def _nearest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


_PARSERS: dict[str, Callable[[_Args], c.Command]] = {
    "help": _help,
    "propose": _propose,
    "list": _list,
    "show": _key_only(c.Show),
    "approve": _approve,
    "reject": _with_reason(c.Reject),
    "changes": _with_reason(c.RequestChanges),
    "withdraw": _key_only(c.Withdraw),
    "plan": _plan,
    "whatif": _whatif,
    "explain": _key_only(c.Explain),
    "pin": _pin,
    "unpin": _key_only(c.Unpin),
    "publish": _no_args(c.Publish),
    "diff": _no_args(c.Diff),
    "export": _export,
    "review": _review,
    "settings": _no_args(c.Settings),
    "role": _role,
    "audit": _audit,
    "jobs": _no_args(c.Jobs),
}
