"""The small HTTP server of `townhall socket --port`: `/healthz`, `/readyz` and `/metrics`
for an orchestrator to probe, through the same responses and request log as
`townhall serve` (`bot.server`)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.readiness import ReadinessProbe
from bot.server import (
    HEALTH_PATH,
    METRICS_PATH,
    READY_PATH,
    RequestLog,
    StartupError,
    health_response,
    metrics_response,
    ready_response,
)

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sqlalchemy.orm import Session, sessionmaker


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return  # the request log line is RequestLog's


class ProbeServer:
    """`/healthz`, `/readyz` and `/metrics` on a small threaded HTTP server, behind the
    same request-id and request-log layer as `townhall serve`."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        readiness: ReadinessProbe,
        session_factory: sessionmaker[Session],
        redis: Any = None,
    ) -> None:
        self.readiness = readiness
        self.session_factory = session_factory
        self.redis = redis
        try:
            self._server = make_server(
                host,
                port,
                RequestLog(self._route),
                server_class=_ThreadingServer,
                handler_class=_QuietHandler,
            )
        except OSError as exc:
            raise StartupError(f"cannot listen on {host}:{port} (--port): {exc.strerror}") from None
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="townhall-probes",
            daemon=True,
        )

    def _route(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH:
            return health_response(environ, start_response)
        if path == READY_PATH:
            return ready_response(self.readiness, environ, start_response)
        if path == METRICS_PATH:
            return metrics_response(self.session_factory, self.redis, environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
