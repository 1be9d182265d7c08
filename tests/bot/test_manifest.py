"""manifest.yaml declares what the code serves: command, shortcut, events, scopes, URLs."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bot.blocks import ids
from bot.oauth import REDIRECT_PATH
from bot.server import EVENTS_PATH
from catalog.settings import DEFAULT_SLACK_SCOPES, Settings

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yaml"
README = ROOT / "README.md"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_the_slash_command_is_the_default_and_escapes_mentions(manifest):
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == Settings().slash_command == "/roadmap"
    assert command["should_escape"] is True  # mentions arrive as <@U…|name>
    assert urlsplit(command["url"]).path == EVENTS_PATH


def test_the_message_shortcut_uses_the_listeners_callback_id(manifest):
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "message"
    assert shortcut["name"] == "Propose as initiative"
    assert shortcut["callback_id"] == ids.PROPOSE_FROM_MESSAGE


def test_home_tab_messages_tab_and_bot_user(manifest):
    features = manifest["features"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["bot_user"]["display_name"] == "Townhall"


def test_events_and_interactivity_reach_the_events_route(manifest):
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert urlsplit(settings["event_subscriptions"]["request_url"]).path == EVENTS_PATH
    assert settings["interactivity"]["is_enabled"] is True
    assert urlsplit(settings["interactivity"]["request_url"]).path == EVENTS_PATH
    # the Explain… menu of a roadmap with over 100 initiatives loads its options there
    options_url = settings["interactivity"]["message_menu_options_url"]
    assert urlsplit(options_url).path == EVENTS_PATH


def test_oauth_scopes_and_redirect_match_the_code(manifest):
    oauth = manifest["oauth_config"]
    assert tuple(oauth["scopes"]["bot"]) == DEFAULT_SLACK_SCOPES
    assert {"commands", "chat:write", "chat:write.public", "im:write"} <= set(
        oauth["scopes"]["bot"]
    )
    assert "files:write" in oauth["scopes"]["bot"]  # the Gantt picture upload
    (redirect,) = oauth["redirect_urls"]
    assert urlsplit(redirect).path == REDIRECT_PATH


def test_no_scope_is_asked_for_that_nothing_uses(manifest):
    """`users:read` was asked for but no code calls a `users.*` method: an install asks
    only for what the bot uses (README, Slack)."""
    bot_scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert "users:read" not in bot_scopes
    assert "users:read" not in DEFAULT_SLACK_SCOPES
    readme = README.read_text(encoding="utf-8")
    [listed] = re.findall(r"the bot scopes \(([^)]*)\)", readme)
    assert [s.strip(" `\n") for s in listed.split(",")] == list(bot_scopes)
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py"))
    assert not re.search(r"\busers_(info|list|lookup|profile)", code)


def test_every_url_points_at_the_same_placeholder_host_over_https(manifest):
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["interactivity"]["message_menu_options_url"],
        *manifest["oauth_config"]["redirect_urls"],
    ]
    assert {urlsplit(u).scheme for u in urls} == {"https"}
    assert {urlsplit(u).netloc for u in urls} == {"townhall.example.com"}


def test_texts_fit_slacks_manifest_limits(manifest):
    assert len(manifest["display_information"]["description"]) <= 140
    assert len(manifest["features"]["bot_user"]["display_name"]) <= 80
    shortcut = manifest["features"]["shortcuts"][0]
    assert len(shortcut["name"]) <= 24
    assert len(shortcut["description"]) <= 150
    command = manifest["features"]["slash_commands"][0]
    assert len(command["command"]) <= 32
    assert len(command["description"]) <= 2000
    assert len(command["usage_hint"]) <= 1000
