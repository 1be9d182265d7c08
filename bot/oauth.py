"""OAuth installs into many workspaces: slack-sdk's SQLAlchemy stores on the catalog's
database, Bolt's OAuth settings, and the installing user as the workspace's first admin.

The stores' tables come from the Alembic migrations `0002` and `0004` (never
`create_tables()`). Bot, user and refresh tokens are encrypted at rest with the keys in
`TOWNHALL_ENCRYPTION_KEY` (`bot.token_cipher`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.token_cipher import TokenCipher
from catalog import services
from catalog.domain import Actor
from catalog.retry import retry_on_disconnect
from catalog.services.oauth_tokens import encrypt_token_columns, reencrypt_tokens
from catalog.settings import Settings
from catalog.uow import UnitOfWork

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session, sessionmaker

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
#: How long an install link stays valid, in seconds.
STATE_EXPIRATION_SECONDS = 600
ADMIN = "admin"

logger = logging.getLogger(__name__)


def authorize_url(api_url: str) -> str:
    """Slack's authorize page next to a Web API base URL.

    `https://slack.com/api/` → `https://slack.com/oauth/v2/authorize`; a fake or GovSlack
    base URL gets its own authorize page the same way.
    """
    root = api_url.rstrip("/").removesuffix("/api")
    return f"{root}/oauth/v2/authorize"


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's SQLAlchemy installation store whose token columns are encrypted.

    Every path through the store (save, save_bot, find_bot, find_installation) binds and
    reads these columns, so switching their type is enough; slack-sdk never filters on a
    token's value, which a randomized ciphertext could not match. The columns and their
    type are the catalog's (`catalog.services.oauth_tokens`).
    """

    def __init__(self, *, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.cipher = cipher
        for table in (self.bots, self.installations):
            encrypt_token_columns(table, cipher)


def installation_store(*, settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    """Installations and bot tokens of the app's OAuth client, kept in the catalog database
    with their tokens encrypted (raises `EncryptionKeyError` without a usable key)."""
    if not settings.slack_client_id:
        raise ValueError("an installation store needs SLACK_CLIENT_ID")
    return EncryptedInstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        cipher=TokenCipher.from_settings(settings),
    )


def encrypt_tokens(*, engine: Engine, cipher: TokenCipher) -> int:
    """Encrypt every stored token with the newest key, in one transaction: plaintext rows
    from before encryption was switched on, and rows under an older key after a rotation
    (`townhall db encrypt-tokens`; the SQL is the catalog's `reencrypt_tokens`).

    Returns how many token values were rewritten (0 when all are current).
    """
    return reencrypt_tokens(engine, cipher)


def state_store(
    *, engine: Engine, expiration_seconds: int = STATE_EXPIRATION_SECONDS
) -> SQLAlchemyOAuthStateStore:
    """One-time OAuth `state` values, kept in the catalog database (shared by all processes)."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=engine)


def make_first_admin(*, session_factory: sessionmaker[Session], installation: Installation) -> bool:
    """Set up the installed workspace and make the installer its admin if it has none yet.

    Returns whether a role was granted. A reinstall by someone else grants nothing: the
    workspace's admins stay who they are. Org-wide (Enterprise Grid) installs carry no
    team and grant nothing.
    """
    team_id = installation.team_id
    if not team_id or not installation.user_id:
        return False
    with UnitOfWork(session_factory) as uow:
        services.ensure_workspace(uow, team_id=team_id, name=installation.team_name)
    with UnitOfWork(session_factory) as uow:
        if any(grant.role == ADMIN for grant in services.list_roles(uow, team_id=team_id)):
            return False
        services.grant_role(
            uow,
            actor=Actor.operator(),
            team_id=team_id,
            user_id=installation.user_id,
            role=ADMIN,
        )
        uow.commit()
    logger.info("%s installed Townhall in %s and is its first admin", installation.user_id, team_id)
    return True


def callback_options(*, session_factory: sessionmaker[Session]) -> CallbackOptions:
    """Bolt's install callbacks: on success the installer becomes admin, then Bolt's page."""

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        retry_on_disconnect(  # the whole set-up is re-runnable: it grants no second admin
            lambda: make_first_admin(session_factory=session_factory, installation=installation),
            what="setting up an installed workspace",
        )
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        logger.warning("Slack install failed: %s (%s)", args.reason, args.error)
        return args.default.failure(args)

    return CallbackOptions(success=success, failure=failure)


def oauth_settings(
    *, settings: Settings, session_factory: sessionmaker[Session], engine: Engine | None = None
) -> OAuthSettings:
    """Bolt's OAuth settings: install at `/slack/install`, redirect to `/slack/oauth_redirect`,
    both stores on the catalog's database (the engine of `session_factory` unless given).

    The install path redirects straight to Slack's authorize page (no intermediate page).
    """
    if not settings.oauth_enabled:
        raise ValueError("OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    engine = engine or _engine_of(session_factory)
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(settings.slack_scopes),
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.slack_api_url),
        installation_store=installation_store(settings=settings, engine=engine),
        state_store=state_store(engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        callback_options=callback_options(session_factory=session_factory),
    )


def _engine_of(session_factory: sessionmaker[Session]) -> Engine:
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise ValueError("the session factory is bound to no engine; pass engine=")
    return bind
