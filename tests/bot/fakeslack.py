"""A fake Slack Web API on loopback that records every call and answers like Slack.

`FakeSlack` is a threaded `http.server` on `127.0.0.1`, port 0. Point a slack_sdk
`WebClient(base_url=fake.url)` (or the bot's `SLACK_API_URL`) at it. It answers the
methods Townhall uses with the shapes Slack uses, keeps the state a test wants to look
at (messages per channel with edits applied, modals, Home tabs, uploaded files, what
was posted to response URLs), and can fail on purpose: HTTP 429 with `Retry-After`,
`{"ok": false}` errors, 5xx, or a connection closed without an answer.

Every request is recorded as a `Call` just before it is answered. Background jobs post
asynchronously, so tests use `wait_for` rather than reading `calls` right away.

Paths served:
    /api/<method>              the Web API (form, JSON or multipart bodies)
    /upload/v1/<file_id>       step 2 of files_upload_v2 (recorded as method "file_upload")
    /response/<id>             response URLs minted by `response_url` ("response_url")
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.bot.blockkit_limits import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT,
    block_problems,
    view_problems,
)
from tests.bot.fakeslack_records import DEFAULT_TEAM_ID, Call, Message, UploadedFile, Workspace
from tests.bot.fakeslack_wire import Answer, handler_class, parse_body, parse_multipart, token_of

RESPONSE_URL = "response_url"
FILE_UPLOAD = "file_upload"
RESPONSE_URL_USES = 5

__all__ = [
    "DEFAULT_TEAM_ID",
    "FILE_UPLOAD",
    "RESPONSE_URL",
    "ApiError",
    "Call",
    "FakeSlack",
    "Message",
    "UploadedFile",
    "Workspace",
    "iter_blocks_text",
]


@dataclass
class _Fault:
    status: int | None  # None: drop the connection
    retry_after: int | None
    error: str | None
    times: int


@dataclass
class _ResponseUrl:
    team_id: str
    channel: str
    user_id: str
    message_ts: str | None
    uses: int = 0
    expired: bool = False


@dataclass
class _PendingFile:
    team_id: str
    filename: str
    length: int
    data: bytes | None = None


class ApiError(Exception):
    """An `{"ok": false}` answer from a fake Web API method."""

    def __init__(self, error: str, *, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


class FakeSlack:
    """A fake Slack Web API served on loopback; use it as a context manager."""

    def __init__(self, *, workspaces: list[Workspace] | None = None) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._workspaces: dict[str, Workspace] = {}
        self._users: dict[tuple[str, str], dict[str, Any]] = {}
        for workspace in workspaces or [Workspace.make(team_id=DEFAULT_TEAM_ID, name="Acme")]:
            self._workspaces[workspace.bot_token] = workspace
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[Workspace, dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        self._clear()

    def _clear(self) -> None:
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._messages: dict[tuple[str, str], dict[str, Message]] = {}
        self._dms: dict[tuple[str, str], str] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._homes: dict[tuple[str, str], dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._pending_files: dict[str, _PendingFile] = {}
        self._files: list[UploadedFile] = []

    # ---- lifecycle ------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Start serving on 127.0.0.1 at a free port."""
        handler = handler_class(
            lambda path, headers, raw: self._serve(path=path, headers=headers, raw=raw)
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The Web API base URL (ends in `/api/`), for `WebClient(base_url=…)`."""
        return f"{self.root}/api/"

    # ---- workspaces and users -------------------------------------------------------

    @property
    def workspace(self) -> Workspace:
        """The first workspace (the default one unless others were given)."""
        with self._lock:
            return next(iter(self._workspaces.values()))

    def add_workspace(self, *, team_id: str, name: str | None = None) -> Workspace:
        """Make another workspace known, with its own bot token; return it."""
        workspace = Workspace.make(team_id=team_id, name=name)
        with self._lock:
            self._workspaces[workspace.bot_token] = workspace
        return workspace

    def workspace_of(self, team_id: str) -> Workspace:
        """The workspace with `team_id`."""
        with self._lock:
            for workspace in self._workspaces.values():
                if workspace.team_id == team_id:
                    return workspace
        raise KeyError(team_id)

    def add_user(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        name: str | None = None,
        real_name: str | None = None,
        is_admin: bool = False,
        email: str | None = None,
        tz: str = "Europe/Berlin",
    ) -> dict[str, Any]:
        """Register the profile `users.info` returns for `user_id`; return it.

        Users not registered still get a plausible generated profile when their id
        looks like a Slack user id (U… or W…)."""
        team_id = team_id or self.workspace.team_id
        name = name or user_id.lower()
        user = {
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "real_name": real_name or name.title(),
            "deleted": False,
            "is_admin": is_admin,
            "is_owner": False,
            "is_bot": False,
            "tz": tz,
            "profile": {
                "real_name": real_name or name.title(),
                "display_name": name,
                "email": email or f"{name}@example.com",
                "team": team_id,
            },
        }
        with self._lock:
            self._users[(team_id, user_id)] = user
        return copy.deepcopy(user)

    def response_url(
        self,
        *,
        channel: str,
        user_id: str,
        team_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Mint a response URL on the fake, bound to a channel, a user and, for
        interactions on a message, that message (for `replace_original`)."""
        team_id = team_id or self.workspace.team_id
        with self._lock:
            key = f"R{next(self._ids):08d}"
            self._response_urls[key] = _ResponseUrl(team_id, channel, user_id, message_ts)
        return f"{self.root}/response/{key}"

    def expire_response_url(self, url: str) -> None:
        """Let a minted response URL expire, as Slack's do 30 minutes after the request:
        from now on it answers 404 `expired_url`."""
        key = urlsplit(url).path.rstrip("/").rpartition("/")[2]
        with self._lock:
            if key not in self._response_urls:
                raise KeyError(f"no response URL {url} was minted by this fake")
            self._response_urls[key].expired = True

    # ---- fault injection ------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with a failure.

        429 answers `ratelimited` with a `Retry-After` header (unless `retry_after` is
        None); 200 needs `error` and answers `{"ok": false, "error": error}`; other
        statuses answer `error` or a generic one. `method` may be RESPONSE_URL or
        FILE_UPLOAD."""
        if status == 200 and error is None:
            raise ValueError("a failure answered with 200 needs an error code")
        with self._lock:
            self._faults.setdefault(method, deque()).append(
                _Fault(status=status, retry_after=retry_after, error=error, times=times)
            )

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection without an answer on the next `times` calls of `method`."""
        with self._lock:
            self._faults.setdefault(method, deque()).append(
                _Fault(status=None, retry_after=None, error=None, times=times)
            )

    # ---- queries --------------------------------------------------------------------

    def calls(
        self,
        method: str | None = None,
        *,
        team_id: str | None = None,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """The calls received so far, oldest first, optionally filtered."""
        with self._lock:
            return [
                call
                for call in self._calls
                if (method is None or call.method == method)
                and (team_id is None or call.team_id == team_id)
                and (where is None or where(call))
            ]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,
        team_id: str | None = None,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until at least `count` matching calls were received; return them all.

        Raises AssertionError listing what was received if they do not arrive within
        `timeout` seconds (a guard against hanging, not a timing requirement)."""
        with self._changed:

            def matching() -> list[Call]:
                return self.calls(method, team_id=team_id, where=where)

            if not self._changed.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                seen = ", ".join(f"{c.method}({c.status})" for c in self._calls) or "nothing"
                raise AssertionError(
                    f"expected {count} call(s) of {method}, got {len(matching())}; received: {seen}"
                )
            return matching()

    def messages_to(self, channel: str, *, team_id: str | None = None) -> list[Message]:
        """The messages in `channel` now (posted, updated, not deleted), oldest first.

        `channel` may be a user id: that user's DM with the bot. Includes ephemeral
        messages and what response URLs posted into the channel."""
        team_id = team_id or self.workspace.team_id
        with self._lock:
            channel = self._dms.get((team_id, channel), channel)
            return list(self._messages.get((team_id, channel), {}).values())

    def dm_channel(self, user_id: str, *, team_id: str | None = None) -> str:
        """The id of the bot's DM channel with `user_id` (opened if needed)."""
        with self._lock:
            return self._dm_of(team_id or self.workspace.team_id, user_id)

    def view(self, view_id: str) -> dict[str, Any]:
        """A modal opened, pushed or updated through the fake, as it stands now."""
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def open_views(self, *, team_id: str | None = None) -> list[dict[str, Any]]:
        """Every modal opened or pushed, as it stands now, oldest first."""
        with self._lock:
            return [
                copy.deepcopy(v)
                for v in self._views.values()
                if v["type"] == "modal" and team_id in (None, v["team_id"])
            ]

    def home_view(self, user_id: str, *, team_id: str | None = None) -> dict[str, Any] | None:
        """The Home tab last published for `user_id`, or None."""
        with self._lock:
            view = self._homes.get((team_id or self.workspace.team_id, user_id))
            return copy.deepcopy(view) if view is not None else None

    def uploaded_files(self, *, team_id: str | None = None) -> list[UploadedFile]:
        """Files whose upload was completed (all three steps), oldest first."""
        with self._lock:
            return [f for f in self._files if team_id in (None, f.team_id)]

    def responses(self, url: str | None = None) -> list[Call]:
        """What was posted to response URLs (to `url` only, when given)."""
        path = urlsplit(url).path if url else None
        return self.calls(RESPONSE_URL, where=lambda c: path in (None, c.path))

    def reset(self) -> None:
        """Forget calls, messages, views, files, response URLs and pending faults;
        workspaces and users stay."""
        with self._changed:
            self._clear()
            self._changed.notify_all()

    # ---- serving (called from handler threads) ---------------------------------------

    def _serve(self, *, path: str, headers: Mapping[str, str], raw: bytes) -> Answer | None:
        split = urlsplit(path)
        content_type = headers.get("content-type", "")
        if split.path.startswith("/upload/"):  # raw bytes, whatever urllib calls them
            is_multipart = content_type.lower().startswith("multipart/form-data")
            body = parse_multipart(raw, content_type) if is_multipart else {}
        else:
            body = {**dict(parse_qsl(split.query)), **parse_body(raw, content_type)}
        token = token_of(headers, body)
        with self._changed:
            method, answer, team_id = self._route(split.path, token=token, body=body, raw=raw)
            self._calls.append(
                Call(
                    method=method,
                    path=split.path,
                    headers=headers,
                    body=body,
                    raw=raw,
                    token=token,
                    team_id=team_id,
                    status=answer.status if answer else None,
                    response=copy.deepcopy(answer.body) if answer else None,
                )
            )
            self._changed.notify_all()
        return answer

    def _route(
        self, path: str, *, token: str | None, body: dict[str, Any], raw: bytes
    ) -> tuple[str, Answer | None, str | None]:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "api":
            method = parts[1]
            workspace = self._workspaces.get(token or "")
            team_id = workspace.team_id if workspace else None
            fault = self._take_fault(method)
            if fault is not None:
                return method, _fault_answer(fault, json_body=True), team_id
            return method, self._api(method, workspace, token, body), team_id
        if len(parts) == 2 and parts[0] == "response":
            target = self._response_urls.get(parts[1])
            team_id = target.team_id if target else None
            fault = self._take_fault(RESPONSE_URL)
            if fault is not None:
                return RESPONSE_URL, _fault_answer(fault, json_body=False), team_id
            return RESPONSE_URL, self._respond(target, body), team_id
        if len(parts) == 3 and parts[:2] == ["upload", "v1"]:
            pending = self._pending_files.get(parts[2])
            team_id = pending.team_id if pending else None
            fault = self._take_fault(FILE_UPLOAD)
            if fault is not None:
                return FILE_UPLOAD, _fault_answer(fault, json_body=False), team_id
            return FILE_UPLOAD, self._upload(pending, body, raw), team_id
        return "unknown_path", Answer(404, "not_found"), None

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        return fault

    def _api(
        self, method: str, workspace: Workspace | None, token: str | None, body: dict[str, Any]
    ) -> Answer:
        handler = self._methods.get(method)
        if handler is None:
            return Answer(200, {"ok": False, "error": "unknown_method"})
        if not token:
            return Answer(200, {"ok": False, "error": "not_authed"})
        if workspace is None:
            return Answer(200, {"ok": False, "error": "invalid_auth"})
        try:
            result = handler(workspace, body)
        except ApiError as exc:
            answer: dict[str, Any] = {"ok": False, "error": exc.error}
            if exc.messages:
                answer["response_metadata"] = {"messages": exc.messages}
            return Answer(200, answer)
        return Answer(200, {"ok": True, **result})

    # ---- Web API methods (called with the lock held) --------------------------------

    def _auth_test(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.name,
            "user": "townhall",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(ws, body)
        message = self._new_message(ws, channel, body, via="chat.postMessage")
        return {"channel": channel, "ts": message.ts, "message": self._as_event(ws, message)}

    def _chat_post_ephemeral(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(ws, body)
        user = body.get("user")
        if not user:
            raise ApiError("user_not_in_channel")
        message = self._new_message(ws, channel, body, via="chat.postEphemeral", ephemeral_to=user)
        return {"message_ts": message.ts}

    def _chat_update(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(ws, body)
        old = self._messages.get((ws.team_id, channel), {}).get(body.get("ts", ""))
        if old is None or old.ephemeral_to is not None:
            raise ApiError("message_not_found")
        _check_content(body, required=False)
        new = replace(
            old,
            text=body.get("text", old.text),
            blocks=copy.deepcopy(body.get("blocks", old.blocks)),
            attachments=copy.deepcopy(body.get("attachments", old.attachments)),
            edits=old.edits + 1,
        )
        self._messages[(ws.team_id, channel)][new.ts] = new
        return {
            "channel": channel,
            "ts": new.ts,
            "text": new.text,
            "message": self._as_event(ws, new),
        }

    def _chat_delete(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_arg(ws, body)
        messages = self._messages.get((ws.team_id, channel), {})
        if messages.pop(body.get("ts", ""), None) is None:
            raise ApiError("message_not_found")
        return {"channel": channel, "ts": body["ts"]}

    def _views_open(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(body)
        view = self._store_view(ws, body.get("view"), previous=None)
        return {"view": copy.deepcopy(view)}

    def _views_push(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(body)
        stack = [v for v in self._views.values() if v["team_id"] == ws.team_id]
        previous = stack[-1] if stack else None
        view = self._store_view(ws, body.get("view"), previous=previous)
        return {"view": copy.deepcopy(view)}

    def _views_update(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        old = self._find_view(ws, body)
        if body.get("hash") and body["hash"] != old["hash"]:
            raise ApiError("hash_conflict")
        new = self._store_view(ws, body.get("view"), previous=None, replacing=old)
        return {"view": copy.deepcopy(new)}

    def _views_publish(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        user_id = body.get("user_id")
        if not user_id:
            raise ApiError("invalid_arguments", messages=["user_id is required"])
        view = body.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise ApiError("invalid_arguments", messages=["view type must be home"])
        old = self._homes.get((ws.team_id, user_id))
        if body.get("hash") and old is not None and body["hash"] != old["hash"]:
            raise ApiError("hash_conflict")
        stored = self._store_view(ws, view, previous=None, replacing=old, keep=False)
        self._homes[(ws.team_id, user_id)] = stored
        return {"view": copy.deepcopy(stored)}

    def _conversations_open(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(body.get("users", "")).split(",") if u]
        if not users and body.get("channel"):
            return {"channel": {"id": body["channel"]}, "already_open": True}
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) == 1:
            key = (ws.team_id, users[0])
            already = key in self._dms
            return {"channel": {"id": self._dm_of(*key)}, "already_open": already}
        return {"channel": {"id": f"G{next(self._ids):09d}"}, "already_open": False}

    def _users_info(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        user_id = str(body.get("user", ""))
        user = self._users.get((ws.team_id, user_id))
        if user is None:
            if not (user_id[:1] in {"U", "W"} and user_id[1:].isalnum()):
                raise ApiError("user_not_found")
            user = {
                "id": user_id,
                "team_id": ws.team_id,
                "name": user_id.lower(),
                "real_name": f"User {user_id}",
                "deleted": False,
                "is_admin": False,
                "is_owner": False,
                "is_bot": False,
                "tz": "Europe/Berlin",
                "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
            }
        return {"user": copy.deepcopy(user)}

    def _files_get_upload_url(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        filename = body.get("filename")
        try:
            length = int(body.get("length", ""))
        except ValueError:
            length = -1
        if not filename or length < 1:
            raise ApiError("invalid_arguments", messages=["filename and length are required"])
        file_id = f"F{next(self._ids):09d}"
        self._pending_files[file_id] = _PendingFile(ws.team_id, filename, length)
        return {"upload_url": f"{self.root}/upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        entries = body.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments", messages=["files is required"])
        channels = tuple(
            c for c in [body.get("channel_id"), *str(body.get("channels") or "").split(",")] if c
        )
        done = []
        for entry in entries:
            pending = self._pending_files.get(entry.get("id", ""))
            if pending is None or pending.team_id != ws.team_id or pending.data is None:
                raise ApiError("file_not_found")
            done.append((entry, pending))
        answer = []
        for entry, pending in done:
            del self._pending_files[entry["id"]]
            uploaded = UploadedFile(
                file_id=entry["id"],
                team_id=ws.team_id,
                filename=pending.filename,
                title=entry.get("title") or pending.filename,
                data=pending.data or b"",
                channels=channels,
                initial_comment=body.get("initial_comment"),
                thread_ts=body.get("thread_ts"),
            )
            self._files.append(uploaded)
            answer.append(
                {
                    "id": uploaded.file_id,
                    "name": uploaded.filename,
                    "title": uploaded.title,
                    "size": len(uploaded.data),
                    "user": ws.bot_user_id,
                    "channels": list(channels),
                    "url_private": f"{self.root}/files/{uploaded.file_id}",
                    "permalink": f"https://{ws.domain}.slack.com/files/{uploaded.file_id}",
                }
            )
        return {"files": answer}

    # ---- response URLs and uploads (called with the lock held) ----------------------

    def _respond(self, target: _ResponseUrl | None, body: dict[str, Any]) -> Answer:
        if target is None:
            return Answer(404, "no_service")
        if target.expired:
            return Answer(404, "expired_url")
        if target.uses >= RESPONSE_URL_USES:
            return Answer(404, "used_url")
        target.uses += 1
        if "payload" in body and isinstance(body["payload"], str):
            body = json.loads(body["payload"])
        messages = self._messages.setdefault((target.team_id, target.channel), {})
        original = messages.get(target.message_ts or "")
        if body.get("delete_original"):
            if original is None:
                return Answer(404, "message_not_found")
            del messages[original.ts]
            return Answer(200, "ok")
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return Answer(400, "no_text")
        if "blocks" in body and block_problems(body["blocks"], max_blocks=MESSAGE_BLOCKS):
            return Answer(400, "invalid_blocks")
        if body.get("replace_original") and original is not None:
            messages[original.ts] = replace(
                original,
                text=body.get("text", ""),
                blocks=copy.deepcopy(body.get("blocks", [])),
                attachments=copy.deepcopy(body.get("attachments", [])),
                edits=original.edits + 1,
            )
            return Answer(200, "ok")
        ephemeral = body.get("response_type", "ephemeral") != "in_channel"
        self._store_message(
            target.team_id,
            target.channel,
            body,
            via=RESPONSE_URL,
            ephemeral_to=target.user_id if ephemeral else None,
        )
        return Answer(200, "ok")

    def _upload(self, pending: _PendingFile | None, body: dict[str, Any], raw: bytes) -> Answer:
        if pending is None:
            return Answer(404, "file_not_found")
        data = body.get("file") if isinstance(body.get("file"), bytes) else raw
        pending.data = data
        return Answer(200, f"OK - {len(data)}")

    # ---- helpers (called with the lock held) ----------------------------------------

    def _dm_of(self, team_id: str, user_id: str) -> str:
        key = (team_id, user_id)
        if key not in self._dms:
            self._dms[key] = f"D{next(self._ids):09d}"
        return self._dms[key]

    def _channel_arg(self, ws: Workspace, body: dict[str, Any]) -> str:
        channel = str(body.get("channel") or "")
        if not channel:
            raise ApiError("channel_not_found")
        if channel[0] in {"U", "W"}:  # posting to a user id lands in the bot's DM
            return self._dm_of(ws.team_id, channel)
        return channel

    def _new_message(
        self,
        ws: Workspace,
        channel: str,
        body: dict[str, Any],
        *,
        via: str,
        ephemeral_to: str | None = None,
    ) -> Message:
        _check_content(body, required=True)
        return self._store_message(ws.team_id, channel, body, via=via, ephemeral_to=ephemeral_to)

    def _store_message(
        self,
        team_id: str,
        channel: str,
        body: dict[str, Any],
        *,
        via: str,
        ephemeral_to: str | None,
    ) -> Message:
        n = next(self._ids)
        message = Message(
            team_id=team_id,
            channel=channel,
            ts=f"{1_700_000_000 + n}.{n:06d}",
            text=str(body.get("text") or ""),
            blocks=copy.deepcopy(body.get("blocks") or []),
            attachments=copy.deepcopy(body.get("attachments") or []),
            thread_ts=body.get("thread_ts"),
            ephemeral_to=ephemeral_to,
            via=via,
        )
        self._messages.setdefault((team_id, channel), {})[message.ts] = message
        return message

    def _as_event(self, ws: Workspace, message: Message) -> dict[str, Any]:
        return {
            "type": "message",
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "ts": message.ts,
            "text": message.text,
            "blocks": copy.deepcopy(message.blocks),
            "team": ws.team_id,
        }

    def _use_trigger(self, body: dict[str, Any]) -> None:
        trigger = body.get("trigger_id") or body.get("interactivity_pointer")
        if not trigger:
            raise ApiError("invalid_arguments", messages=["trigger_id is required"])
        if trigger in self._used_triggers:
            raise ApiError("expired_trigger_id")
        self._used_triggers.add(trigger)

    def _find_view(self, ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
        for view in self._views.values():
            if view["team_id"] != ws.team_id:
                continue
            if body.get("view_id") and view["id"] == body["view_id"]:
                return view
            if body.get("external_id") and view.get("external_id") == body["external_id"]:
                return view
        raise ApiError("not_found")

    def _store_view(
        self,
        ws: Workspace,
        view: Any,
        *,
        previous: dict[str, Any] | None,
        replacing: dict[str, Any] | None = None,
        keep: bool = True,
    ) -> dict[str, Any]:
        problems = view_problems(view)
        if problems:
            raise ApiError("invalid_arguments", messages=problems)
        n = next(self._ids)
        view_id = replacing["id"] if replacing else f"V{n:09d}"
        root = (previous or {}).get("root_view_id") or view_id
        stored = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": ws.team_id,
            "state": {"values": {}},
            "hash": f"{n}.{view_id}",
            "app_id": ws.app_id,
            "bot_id": ws.bot_id,
            "root_view_id": replacing["root_view_id"] if replacing else root,
            "previous_view_id": (previous or {}).get("id"),
        }
        if keep:
            self._views[view_id] = stored
        return stored


def _check_content(body: dict[str, Any], *, required: bool) -> None:
    if required and not (body.get("text") or body.get("blocks") or body.get("attachments")):
        raise ApiError("no_text")
    if len(str(body.get("text") or "")) > MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    if "blocks" in body:
        problems = block_problems(body["blocks"], max_blocks=MESSAGE_BLOCKS)
        if problems:
            raise ApiError("invalid_blocks", messages=problems)


def _fault_answer(fault: _Fault, *, json_body: bool) -> Answer | None:
    if fault.status is None:
        return None
    if fault.status == 429:
        error = fault.error or "ratelimited"
    else:
        error = fault.error or ("internal_error" if fault.status >= 500 else "request_failed")
    headers = {}
    if fault.status == 429 and fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    body: Any = {"ok": False, "error": error} if json_body else error
    return Answer(fault.status, body, headers)


def iter_blocks_text(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every piece of text in `blocks`, in order (for assertions on what a user sees)."""
    for block in blocks:
        yield from _texts_in(block)


def _texts_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") in {"plain_text", "mrkdwn"} and isinstance(node.get("text"), str):
            yield node["text"]
            return
        for value in node.values():
            yield from _texts_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts_in(item)
