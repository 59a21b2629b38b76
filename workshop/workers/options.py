"""How the kit builds a Temporal `Worker`: its tuning, the sandbox, and what to register."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from typing import Any

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from .heartbeat import AutoHeartbeatInterceptor


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
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004
    )
