"""Slack OAuth tokens at rest in the catalog's database.

slack-sdk's OAuth stores keep their rows in tables the migrations create (`0002`, and
`0004` which widens the token columns for Fernet ciphertexts); the bot encrypts the
tokens with the keys in `TOWNHALL_ENCRYPTION_KEY` (README "Operations", "OAuth tokens
encrypted at rest"). This module owns the storage side: which columns hold tokens, the
column type that encrypts and decrypts them, and the re-encryption `townhall db
encrypt-tokens` runs. The cipher is anything with the methods of `TokenCodec` (the bot's
`bot.token_cipher.TokenCipher`); the catalog imports nothing of the bot or of Slack.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Engine, String, column, select, table, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.types import TypeDecorator

#: The token columns of slack-sdk's tables, encrypted at rest (widened by migration 0004).
TOKEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}
#: Room for a Fernet token of a Slack token (a 200-character token takes about 360).
TOKEN_LENGTH = 1000


class TokenCodec(Protocol):
    """Encrypts and decrypts token values (None stays None) under a list of keys."""

    def encrypt(self, value: str | None) -> str | None: ...

    def decrypt(self, value: str | None) -> str | None: ...

    def is_current(self, value: str | None) -> bool:
        """Whether the value is already encrypted with the newest key (or None)."""
        ...

    def reencrypt(self, value: str | None) -> str | None:
        """The value encrypted with the newest key, whether plaintext or under an older key."""
        ...


class EncryptedToken(TypeDecorator[str]):
    """A token column: encrypted on the way in, decrypted on the way out."""

    impl = String(TOKEN_LENGTH)
    cache_ok = True

    def __init__(self, cipher: TokenCodec) -> None:
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return self.cipher.encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return self.cipher.decrypt(value)


def encrypt_token_columns(store_table: Any, cipher: TokenCodec) -> None:
    """Give the token columns of one of slack-sdk's store tables (`slack_bots`,
    `slack_installations`, as its SQLAlchemy store defines them) the encrypting type.

    Every path through slack-sdk's store binds and reads these columns, so switching their
    type is enough; slack-sdk never filters on a token's value, which a randomized
    ciphertext could not match.
    """
    for name in TOKEN_COLUMNS[store_table.name]:
        store_table.c[name].type = EncryptedToken(cipher)


def _token_table(name: str) -> TableClause:
    """The id and token columns of one store table, enough to read and rewrite them."""
    return table(name, column("id"), *(column(c) for c in TOKEN_COLUMNS[name]))


def reencrypt_tokens(engine: Engine, cipher: TokenCodec) -> int:
    """Encrypt every stored token with the newest key, in one transaction: plaintext rows
    from before encryption was switched on, and rows under an older key after a rotation.

    Returns how many token values were rewritten (0 when all are current).
    """
    rewritten = 0
    with engine.begin() as connection:
        for name, names in TOKEN_COLUMNS.items():
            tokens = _token_table(name)
            columns = [tokens.c[c] for c in names]
            for row in connection.execute(select(tokens.c.id, *columns)).mappings():
                stale = {
                    c: cipher.reencrypt(row[c]) for c in names if not cipher.is_current(row[c])
                }
                if stale:
                    connection.execute(update(tokens).where(tokens.c.id == row["id"]).values(stale))
                    rewritten += len(stale)
    return rewritten
