"""What the kit registers on a worker it builds for tests and tools: found by decorator, no more.

The kit adds nothing to a worker's behaviour: no interceptor, no hidden timeout. Lessons
construct their `Worker(...)` themselves, with every setting that matters for a crash in
view; `build_worker` is for the kit's own tests and for old-style modules with no `main()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions


def sandbox_runner() -> SandboxedWorkflowRunner:
    """Temporal's workflow sandbox with the kit passed through, for replaying the kit's tests.

    Nothing else: the OpenAI Agents plugin passes `agents` and `openai` through itself, so a
    replay of an Agents SDK workflow needs that plugin, never more modules passed through.
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
    **worker_kwargs: Any,
) -> Worker:
    """A plain `Worker` with exactly these settings (sync activities get a thread pool,
    which Temporal requires for them)."""
    kwargs = dict(worker_kwargs)
    if any(not _is_async(fn) for fn in activities):
        kwargs.setdefault("activity_executor", ThreadPoolExecutor(max_workers=8))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(workflows),
        activities=list(activities),
        **kwargs,
    )


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004
    )
