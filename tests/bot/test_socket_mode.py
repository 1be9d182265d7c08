"""Socket Mode: the handler wraps the same Bolt app; configuration errors are clear."""

from __future__ import annotations

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.server import StartupError
from bot.socket_mode import socket_mode_handler
from catalog.settings import Settings
from tests.bot.fakeslack import FakeSlack

BUILDER = "tests.bot.minimal_bolt:build_app"


def test_the_handler_uses_the_app_token_and_the_apps_web_client(tmp_path):
    with FakeSlack() as fake:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'socket.sqlite3'}",
            slack_bot_token=fake.workspace.bot_token,
            slack_app_token="xapp-1-test",
            slack_api_url=fake.url,
        )
        handler = socket_mode_handler(settings=settings, builder_spec=BUILDER)
        try:
            assert isinstance(handler, SocketModeHandler)
            assert handler.client.app_token == "xapp-1-test"
            assert handler.client.web_client is handler.app.client
            assert handler.app.client.base_url == fake.url  # SLACK_API_URL holds
        finally:
            handler.client.close()


def test_no_signing_secret_is_needed_but_an_app_token_is():
    with pytest.raises(StartupError) as caught:
        socket_mode_handler(settings=Settings(slack_bot_token="xoxb-1"), builder_spec=BUILDER)
    assert "SLACK_APP_TOKEN" in str(caught.value)
    assert "SLACK_SIGNING_SECRET" not in str(caught.value)


def test_a_token_or_oauth_pair_is_needed_too():
    with pytest.raises(StartupError, match="SLACK_BOT_TOKEN"):
        socket_mode_handler(settings=Settings(slack_app_token="xapp-1"), builder_spec=BUILDER)
