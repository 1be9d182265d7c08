"""bot.blocks.text and bot.blocks.ids: escaping, truncation, packing, button values."""

from __future__ import annotations

import pytest

from bot.blocks import ids
from bot.blocks.text import (
    escape,
    mention,
    money,
    names_within,
    pack_lines,
    percent,
    truncate,
    truncate_mrkdwn,
)


def test_escape_turns_control_characters_into_entities():
    assert escape("<!channel> Tom & Jerry <@U1>") == "&lt;!channel&gt; Tom &amp; Jerry &lt;@U1&gt;"
    assert escape("&amp;") == "&amp;amp;"  # typed text shows as typed
    assert escape(42) == "42"


def test_truncate_keeps_short_text_and_marks_a_cut():
    assert truncate("short", 10) == "short"
    cut = truncate("a" * 200, 75)
    assert len(cut) == 75
    assert cut.endswith("…")
    with pytest.raises(ValueError):
        truncate("x", 0)


@pytest.mark.parametrize("cut_at", range(1, 30))
def test_truncate_mrkdwn_never_splits_an_entity_or_a_token(cut_at):
    text = escape("a & b <c> ") + "<@U123ABC> and more text here"
    out = truncate_mrkdwn(text, cut_at)
    assert len(out) <= cut_at
    body = out.removesuffix("…")
    # every & starts a whole entity, every < is closed
    for i, ch in enumerate(body):
        if ch == "&":
            assert body[i:].startswith(("&amp;", "&lt;", "&gt;")), out
    assert body.count("<") == body.count(">"), out


def test_money_and_percent():
    assert money(1_200_000) == "1.2M"  # planner.money.format_money
    assert money(1_234_567) == "1,234,567"
    assert money(None) == "unlimited"
    assert money(None, none="no plan") == "no plan"
    assert percent(245_000, 250_000) == "98%"
    assert percent(1, None) == ""


def test_mention_only_for_user_ids():
    assert mention("U0ALICE") == "<@U0ALICE>"
    assert mention("W012ABC") == "<@W012ABC>"
    assert mention("<!channel>") == "&lt;!channel&gt;"
    assert mention("operator") == "operator"
    assert mention(None) == "someone"


def test_names_within_summarizes_what_does_not_fit():
    names = [f"KEY-{i}" for i in range(100)]
    out = names_within(names, limit=100, more="more, see export")
    assert len(out) <= 100
    shown = out.count("KEY-")
    assert out.endswith(f", +{100 - shown} more, see export")
    assert names_within(["A", "B"], limit=100) == "A, B"


def test_pack_lines_respects_chunk_size_and_count():
    lines = [f"line {i} " + "x" * 90 for i in range(300)]
    chunks = pack_lines(lines, limit=3000, max_chunks=3, more="more")
    assert len(chunks) == 3
    assert all(len(c) <= 3000 for c in chunks)
    shown = sum(c.count("\n") + 1 for c in chunks) - 1
    assert chunks[-1].endswith(f"+{300 - shown} more")


def test_pack_lines_cuts_a_single_overlong_line():
    chunks = pack_lines(["y" * 10_000, "short"], limit=3000, max_chunks=5)
    assert all(len(c) <= 3000 for c in chunks)
    assert chunks[-1].endswith("short")


def test_pack_lines_everything_fits():
    assert pack_lines(["a", "b"], max_chunks=1) == ["a\nb"]


def test_initiative_value_round_trip():
    assert ids.read_initiative_value(ids.initiative_value("SOC-7", 12)) == ("SOC-7", 12)
    for bad in ("SOC-7", "SOC-7|x", "|3"):
        with pytest.raises(ValueError):
            ids.read_initiative_value(bad)


def test_roadmap_value_round_trip():
    assert ids.read_roadmap_value(ids.roadmap_value(12, "SSO")) == (12, "SSO")
    assert ids.read_roadmap_value(ids.roadmap_value(12)) == (12, "")
    assert ids.read_roadmap_value(ids.roadmap_value(None, "json")) == (None, "json")
    with pytest.raises(ValueError):
        ids.read_roadmap_value("x|SSO")


def test_ids_are_unique_and_short():
    names = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    assert len(names) == len(set(names))
    blocks = [*ids.INITIATIVE_BLOCKS.values(), *ids.SETTINGS_BLOCKS.values()]
    assert len(blocks) == len(set(blocks))
    assert all(len(x) <= 255 for x in names + blocks)
