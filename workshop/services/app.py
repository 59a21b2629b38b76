"""The kit's local services, as one HTTP server on 127.0.0.1: model endpoint, weather world, faults.

`runtime/services.py` starts it (one process per state folder) as `python -m workshop.services`;
`python -m workshop serve` runs it in the foreground.

Routes:
    /v1/models, /v1/responses, /v1/chat/completions   the model gateway (`gateway.py`)
    /ipify, /ip-api/json/{ip}, /nws/alerts/active      the weather world (real APIs' shapes)
    /local/things-to-do, /local/news                  local info for the handoff lesson
    /admin/faults, /admin/world, /health               fault injection and status
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from ..model.convert import models_list
from ..runtime.processes import LOOPBACK
from ..runtime.services import RUN_HEADER, user_model
from ..runtime.settings import settings
from ..world import data
from ..world.faults import FaultBook, FaultRule
from .gateway import Gateway, Reply, Upstream

# --- the server ---------------------------------------------------------------------------


class _World:
    """Mutable state of the running services: faults, where "you" are, blocked connects."""

    def __init__(self, state_dir: str, upstream: Upstream | None) -> None:
        self.state_dir = state_dir
        self.gateway = Gateway(upstream)
        self.api_key = os.environ.pop("WORKSHOP_SERVICES_API_KEY", "") or None
        self.faults = FaultBook()
        self.current_ip = data.DEFAULT_IP
        self.blocked: list[str] = []
        self.calls: dict[str, int] = {}
        self.calls_by_run: dict[str, int] = {}
        self.lock = threading.Lock()


def _guard_network(world: _World) -> None:
    """Refuse (and record) any connection from this process that is not to loopback.

    The services never need the internet; this makes "offline" checkable from outside.
    """
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            world.blocked.append(str(host))
            raise OSError(f"workshop services are offline: connection to {host} refused")
        original(sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]


def _service_of(path: str) -> str | None:
    for prefix, name in (
        ("/v1/", "model"),
        ("/ipify", "ip"),
        ("/ip-api/", "geo"),
        ("/nws/", "alerts"),
        ("/local/", "local"),
    ):
        if path.startswith(prefix):
            return name
    return None


_FAULT_REPLIES = {
    "rate_limit": (429, "rate_limit_error", "rate_limit_exceeded", "Rate limit reached"),
    "server_error": (500, "server_error", None, "The server had an error"),
    "unauthorized": (401, "invalid_request_error", "invalid_api_key", "Incorrect API key"),
    "bad_request": (400, "invalid_request_error", None, "Bad request"),
}


class _Handler(BaseHTTPRequestHandler):
    server_version = "workshop-services/1"
    world: _World

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # One line per request, method and path only: never headers (they carry keys).
        sys.stdout.write(f"{time.strftime('%H:%M:%S')} {format % args}\n")
        sys.stdout.flush()

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        value = json.loads(self.rfile.read(length) or b"{}")
        return value if isinstance(value, dict) else {}

    def _authorized(self) -> bool:
        """With WORKSHOP_SERVICES_API_KEY set (the stand-in serving as someone's upstream),
        a model call needs that bearer key, as a hosted API does; else a 401 is sent."""
        want = self.world.api_key
        if not want or self.headers.get("Authorization") == f"Bearer {want}":
            return True
        body = {
            "error": {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "param": None,
            }
        }
        self._send(401, body)
        return False

    def _reply(self, reply: Reply) -> None:
        if reply.events is None:
            if reply.pace:
                time.sleep(reply.pace)
            self._send(reply.status, reply.body, reply.headers)
        else:
            self._stream(reply.events, reply.pace)

    def _stream(self, events: Iterator[bytes], pace: float = 0.0) -> None:
        """Send `events` as server-sent events, each flushed as it is made.

        With `pace` (a "slow" fault on a stream) the first event goes out at once and the
        rest are spread so the whole stream takes `pace` seconds, as a slow model streams.
        """
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        items = list(events) if pace else events
        gap = pace / max(len(items) - 1, 1) if isinstance(items, list) else 0.0
        for number, item in enumerate(items):
            if number and gap:
                time.sleep(gap)
            self.wfile.write(item)
            self.wfile.flush()
        self.close_connection = True

    def _fault(self, service: str) -> float | None:
        """Apply an injected fault: None when the reply was a failure (already sent), else
        the seconds a "slow" fault asks for (0.0 when no fault fired)."""
        rule = self.world.faults.check(service)
        if rule is None:
            return 0.0
        if rule.kind == "slow":
            return rule.delay
        if rule.kind == "timeout":
            time.sleep(rule.delay)
            self.close_connection = True
            return None
        status, err_type, code, message = _FAULT_REPLIES[rule.kind]
        headers: dict[str, str] = {}
        if rule.kind == "rate_limit":
            headers["Retry-After"] = f"{rule.retry_after:g}"
            headers["retry-after-ms"] = str(int(rule.retry_after * 1000))
        if status in (400, 401):
            headers["x-should-retry"] = "false"
        body = {
            "error": {
                "message": f"{message} (fault injected on {service!r} by the workshop kit)",
                "type": err_type,
                "code": code,
                "param": None,
            }
        }
        self._send(status, body, headers)
        return None

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")

    def _route(self, method: str) -> None:
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path.rstrip("/") or "/"
        service = _service_of(path + "/")
        try:
            delay = 0.0
            if service:
                run = self.headers.get(RUN_HEADER) if service == "model" else None
                with self.world.lock:
                    self.world.calls[service] = self.world.calls.get(service, 0) + 1
                    if run:
                        self.world.calls_by_run[run] = self.world.calls_by_run.get(run, 0) + 1
                if service == "model" and not self._authorized():
                    return
                fault = self._fault(service)
                if fault is None:
                    return
                delay = fault
            if method == "GET" and path == "/v1/models":
                self._reply(self.world.gateway.models())
                return
            if method == "POST" and path in ("/v1/responses", "/v1/chat/completions"):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._reply(self.world.gateway.handle(path, raw, pace=delay))
                return
            else:
                time.sleep(delay)
                status, body = self._dispatch(method, path, query)
        except (ValueError, KeyError, TypeError) as exc:
            status, body = 400, {"error": {"message": str(exc), "type": "invalid_request_error"}}
        self._send(status, body)

    def _dispatch(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        world = self.world
        if path == "/health":
            return 200, {
                "ok": True,
                "service": "workshop-services",
                "pid": os.getpid(),
                "state_dir": world.state_dir,
                "model": models_list()["data"][0]["id"],
                "blocked_connections": list(world.blocked),
                "calls": dict(world.calls),
                "model_calls_by_run": dict(world.calls_by_run),
                "model_gateway": world.gateway.describe(),
            }
        if path == "/ipify":
            return 200, data.ipify(world.current_ip)
        if path.startswith("/ip-api/json"):
            ip = path.removeprefix("/ip-api/json").strip("/") or world.current_ip
            return 200, data.ip_api(ip)
        if path == "/nws/alerts/active":
            return data.nws_alerts(query.get("area", ""))
        if path == "/local/things-to-do":
            return 200, data.things_to_do(query["city"])
        if path == "/local/news":
            return 200, data.local_news(query["city"])
        if path == "/admin/faults":
            if method == "POST":
                body = self._body()
                world.faults.add(FaultRule(**{k: v for k, v in body.items() if k != "fired"}))
                return 200, next(r for r in world.faults.status() if r["target"] == body["target"])
            if method == "DELETE":
                world.faults.clear(query.get("target"))
            return 200, {"faults": world.faults.status()}
        if path == "/admin/world":
            if method == "POST":
                ip = str(self._body().get("ip") or data.DEFAULT_IP)
                if ip not in data.PLACES:
                    raise ValueError(f"unknown ip {ip!r}; known: {sorted(data.PLACES)}")
                world.current_ip = ip
            return 200, {"ip": world.current_ip, "places": sorted(data.PLACES)}
        return 404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}}


def serve(port: int, state_dir: Path) -> None:
    """Run the services in this process until SIGTERM/SIGINT."""
    upstream = Upstream.from_env()
    world = _World(str(state_dir), upstream)
    if upstream is None:
        _guard_network(world)
    handler = type("Handler", (_Handler,), {"world": world})
    server = ThreadingHTTPServer((LOOPBACK, port), handler)
    server.daemon_threads = True  # a held "timeout" call must not block shutdown
    base_url = f"http://{LOOPBACK}:{server.server_address[1]}"

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"workshop services pid {os.getpid()} on {base_url}", flush=True)
    where = f"forwarding to {upstream.host}" if upstream else "offline stand-in"
    print(f"model gateway ({where}), OpenAI-compatible base URL: {base_url}/v1", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


def serve_main(argv: list[str] | None = None) -> int:
    """`python -m workshop serve`: run the services in the foreground and print the model URL."""
    parser = argparse.ArgumentParser(
        prog="python -m workshop serve",
        description="Run the model gateway (offline, or forwarding as OPENAI_BASE_URL and "
        "OPENAI_API_KEY say) and the weather world on 127.0.0.1.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("WORKSHOP_SERVICES_PORT") or 0),
        help="port to listen on (default: WORKSHOP_SERVICES_PORT, else a free port)",
    )
    args = parser.parse_args(argv)
    cfg = settings()
    cfg.ensure_dirs()
    user = user_model()
    if user is not None:
        # The user's OPENAI_API_KEY / OPENAI_BASE_URL: this process is the gateway.
        os.environ.update(user.services_env())
    print("Use it from any OpenAI client: base_url=<the URL below>, api_key=anything.")
    serve(args.port, cfg.state_dir)
    return 0
