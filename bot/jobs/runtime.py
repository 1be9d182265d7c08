"""What a job needs to run in some process: the catalog, Slack clients, solver options."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.jobs.deadline import STUCK_GRACE
from bot.slack_client import web_client
from catalog.settings import Settings
from catalog.uow import UnitOfWork
from planner.config import SolverConfig

if TYPE_CHECKING:  # annotations only: the catalog's services do the SQL
    from sqlalchemy.orm import Session, sessionmaker


def worker_name() -> str:
    """host:pid, so a job row tells which process holds it."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Runtime:
    """The catalog's sessions, how to reach each workspace's Slack, and the solver options.

    `client` is one fixed Web API client (a single-workspace install, or a test's fake);
    otherwise `installation_store` gives each workspace's bot token (OAuth installs), and
    failing that the settings' bot token is used.
    """

    settings: Settings
    session_factory: sessionmaker[Session]
    solver: SolverConfig | None = None
    client: WebClient | None = None
    installation_store: Any = None
    name: str = field(default_factory=worker_name)
    #: End the process when a job is stuck in native code past its wall-clock limit
    #: (`townhall worker`: one job per process, and the platform starts a fresh one).
    exit_when_stuck: bool = False
    #: Seconds past a job's wall-clock limit before it counts as stuck (bot.jobs.deadline).
    stuck_grace: float = STUCK_GRACE
    _clients: dict[str, WebClient] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, solver: SolverConfig | None = None) -> Runtime:
        """A runtime on the settings' database and Slack configuration (a worker's)."""
        from catalog.db import make_engine, make_session_factory

        engine = make_engine(settings.database_url)
        store = None
        if settings.oauth_enabled:
            from bot.oauth import installation_store

            store = installation_store(settings=settings, engine=engine)
        return cls(
            settings=settings,
            session_factory=make_session_factory(engine),
            solver=solver,
            installation_store=store,
        )

    @property
    def lease_seconds(self) -> float:
        return self.settings.job_lease_seconds

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def client_for(self, team_id: str, *, enterprise_id: str | None = None) -> WebClient:
        """A Web API client holding the bot token of workspace `team_id`."""
        if self.client is not None:
            return self.client
        token = self.settings.slack_bot_token
        if self.installation_store is not None:
            bot = self.installation_store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if bot is None:
                raise LookupError(f"Townhall is not installed in workspace {team_id}")
            token = bot.bot_token
        key = token or ""
        with self._lock:
            if key not in self._clients:
                self._clients[key] = web_client(self.settings, token=token)
            return self._clients[key]


_current: Runtime | None = None
_current_lock = threading.Lock()


def set_current(runtime: Runtime | None) -> None:
    """The runtime RQ's job function uses in this process (`townhall worker` sets it)."""
    global _current
    with _current_lock:
        _current = runtime


def current() -> Runtime:
    """This process's runtime; built from the environment the first time if none was set."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Runtime.from_settings(Settings.from_env())
        return _current
