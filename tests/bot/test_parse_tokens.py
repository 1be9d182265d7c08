"""bot.parsing tokens: quotes, Slack mentions and Slack escaping."""

from __future__ import annotations

import pytest

from bot.errors import UsageError
from bot.parsing import Token, UserRef, parse_user, tokenize, unescape


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def test_words_split_at_any_whitespace():
    assert words("  approve\tSOC-7\u00a0now \n") == ["approve", "SOC-7", "now"]
    assert tokenize("") == []


def test_straight_and_smart_quotes_make_one_argument():
    assert words('review X conditions "EU data only"') == [
        "review",
        "X",
        "conditions",
        "EU data only",
    ]
    assert words("reject X “too costly”") == ["reject", "X", "too costly"]
    assert words("reject X „zu teuer“") == ["reject", "X", "zu teuer"]


def test_tokens_know_where_they_came_from():
    text = 'a "b c" d'
    assert tokenize(text) == [
        Token("a", 0, 1),
        Token("b c", 2, 7, quoted=True),
        Token("d", 8, 9),
    ]


def test_quotes_inside_a_word_and_apostrophes_are_plain_characters():
    assert words("say 12\" don't it’s") == ["say", '12"', "don't", "it’s"]


def test_an_unclosed_quote_is_an_error():
    with pytest.raises(UsageError) as info:
        tokenize('reject X "too costly')
    assert info.value.message == 'A quote is not closed: `"too costly`.'


def test_slack_angle_brackets_stay_one_word():
    assert words("role <@U1|Ann Lee> pmo") == ["role", "<@U1|Ann Lee>", "pmo"]
    assert words("see <https://x.example/a|the doc> ok") == [
        "see",
        "<https://x.example/a|the doc>",
        "ok",
    ]


def test_unescape_undoes_exactly_slacks_three_escapes():
    assert unescape("R&amp;D &lt;!channel&gt;") == "R&D <!channel>"
    assert unescape("&amp;lt;") == "&lt;"  # an escaped ampersand followed by lt;
    assert unescape("&quot; &#39;") == "&quot; &#39;"


@pytest.mark.parametrize(
    ("word", "user"),
    [
        ("<@U123ABC|alice>", UserRef("U123ABC", "alice")),
        ("<@U123ABC>", UserRef("U123ABC")),
        ("<@W123ABC|bo>", UserRef("W123ABC", "bo")),
        ("U123ABC", UserRef("U123ABC")),
        ("<@U123ABC|>", UserRef("U123ABC")),
    ],
)
def test_parse_user(word, user):
    assert parse_user(word) == user


@pytest.mark.parametrize(
    ("word", "message"),
    [
        (
            "@alice",
            "`@alice` is not a mention Slack resolved: pick the person from the @ list as "
            "you type, or give their user id (e.g. U0123ABCD).",
        ),
        ("alice", "`alice` is not a user: mention them with @, e.g. @alice."),
        ("<#C123|general>", "`<#C123|general>` is not a user: mention them with @, e.g. @alice."),
        ("<!channel>", "`<!channel>` is not a user: mention them with @, e.g. @alice."),
        ("u123abc", "`u123abc` is not a user: mention them with @, e.g. @alice."),
    ],
)
def test_parse_user_errors(word, message):
    with pytest.raises(UsageError) as info:
        parse_user(word)
    assert info.value.message == message
