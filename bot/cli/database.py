"""`townhall db upgrade|downgrade|encrypt-tokens` and `townhall keygen`: the schema and
the key that encrypts stored OAuth tokens."""

from __future__ import annotations

import typer

from bot.cli.common import database_url, fail, out, run, settings
from catalog.db import upgrade


def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    url = settings().database_url
    run(lambda: upgrade(url, revision))
    out.print(f"Database at {revision}: {_safe_url(url)}")


def db_downgrade(revision: str = typer.Argument(..., help="e.g. -1 or base")) -> None:
    """Revert migrations down to REVISION."""
    from catalog.db import downgrade

    url = settings().database_url
    run(lambda: downgrade(url, revision))
    out.print(f"Database downgraded to {revision}: {_safe_url(url)}")


def db_encrypt_tokens() -> None:
    """Encrypt every stored OAuth token with the newest TOWNHALL_ENCRYPTION_KEY key
    (plaintext rows and rows under older keys), in one transaction."""
    from bot.oauth import encrypt_tokens
    from bot.token_cipher import EncryptionKeyError, TokenCipher
    from catalog.db import make_engine

    try:
        cipher = TokenCipher.from_settings(settings())
    except EncryptionKeyError as exc:
        fail(str(exc))
    engine = make_engine(database_url())
    try:
        count = encrypt_tokens(engine=engine, cipher=cipher)
    except EncryptionKeyError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    out.print(f"Encrypted {count} token value(s) with the newest key.")


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def keygen() -> None:
    """Print a new encryption key for TOWNHALL_ENCRYPTION_KEY (Fernet, URL-safe base64).

    To rotate, put the new key first (`NEW,OLD`), run `townhall db encrypt-tokens`, then
    drop the old one.
    """
    from bot.token_cipher import generate_key

    out.print(generate_key(), highlight=False, markup=False)
