"""A worker in its own process: what a crash really is.

`kill()` sends SIGKILL, and nothing in the notebook's process is disturbed. Its output goes
to a log file the notebook can show. The process is recorded as the kit's (see
`runtime/processes.py`) and exits when the kernel or script that started it dies.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client
from temporalio.service import RPCError

from ..crash.kill_points import KillPoint
from ..errors import WorkerStartError
from ..notebook.failures import task_queue_pollers
from ..runtime import forkserver, processes
from ..runtime.server import connect
from ..runtime.services import route_model_calls
from ..runtime.settings import Settings, settings


async def _polling(client: Client, task_queue: str, pid: int) -> bool:
    """True once a worker of process `pid` polls `task_queue` (seen by the server itself).

    A worker's default identity is "PID@HOST"; pollers of an earlier, killed process of the
    same task queue are still listed for a while, so the pid tells them apart. A call the
    server drops (a busy machine can cancel one) counts as "not yet": the caller's deadline
    still bounds the wait.
    """
    try:
        pollers = await task_queue_pollers(client, task_queue)
    except RPCError:
        return False
    return any(p.identity.startswith(f"{pid}@") for p in pollers)


def stop_worker_processes(cfg: Settings | None = None) -> int:
    """Stop every worker process the kit started for this state folder; returns how many.

    Works from their records, so it also finds processes left by a restarted kernel.
    """
    cfg = cfg or settings()
    workers = [r for r in processes.owned(cfg) if r.name.startswith("worker-")]
    for record in workers:
        processes.stop(cfg, record.name, timeout=5.0)
    return len(workers)


@dataclass
class WorkerProcess:
    """A worker in its own process: start it, SIGKILL it, restart it.

    Args:
        modules: importable module names: a worker module with `async def main(task_queue)`
            (lessons), or modules whose workflows and activities get a plain `Worker`.
        task_queue: the task queue to poll.
        name: used for the log file and to replace an earlier process of the same name.
        cwd: folder the modules are imported from (default: the current directory).
    """

    modules: Sequence[str]
    task_queue: str
    name: str = ""
    cwd: Path = field(default_factory=Path.cwd)
    extra_env: dict[str, str] = field(default_factory=dict)
    cfg: Settings = field(default_factory=settings)
    _proc: processes.Child | None = field(default=None, init=False, repr=False)
    kill_point: KillPoint | None = field(default=None, init=False)
    starts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.modules = [self.modules] if isinstance(self.modules, str) else list(self.modules)
        self.name = self.name or self.task_queue
        self.cwd = Path(self.cwd).resolve()
        forkserver.warm()  # its imports run while the caller goes on to start()

    @property
    def log_file(self) -> Path:
        """The file the worker process writes its output to."""
        return self.cfg.logs_dir / f"worker-{self.name}.log"

    @property
    def _record_name(self) -> str:
        return f"worker-{self.name}"

    @property
    def pid(self) -> int | None:
        """Process id of the current worker process, if one was started."""
        return self._proc.pid if self._proc else None

    @property
    def alive(self) -> bool:
        """True while the worker process runs."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit code of the last process (-9 after SIGKILL), None while it runs."""
        return self._proc.poll() if self._proc else None

    async def start(self, kill_at: KillPoint | str | None = None, timeout: float = 30.0) -> None:
        """Start the process and wait until it polls its task queue.

        Args:
            kill_at: a declared kill point at which the process SIGKILLs itself.
            timeout: seconds to wait for it to be ready.

        Raises:
            WorkerStartError: the process exited while starting; the message holds its log.
        """
        self._kill_leftover()
        client = await connect(self.cfg)  # starts the embedded server if needed
        self.kill_point = KillPoint.parse(kill_at) if isinstance(kill_at, str) else kill_at
        args = ["--task-queue", self.task_queue]
        for module in self.modules:
            args += ["--module", module]
        if self.kill_point is not None:
            args += ["--kill-at", self.kill_point.spec()]
        # The worker inherits the standard OpenAI variables pointing at the gateway, never the key.
        route_model_calls(self.cfg)
        env = processes.kit_env(self.cfg, self.cwd)
        # The worker module connects the standard way (temporalio's env config), so it runs
        # unchanged against the embedded server here and against any cluster elsewhere.
        env.setdefault("TEMPORAL_ADDRESS", client.service_client.config.target_host)
        env.setdefault("TEMPORAL_NAMESPACE", client.namespace)
        self.starts += 1
        # It exits when this process (kernel, script, test) dies.
        self._proc = processes.start_python(
            self.cfg,
            self._record_name,
            "workshop.workers.main",
            args,
            log_file=self.log_file,
            cwd=self.cwd,
            env={**env, **self.extra_env},
            header=f"start {self.starts} (kill point: {self.kill_point})",
        )
        proc = self._proc
        deadline = time.monotonic() + timeout
        while not await _polling(client, self.task_queue, proc.pid):
            if proc.poll() is not None or time.monotonic() > deadline:
                dead = proc.poll() is not None
                if not dead:
                    self.kill()
                raise WorkerStartError(
                    f"Worker process {self.name!r} "
                    + (f"exited with code {proc.returncode}" if dead else "was not polling")
                    + f" {'while starting' if dead else f'after {timeout:.0f} s and was killed'}. "
                    f"Its log ({self.log_file}) ends with:\n{self.logs(25)}"
                )
            await asyncio.sleep(0.05)

    def kill(self) -> bool:
        """SIGKILL the worker process, as a crash would; True when one was running."""
        if not self.alive or self._proc is None:
            return False
        self._proc.send_signal(signal.SIGKILL)
        self._proc.wait()
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the worker gracefully (SIGTERM, then SIGKILL after `timeout`)."""
        if self._proc is None or not self.alive:
            return
        processes.stop(self.cfg, self._record_name, timeout)
        self._proc.wait()

    async def restart(self, kill_at: KillPoint | str | None = None) -> None:
        """Kill the process if it runs, then start a fresh one (no kill point unless given)."""
        self.kill()
        await self.start(kill_at=kill_at)

    async def wait_exit(self, timeout: float = 60.0) -> int:
        """Wait for the process to end (for example at its kill point); returns its exit code.

        Raises:
            TimeoutError: it was still running after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while self.alive:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Worker process {self.name!r} still running after {timeout:.0f} s "
                    f"(kill point: {self.kill_point})."
                )
            await asyncio.sleep(0.02)
        assert self._proc is not None
        code = self._proc.wait()
        assert code is not None
        return code

    def logs(self, lines: int = 40) -> str:
        """The last lines of the worker's log file."""
        return processes.tail(self.log_file, lines)

    def status(self) -> str:
        """One line: alive or dead, with pid or exit code."""
        if self._proc is None:
            return f"worker {self.name}: not started"
        if self.alive:
            return f"worker {self.name}: running (pid {self._proc.pid})"
        code = self._proc.returncode
        how = "killed (SIGKILL)" if code == -signal.SIGKILL else f"exited with code {code}"
        return f"worker {self.name}: {how}"

    def __repr__(self) -> str:
        return f"<WorkerProcess {self.status()}>"

    def _kill_leftover(self) -> None:
        """Kill an earlier process of this name, also one left by a restarted kernel."""
        self.kill()
        processes.stop(self.cfg, self._record_name, timeout=0)
