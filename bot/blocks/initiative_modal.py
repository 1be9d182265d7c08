"""The modal to propose or edit an initiative, and the reading of its submission."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import Block, header
from bot.blocks.inputs import (
    State,
    checkbox,
    input_block,
    modal,
    multi_select,
    number_input,
    select,
    text_input,
)
from bot.blocks.text import ERROR_TEXT, INPUT_MAX_LENGTH, OPTIONS, truncate
from bot.errors import ModalErrors
from catalog.views import InitiativeView
from planner.calendar import Phase
from planner.drivers import MAX_SCORE, SCORE_LEVELS, Driver
from planner.errors import ScenarioError
from planner.money import MONEY_EXAMPLES, format_money, parse_money
from planner.portfolio import (
    CADENCES,
    DATA_CLASSES,
    HOSTINGS,
    KEY_RE,
    RESOURCE_RE,
    TEXT_LIMITS,
)

B = ids.INITIATIVE_BLOCKS
_HOSTING_LABELS = {"saas": "SaaS", "on_prem": "On premises", "hybrid": "Hybrid"}
_REVIEW_CHOICES = (
    ("policy", "As the security policy says"),
    ("yes", "Always review"),
    ("no", "Exempt from review"),
)
_REVIEW_VALUES = {"policy": None, "yes": True, "no": False}
_MONEY_FIELDS = ("capex", "opex", "value")
_PAIR = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*[:=]?\s*(-?\d+)\s*$")


def initiative_modal(
    *,
    view: InitiativeView | None = None,
    prefill: Mapping[str, Any] | None = None,
    private_metadata: str,
    keys: Mapping[str, str] | None = None,
    phases: Sequence[Phase] = (),
    drivers: Sequence[Driver] = (),
) -> dict[str, Any]:
    """The propose (no `view`) or edit (`view`) modal with every initiative field.

    `prefill` holds catalog fields that override the initial values (e.g. a title and a
    summary taken from a message). `keys` maps the workspace's other initiative keys to
    their titles, offered for depends-on and excludes; `phases` names the phases for
    earliest start and deadline (without them those are 0-based phase numbers);
    `drivers` are the business drivers, each asked an impact score 0–5.
    """
    current: dict[str, Any] = {}
    if view is not None:
        spec = view.spec
        current = {name: getattr(spec, name) for name in B if hasattr(spec, name)}
        current["scores"] = dict(spec.scores)
    current.update(prefill or {})
    others = {k: t for k, t in (keys or {}).items() if view is None or k != view.key}
    for name in ("depends_on", "excludes"):  # keep chosen keys even if not offered
        for key in current.get(name) or ():
            others.setdefault(key, key)

    def text_of(name: str) -> str | None:
        value = current.get(name)
        if value is None:
            return None
        if name in _MONEY_FIELDS and isinstance(value, int):
            return format_money(value)
        if name == "uses" and isinstance(value, Mapping):
            return ", ".join(f"{k}: {v}" for k, v in value.items())
        return str(value)

    def limited(name: str, **options: Any) -> dict[str, Any]:
        """A text input holding at most the field's limit (`TEXT_LIMITS`, which imports
        and the database share). A stored value longer than that (written before the
        limit) is shown whole, as far as Slack allows, never cut silently: the field
        takes it, its hint says to shorten it, and saving refuses it until it fits."""
        value = text_of(name)
        limit = TEXT_LIMITS[name]
        max_length = min(max(limit, len(value or "")), INPUT_MAX_LENGTH)
        return text_input(initial=value, max_length=max_length, **options)

    def too_long(name: str, hint: str | None = None) -> str | None:
        value = text_of(name)
        limit = TEXT_LIMITS[name]
        if value is None or len(value) <= limit:
            return hint
        if len(value) <= INPUT_MAX_LENGTH:
            return (
                f"This has {len(value):,} characters; at most {limit:,} can be saved: shorten it."
            )
        if limit < INPUT_MAX_LENGTH:
            return (
                f"This has {len(value):,} characters, of which the first {INPUT_MAX_LENGTH:,} "
                f"are shown; at most {limit:,} can be saved: shorten it."
            )
        return (
            f"This has {len(value):,} characters; only the first {INPUT_MAX_LENGTH:,} fit "
            "here, and saving keeps what is shown."
        )

    blocks: list[Block] = []
    if view is None:
        blocks.append(
            input_block(
                "Key",
                limited("key", placeholder="e.g. SOC-7"),
                block_id=B["key"],
                optional=True,
                hint=too_long(
                    "key", "Letters, digits and dashes. Leave empty to get one from the category."
                ),
            )
        )
    blocks += [
        input_block(
            "Title",
            limited("title"),
            block_id=B["title"],
            hint=too_long("title"),
        ),
        input_block(
            "Summary",
            limited("summary", multiline=True),
            block_id=B["summary"],
            optional=True,
            hint=too_long("summary", "What it is and why it matters, in a few sentences."),
        ),
        input_block(
            "Category",
            limited("category", placeholder="e.g. social, foundation"),
            block_id=B["category"],
            optional=True,
            hint=too_long("category"),
        ),
        input_block(
            "Owner",
            limited("owner", placeholder="a team or a person"),
            block_id=B["owner"],
            optional=True,
            hint=too_long("owner"),
        ),
        input_block(
            "Cadence",
            select(
                [("waterfall", "Waterfall (starts at tollgates)"), ("agile", "Agile")],
                initial=current.get("cadence", "waterfall"),
            ),
            block_id=B["cadence"],
        ),
        input_block(
            "Duration (phases of building)",
            number_input(initial=current.get("duration", 1), minimum=1),
            block_id=B["duration"],
        ),
        input_block(
            "Build cost (capex)",
            text_input(initial=text_of("capex"), placeholder=f"e.g. {MONEY_EXAMPLES}"),
            block_id=B["capex"],
            optional=True,
            hint="Spread evenly over the build phases. Empty means none.",
        ),
        input_block(
            "Run cost per live phase (opex)",
            text_input(initial=text_of("opex"), placeholder="e.g. 10k"),
            block_id=B["opex"],
            optional=True,
        ),
        input_block(
            "Value per live phase",
            text_input(initial=text_of("value"), placeholder="e.g. 40k"),
            block_id=B["value"],
            hint="The benefit each phase from go-live on.",
        ),
        input_block(
            "Hosting",
            select(
                [(h, _HOSTING_LABELS.get(h, h)) for h in HOSTINGS],
                initial=current.get("hosting", "on_prem"),
            ),
            block_id=B["hosting"],
        ),
        input_block(
            "Data classification",
            select([(d, d.capitalize()) for d in DATA_CLASSES], initial=current.get("data")),
            block_id=B["data"],
        ),
        input_block(
            "Personal data",
            checkbox(
                "Handles personal data", value="yes", checked=bool(current.get("personal_data"))
            ),
            block_id=B["personal_data"],
            optional=True,
        ),
        input_block(
            "Security review",
            select(
                _REVIEW_CHOICES,
                initial={True: "yes", False: "no"}.get(current.get("security_review"), "policy"),
            ),
            block_id=B["security_review"],
        ),
        input_block(
            "Resources used per build phase",
            text_input(initial=text_of("uses"), placeholder="integration: 3, data_engineering: 1"),
            block_id=B["uses"],
            optional=True,
            hint="Named resources and amounts, separated by commas.",
        ),
        input_block(
            "Agile teams while building",
            number_input(initial=current.get("teams", 1), minimum=0),
            block_id=B["teams"],
            optional=True,
            hint="Counts for agile initiatives only.",
        ),
    ]
    if others:
        choices = [(k, f"{k} — {t}") for k, t in sorted(others.items())]
        blocks += [
            input_block(
                "Depends on",
                multi_select(choices, initial=current.get("depends_on") or ()),
                block_id=B["depends_on"],
                optional=True,
                hint="These must go live before this one starts.",
            ),
            input_block(
                "Excludes",
                multi_select(choices, initial=current.get("excludes") or ()),
                block_id=B["excludes"],
                optional=True,
                hint="Alternatives: at most one of them is scheduled.",
            ),
        ]
    blocks += [
        input_block(
            "Mandatory",
            checkbox("Must be scheduled", value="yes", checked=bool(current.get("mandatory"))),
            block_id=B["mandatory"],
            optional=True,
        ),
        input_block(
            "Earliest start",
            _phase_element(phases, current.get("earliest")),
            block_id=B["earliest"],
            optional=True,
        ),
        input_block(
            "Deadline (last phase to go live)",
            _phase_element(phases, current.get("deadline")),
            block_id=B["deadline"],
            optional=True,
        ),
    ]
    blocks += score_blocks(drivers, current.get("scores") or {})
    title = "Propose an initiative" if view is None else f"Edit {view.key}"
    return modal(
        title=title,
        callback_id=ids.INITIATIVE_MODAL,
        blocks=blocks,
        private_metadata=private_metadata,
        submit="Propose" if view is None else "Save",
    )


def score_label(score: int) -> str:
    """`3 — moderate`: a score with its level word."""
    return f"{score} — {SCORE_LEVELS[score]}"


def score_blocks(drivers: Sequence[Driver], scores: Mapping[str, int]) -> list[Block]:
    """A header and one select per driver: the initiative's impact on it, 0 (none) to 5
    (transformative), showing the current score (0 when none is given)."""
    if not drivers:
        return []
    choices = [(str(n), score_label(n)) for n in range(MAX_SCORE + 1)]
    blocks: list[Block] = [header("Impact on the business drivers")]
    for d in drivers:
        current = scores.get(d.key, 0)
        blocks.append(
            input_block(
                d.name,
                select(choices, initial=str(current if 0 <= current <= MAX_SCORE else 0)),
                block_id=ids.score_block(d.key),
                hint=d.description or None,
            )
        )
    return blocks


def _phase_element(phases: Sequence[Phase], initial: int | None) -> dict[str, Any]:
    """A select of phase names, or a phase number when there are more than a select holds."""
    if phases and len(phases) <= OPTIONS:
        return select(
            [
                (str(p.index), f"{p.label} ({p.start:%b} {p.start.day}, {p.start.year})")
                for p in phases
            ],
            initial=None if initial is None else str(initial),
            placeholder="Any phase",
        )
    return number_input(initial=initial, minimum=0, placeholder="phase number, 0 is the first")


# --------------------------------------------------------------------------- reading


def read_initiative_submission(state_values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The catalog's field dict from a submitted initiative modal.

    Raises ModalErrors mapping each bad field's block_id to a message; every bad field
    is reported at once.
    """
    state = State(state_values)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}

    key = state.text(B["key"]).upper()
    if key:
        if KEY_RE.match(key):
            out["key"] = key
        else:
            errors[B["key"]] = "Use letters, digits and dashes, e.g. SOC-7."
    title = state.text(B["title"])
    if not title:
        errors[B["title"]] = "Give the initiative a title."
    out["title"] = title
    out["summary"] = state.text(B["summary"])
    out["category"] = state.text(B["category"])
    out["owner"] = state.text(B["owner"]) or None
    for name in ("key", "title", "summary", "category", "owner"):
        length, limit = len(state.text(B[name])), TEXT_LIMITS[name]
        if length > limit:
            errors[B[name]] = f"At most {limit:,} characters: this has {length:,}. Shorten it."
    for name, options in (("cadence", CADENCES), ("hosting", HOSTINGS), ("data", DATA_CLASSES)):
        chosen = state.choice(B[name])
        if chosen is not None and chosen not in options:
            errors[B[name]] = f"Choose one of {', '.join(options)}."
        elif chosen is not None:
            out[name] = chosen
    out["duration"] = _whole(state, "duration", errors, minimum=1, required=True)
    for name in _MONEY_FIELDS:
        typed = state.text(B[name])
        if not typed:
            if name == "value":
                errors[B[name]] = f"Say what it is worth per live phase, e.g. {MONEY_EXAMPLES}."
            else:
                out[name] = 0
            continue
        try:
            out[name] = parse_money(typed)
        except ScenarioError as exc:
            errors[B[name]] = str(exc)
    out["personal_data"] = "yes" in state.choices(B["personal_data"])
    out["mandatory"] = "yes" in state.choices(B["mandatory"])
    out["security_review"] = _REVIEW_VALUES.get(state.choice(B["security_review"]) or "policy")
    try:
        out["uses"] = parse_uses(state.text(B["uses"]))
    except ValueError as exc:
        errors[B["uses"]] = str(exc)
    teams = _whole(state, "teams", errors, minimum=0, required=False)
    out["teams"] = 1 if teams is None else teams
    out["depends_on"] = state.choices(B["depends_on"])
    out["excludes"] = state.choices(B["excludes"])
    both = sorted(set(out["depends_on"]) & set(out["excludes"]))
    if both:
        errors[B["excludes"]] = f"It cannot both depend on and exclude {', '.join(both)}."
    earliest = _phase(state, "earliest", errors)
    out["earliest"] = earliest or 0
    deadline = _phase(state, "deadline", errors)
    out["deadline"] = deadline
    duration = out.get("duration")
    if deadline is not None and isinstance(duration, int):
        first_live = (earliest or 0) + duration - 1
        if deadline < first_live:
            errors[B["deadline"]] = (
                f"Starting in phase {earliest or 0} at the earliest, {duration} phases of "
                f"building go live in phase {first_live} at the earliest; choose that or later."
            )
    scores = _scores(state_values, errors)
    if scores is not None:
        out["scores"] = scores
    if errors:
        raise ModalErrors(errors)
    return out


def _scores(
    state_values: Mapping[str, Mapping[str, Any]], errors: dict[str, str]
) -> dict[str, int] | None:
    """The impact scores of the form's driver selects (driver key → 0..5); None when the
    form asks none (a workspace without drivers)."""
    state = State(state_values)
    blocks = [b for b in state_values if b.startswith(ids.SCORE_BLOCK_PREFIX)]
    if not blocks:
        return None
    out: dict[str, int] = {}
    for block_id in blocks:
        chosen = state.choice(block_id)
        if chosen is None:
            continue
        if not chosen.isdigit() or not 0 <= int(chosen) <= MAX_SCORE:
            errors[block_id] = f"Choose a score from 0 (none) to {MAX_SCORE} (transformative)."
            continue
        out[block_id[len(ids.SCORE_BLOCK_PREFIX) :]] = int(chosen)
    return out


def parse_uses(text: str) -> dict[str, int]:
    """`integration: 3, data_engineering: 1` → {"integration": 3, "data_engineering": 1}."""
    out: dict[str, int] = {}
    for part in re.split(r"[,;\n]", text):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if m is None:
            raise ValueError(
                f"Cannot read '{part.strip()}': write resources like integration: 3, "
                "data_engineering: 1."
            )
        name = m[1].strip().lower().replace(" ", "_")
        amount = int(m[2])
        if not RESOURCE_RE.match(name):
            raise ValueError(f"'{m[1].strip()}' is not a resource name (e.g. integration).")
        if amount < 0:
            raise ValueError(f"{name}: an amount cannot be negative.")
        if name in out:
            raise ValueError(f"{name} is named twice.")
        out[name] = amount
    return out


def _whole(
    state: State, name: str, errors: dict[str, str], *, minimum: int, required: bool
) -> int | None:
    typed = state.text(B[name])
    if not typed:
        if required:
            errors[B[name]] = "Enter a whole number."
        return None
    try:
        number = int(typed)
    except ValueError:
        errors[B[name]] = f"'{typed}' is not a whole number."
        return None
    if number < minimum:
        errors[B[name]] = f"Enter {minimum} or more."
        return None
    return number


def _phase(state: State, name: str, errors: dict[str, str]) -> int | None:
    chosen = state.choice(B[name])
    if chosen is not None:
        return int(chosen)
    return _whole(state, name, errors, minimum=0, required=False)


def initiative_errors_for(
    fields: Mapping[str, str],
    *,
    editing: bool = False,
    score_blocks_shown: Collection[str] = (),
) -> dict[str, str]:
    """Catalog `ValidationFailed.fields` (field → message) as modal block_id → message.

    Messages about fields the modal does not show (and `__all__`) go under the title,
    naming the field; with `editing` there is no key field either. A message about one
    driver's score (`scores.engage`) goes under its select when `score_blocks_shown`
    (the block ids submitted) has it.
    """
    out: dict[str, list[str]] = {}
    for name, message in fields.items():
        score = name.partition(".")[2] if name.startswith("scores.") else None
        if score and ids.score_block(score) in score_blocks_shown:
            out.setdefault(ids.score_block(score), []).append(_sentence(message))
            continue
        shown = name in B and not (editing and name == "key")
        target = B[name] if shown else B["title"]
        text = message if shown or name == "__all__" else f"{name}: {message}"
        out.setdefault(target, []).append(_sentence(text))
    return {block: truncate(" ".join(texts), ERROR_TEXT) for block, texts in out.items()}


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
