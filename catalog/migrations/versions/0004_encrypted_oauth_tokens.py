"""Room for encrypted OAuth tokens: widen the token columns of slack_bots and
slack_installations from 200 to 1000 characters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

The application encrypts tokens with Fernet (`bot.token_cipher`); a ciphertext is about
1.8 times its token plus 73 characters, more than slack-sdk's 200. The downgrade gives
the older code what it can read: encrypted values are decrypted with the keys in
`TOWNHALL_ENCRYPTION_KEY` (it refuses, naming the variable, when they cannot be), then
the columns narrow back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from catalog.settings import Settings

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN_COLUMNS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}
OLD_LENGTH = 200
NEW_LENGTH = 1000


def _alter(length_from: int, length_to: int) -> None:
    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.String(length=length_from),
                    type_=sa.String(length=length_to),
                    existing_nullable=True,
                )


def upgrade() -> None:
    _alter(OLD_LENGTH, NEW_LENGTH)


def downgrade() -> None:
    _decrypt_stored_tokens()
    _alter(NEW_LENGTH, OLD_LENGTH)


def _decrypt_stored_tokens() -> None:
    connection = op.get_bind()
    cipher: MultiFernet | None = None
    for name, columns in TOKEN_COLUMNS.items():
        table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
        for row in connection.execute(sa.select(table)).mappings():
            plain = {}
            for column in columns:
                value = row[column]
                if value is None or not value.startswith("gAAAAA"):
                    continue
                cipher = cipher or _cipher()
                try:
                    plain[column] = cipher.decrypt(value.encode("ascii")).decode("utf-8")
                except InvalidToken:
                    raise RuntimeError(
                        f"{name}.{column} of row {row['id']} does not open with "
                        "TOWNHALL_ENCRYPTION_KEY; set the key the tokens were encrypted with "
                        "before downgrading"
                    ) from None
            if plain:
                connection.execute(sa.update(table).where(table.c.id == row["id"]).values(plain))


def _cipher() -> MultiFernet:
    keys = Settings.from_env().encryption_keys
    if not keys:
        raise RuntimeError(
            "stored OAuth tokens are encrypted: set TOWNHALL_ENCRYPTION_KEY to decrypt them "
            "before downgrading below 0004"
        )
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except ValueError:
        raise RuntimeError("TOWNHALL_ENCRYPTION_KEY holds a key that is not a Fernet key") from None
