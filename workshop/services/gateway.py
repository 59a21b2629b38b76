"""The model gateway: where every model call of every lesson goes, offline or not.

Offline it answers with the stand-in (`model/convert.py`, streamed by `model/stream.py`).
With an upstream (the services process got WORKSHOP_UPSTREAM_BASE_URL and maybe
WORKSHOP_UPSTREAM_API_KEY from the kit, read from the user's OPENAI_BASE_URL /
OPENAI_API_KEY), it forwards each request body unchanged, adding the real key, and passes
the answer back: JSON as it is, a stream event by event as it arrives. An upstream with no
Responses API (a 404 on /v1/responses, as some Ollama and vLLM versions answer) gets the
request translated to Chat Completions, and the answer translated back. GET /v1/models
is forwarded too, so a client that lists models sees the upstream's.

In both modes the services app applies injected model faults first, and the gateway counts
requests and tokens (usage of a JSON answer, or of a stream's last event).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

import httpx
from httpx_sse import EventSource

from ..model.convert import models_list, respond_chat, respond_responses, responses_usage
from ..model.stream import chat_stream, responses_stream, sse

UPSTREAM_BASE_URL = "WORKSHOP_UPSTREAM_BASE_URL"
"""The upstream's base URL, in the services process only (from the user's OPENAI_BASE_URL)."""
UPSTREAM_API_KEY = "WORKSHOP_UPSTREAM_API_KEY"
"""The real key, in the services process only (from the user's OPENAI_API_KEY)."""

# Seconds: a dead or unroutable upstream must fail a call quickly, a slow model must not.
_TIMEOUT = httpx.Timeout(connect=3.0, read=120.0, write=30.0, pool=5.0)
_PASSED_HEADERS = ("retry-after", "retry-after-ms", "x-should-retry", "x-request-id")

_FIX = {
    401: "OPENAI_API_KEY",
    403: "OPENAI_API_KEY",
    404: "the model name (WORKSHOP_OPENAI_MODEL) or OPENAI_BASE_URL",
    400: "the request or the model name (WORKSHOP_OPENAI_MODEL)",
}


@dataclass(frozen=True)
class Upstream:
    """Where the gateway forwards to, and with which key (never shown)."""

    base_url: str
    """OpenAI-compatible base URL, for example https://api.openai.com/v1."""
    api_key: str | None = field(default=None, repr=False)
    """The real key, or None for a local server that needs none."""

    @classmethod
    def from_env(cls) -> Upstream | None:
        """The upstream the kit gave this process, taken out of its environment."""
        base_url = os.environ.pop(UPSTREAM_BASE_URL, "")
        api_key = os.environ.pop(UPSTREAM_API_KEY, "") or None
        return cls(base_url.rstrip("/"), api_key) if base_url else None

    @property
    def host(self) -> str:
        """Host (and port) only: safe to show."""
        return urlparse(self.base_url).netloc or self.base_url

    def public(self) -> dict[str, str]:
        """What the health report says about it: host and whether a key is set."""
        return {"host": self.host, "base_url": self.base_url, "key": _key_state(self.api_key)}


def _key_state(key: str | None) -> str:
    return "set" if key else "not set"


@dataclass
class Reply:
    """What the services app sends back: a JSON body, or server-sent events."""

    status: int
    body: Any = None
    events: Iterator[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    pace: float = 0.0
    """A "slow" fault: seconds a JSON answer waits, or a stream is spread over."""


class Meter:
    """Requests answered and tokens used, as the lessons' counts show them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.input_tokens = 0
        self.output_tokens = 0

    def count(self, usage: dict[str, Any] | None) -> None:
        """Add one answered request and its usage (Responses or Chat Completions names)."""
        usage = usage or {}
        with self._lock:
            self.requests += 1
            self.input_tokens += int(usage.get("input_tokens") or usage.get("prompt_tokens") or 0)
            self.output_tokens += int(
                usage.get("output_tokens") or usage.get("completion_tokens") or 0
            )

    def public(self) -> dict[str, int]:
        """The counts as JSON."""
        with self._lock:
            return {
                "requests": self.requests,
                "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens,
            }


class Gateway:
    """Answers /v1/responses and /v1/chat/completions: offline, or forwarded upstream."""

    def __init__(self, upstream: Upstream | None) -> None:
        self.upstream = upstream
        self.meter = Meter()
        self.chat_only = False
        """Set once the upstream answered 404 to /v1/responses: translate from then on."""
        self._http = httpx.Client(timeout=_TIMEOUT) if upstream else None

    def describe(self) -> dict[str, Any]:
        """The health report's part about the model."""
        return {
            "mode": "forwarding" if self.upstream else "offline",
            "upstream": self.upstream.public() if self.upstream else None,
            "chat_only_upstream": self.chat_only,
            **self.meter.public(),
        }

    def handle(self, path: str, raw: bytes, pace: float = 0.0) -> Reply:
        """Answer one POST to `path` (/responses or /chat/completions under /v1).

        `pace` (a "slow" fault) works alike in both modes: a JSON answer waits `pace` seconds,
        a stream's first event goes out at once and the rest are spread over `pace` seconds,
        so a demo that acts on the first streamed words tells the same story with a key.
        """
        request = json.loads(raw or b"{}")
        if not isinstance(request, dict):
            raise ValueError("the request body must be a JSON object")
        if self.upstream is None:
            return self._offline(path, request, pace)
        return replace(self._upstream_reply(path, raw, request), pace=pace)

    def _upstream_reply(self, path: str, raw: bytes, request: dict[str, Any]) -> Reply:
        if path == "/v1/responses" and self.chat_only:
            return self._translated(request)
        reply = self._forward(path, raw, bool(request.get("stream")))
        if reply.status == 404 and path == "/v1/responses":
            self.chat_only = True
            return self._translated(request)
        return reply

    # --- offline ------------------------------------------------------------------------

    def _offline(self, path: str, request: dict[str, Any], pace: float) -> Reply:
        if path == "/v1/responses":
            body = respond_responses(request)
            self.meter.count(body["usage"])
            if request.get("stream"):
                return Reply(200, events=responses_stream(body), pace=pace)
            return Reply(200, body, pace=pace)
        body = respond_chat(request)
        self.meter.count(body["usage"])
        if request.get("stream"):
            usage = bool((request.get("stream_options") or {}).get("include_usage"))
            return Reply(200, events=chat_stream(body, usage), pace=pace)
        return Reply(200, body, pace=pace)

    # --- forwarding ---------------------------------------------------------------------

    def models(self) -> Reply:
        """GET /v1/models: the stand-in's one model offline, else the upstream's list."""
        if self.upstream is None:
            return Reply(200, models_list())
        return self._forward("/v1/models", None, stream=False, method="GET")

    def _forward(self, path: str, raw: bytes | None, stream: bool, method: str = "POST") -> Reply:
        assert self.upstream is not None and self._http is not None
        url = self.upstream.base_url + path.removeprefix("/v1")
        headers = {"Content-Type": "application/json"} if raw is not None else {}
        if self.upstream.api_key:
            headers["Authorization"] = f"Bearer {self.upstream.api_key}"
        if stream:
            headers["Accept"] = "text/event-stream"
        request = self._http.build_request(method, url, content=raw, headers=headers)
        try:
            response = self._http.send(request, stream=True)
        except httpx.TimeoutException:
            return self._failure(504, "did not answer in time", "timeout")
        except httpx.TransportError as exc:
            return self._failure(502, f"is unreachable ({type(exc).__name__})", "unreachable")
        passed = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_HEADERS}
        if response.status_code >= 400 or not stream:
            try:
                response.read()
            finally:
                response.close()
            body = _json_or_text(response)
            if response.status_code >= 400:
                return Reply(
                    response.status_code, self._explain(response.status_code, body), None, passed
                )
            self.meter.count(body.get("usage") if isinstance(body, dict) else None)
            return Reply(response.status_code, body, None, passed)
        return Reply(response.status_code, None, self._pass_through(response), passed)

    def _pass_through(self, response: httpx.Response) -> Iterator[bytes]:
        """The upstream's events, each sent on as it arrives; usage taken from the last."""
        usage: dict[str, Any] | None = None
        try:
            for event in EventSource(response).iter_sse():
                usage = _usage_of(event.data) or usage
                yield sse(event.data, None if event.event == "message" else event.event)
        finally:
            response.close()
            self.meter.count(usage)

    def _failure(self, status: int, what: str, code: str) -> Reply:
        assert self.upstream is not None
        message = (
            f"the model upstream at {self.upstream.host} {what} (workshop gateway). "
            "Fix: check OPENAI_BASE_URL, and that the server there runs."
        )
        body = {"error": {"message": message, "type": "upstream_error", "code": code}}
        return Reply(status, body)

    def _explain(self, status: int, body: Any) -> Any:
        """An upstream's 4xx, with the variable to fix added to its message."""
        fix = _FIX.get(status)
        if not fix or not isinstance(body, dict) or not isinstance(body.get("error"), dict):
            return body
        assert self.upstream is not None
        error = dict(body["error"])
        error["message"] = (
            f"{error.get('message', '')} (from the model upstream at {self.upstream.host}, "
            f"through the workshop gateway. Fix: check {fix}.)"
        )
        return {**body, "error": error}

    # --- translation for a Chat-Completions-only upstream --------------------------------

    def _translated(self, request: dict[str, Any]) -> Reply:
        """A Responses request answered through the upstream's Chat Completions.

        A streamed request is answered from the whole completion, cut into Responses events.
        """
        chat = responses_to_chat(request)
        reply = self._forward("/v1/chat/completions", json.dumps(chat).encode(), stream=False)
        if reply.status >= 400:
            return reply
        body = chat_to_responses(reply.body, request)
        if request.get("stream"):
            return Reply(200, events=responses_stream(body), headers=reply.headers)
        return Reply(200, body, headers=reply.headers)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"error": {"message": response.text[:500], "type": "upstream_error"}}


def _usage_of(data: str) -> dict[str, Any] | None:
    """Usage in one event's data: a Responses event's `response.usage` or a chunk's `usage`."""
    if '"usage"' not in data:
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    usage = (value.get("response") or {}).get("usage") or value.get("usage")
    return usage if isinstance(usage, dict) else None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))


def responses_to_chat(request: dict[str, Any]) -> dict[str, Any]:
    """A Responses API request as a Chat Completions request (what a chat-only server reads)."""
    messages: list[dict[str, Any]] = []
    if request.get("instructions"):
        messages.append({"role": "system", "content": request["instructions"]})
    items = request.get("input")
    for item in [{"role": "user", "content": items}] if isinstance(items, str) else items or []:
        kind = item.get("type", "message")
        if kind == "function_call":
            call = {"name": item["name"], "arguments": item.get("arguments") or "{}"}
            tool_call = {"id": item["call_id"], "type": "function", "function": call}
            if messages and messages[-1]["role"] == "assistant" and not messages[-1]["content"]:
                messages[-1].setdefault("tool_calls", []).append(tool_call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [tool_call]})
        elif kind == "function_call_output":
            output = item.get("output")
            content = output if isinstance(output, str) else json.dumps(output)
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": content})
        elif kind == "message":
            role = "system" if item.get("role") == "developer" else item.get("role", "user")
            messages.append({"role": role, "content": _text(item.get("content"))})
    chat: dict[str, Any] = {"model": request.get("model"), "messages": messages}
    tools = [
        {"type": "function", "function": {k: v for k, v in t.items() if k != "type"}}
        for t in request.get("tools") or []
        if t.get("type") == "function"
    ]
    if tools:
        chat["tools"] = tools
        choice = request.get("tool_choice")
        if isinstance(choice, dict) and choice.get("name"):
            chat["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
        elif choice:
            chat["tool_choice"] = choice
    fmt = (request.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        schema = {k: fmt[k] for k in ("name", "schema", "strict") if k in fmt}
        chat["response_format"] = {"type": "json_schema", "json_schema": schema}
    for name, chat_name in (
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("max_output_tokens", "max_tokens"),
        ("parallel_tool_calls", "parallel_tool_calls"),
    ):
        if request.get(name) is not None and (name != "parallel_tool_calls" or tools):
            chat[chat_name] = request[name]
    return chat


def chat_to_responses(completion: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """A chat completion as the Responses API object the client asked for."""
    message = completion["choices"][0]["message"]
    output: list[dict[str, Any]] = []
    if message.get("content"):
        part = {"type": "output_text", "text": message["content"], "annotations": []}
        output.append(
            {
                "type": "message",
                "id": f"msg_{completion.get('id', '')}",
                "role": "assistant",
                "status": "completed",
                "content": [part],
            }
        )
    for call in message.get("tool_calls") or []:
        output.append(
            {
                "type": "function_call",
                "id": f"fc_{call['id']}",
                "call_id": call["id"],
                "name": call["function"]["name"],
                "arguments": call["function"].get("arguments") or "{}",
                "status": "completed",
            }
        )
    usage = completion.get("usage") or {}
    inputs, outputs = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    return {
        "id": f"resp_{completion.get('id', '')}",
        "object": "response",
        "created_at": int(completion.get("created") or 0),
        "model": completion.get("model") or request.get("model"),
        "status": "completed",
        "output": output,
        "parallel_tool_calls": bool(request.get("parallel_tool_calls", True)),
        "tool_choice": request.get("tool_choice") or "auto",
        "tools": request.get("tools") or [],
        "instructions": request.get("instructions"),
        "error": None,
        "incomplete_details": None,
        "metadata": {},
        "text": {"format": {"type": "text"}},
        "usage": responses_usage(inputs, outputs),
    }
