"""Workers: one on the kernel's own event loop, and one in a process that can really die.

The in-kernel worker is an asyncio task, so the cell that starts it returns at once and
other cells keep running; starting it again under the same name replaces the old one.

A worker process is what a crash really is: `kill()` sends SIGKILL, and nothing in the
notebook's process is disturbed. Its output goes to a log file the notebook can show.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from ._crash import KillPoint
from ._errors import WorkerStartError
from ._heartbeat import AutoHeartbeatInterceptor
from ._proc import kit_env, spawn_logged, tail
from ._settings import Settings, settings
from ._temporal import connect


@dataclass(frozen=True)
class WorkerTuning:
    """Worker settings tuned so a restarted worker picks up a workflow at once."""

    sticky_queue_schedule_to_start_timeout: timedelta = timedelta(seconds=1)
    """How long a workflow task waits for the (maybe dead) worker that cached the workflow
    before any worker may take it; Temporal's default of 10 s is the wait seen after a crash."""

    max_concurrent_activities: int = 20
    """Activities one worker runs at once."""

    def worker_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `temporalio.worker.Worker`."""
        return {
            "sticky_queue_schedule_to_start_timeout": self.sticky_queue_schedule_to_start_timeout,
            "max_concurrent_activities": self.max_concurrent_activities,
        }


def sandbox_runner() -> SandboxedWorkflowRunner:
    """Temporal's workflow sandbox, with the kit itself passed through.

    The sandbox re-imports a workflow's module and everything it imports, and forbids some
    calls at import time. The kit is helper code, never workflow state, so workflow modules
    may import it freely; pass this runner to a `Replayer` too.
    """
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("workshop")
    )


def discover(modules: Iterable[ModuleType]) -> tuple[list[type], list[Callable[..., Any]]]:
    """Workflows and activities defined in the given modules (by their Temporal decorators)."""
    workflows: list[type] = []
    activities: list[Callable[..., Any]] = []
    for module in modules:
        for value in vars(module).values():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if isinstance(value, type) and hasattr(value, "__temporal_workflow_definition"):
                workflows.append(value)
            elif callable(value) and hasattr(value, "__temporal_activity_definition"):
                activities.append(value)
    return workflows, activities


def build_worker(
    client: Client,
    task_queue: str,
    *,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable[..., Any]] = (),
    interceptors: Sequence[Interceptor] = (),
    tuning: WorkerTuning | None = None,
    **worker_kwargs: Any,
) -> Worker:
    """A `Worker` with the kit's defaults: fast-resume tuning and auto-heartbeats."""
    kwargs: dict[str, Any] = (tuning or WorkerTuning()).worker_kwargs()
    # An unfinished exercise (a stub raising NotImplementedError) fails its workflow at once;
    # by default Temporal would retry the workflow task forever and the cell would hang.
    kwargs.setdefault("workflow_failure_exception_types", [NotImplementedError])
    kwargs.update(worker_kwargs)
    kwargs.setdefault("workflow_runner", sandbox_runner())
    if any(not _is_async(fn) for fn in activities):
        kwargs.setdefault("activity_executor", ThreadPoolExecutor(max_workers=8))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(workflows),
        activities=list(activities),
        interceptors=[AutoHeartbeatInterceptor(), *interceptors],
        **kwargs,
    )


def _is_async(fn: Callable[..., Any]) -> bool:
    import inspect

    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004
    )


@dataclass
class KernelWorker:
    """A worker running as an asyncio task on the current event loop."""

    name: str
    task_queue: str
    worker: Worker
    task: asyncio.Task[None]

    @property
    def running(self) -> bool:
        """True while the worker task is alive."""
        return not self.task.done()

    async def stop(self) -> None:
        """Shut the worker down and wait for it (idempotent)."""
        if not self.task.done():
            await self.worker.shutdown()
        try:
            await self.task
        except (asyncio.CancelledError, Exception):
            pass
        _kernel_workers.pop(self.name, None) if _kernel_workers.get(self.name) is self else None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<KernelWorker {self.name!r} on task queue {self.task_queue!r}: {state}>"


_kernel_workers: dict[str, KernelWorker] = {}


async def start_worker(
    task_queue: str,
    *,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable[..., Any]] = (),
    client: Client | None = None,
    name: str | None = None,
    **worker_kwargs: Any,
) -> KernelWorker:
    """Start (or replace) an in-kernel worker; returns at once, the worker runs in the background.

    Running the same cell again stops the worker started under the same name (default: the
    task queue) before starting the new one, so there is never a second copy polling.
    """
    key = name or task_queue
    old = _kernel_workers.get(key)
    if old is not None:
        await old.stop()
    client = client or await connect()
    worker = build_worker(
        client, task_queue, workflows=workflows, activities=activities, **worker_kwargs
    )
    task = asyncio.get_running_loop().create_task(worker.run(), name=f"worker:{key}")
    handle = KernelWorker(key, task_queue, worker, task)
    _kernel_workers[key] = handle
    # Let the worker start polling (or fail fast on a bad registration) before returning.
    await asyncio.sleep(0.05)
    if task.done() and task.exception() is not None:
        _kernel_workers.pop(key, None)
        raise task.exception()  # type: ignore[misc]
    return handle


async def stop_all_workers() -> None:
    """Stop every in-kernel worker this kernel started."""
    for handle in list(_kernel_workers.values()):
        await handle.stop()


def running_workers() -> list[KernelWorker]:
    """The in-kernel workers currently registered."""
    return list(_kernel_workers.values())


def stop_worker_processes(cfg: Settings | None = None) -> int:
    """SIGKILL every worker process started from this state folder; returns how many.

    Works from their pid files, so it also finds processes left by a restarted kernel.
    """
    cfg = cfg or settings()
    stopped = 0
    for pid_file in cfg.state_dir.glob("worker-*.pid"):
        try:
            pid = int(json.loads(pid_file.read_text())["pid"])
            if b"workshop.worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
                stopped += 1
        except (OSError, ValueError, KeyError):
            pass
        pid_file.unlink(missing_ok=True)
    return stopped


@dataclass
class WorkerProcess:
    """A worker in its own process: start it, SIGKILL it, restart it.

    Args:
        modules: importable module names holding the workflows and activities to run.
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
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    kill_point: KillPoint | None = field(default=None, init=False)
    starts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.modules = [self.modules] if isinstance(self.modules, str) else list(self.modules)
        self.name = self.name or self.task_queue
        self.cwd = Path(self.cwd).resolve()

    @property
    def log_file(self) -> Path:
        """The file the worker process writes its output to."""
        return self.cfg.logs_dir / f"worker-{self.name}.log"

    @property
    def _pid_file(self) -> Path:
        return self.cfg.state_dir / f"worker-{self.name}.pid"

    @property
    def _ready_file(self) -> Path:
        return self.cfg.state_dir / f"worker-{self.name}.ready"

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
        self.cfg.ensure_dirs()
        self._ready_file.unlink(missing_ok=True)
        self.kill_point = KillPoint.parse(kill_at) if isinstance(kill_at, str) else kill_at
        args = [sys.executable, "-m", "workshop.worker", "--task-queue", self.task_queue]
        args += ["--ready-file", str(self._ready_file)]
        for module in self.modules:
            args += ["--module", module]
        if self.kill_point is not None:
            args += ["--kill-at", self.kill_point.spec()]
        env = {**kit_env(self.cfg, self.cwd), **self.extra_env}
        self.starts += 1
        self._proc = spawn_logged(
            args,
            self.log_file,
            cwd=self.cwd,
            env=env,
            header=f"start {self.starts} (kill point: {self.kill_point})",
        )
        self._pid_file.write_text(json.dumps({"pid": self._proc.pid}))
        deadline = time.monotonic() + timeout
        while not self._ready_file.exists():
            if self._proc.poll() is not None:
                raise WorkerStartError(
                    f"Worker process {self.name!r} exited with code {self._proc.returncode} "
                    f"while starting. Its log ({self.log_file}) ends with:\n"
                    f"{self.logs(25)}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise WorkerStartError(
                    f"Worker process {self.name!r} was not ready after {timeout:.0f} s; "
                    f"it was killed. Log:\n{self.logs(25)}"
                )
            await asyncio.sleep(0.02)

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
        self._proc.terminate()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._pid_file.unlink(missing_ok=True)

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
        return self._proc.wait()

    def logs(self, lines: int = 40) -> str:
        """The last lines of the worker's log file."""
        return tail(self.log_file, lines)

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
        try:
            pid = int(json.loads(self._pid_file.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            return
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().find(b"workshop.worker") >= 0:
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
        self._pid_file.unlink(missing_ok=True)
