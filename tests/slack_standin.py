"""A local stand-in of Slack's Web API for the real slack_sdk client.

It speaks Slack's protocol: POST /api/<method> with a form or JSON body, the
token as `Authorization: Bearer` (or a `token` field), answers of HTTP 200 with
`{"ok": true, ...}` or `{"ok": false, "error": "<code>"}`, HTTP 429 with
Retry-After when rate limited, binary bodies for admin.analytics.getFile.

Out of the box it knows a set of valid tokens and of channels (with whether the
app is a member), keeps the messages posted with their message metadata, and answers
chat.postMessage, chat.update, conversations.list and conversations.history like Slack
does (invalid_auth, channel_not_found, not_in_channel, message_not_found; history by
channel ID only, newest first, `oldest`/`latest`/`limit` and cursor pages, metadata
only with `include_all_metadata`). Any method can also be scripted with a queue of
answers, served before the built-in behaviour. Every request is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_TOKEN = "xoxb-standin-0123456789-secret"
BOT_USER, BOT_ID, APP_ID = "U00000001", "B00000001", "A00000001"  # who the bot token is
ADMIN_TOKEN = "xoxp-standin-admin-9876543210-secret"  # an org admin's user token


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, body and headers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def ok(**fields: Any) -> Answer:
    return _json(200, {"ok": True, **fields})


def error(code: str, **fields: Any) -> Answer:
    """Slack's refusals are HTTP 200 with ok false and an error code."""
    return _json(200, {"ok": False, "error": code, **fields})


def rate_limited(retry_after: int = 1) -> Answer:
    return Answer(
        429,
        json.dumps({"ok": False, "error": "ratelimited"}).encode(),
        {"Retry-After": str(retry_after), "Content-Type": "application/json; charset=utf-8"},
    )


def http_status(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Answer:
    return Answer(status, body, headers or {})


def raw(body: bytes, content_type: str = "application/gzip") -> Answer:
    """A binary answer, as admin.analytics.getFile sends its gzip file."""
    return Answer(200, body, {"Content-Type": content_type})


def _json(status: int, payload: dict[str, Any]) -> Answer:
    body = json.dumps(payload).encode()
    return Answer(status, body, {"Content-Type": "application/json; charset=utf-8"})


@dataclass(frozen=True)
class Request:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def token(self) -> str | None:
        bearer = self.headers.get("Authorization", "")
        return bearer.removeprefix("Bearer ") if bearer else self.params.get("token")


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict] | None
    metadata: dict | None = None  # {"event_type": ..., "event_payload": {...}}

    def as_slack(self, with_metadata: bool) -> dict[str, Any]:
        """The message as conversations.history shows a bot's message."""
        shown: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": self.text,
            "ts": self.ts,
            "team": "T00000001",
        }
        if self.blocks:
            shown["blocks"] = self.blocks
        if with_metadata and self.metadata:
            shown["metadata"] = self.metadata
        return shown


class SlackStandIn:
    """Use as a context manager; `url` is the base URL for WebClient(base_url=...)."""

    def __init__(
        self,
        tokens: tuple[str, ...] = (BOT_TOKEN,),
        channels: dict[str, bool] | None = None,
    ):
        self.tokens = set(tokens)
        # channel name -> whether the app is a member; IDs are derived from the order
        names = channels if channels is not None else {"platform-health": True}
        self.channel_ids = {name: f"C{index:08d}" for index, name in enumerate(names, 1)}
        self.members = {self.channel_ids[n] for n, member in names.items() if member}
        self.requests: list[Request] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self._scripted: dict[str, list[Answer]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api/"

    def __enter__(self) -> SlackStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, method: str, *answers: Answer) -> None:
        """Queue answers for `method`, served in order before the built-in behaviour."""
        with self._lock:
            self._scripted.setdefault(method, []).extend(answers)

    def calls(self, method: str) -> list[Request]:
        return [r for r in self.requests if r.method == method]

    # -- Slack's behaviour --------------------------------------------------------
    def _answer(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            queue = self._scripted.get(request.method)
            if queue:
                return queue.pop(0)
            if request.token not in self.tokens:
                return error("invalid_auth") if request.token else error("not_authed")
            handler = getattr(self, "_" + request.method.replace(".", "_"), None)
            return handler(request.params) if handler else error("unknown_method")

    def _channel_id(self, channel: str | None) -> str | None:
        name = (channel or "").lstrip("#")
        if name in self.channel_ids.values():
            return name
        return self.channel_ids.get(name)

    def _auth_test(self, params: dict[str, Any]) -> Answer:
        return ok(url="https://standin.slack.com/", team="Stand-in", user_id=BOT_USER)

    def _conversations_list(self, params: dict[str, Any]) -> Answer:
        channels = [
            {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_private": False,
                "is_archived": False,
                "is_member": channel_id in self.members,
            }
            for name, channel_id in self.channel_ids.items()
        ]
        page, next_cursor = _page(channels, params, default_limit=100)
        return ok(channels=page, response_metadata={"next_cursor": next_cursor})

    def _conversations_history(self, params: dict[str, Any]) -> Answer:
        channel = str(params.get("channel") or "")
        if channel not in self.channel_ids.values():  # an ID, never a name
            return error("channel_not_found")
        if channel not in self.members:
            return error("not_in_channel")
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        found = sorted(
            (m for m in self.messages.values() if m.channel == channel),
            key=lambda m: float(m.ts),
            reverse=True,
        )
        found = [m for m in found if oldest < float(m.ts) < latest]
        page, next_cursor = _page(found, params, default_limit=100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        return ok(
            messages=[m.as_slack(with_metadata) for m in page],
            has_more=bool(next_cursor),
            pin_count=0,
            channel_actions_ts=None,
            channel_actions_count=0,
            response_metadata={"next_cursor": next_cursor},
        )

    def _chat_postMessage(self, params: dict[str, Any]) -> Answer:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return error("channel_not_found")
        if channel not in self.members:
            return error("not_in_channel")
        if not params.get("text") and not params.get("blocks"):
            return error("no_text")
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message = Message(
            channel, ts, params.get("text", ""), _blocks(params), _json_field(params, "metadata")
        )
        self.messages[(channel, ts)] = message
        return ok(channel=channel, ts=ts, message={"text": message.text, "ts": ts})

    def _chat_update(self, params: dict[str, Any]) -> Answer:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return error("channel_not_found")
        message = self.messages.get((channel, str(params.get("ts"))))
        if message is None:
            return error("message_not_found")
        message.text = params.get("text", message.text)
        message.blocks = _blocks(params) or message.blocks
        message.metadata = _json_field(params, "metadata") or message.metadata
        return ok(channel=channel, ts=message.ts, text=message.text)

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = dict(parse_qsl(body))
                url = urlsplit(self.path)
                params = {**dict(parse_qsl(url.query)), **params}  # GET methods: query string
                method = url.path.rsplit("/", 1)[-1]
                answer = standin._answer(
                    Request(method, params, dict(self.headers.items()), time.monotonic())
                )
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST

            def log_message(self, *args):  # keep test output quiet
                pass

        return Handler


def _json_field(params: dict[str, Any], name: str) -> Any:
    """A field sent as JSON (in a JSON body) or as a JSON string (in a form)."""
    value = params.get(name)
    return json.loads(value) if isinstance(value, str) else value


def _blocks(params: dict[str, Any]) -> list[dict] | None:
    return _json_field(params, "blocks")


def _page(items: list, params: dict[str, Any], default_limit: int) -> tuple[list, str]:
    """Slack's cursor pagination: a page of `limit` items and the next cursor ("" at the
    end); the cursor here is the offset, opaque to clients as Slack's is."""
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or default_limit)
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else "")
