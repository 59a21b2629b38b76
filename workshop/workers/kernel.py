"""A worker on the kernel's own event loop: the cell that starts it returns at once.

It is an asyncio task, so other cells keep running; starting it again under the same name
replaces the old one, so there is never a second copy polling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from ..runtime.server import connect
from .options import build_worker


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
    worker: Callable[..., Worker] | str,
    *args: Any,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable[..., Any]] = (),
    client: Client | None = None,
    name: str | None = None,
    **worker_kwargs: Any,
) -> KernelWorker:
    """Run a worker on this kernel's event loop; returns at once, the worker runs in the background.

    Pass the function that builds your `Worker(...)` and its arguments (lessons do:
    `start_worker(create_worker, client, TASK_QUEUE)`, every setting in view), or a task queue
    name plus workflows and activities for a plain `Worker` with exactly those. Running the
    same cell again first stops the worker started under the same name (default: the
    builder's name, or the task queue), so there is never a second copy polling; Temporal
    refuses a second worker for one task queue in a process anyway.
    """
    key = name or (worker if isinstance(worker, str) else worker.__qualname__)
    old = _kernel_workers.get(key)
    if old is not None:
        await old.stop()
    if isinstance(worker, str):
        built = build_worker(
            client or await connect(),
            worker,
            workflows=workflows,
            activities=activities,
            **worker_kwargs,
        )
    else:
        built = worker(*args)
    task = asyncio.get_running_loop().create_task(built.run(), name=f"worker:{key}")
    handle = KernelWorker(key, built.task_queue, built, task)
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
