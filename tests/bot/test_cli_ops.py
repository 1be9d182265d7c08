"""`townhall keygen`, `townhall db encrypt-tokens` and the encryption-key check of
`townhall serve`, run through the real console script."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import text

from bot.token_cipher import looks_encrypted
from catalog.db import make_engine, upgrade

TOWNHALL = str(Path(sys.executable).with_name("townhall"))
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TOWNHALL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "TOWNHALL_")) and k != "DATABASE_URL"
    }
    return {
        **base,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ops.sqlite3'}",
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }


def test_keygen_prints_a_new_fernet_key(env, tmp_path):
    first = _run("keygen", env=env, cwd=tmp_path)
    second = _run("keygen", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) == 44 and key != second.stdout.strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"


def _plaintext_install(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        SQLAlchemyInstallationStore(client_id="111.222", engine=engine).save(
            Installation(
                app_id="A1",
                enterprise_id=None,
                team_id="T0OLD",
                bot_token="xoxb-old-plaintext",
                bot_id="B1",
                bot_user_id="U1BOT",
                user_id="U1",
                user_token="xoxp-old-plaintext",
                installed_at=dt.datetime.now(dt.UTC).timestamp(),
            )
        )
    finally:
        engine.dispose()


def _stored_tokens(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            bots = connection.execute(text("SELECT bot_token FROM slack_bots")).scalars()
            values = list(bots)
            rows = connection.execute(text("SELECT bot_token, user_token FROM slack_installations"))
            for row in rows:
                values += list(row)
        return values
    finally:
        engine.dispose()


def test_encrypt_tokens_encrypts_rows_saved_in_plaintext(env, tmp_path):
    url = env["DATABASE_URL"]
    _plaintext_install(url)
    assert "xoxb-old-plaintext" in _stored_tokens(url)

    refused = _run("db", "encrypt-tokens", env=env, cwd=tmp_path)
    assert refused.returncode != 0
    assert "TOWNHALL_ENCRYPTION_KEY is not set" in refused.stderr
    assert "townhall keygen" in refused.stderr

    env["TOWNHALL_ENCRYPTION_KEY"] = "not-a-fernet-key"
    bad = _run("db", "encrypt-tokens", env=env, cwd=tmp_path)
    assert bad.returncode != 0 and "TOWNHALL_ENCRYPTION_KEY: key 1 of 1" in bad.stderr
    assert "Traceback" not in bad.stderr

    key = Fernet.generate_key()
    env["TOWNHALL_ENCRYPTION_KEY"] = key.decode()
    done = _run("db", "encrypt-tokens", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Encrypted 3 token value(s)" in done.stdout
    stored = _stored_tokens(url)
    assert len(stored) == 3 and all(looks_encrypted(v) for v in stored)
    assert sorted(Fernet(key).decrypt(v.encode()).decode() for v in stored) == [
        "xoxb-old-plaintext",
        "xoxb-old-plaintext",
        "xoxp-old-plaintext",
    ]
    again = _run("db", "encrypt-tokens", env=env, cwd=tmp_path)
    assert "Encrypted 0 token value(s)" in again.stdout


def test_serve_with_oauth_refuses_to_start_without_a_key(env, tmp_path):
    env.update(
        SLACK_SIGNING_SECRET="s" * 32, SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="c" * 32
    )
    for command in (["serve", "--port", "1"], ["socket"]):
        if command == ["socket"]:
            env["SLACK_APP_TOKEN"] = "xapp-1-A1-1-abc"
        proc = _run(*command, env=env, cwd=tmp_path)
        assert proc.returncode != 0
        assert "TOWNHALL_ENCRYPTION_KEY is not set" in proc.stderr
        assert "townhall keygen" in proc.stderr
        assert "Traceback" not in proc.stderr
