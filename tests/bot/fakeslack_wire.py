"""The HTTP side of the fake Slack: reading bodies as slack_sdk sends them, and a
request handler that writes whatever answer the fake decides (or drops the line)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

# form fields slack_sdk sends as JSON strings; decoded so tests read structures
_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")


@dataclass
class Answer:
    """What to answer: a status, a JSON value or text, extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Decide = Callable[[str, Mapping[str, str], bytes], Answer | None]


def token_of(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    """The bearer token of a request (Authorization header, else a `token` field)."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    token = body.get("token")
    return token if isinstance(token, str) and token else None


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a form, JSON or multipart body ({} when unreadable)."""
    kind = content_type.split(";")[0].strip().lower()
    if not raw:
        return {}
    if kind == "application/json":
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    if kind == "multipart/form-data":
        return parse_multipart(raw, content_type)
    if kind in {"", "application/x-www-form-urlencoded"}:
        try:
            fields = dict(
                parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError):
            return {}
        return {k: _maybe_json(k, v) for k, v in fields.items()}
    return {}


def parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a multipart body; file parts as bytes."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            fields[name] = payload
        else:
            fields[name] = _maybe_json(name, payload.decode("utf-8"))
    return fields


def _maybe_json(name: str, value: str) -> Any:
    if name in _JSON_FIELDS and value[:1] in {"[", "{"}:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, lets `decide` answer, writes the answer (or drops the line)."""

    decide: Decide
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            answer = self.decide(self.path, headers, raw)
        except Exception as exc:  # a bug in the fake must show, not look like a drop
            answer = Answer(500, f"fake slack failed: {exc!r}")
        self.close_connection = True
        if answer is None:
            return  # the connection closes without a byte of answer
        if isinstance(answer.body, str):
            payload, kind = answer.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, kind = json.dumps(answer.body).encode(), "application/json; charset=utf-8"
        self.send_response(answer.status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        return


def handler_class(decide: Decide) -> type[BaseHTTPRequestHandler]:
    """A request handler class answering every request with `decide(path, headers, raw)`."""
    return type("FakeSlackHandler", (_Handler,), {"decide": staticmethod(decide)})
