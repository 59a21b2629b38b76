"""Start the kit's Python children from a fork server that has already imported Temporal and
the Agents SDK.

A worker process, or lesson 01's agent run, spends about 3.5 s of CPU importing temporalio,
the Agents SDK, openai and MCP before it does anything (measured here; see
`benchmarks/bench_worker_start.py`). The standard library's fork server
(`multiprocessing`'s "forkserver" start method) imports them once, in a process of its own,
and forks each child from it: every child is still a real, separate process with its own pid,
its own session, its output in its own log file, killed with a real SIGKILL. Only the import
is shared. `WORKSHOP_FORKSERVER=0` turns it off: children then start with `python -m`.

The fork server is started by (and exits with) the process that uses it: a kernel, a script,
a test. A child watches its parent, the fork server, and kills itself when it goes, so a dead
kernel still leaves no orphan (see `runtime/processes.py`).
"""

from __future__ import annotations

import importlib
import io
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import multiprocessing.process
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from multiprocessing import popen_forkserver, spawn
from pathlib import Path
from typing import Any

PRELOAD = [
    "temporalio.client",
    "temporalio.worker",
    "temporalio.contrib.openai_agents",
    "agents",
    "openai",
    "workshop.workers.main",
    "workshop.crash.agent_process",
]
"""What the fork server imports once, before it forks any child."""


def enabled() -> bool:
    """True where children start from the fork server (POSIX, unless WORKSHOP_FORKSERVER=0)."""
    return (
        "forkserver" in multiprocessing.get_all_start_methods()
        and os.environ.get("WORKSHOP_FORKSERVER", "1") != "0"
    )


def warm() -> None:
    """Start the fork server now, so it imports in the background while the caller goes on.

    Cheap to call again: the server starts once per process (the first child waits for its
    imports to finish)."""
    if enabled():
        multiprocessing.forkserver.set_forkserver_preload(PRELOAD)
        multiprocessing.forkserver.ensure_running()


class ForkedChild:
    """A child started from the fork server, with the part of `subprocess.Popen`'s interface
    the kit uses: `pid`, `poll()`, `wait()`, `send_signal()`, `kill()`, `returncode`."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process
        assert process.pid is not None
        self.pid: int = process.pid

    @property
    def returncode(self) -> int | None:
        """Exit code once it ended (-9 after SIGKILL), None while it runs."""
        return self._process.exitcode

    def poll(self) -> int | None:
        """Exit code once it ended, None while it runs."""
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait until it ends (at most `timeout` seconds); its exit code, or None if running."""
        self._process.join(timeout)
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        """Signal it, unless it has already ended (its pid may then belong to another)."""
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL it."""
        self.send_signal(signal.SIGKILL)


def start(
    module: str, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_file: Path
) -> ForkedChild:
    """Fork a child that runs `module.main()` with `argv`, as `python -m module argv` would:
    working folder `cwd`, environment `env` (its PYTHONPATH first on `sys.path`), output
    appended to `log_file`."""
    warm()
    process = _Process(
        target=_child_main,
        args=(module, list(argv), str(cwd), dict(env), str(log_file)),
        name=f"workshop:{module}",
        daemon=False,
    )
    process.start()
    # The child belongs to the kit's process records, not to multiprocessing: at exit,
    # multiprocessing would join it (and wait for a worker that never ends); the kit's tie
    # ends it instead (the fork server exits with this process, and the child follows).
    multiprocessing.process._children.discard(process)  # type: ignore[attr-defined]
    return ForkedChild(process)


class _Popen(popen_forkserver.Popen):
    """The stdlib's launcher, minus one step: a child does not run the parent's main module
    again. multiprocessing re-runs it (as `__mp_main__`) so that pickled functions defined
    there resolve; the kit's child needs none of them, and a learner's script (no
    `if __name__ == "__main__"` guard) or the kernel's launcher would run again in every child.
    """

    def _launch(self, process_obj: Any) -> None:
        with _LAUNCHING:
            prepare = spawn.get_preparation_data
            spawn.get_preparation_data = _without_main(prepare)  # type: ignore[assignment]
            try:
                super()._launch(process_obj)  # type: ignore[misc]
            finally:
                spawn.get_preparation_data = prepare


_LAUNCHING = threading.Lock()


def _without_main(prepare: Callable[[str], dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    def preparation_data(name: str) -> dict[str, Any]:
        data = prepare(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    return preparation_data


class _Process(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


# --- in the child ----------------------------------------------------------------------


def _child_main(module: str, argv: list[str], cwd: str, env: dict[str, str], log: str) -> None:
    """Become what `python -m module argv` in `cwd` with `env` would be, then run it."""
    os.setsid()  # its own session: a Ctrl+C in the notebook does not reach it
    # Standard input from /dev/null (the fork server's is its starter's: a kernel's is a pipe),
    # output appended to the log.
    for fd, target in ((0, _open(os.devnull, os.O_RDONLY)), (1, _open(log)), (2, _open(log))):
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = _unbuffered(1)
    sys.stderr = _unbuffered(2)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    roots = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [cwd, *roots, *(p for p in sys.path if p and p != cwd and p not in roots)]
    _exit_with(os.getppid())
    sys.argv = [module, *argv]
    importlib.import_module(module).main()


def _open(path: str, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND) -> int:
    return os.open(path, flags, 0o644)


def _unbuffered(fd: int) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
        write_through=True,
    )


def _exit_with(parent: int) -> None:
    """SIGKILL this process as soon as `parent` (the fork server) is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        print("the process that started this one is gone: exiting", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
