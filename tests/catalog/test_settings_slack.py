from catalog.settings import (
    DEFAULT_SLACK_API_URL,
    DEFAULT_SLACK_SCOPES,
    Settings,
    normalize_api_url,
    normalize_slash_command,
    parse_scopes,
)

SECRETS = {
    "SLACK_SIGNING_SECRET": "sign-s3cret",
    "SLACK_BOT_TOKEN": "xoxb-s3cret",
    "SLACK_CLIENT_SECRET": "client-s3cret",
    "SLACK_APP_TOKEN": "xapp-s3cret",
    "SLACK_STATE_SECRET": "state-s3cret",
}


def test_slack_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.slack_signing_secret is None
    assert settings.slack_bot_token is None
    assert settings.slack_client_id is None
    assert settings.slack_client_secret is None
    assert settings.slack_app_token is None
    assert settings.slack_state_secret is None
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert settings.slash_command == "/roadmap"
    assert settings.slack_scopes == DEFAULT_SLACK_SCOPES
    assert "commands" in settings.slack_scopes
    assert not settings.oauth_enabled
    assert not settings.single_workspace
    assert not settings.socket_mode_enabled


def test_every_slack_variable_is_read():
    env = {
        **SECRETS,
        "SLACK_CLIENT_ID": "123.456",
        "SLACK_API_URL": "http://127.0.0.1:9999/api",
        "TOWNHALL_COMMAND": "plan-it",
        "SLACK_SCOPES": "commands, chat:write chat:write,users:read",
    }
    settings = Settings.from_env(env)
    assert settings.slack_signing_secret == "sign-s3cret"
    assert settings.slack_bot_token == "xoxb-s3cret"
    assert settings.slack_client_id == "123.456"
    assert settings.slack_client_secret == "client-s3cret"
    assert settings.slack_app_token == "xapp-s3cret"
    assert settings.slack_state_secret == "state-s3cret"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.slash_command == "/plan-it"
    assert settings.slack_scopes == ("commands", "chat:write", "users:read")
    assert settings.oauth_enabled
    assert not settings.single_workspace
    assert settings.socket_mode_enabled


def test_blank_slack_values_count_as_absent():
    blank = {name: "  " for name in [*SECRETS, "SLACK_CLIENT_ID", "SLACK_API_URL"]}
    assert Settings.from_env({**blank, "TOWNHALL_COMMAND": "", "SLACK_SCOPES": " , "}) == (
        Settings()
    )


def test_secrets_never_appear_in_repr():
    settings = Settings.from_env({**SECRETS, "SLACK_CLIENT_ID": "123.456"})
    text = repr(settings)
    for secret in SECRETS.values():
        assert secret not in text
    assert "123.456" in text  # the client id is public


def test_api_url_has_exactly_one_trailing_slash():
    assert normalize_api_url("https://slack.com/api") == "https://slack.com/api/"
    assert normalize_api_url("https://slack.com/api/") == "https://slack.com/api/"
    assert normalize_api_url(" http://127.0.0.1:8/x// ") == "http://127.0.0.1:8/x/"


def test_slash_command_has_one_leading_slash():
    assert normalize_slash_command("roadmap") == "/roadmap"
    assert normalize_slash_command("/roadmap") == "/roadmap"
    assert normalize_slash_command(" //plan ") == "/plan"


def test_scopes_keep_order_and_drop_repeats():
    assert parse_scopes("a,b  a ,c") == ("a", "b", "c")
    assert parse_scopes("") == ()


def test_single_workspace_mode_needs_a_bot_token_and_no_oauth():
    assert Settings(slack_bot_token="xoxb-1").single_workspace
    both = Settings(slack_bot_token="xoxb-1", slack_client_id="1", slack_client_secret="2")
    assert both.oauth_enabled and not both.single_workspace


def test_problems_name_what_is_missing():
    assert Settings(slack_signing_secret="s", slack_bot_token="xoxb-1").slack_problems() == []
    problems = Settings().slack_problems()
    assert any("SLACK_SIGNING_SECRET" in p for p in problems)
    assert any("SLACK_BOT_TOKEN" in p and "SLACK_CLIENT_ID" in p for p in problems)
    half = Settings(slack_signing_secret="s", slack_client_id="1").slack_problems()
    assert half == ["SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not: OAuth needs both."]


def test_socket_mode_needs_an_app_token_but_no_signing_secret():
    settings = Settings(slack_bot_token="xoxb-1")
    problems = settings.slack_problems(socket_mode=True)
    assert len(problems) == 1 and "SLACK_APP_TOKEN" in problems[0]
    ready = Settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert ready.slack_problems(socket_mode=True) == []
