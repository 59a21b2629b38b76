"""The kit's own processes: start one, wait until it is ready or dead, stop it, know it is ours.

Every background process the kit starts (dev server, services, worker processes, the bare
agent run of lesson 01) goes through here. Each gets a record in the state folder
(`procs/NAME.json`: pid, the process's start time, its ports). A process counts as *ours*
only while a process with that pid exists AND started at the recorded time, read through
psutil (Linux, macOS, WSL alike), so a reused pid or another user's server is never
signalled and never reused. Stopping is SIGTERM, then SIGKILL after a grace period.

A child started with `tied=True` gets a pipe as its standard input and watches it
(`exit_with_parent`): when the process that started it dies, the pipe closes and the child
exits, so a crashed kernel or script leaves no orphaned worker behind. Python children of the
kit (`start_python`: worker processes, agent runs) fork from a server that has already
imported their libraries (`runtime/forkserver.py`), and watch that server instead, which
exits with the process that started it.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psutil

from ..errors import WorkshopError
from . import forkserver
from .settings import REPO_ROOT, Settings

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ProcessRecord:
    """What the kit wrote down about a process it started."""

    name: str
    """The kit's name for it: `temporal-server`, `services`, `worker-NAME`, `agent-NAME`."""
    pid: int
    """Its process id."""
    created: float
    """Its start time as the OS reports it (psutil `create_time`): pid plus this is identity."""
    info: dict[str, Any] = field(default_factory=dict)
    """What others need to reach it (ports, base URL)."""

    @property
    def alive(self) -> bool:
        """True while this very process runs (not a zombie, not a new process with its pid)."""
        try:
            proc = psutil.Process(self.pid)
            return (
                abs(proc.create_time() - self.created) < 0.01
                and proc.status() != psutil.STATUS_ZOMBIE
            )
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return False


def _records_dir(cfg: Settings) -> Path:
    return cfg.state_dir / "procs"


def _record_file(cfg: Settings, name: str) -> Path:
    return _records_dir(cfg) / f"{name}.json"


def find(cfg: Settings, name: str) -> ProcessRecord | None:
    """The live process the kit started under `name` for this state folder, else None.

    A record whose process is gone (or was never ours) is removed.
    """
    path = _record_file(cfg, name)
    try:
        record = ProcessRecord(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if record.alive:
        return record
    path.unlink(missing_ok=True)
    return None


def owned(cfg: Settings) -> list[ProcessRecord]:
    """Every live process the kit started for this state folder."""
    found = (find(cfg, path.stem) for path in sorted(_records_dir(cfg).glob("*.json")))
    return [record for record in found if record is not None]


@contextmanager
def locked(cfg: Settings, name: str) -> Iterator[None]:
    """Hold an exclusive lock named `name` in the state folder (one starter at a time).

    Kernels, worker processes and the CLI may all ask for the same server at once.
    """
    cfg.ensure_dirs()
    with open(cfg.state_dir / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def kit_env(cfg: Settings, *import_roots: Path, drop: Sequence[str] = ()) -> dict[str, str]:
    """The environment for a kit child process: the kit and `import_roots` importable,
    the same state folder, unbuffered output; variables in `drop` left out.

    Model variables: a process that ran `services.route_model_calls()` (the kit does before
    starting workers and agent runs) holds the gateway's URL and a placeholder key, and its
    children inherit them; the upstream's variables are never passed on."""
    never = ("WORKSHOP_UPSTREAM_BASE_URL", "WORKSHOP_UPSTREAM_API_KEY", *drop)
    env = {k: v for k, v in os.environ.items() if k not in never}
    roots = [str(p) for p in (*import_roots, REPO_ROOT)] + [env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in roots if p)
    env["WORKSHOP_STATE_DIR"] = str(cfg.state_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start(
    cfg: Settings,
    name: str,
    args: Sequence[str],
    *,
    log_file: Path,
    cwd: Path,
    env: Mapping[str, str],
    info: Mapping[str, Any] | None = None,
    header: str | None = None,
    tied: bool = False,
) -> subprocess.Popen[bytes]:
    """Start `args` in its own session, output appended to `log_file`, and record it as ours.

    Its own session keeps a Ctrl+C in the notebook from reaching it. With `tied`, its
    standard input is a pipe this process holds: see `exit_with_parent`.
    """
    _open_log(cfg, log_file, header)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            list(args),
            stdin=subprocess.PIPE if tied else subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
    _record(cfg, name, proc.pid, info)
    return proc


def start_python(
    cfg: Settings,
    name: str,
    module: str,
    argv: Sequence[str],
    *,
    log_file: Path,
    cwd: Path,
    env: Mapping[str, str],
    info: Mapping[str, Any] | None = None,
    header: str | None = None,
) -> Child:
    """Start `python -m module argv` as `start` does, tied to this process, and record it.

    Forked from the fork server where there is one (the child skips the imports it already
    did), else a plain `python -m` child with a pipe for its tie."""
    if not forkserver.enabled():
        args = [sys.executable, "-m", module, *argv]
        return start(
            cfg,
            name,
            args,
            log_file=log_file,
            cwd=cwd,
            env=env,
            info=info,
            header=header,
            tied=True,
        )
    _open_log(cfg, log_file, header)
    child = forkserver.start(module, argv, cwd=cwd, env=env, log_file=log_file)
    _record(cfg, name, child.pid, info)
    return child


class Child(Protocol):
    """What the kit uses of a child process: `subprocess.Popen` or a forked child."""

    @property
    def pid(self) -> int: ...
    @property
    def returncode(self) -> int | Any: ...
    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int | None: ...
    def send_signal(self, sig: int) -> None: ...
    def kill(self) -> None: ...


def _open_log(cfg: Settings, log_file: Path, header: str | None) -> None:
    """Make the state folders, and mark in the log where this start's output begins."""
    cfg.ensure_dirs()
    if header:
        with open(log_file, "ab") as log:
            log.write(f"\n=== {header} ===\n".encode())


def _record(cfg: Settings, name: str, pid: int, info: Mapping[str, Any] | None) -> None:
    """Write down that the process `pid` is the kit's `name`."""
    try:
        created = psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        created = 0.0  # already gone: the caller's wait reports why
    record = ProcessRecord(name, pid, created, dict(info or {}))
    _records_dir(cfg).mkdir(parents=True, exist_ok=True)
    tmp = _record_file(cfg, name).with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record)))
    tmp.replace(_record_file(cfg, name))


def update_info(cfg: Settings, name: str, **info: Any) -> None:
    """Add what a started process reported (for example the port it bound) to its record."""
    record = find(cfg, name)
    if record is None:
        return
    merged = ProcessRecord(record.name, record.pid, record.created, {**record.info, **info})
    _record_file(cfg, name).write_text(json.dumps(asdict(merged)))


def wait_ready(
    proc: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    *,
    what: str,
    log_file: Path,
    timeout: float = 20.0,
    error: type[WorkshopError] = WorkshopError,
) -> None:
    """Wait until `ready()` is true; raise `error` with the log's tail if the process dies
    first or is not ready in time (then it is killed)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise error(
                f"{what} exited with code {proc.returncode} while starting. "
                f"Its log ({log_file}) ends with:\n{tail(log_file, 25)}"
            )
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise error(
                f"{what} was not ready after {timeout:.0f} s and was killed. "
                f"Its log ({log_file}) ends with:\n{tail(log_file, 25)}"
            )
        time.sleep(0.02)


def stop(cfg: Settings, name: str, timeout: float = 10.0) -> bool:
    """Stop the process the kit started under `name` (SIGTERM, then SIGKILL); True if it ran."""
    record = find(cfg, name)
    _record_file(cfg, name).unlink(missing_ok=True)
    if record is None:
        return False
    terminate(record.pid, timeout)
    return True


def terminate(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM `pid`, wait up to `timeout`, then SIGKILL it (`timeout=0`: SIGKILL at once)."""
    try:
        proc = psutil.Process(pid)
        if timeout > 0:
            proc.terminate()
            if _gone(proc, timeout):
                return
        proc.kill()
        _gone(proc, 5.0)
    except psutil.NoSuchProcess:
        pass


def _gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait until `proc` has exited. A zombie counts: it is never reaped here, because a
    child of ours must be reaped by its `Popen`, or its exit code (-9 after a kill) is lost."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False


def exit_with_parent() -> None:
    """In a child started with `tied=True`: exit as soon as the process that started it dies.

    The parent holds the write end of our standard input; when it dies, for any reason,
    the pipe closes and the read below returns.
    """

    def watch() -> None:
        # os.read on the raw descriptor: a daemon thread blocked in sys.stdin's buffered
        # reader aborts the interpreter at exit (it holds the buffer's lock).
        try:
            while os.read(0, 1024):
                pass
        except OSError:
            pass
        print("the process that started this one is gone: exiting", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    # Only a pipe ties: a child forked from the fork server watches that server instead, and
    # one started by hand (a terminal, /dev/null) is tied to nothing.
    try:
        piped = stat.S_ISFIFO(os.fstat(0).st_mode)
    except OSError:
        piped = False
    if piped:
        threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def port_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing listens on `port` and we may bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_open(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts connections on `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = LOOPBACK) -> int:
    """A port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 15) -> str:
    """The last `lines` lines of a log file, or "(no log)"."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
