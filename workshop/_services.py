"""The kit's shared local services process: offline model endpoint, weather world, fault admin.

One process per state folder, started on demand in its own session (it outlives a kernel
restart), found by in-kernel code and worker processes through `services.json` in the
state folder, reused while healthy, bound to 127.0.0.1 only, logging to the logs folder.

Routes:
    /v1/models, /v1/responses, /v1/chat/completions   the offline model (OpenAI-compatible)
    /ipify, /ip-api/json/{ip}, /nws/alerts/active      the weather world (real APIs' shapes)
    /local/things-to-do, /local/news                  local info for the handoff lesson
    /admin/faults, /admin/world, /health               fault injection and status
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from ._errors import WorkshopError
from ._faults import FaultBook, FaultRule
from ._proc import kit_env, spawn_logged
from ._proc import pid_alive as _pid_alive
from ._proc import tail as _tail
from ._settings import Settings, settings

LOOPBACK = "127.0.0.1"
_START_TIMEOUT_S = 20.0


class ServicesUnavailable(WorkshopError):
    """The local services process could not be started or reached."""


@dataclass(frozen=True)
class ServicesInfo:
    """Where the shared services process listens."""

    base_url: str
    """Root URL, for example http://127.0.0.1:7350."""
    pid: int | None
    """Process id of the services process."""
    started: bool
    """True when this call started it, False when it reused a running one."""
    log_file: Path
    """Where it logs one line per request."""

    @property
    def model_base_url(self) -> str:
        """The OpenAI-compatible base URL of the offline model (give it to any OpenAI client)."""
        return f"{self.base_url}/v1"


# --- the server ---------------------------------------------------------------------------


class _World:
    """Mutable state of the running services: faults, where "you" are, blocked connects."""

    def __init__(self, state_dir: str) -> None:
        from ._weather._data import DEFAULT_IP

        self.state_dir = state_dir
        self.faults = FaultBook()
        self.current_ip = DEFAULT_IP
        self.blocked: list[str] = []
        self.calls: dict[str, int] = {}
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

    def _fault(self, service: str) -> bool:
        """Apply an injected fault; True when the reply was a failure (already sent)."""
        rule = self.world.faults.check(service)
        if rule is None:
            return False
        if rule.kind == "slow":
            time.sleep(rule.delay)
            return False
        if rule.kind == "timeout":
            time.sleep(rule.delay)
            self.close_connection = True
            return True
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
        return True

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
            if service:
                with self.world.lock:
                    self.world.calls[service] = self.world.calls.get(service, 0) + 1
                if self._fault(service):
                    return
            status, body = self._dispatch(method, path, query)
        except (ValueError, KeyError, TypeError) as exc:
            status, body = 400, {"error": {"message": str(exc), "type": "invalid_request_error"}}
        self._send(status, body)

    def _dispatch(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        from ._model._convert import models_list, respond_chat, respond_responses
        from ._weather import _data

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
            }
        if path == "/v1/models":
            return 200, models_list()
        if path == "/v1/responses" and method == "POST":
            return 200, respond_responses(self._body())
        if path == "/v1/chat/completions" and method == "POST":
            return 200, respond_chat(self._body())
        if path == "/ipify":
            return 200, _data.ipify(world.current_ip)
        if path.startswith("/ip-api/json"):
            ip = path.removeprefix("/ip-api/json").strip("/") or world.current_ip
            return 200, _data.ip_api(ip)
        if path == "/nws/alerts/active":
            return _data.nws_alerts(query.get("area", ""))
        if path == "/local/things-to-do":
            return 200, _data.things_to_do(query["city"])
        if path == "/local/news":
            return 200, _data.local_news(query["city"])
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
                ip = str(self._body().get("ip") or _data.DEFAULT_IP)
                if ip not in _data.PLACES:
                    raise ValueError(f"unknown ip {ip!r}; known: {sorted(_data.PLACES)}")
                world.current_ip = ip
            return 200, {"ip": world.current_ip, "places": sorted(_data.PLACES)}
        return 404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}}


def _serve(port: int, state_dir: Path, state_file: Path | None) -> None:
    """Run the services in this process until SIGTERM/SIGINT."""
    world = _World(str(state_dir))
    _guard_network(world)
    handler = type("Handler", (_Handler,), {"world": world})
    server = ThreadingHTTPServer((LOOPBACK, port), handler)
    server.daemon_threads = True  # a held "timeout" call must not block shutdown
    bound = server.server_address[1]
    base_url = f"http://{LOOPBACK}:{bound}"
    if state_file is not None:
        tmp = state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "port": bound, "base_url": base_url}))
        tmp.replace(state_file)

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"workshop services pid {os.getpid()} on {base_url}", flush=True)
    print(f"offline model (OpenAI-compatible) base URL: {base_url}/v1", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


# --- managing the process -----------------------------------------------------------------


def _state_file(cfg: Settings) -> Path:
    return cfg.state_dir / "services.json"


def _log_file(cfg: Settings) -> Path:
    return cfg.logs_dir / "services.log"


def _read_state(cfg: Settings) -> dict[str, Any] | None:
    try:
        data = json.loads(_state_file(cfg).read_text())
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _healthy(base_url: str, cfg: Settings) -> dict[str, Any] | None:
    try:
        resp = httpx.get(f"{base_url}/health", timeout=2.0)
        data = resp.json()
    except (httpx.HTTPError, ValueError):
        return None
    if resp.status_code == 200 and data.get("state_dir") == str(cfg.state_dir):
        return dict(data)
    return None


@contextmanager
def _locked(cfg: Settings) -> Iterator[None]:
    # Kernel and worker processes may all ask at once; only one may start the services.
    with open(cfg.state_dir / "services.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_cache: dict[str, ServicesInfo] = {}


def ensure_services(cfg: Settings | None = None) -> ServicesInfo:
    """Start the shared services process unless a healthy one runs; return where it listens.

    The port is WORKSHOP_SERVICES_PORT when set, else a free one (recorded in the state file).

    Raises:
        ServicesUnavailable: it did not come up (the message holds its log tail).
    """
    cfg = cfg or settings()
    cached = _cache.get(str(cfg.state_dir))
    if cached is not None and cached.pid is not None and _pid_alive(cached.pid):
        return cached
    cfg.ensure_dirs()
    with _locked(cfg):
        state = _read_state(cfg)
        if state and _pid_alive(int(state.get("pid", 0))) and _healthy(state["base_url"], cfg):
            info = ServicesInfo(state["base_url"], int(state["pid"]), False, _log_file(cfg))
        else:
            info = _start(cfg)
    _cache[str(cfg.state_dir)] = info
    return info


def _start(cfg: Settings) -> ServicesInfo:
    _state_file(cfg).unlink(missing_ok=True)
    port = int(os.environ.get("WORKSHOP_SERVICES_PORT") or 0)
    env = kit_env(cfg, drop=("OPENAI_API_KEY",))  # the key is never needed there
    args = [sys.executable, "-m", "workshop._services", "--port", str(port)]
    args += ["--state-dir", str(cfg.state_dir), "--state-file", str(_state_file(cfg))]
    log_path = _log_file(cfg)
    proc = spawn_logged(args, log_path, cwd=cfg.state_dir, env=env)
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServicesUnavailable(
                f"The workshop services process exited with code {proc.returncode} while "
                f"starting. Last lines of {log_path}:\n{_tail(log_path)}"
            )
        state = _read_state(cfg)
        if state and state.get("pid") == proc.pid and _healthy(state["base_url"], cfg):
            return ServicesInfo(state["base_url"], proc.pid, True, log_path)
        time.sleep(0.03)
    proc.kill()
    raise ServicesUnavailable(
        f"The workshop services did not answer within {_START_TIMEOUT_S:.0f} s "
        f"(port {port or 'auto'}). Last lines of {log_path}:\n{_tail(log_path)}"
    )


def services_status(cfg: Settings | None = None) -> dict[str, Any] | None:
    """The running services' health report (calls per service, blocked connections), or None."""
    cfg = cfg or settings()
    state = _read_state(cfg)
    health = _healthy(state["base_url"], cfg) if state else None
    return {**health, "base_url": state["base_url"]} if health and state else None


def stop_services(cfg: Settings | None = None, timeout: float = 5.0) -> bool:
    """Stop the services process of this state folder; True when one was stopped."""
    cfg = cfg or settings()
    _cache.pop(str(cfg.state_dir), None)
    state = _read_state(cfg)
    pid = int(state.get("pid", 0)) if state else 0
    if not _pid_alive(pid) or not _is_services(pid):
        _state_file(cfg).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.03)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    _state_file(cfg).unlink(missing_ok=True)
    return True


def _is_services(pid: int) -> bool:
    try:
        return b"workshop._services" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust the state file


def serve_main(argv: list[str] | None = None) -> int:
    """`python -m workshop serve`: run the services in the foreground and print the model URL."""
    parser = argparse.ArgumentParser(
        prog="python -m workshop serve",
        description="Run the offline model endpoint and the weather world on 127.0.0.1.",
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
    print("Use it from any OpenAI client: base_url=<the URL below>, api_key=anything.")
    _serve(args.port, cfg.state_dir, None)
    return 0


def _main() -> None:
    parser = argparse.ArgumentParser(prog="python -m workshop._services")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--state-file")
    args = parser.parse_args()
    _serve(args.port, Path(args.state_dir), Path(args.state_file) if args.state_file else None)


if __name__ == "__main__":
    _main()


def _register_shutdown() -> None:
    from ._shutdown import on_shutdown

    # `workshop.shutdown_all()` (pytest exit, a notebook's last cell) stops the services too.
    on_shutdown(stop_services)


if __name__ != "__main__":
    _register_shutdown()
