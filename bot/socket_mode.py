"""Socket Mode: the same Bolt app over an outbound WebSocket, for workspaces whose
firewall allows no inbound traffic (needs an app-level token, `SLACK_APP_TOKEN`)."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.server import DEFAULT_BUILDER, bolt_app, check_settings, load_builder, prepare_database
from catalog.settings import Settings


def socket_mode_handler(
    *, settings: Settings, builder_spec: str = DEFAULT_BUILDER
) -> SocketModeHandler:
    """A connected-on-start Socket Mode handler for `settings`' Bolt app.

    Raises `bot.server.StartupError` when the token, app token or OAuth pair is missing.
    The handler talks to the Web API through the app's client, so `SLACK_API_URL` holds.
    """
    check_settings(settings, socket_mode=True)
    builder = load_builder(builder_spec)
    prepare_database(settings)
    app = bolt_app(settings=settings, builder=builder, socket_mode=True, recover_jobs=True)
    return SocketModeHandler(app, app_token=settings.slack_app_token)


def run_socket_mode(*, settings: Settings, builder_spec: str = DEFAULT_BUILDER) -> None:
    """Connect to Slack over Socket Mode and serve until interrupted."""
    socket_mode_handler(settings=settings, builder_spec=builder_spec).start()
