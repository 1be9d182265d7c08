"""manifest.yaml declares what the code serves: command, shortcut, events, scopes, URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bot.blocks import ids
from bot.oauth import REDIRECT_PATH
from bot.server import EVENTS_PATH
from catalog.settings import DEFAULT_SLACK_SCOPES, Settings

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


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


def test_oauth_scopes_and_redirect_match_the_code(manifest):
    oauth = manifest["oauth_config"]
    assert tuple(oauth["scopes"]["bot"]) == DEFAULT_SLACK_SCOPES
    assert {"commands", "chat:write", "chat:write.public", "im:write", "users:read"} <= set(
        oauth["scopes"]["bot"]
    )
    assert "files:write" in oauth["scopes"]["bot"]  # the Gantt picture upload
    (redirect,) = oauth["redirect_urls"]
    assert urlsplit(redirect).path == REDIRECT_PATH


def test_every_url_points_at_the_same_placeholder_host_over_https(manifest):
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
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
