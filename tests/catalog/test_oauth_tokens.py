"""OAuth tokens at rest (`catalog.services.oauth_tokens`): the encrypting column type on
slack-sdk's store tables, and the re-encryption `townhall db encrypt-tokens` runs.

A toy cipher stands in for the bot's Fernet one: the catalog only needs its four methods.
"""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import text

from catalog.services.oauth_tokens import (
    TOKEN_COLUMNS,
    encrypt_token_columns,
    reencrypt_tokens,
)

NEW, OLD = "new:", "old:"


class PrefixCipher:
    """ "Encrypts" by prefixing the newest key's name; reads values under either key."""

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else NEW + value

    def decrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        return value.removeprefix(NEW).removeprefix(OLD)

    def is_current(self, value: str | None) -> bool:
        return value is None or value.startswith(NEW)

    def reencrypt(self, value: str | None) -> str | None:
        return self.encrypt(self.decrypt(value))


def _installation() -> Installation:
    return Installation(
        app_id="A0TOWNHALL",
        enterprise_id=None,
        team_id="T0TOKENS",
        bot_token="xoxb-bot",
        bot_id="B1",
        bot_user_id="U1BOT",
        bot_refresh_token="xoxe-bot",
        user_id="U1",
        user_token="xoxp-user",
        user_refresh_token="xoxe-user",
    )


def _raw(engine) -> list[str]:
    values = []
    with engine.connect() as connection:
        for table, columns in TOKEN_COLUMNS.items():
            for row in connection.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):
                values += [v for v in row if v is not None]
    return values


@pytest.fixture
def stores(engine):
    yield engine
    with engine.begin() as connection:
        for table in TOKEN_COLUMNS:
            connection.execute(text(f"DELETE FROM {table}"))


def test_the_encrypting_columns_write_ciphertext_and_read_plaintext(stores):
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=stores)
    for table in (store.bots, store.installations):
        encrypt_token_columns(table, PrefixCipher())
    store.save(_installation())
    raw = _raw(stores)
    assert len(raw) == 6 and all(v.startswith(NEW) for v in raw)
    bot = store.find_bot(enterprise_id=None, team_id="T0TOKENS")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == ("xoxb-bot", "xoxe-bot")


def test_reencrypt_rewrites_plaintext_and_old_key_values_once(stores):
    SQLAlchemyInstallationStore(client_id="111.222", engine=stores).save(_installation())
    assert reencrypt_tokens(stores, PrefixCipher()) == 6  # all plaintext
    assert sorted(_raw(stores)) == sorted(
        NEW + v for v in ("xoxb-bot", "xoxe-bot", "xoxb-bot", "xoxe-bot", "xoxp-user", "xoxe-user")
    )
    assert reencrypt_tokens(stores, PrefixCipher()) == 0  # all current
    with stores.begin() as connection:
        connection.execute(text(f"UPDATE slack_bots SET bot_token = '{OLD}xoxb-bot'"))
    assert reencrypt_tokens(stores, PrefixCipher()) == 1  # one under the old key
    assert all(v.startswith(NEW) for v in _raw(stores))


def test_reencrypt_leaves_missing_tokens_alone(stores):
    installation = _installation()
    installation.user_token = installation.user_refresh_token = None
    installation.bot_refresh_token = None
    SQLAlchemyInstallationStore(client_id="111.222", engine=stores).save(installation)
    assert reencrypt_tokens(stores, PrefixCipher()) == 2  # the bot token, in both tables
