"""Runtime settings: the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite:///townhall.sqlite3"
DEFAULT_TEAM = "local"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_SLASH_COMMAND = "/roadmap"
#: Seconds a worker holds a job without renewing its claim before the job is queued again.
DEFAULT_JOB_LEASE_SECONDS = 30.0
#: Most seconds any job may run, set-up, solve, explanations and pictures included: each
#: job gets twice its solver time limit plus a minute, at most this (2 × 300 s + 60 s,
#: the longest solve a command may ask for).
DEFAULT_JOB_WALL_SECONDS = 660.0
MAX_JOB_WALL_SECONDS = 86400.0
#: Jobs of one workspace that may run at the same time; more wait their turn.
DEFAULT_JOBS_PER_WORKSPACE = 2
# What the bot needs in a workspace (manifest.yaml declares the same list).
DEFAULT_SLACK_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "files:write",
)


def normalize_database_url(url: str) -> str:
    """Point `postgres://` and `postgresql://` URLs at the psycopg 3 driver."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def normalize_api_url(url: str) -> str:
    """A Web API base URL ending in exactly one slash, as slack-sdk's clients expect."""
    return url.strip().rstrip("/") + "/"


def normalize_slash_command(name: str) -> str:
    """A slash command name with its leading slash: `roadmap` and `/roadmap` are the same."""
    return "/" + name.strip().lstrip("/")


def _positive_seconds(name: str, text: str | None, default: float) -> float:
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {text!r}")
    return value


def _wall_seconds(text: str | None) -> float:
    name = "TOWNHALL_JOB_WALL_SECONDS"
    value = _positive_seconds(name, text, DEFAULT_JOB_WALL_SECONDS)
    if not value <= MAX_JOB_WALL_SECONDS:
        raise ValueError(
            f"{name} must be at most {MAX_JOB_WALL_SECONDS:g} seconds (a day), not {text!r}"
        )
    return value


def _positive_whole(name: str, text: str | None, default: int) -> int:
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(f"{name} must be a whole number of 1 or more, not {text!r}")
    return int(text)


def _one_of_names(name: str, text: str, options: tuple[str, ...]) -> str:
    if text.lower() not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}, not {text!r}")
    return text.lower()


def parse_public_url(text: str | None) -> str | None:
    """`TOWNHALL_PUBLIC_URL`: the http(s) address people reach `townhall serve` at, without
    a trailing slash (a path prefix is kept); None when unset. ValueError otherwise."""
    if text is None or not text.strip():
        return None
    url = text.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if (
        scheme.lower() not in ("http", "https")
        or not sep
        or not host
        or any(c in url for c in "?# ")
    ):
        raise ValueError(
            "TOWNHALL_PUBLIC_URL must be the address people reach `townhall serve` at, "
            f"e.g. https://townhall.example.com, not {text!r}"
        )
    return url


def public_url_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    """`TOWNHALL_PUBLIC_URL` as it is set now (see `parse_public_url`)."""
    return parse_public_url(environ.get("TOWNHALL_PUBLIC_URL"))


def parse_scopes(text: str) -> tuple[str, ...]:
    """Comma- or space-separated OAuth scopes, in order, without repeats or blanks."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen.setdefault(part, None)
    return tuple(seen)


@dataclass(frozen=True)
class Settings:
    """Configuration read once from the environment.

    `database_url`: `DATABASE_URL`, by default a SQLite file in the working directory.
    `default_team`: `TOWNHALL_TEAM`, the workspace single-workspace (CLI) use works in.
    `slack_signing_secret`: `SLACK_SIGNING_SECRET`, verifies every request from Slack.
    `slack_bot_token`: `SLACK_BOT_TOKEN`, the token of a single-workspace install.
    `slack_client_id` / `slack_client_secret`: `SLACK_CLIENT_ID` / `SLACK_CLIENT_SECRET`,
    OAuth multi-workspace installs (they take precedence over a bot token).
    `slack_app_token`: `SLACK_APP_TOKEN` (`xapp-…`), Socket Mode.
    `slack_api_url`: `SLACK_API_URL`, the Web API base URL (Slack's by default).
    `slash_command`: `TOWNHALL_COMMAND`, the slash command's name (`/roadmap`).
    `slack_scopes`: `SLACK_SCOPES`, the bot scopes requested at install.
    `slack_state_secret`: `SLACK_STATE_SECRET`, signs the OAuth state cookie (optional).
    `redis_url`: `REDIS_URL`; when set, jobs go to the Redis queue that `townhall worker`
    serves, otherwise they run in the process that received the command.
    `encryption_keys`: `TOWNHALL_ENCRYPTION_KEY`, comma-separated Fernet keys (newest
    first) that encrypt OAuth tokens at rest.
    `job_lease_seconds`: `TOWNHALL_JOB_LEASE`, how long a worker's claim on a job lasts
    without a heartbeat before the job is queued again (30 by default).
    `job_wall_seconds`: `TOWNHALL_JOB_WALL_SECONDS`, the most seconds any job may run
    (twice its solver time limit plus 60 s, at most this; 660 by default).
    `jobs_per_workspace`: `TOWNHALL_JOBS_PER_WORKSPACE`, how many jobs of one workspace
    may run at once (2 by default); more stay queued until one ends.
    `log_format`: `TOWNHALL_LOG_FORMAT`, `json` (structured, the default) or `text`.
    `public_url`: `TOWNHALL_PUBLIC_URL`, the address people reach `townhall serve` at
    (the calendar feed's address starts with it).

    Secrets are left out of `repr`, so logging the settings leaks none of them.
    """

    database_url: str = DEFAULT_DATABASE_URL
    default_team: str = DEFAULT_TEAM
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slash_command: str = DEFAULT_SLASH_COMMAND
    slack_scopes: tuple[str, ...] = DEFAULT_SLACK_SCOPES
    slack_state_secret: str | None = field(default=None, repr=False)
    redis_url: str | None = field(default=None, repr=False)  # may hold a password
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    job_lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS
    job_wall_seconds: float = DEFAULT_JOB_WALL_SECONDS
    jobs_per_workspace: int = DEFAULT_JOBS_PER_WORKSPACE
    log_format: str = "json"
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def get(name: str) -> str | None:
            return environ.get(name, "").strip() or None

        url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        scopes = parse_scopes(environ.get("SLACK_SCOPES", ""))
        return cls(
            database_url=normalize_database_url(url),
            default_team=get("TOWNHALL_TEAM") or DEFAULT_TEAM,
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_client_id=get("SLACK_CLIENT_ID"),
            slack_client_secret=get("SLACK_CLIENT_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=normalize_api_url(get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
            slash_command=normalize_slash_command(get("TOWNHALL_COMMAND") or DEFAULT_SLASH_COMMAND),
            slack_scopes=scopes or DEFAULT_SLACK_SCOPES,
            slack_state_secret=get("SLACK_STATE_SECRET"),
            redis_url=get("REDIS_URL"),
            encryption_keys=tuple(
                k.strip()
                for k in environ.get("TOWNHALL_ENCRYPTION_KEY", "").split(",")
                if k.strip()
            ),
            job_lease_seconds=_positive_seconds(
                "TOWNHALL_JOB_LEASE", get("TOWNHALL_JOB_LEASE"), DEFAULT_JOB_LEASE_SECONDS
            ),
            job_wall_seconds=_wall_seconds(get("TOWNHALL_JOB_WALL_SECONDS")),
            jobs_per_workspace=_positive_whole(
                "TOWNHALL_JOBS_PER_WORKSPACE",
                get("TOWNHALL_JOBS_PER_WORKSPACE"),
                DEFAULT_JOBS_PER_WORKSPACE,
            ),
            log_format=_one_of_names(
                "TOWNHALL_LOG_FORMAT", get("TOWNHALL_LOG_FORMAT") or "json", ("json", "text")
            ),
            public_url=public_url_from_env(environ),
        )

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def oauth_enabled(self) -> bool:
        """Both OAuth credentials are set: workspaces install the app through OAuth."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def single_workspace(self) -> bool:
        """No OAuth, but a bot token: the app serves the one workspace of that token."""
        return not self.oauth_enabled and bool(self.slack_bot_token)

    @property
    def socket_mode_enabled(self) -> bool:
        """An app-level token is set, so Socket Mode can connect."""
        return bool(self.slack_app_token)

    def slack_problems(self, *, socket_mode: bool = False) -> list[str]:
        """What is missing or inconsistent for serving Slack, one sentence each; empty if ready."""
        problems: list[str] = []
        if not self.slack_signing_secret and not socket_mode:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page."
            )
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            have, missing = (
                ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
                if self.slack_client_id
                else ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")
            )
            problems.append(f"{have} is set but {missing} is not: OAuth needs both.")
        elif not self.oauth_enabled and not self.slack_bot_token:
            problems.append(
                "Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (OAuth installs into many workspaces)."
            )
        if socket_mode and not self.slack_app_token:
            problems.append(
                "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope."
            )
        return problems
