"""A minimal Bolt app with `bot.app.build_app`'s signature, for transport tests.

It answers the configured slash command with `pong <text>` and is importable by a
`townhall serve --app tests.bot.minimal_bolt:build_app` subprocess.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from catalog.settings import Settings


def build_app(
    *,
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: WebClient | None = None,
    installation_store: Any = None,
    oauth_settings: Any = None,
    executor: Any = None,
) -> App:
    """A Bolt app on `settings`' Web API URL: bot token, or OAuth when settings are given."""
    if oauth_settings is not None:
        client = client or WebClient(base_url=settings.slack_api_url)
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=client,
            oauth_settings=oauth_settings,
            installation_store=installation_store,
        )
    else:
        client = client or WebClient(
            base_url=settings.slack_api_url, token=settings.slack_bot_token
        )
        app = App(signing_secret=settings.slack_signing_secret, client=client)

    @app.command(settings.slash_command)
    def pong(ack: Any, command: dict[str, Any]) -> None:
        ack(text=f"pong {command['text']}")

    return app
