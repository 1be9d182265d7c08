"""OAuth installs end to end: /slack/install sends the admin to Slack's authorize page
with a state, Slack's redirect with that state and a code exchanges the code through
`oauth.v2.access`, the installation lands in the catalog's database and the installer
becomes the workspace's first admin.

FakeSlack knows no `oauth.v2.access` (it calls for a workspace token on every method),
so a tiny fake of the two methods an install uses is served here.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import delete, select, text

from bot.oauth import (
    INSTALL_PATH,
    REDIRECT_PATH,
    authorize_url,
    encrypt_tokens,
    installation_store,
    make_first_admin,
    oauth_settings,
)
from bot.server import StartupError, check_settings, wsgi_app
from bot.token_cipher import EncryptionKeyError, TokenCipher, looks_encrypted
from catalog import services
from catalog.errors import NotFound
from catalog.services.oauth_tokens import TOKEN_COLUMNS
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from tests.bot.loopback import serve_wsgi
from tests.bot.minimal_bolt import build_app
from tests.bot.signed import Reply, SlackRequests

SECRET = "oauth-signing-secret"
CLIENT_ID = "111.222"
CLIENT_SECRET = "client-s3cret"
KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
STATE_COOKIE = "slack-app-oauth-state"


@dataclass
class InstallSlack:
    """Answers `oauth.v2.access` (a code for a bot token) and `auth.test` like Slack."""

    team_id: str = "T0NEWCO"
    installer: str = "U0INSTALLER"
    calls: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token(self) -> str:
        return f"xoxb-{self.team_id}-installed"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        method = environ["PATH_INFO"].removeprefix("/api/")
        call = {"method": method, "form": form, "auth": environ.get("HTTP_AUTHORIZATION", "")}
        with self.lock:
            self.calls.append(call)
        answer = self._answer(method, form, call["auth"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(answer).encode()]

    def _answer(self, method: str, form: dict[str, str], auth: str) -> dict[str, Any]:
        if method == "oauth.v2.access":
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if auth != f"Basic {expected}":
                return {"ok": False, "error": "invalid_client_id"}
            if form.get("code") != "good-code":
                return {"ok": False, "error": "invalid_code"}
            return {
                "ok": True,
                "app_id": "A0TOWNHALL",
                "authed_user": {"id": self.installer},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": self.token,
                "bot_user_id": "U0NEWBOT",
                "team": {"id": self.team_id, "name": "New Co"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if method == "auth.test" and auth == f"Bearer {self.token}":
            return {"ok": True, "team_id": self.team_id, "user_id": "U0NEWBOT", "bot_id": "B0NEW"}
        return {"ok": False, "error": "invalid_auth"}

    def methods(self) -> list[str]:
        with self.lock:
            return [c["method"] for c in self.calls]


@dataclass
class Installing:
    root: str
    slack: InstallSlack
    settings: Settings


@pytest.fixture
def installing(session_factory, engine) -> Iterator[Installing]:
    slack = InstallSlack()
    with serve_wsgi(slack) as slack_root:
        settings = Settings(
            slack_signing_secret=SECRET,
            slack_client_id=CLIENT_ID,
            slack_client_secret=CLIENT_SECRET,
            slack_api_url=f"{slack_root}/api/",
            encryption_keys=(KEY,),
        )
        app = wsgi_app(settings=settings, builder=build_app, session_factory=session_factory)
        try:
            with serve_wsgi(app) as root:
                yield Installing(root=root, slack=slack, settings=settings)
        finally:
            store = installation_store(settings=settings, engine=engine)
            oauth = app.bolt_app.oauth_flow
            assert oauth is not None
            with engine.begin() as connection:
                connection.execute(delete(store.installations))
                connection.execute(delete(store.bots))
                connection.execute(delete(oauth.settings.state_store.oauth_states))


def _get(url: str, *, cookie: str | None = None) -> Reply:
    """GET without following redirects."""
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        path = f"{split.path}?{split.query}" if split.query else split.path
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return Reply(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=response.read(),
        )
    finally:
        connection.close()


def _refused(reply: Reply) -> bool:
    """Bolt's failure page: 400 for a state that does not match, 401 for one it never
    issued or a code Slack refused."""
    return reply.status in (400, 401) and "Oops, Something Went Wrong!" in reply.text


def _start_install(installing: Installing) -> tuple[str, str]:
    """Open /slack/install; return the state Slack is sent and the cookie set with it."""
    reply = _get(f"{installing.root}{INSTALL_PATH}")
    assert reply.status == 302
    location = urlsplit(reply.headers["location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    cookie = reply.headers["set-cookie"].split(";")[0]
    assert cookie == f"{STATE_COOKIE}={query['state']}"
    return query["state"], cookie


def test_the_install_page_redirects_to_slacks_authorize_page(installing):
    reply = _get(f"{installing.root}{INSTALL_PATH}")
    assert reply.status == 302
    location = urlsplit(reply.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == authorize_url(
        installing.settings.slack_api_url
    )
    assert location.path == "/oauth/v2/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(installing.settings.slack_scopes)]
    assert query["state"][0]
    assert f"{STATE_COOKIE}={query['state'][0]}" in reply.headers["set-cookie"]


def test_every_install_gets_its_own_state(installing):
    assert _start_install(installing)[0] != _start_install(installing)[0]


def test_the_redirect_stores_the_installation_and_makes_the_installer_admin(
    installing, session_factory, engine
):
    state, cookie = _start_install(installing)
    query = urlencode({"code": "good-code", "state": state})
    reply = _get(f"{installing.root}{REDIRECT_PATH}?{query}", cookie=cookie)
    assert reply.status == 200, reply.text
    assert installing.slack.methods() == ["oauth.v2.access", "auth.test"]
    assert installing.slack.calls[0]["form"]["code"] == "good-code"

    store = installation_store(settings=installing.settings, engine=engine)
    bot = store.find_bot(enterprise_id=None, team_id="T0NEWCO")
    assert bot is not None
    assert bot.bot_token == installing.slack.token
    assert bot.bot_id == "B0NEW"

    with UnitOfWork(session_factory) as uow:
        assert "admin" in services.roles_of(uow, team_id="T0NEWCO", user_id="U0INSTALLER")
        grants = services.list_roles(uow, team_id="T0NEWCO")
    assert [(g.user_id, g.role) for g in grants] == [("U0INSTALLER", "admin")]


def test_requests_from_the_installed_workspace_use_its_stored_token(installing):
    state, cookie = _start_install(installing)
    query = urlencode({"code": "good-code", "state": state})
    assert _get(f"{installing.root}{REDIRECT_PATH}?{query}", cookie=cookie).status == 200
    slack = SlackRequests(signing_secret=SECRET, team_id="T0NEWCO", bot_user_id="U0NEWBOT")
    reply = slack.command("hello").send(f"{installing.root}/slack/events")
    assert reply.status == 200 and "pong hello" in reply.text
    stranger = SlackRequests(signing_secret=SECRET, team_id="T0NEVERINSTALLED")
    reply = stranger.command("hello").send(f"{installing.root}/slack/events")
    assert "pong" not in reply.text


@pytest.mark.parametrize("spoil", ["state", "cookie", "both"])
def test_a_redirect_without_the_issued_state_installs_nothing(installing, engine, spoil):
    state, cookie = _start_install(installing)
    sent_state = "forged-state" if spoil in ("state", "both") else state
    sent_cookie = f"{STATE_COOKIE}=forged-state" if spoil in ("cookie", "both") else cookie
    query = urlencode({"code": "good-code", "state": sent_state})
    reply = _get(f"{installing.root}{REDIRECT_PATH}?{query}", cookie=sent_cookie)
    assert _refused(reply)
    assert installing.slack.methods() == []
    store = installation_store(settings=installing.settings, engine=engine)
    assert store.find_bot(enterprise_id=None, team_id="T0NEWCO") is None


def test_a_state_is_good_for_one_install_only(installing):
    state, cookie = _start_install(installing)
    query = urlencode({"code": "good-code", "state": state})
    assert _get(f"{installing.root}{REDIRECT_PATH}?{query}", cookie=cookie).status == 200
    assert _refused(_get(f"{installing.root}{REDIRECT_PATH}?{query}", cookie=cookie))
    assert installing.slack.methods().count("oauth.v2.access") == 1


def test_a_refused_code_installs_nothing_and_grants_nothing(installing, session_factory, engine):
    state, cookie = _start_install(installing)
    query = urlencode({"code": "bad-code", "state": state})
    reply = _get(f"{installing.root}{REDIRECT_PATH}?{query}", cookie=cookie)
    assert _refused(reply)
    store = installation_store(settings=installing.settings, engine=engine)
    assert store.find_bot(enterprise_id=None, team_id="T0NEWCO") is None
    with UnitOfWork(session_factory) as uow, pytest.raises(NotFound):
        services.get_workspace(uow, team_id="T0NEWCO")


def _installation(user_id: str, team_id: str | None = "T0NEWCO") -> Any:
    return Installation(
        app_id="A0TOWNHALL",
        enterprise_id=None,
        team_id=team_id,
        team_name="New Co",
        bot_token="xoxb-x",
        user_id=user_id,
    )


def test_the_first_installer_stays_the_only_admin_after_a_reinstall(session_factory):
    assert make_first_admin(session_factory=session_factory, installation=_installation("U1"))
    assert not make_first_admin(session_factory=session_factory, installation=_installation("U2"))
    with UnitOfWork(session_factory) as uow:
        grants = services.list_roles(uow, team_id="T0NEWCO")
        assert [(g.user_id, g.role) for g in grants] == [("U1", "admin")]
        assert services.roles_of(uow, team_id="T0NEWCO", user_id="U2") == {"member"}


def test_an_org_wide_install_grants_nothing(session_factory):
    installation = _installation("U1", team_id=None)
    assert not make_first_admin(session_factory=session_factory, installation=installation)


def test_oauth_settings_need_both_credentials(session_factory):
    with pytest.raises(ValueError, match="SLACK_CLIENT_SECRET"):
        oauth_settings(settings=Settings(slack_client_id="1"), session_factory=session_factory)


def test_authorize_url_sits_next_to_the_web_api():
    assert authorize_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert authorize_url("https://slack-gov.com/api") == "https://slack-gov.com/oauth/v2/authorize"
    assert authorize_url("http://127.0.0.1:81/api/") == "http://127.0.0.1:81/oauth/v2/authorize"


# --------------------------------------------------------------------------- tokens at rest

BOT_TOKEN = "xoxb-1111-2222-secretbottoken"
USER_TOKEN = "xoxp-1111-2222-secretusertoken"
REFRESH = "xoxe-1-secretrefresh"


def _settings(*keys: str) -> Settings:
    return Settings(
        slack_signing_secret=SECRET,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        encryption_keys=keys,
    )


def _full_installation(team_id: str = "T0CRYPT") -> Installation:
    return Installation(
        app_id="A0TOWNHALL",
        enterprise_id=None,
        team_id=team_id,
        bot_token=BOT_TOKEN,
        bot_id="B1",
        bot_user_id="U1BOT",
        bot_refresh_token=REFRESH,
        user_id="U1",
        user_token=USER_TOKEN,
        user_refresh_token=REFRESH + "-user",
    )


def _raw_rows(engine) -> list[str]:
    """Every stored token column value, as the database holds it."""
    values = []
    with engine.connect() as connection:
        for table, columns in TOKEN_COLUMNS.items():
            for row in connection.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):
                values += [v for v in row if v is not None]
    return values


@pytest.fixture
def clean_stores(engine):
    yield engine
    with engine.begin() as connection:
        for table in TOKEN_COLUMNS:
            connection.execute(text(f"DELETE FROM {table}"))


def test_the_database_never_holds_a_token_in_plaintext(clean_stores):
    engine = clean_stores
    store = installation_store(settings=_settings(KEY), engine=engine)
    store.save(_full_installation())
    raw = _raw_rows(engine)
    assert len(raw) == 6  # bot: token + refresh; installation: both of bot and user
    for value in raw:
        assert looks_encrypted(value)
        assert "xox" not in value and "secret" not in value
    bot = store.find_bot(enterprise_id=None, team_id="T0CRYPT")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH)
    found = store.find_installation(enterprise_id=None, team_id="T0CRYPT", user_id="U1")
    assert found is not None
    assert (found.bot_token, found.user_token) == (BOT_TOKEN, USER_TOKEN)
    assert found.user_refresh_token == REFRESH + "-user"


def test_a_rotated_key_list_still_reads_rows_of_the_old_key(clean_stores):
    engine = clean_stores
    installation_store(settings=_settings(OLD_KEY), engine=engine).save(_full_installation())
    rotated = installation_store(settings=_settings(KEY, OLD_KEY), engine=engine)
    bot = rotated.find_bot(enterprise_id=None, team_id="T0CRYPT")
    assert bot is not None and bot.bot_token == BOT_TOKEN
    # only the new key: the old rows no longer open, and the error names the variable
    only_new = installation_store(settings=_settings(KEY), engine=engine)
    with pytest.raises(EncryptionKeyError, match="TOWNHALL_ENCRYPTION_KEY"):
        only_new.find_bot(enterprise_id=None, team_id="T0CRYPT")
    # encrypt-tokens moves every row to the newest key, after which the old key can go
    assert encrypt_tokens(engine=engine, cipher=TokenCipher((KEY, OLD_KEY))) == 6
    assert encrypt_tokens(engine=engine, cipher=TokenCipher((KEY, OLD_KEY))) == 0
    found = only_new.find_installation(enterprise_id=None, team_id="T0CRYPT")
    assert found is not None and found.user_token == USER_TOKEN


def test_rows_saved_before_encryption_are_read_then_encrypted(clean_stores):
    engine = clean_stores
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine).save(_full_installation())
    assert BOT_TOKEN in _raw_rows(engine)
    store = installation_store(settings=_settings(KEY), engine=engine)
    bot = store.find_bot(enterprise_id=None, team_id="T0CRYPT")
    assert bot is not None and bot.bot_token == BOT_TOKEN
    assert encrypt_tokens(engine=engine, cipher=TokenCipher((KEY,))) == 6
    assert all(looks_encrypted(v) for v in _raw_rows(engine))
    with engine.connect() as connection:
        stored = connection.execute(select(store.bots.c.bot_token)).scalar_one()
    assert stored == BOT_TOKEN  # read through the store's column type: decrypted


def test_oauth_refuses_to_start_without_a_key(session_factory):
    with pytest.raises(StartupError, match=r"TOWNHALL_ENCRYPTION_KEY.*townhall keygen"):
        wsgi_app(settings=_settings(), builder=build_app, session_factory=session_factory)


@pytest.mark.parametrize("bad", ["not-a-key", KEY[:-4], "é" * 44])
def test_an_invalid_key_is_named(session_factory, bad):
    with pytest.raises(StartupError, match="TOWNHALL_ENCRYPTION_KEY: key 2 of 2"):
        wsgi_app(settings=_settings(KEY, bad), builder=build_app, session_factory=session_factory)


def test_a_single_workspace_needs_no_key():
    check_settings(Settings(slack_signing_secret=SECRET, slack_bot_token="xoxb-single"))
