"""Entry point of a worker process: `python -m workshop.workers.main --task-queue Q --module M`.

A lesson's worker module defines `async def main(task_queue)`: it connects with
`Client.connect(...)`, builds its `Worker(...)` and runs it, exactly as a service would in
production. This process imports that module and awaits `main(task_queue)`. When a kill point
is declared, the kit adds its crash interceptor to the `Worker` the module builds (see
`crash/kill_points.py`); that is the only thing it adds.

Modules with no `main()` (the kit's own test modules) get a plain `Worker` with the workflows
and activities they define; `worker_plugins()` and `worker_options()` in such a module add
plugins and `Worker` keyword arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import signal
from types import ModuleType
from typing import Any

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from ..crash.kill_points import KillPoint, kill_at_point
from ..runtime.processes import exit_with_parent
from ..runtime.script import run_script
from .options import build_worker, discover


async def _run_modules(modules: list[ModuleType], task_queue: str) -> None:
    """A plain Worker for modules without `main()`, until SIGTERM/SIGINT."""
    workflows, activities = discover(modules)
    plugins: list[Any] = []
    extra: dict[str, Any] = {}
    for module in modules:
        if hasattr(module, "worker_plugins"):
            plugins += list(module.worker_plugins())
        if hasattr(module, "worker_options"):
            options = dict(module.worker_options())
            # Activities imported from elsewhere (not found by discover), without duplicates.
            activities += [a for a in options.pop("activities", ()) if a not in activities]
            extra.update(options)
    if not workflows and not activities:
        raise SystemExit(f"No workflows or activities found in {[m.__name__ for m in modules]}.")
    client = await Client.connect(**ClientConfig.load_client_connect_config(), plugins=plugins)
    worker = build_worker(client, task_queue, workflows=workflows, activities=activities, **extra)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        await stop.wait()


async def _main(args: argparse.Namespace) -> None:
    if args.kill_at:
        kill_at_point(KillPoint.parse(args.kill_at))
    modules = [importlib.import_module(name) for name in args.module]
    entry = next((m for m in modules if callable(getattr(m, "main", None))), None)
    print(
        f"worker process for task queue {args.task_queue!r}: "
        + (f"{entry.__name__}.main()" if entry else f"modules {args.module}")
        + (f"; kill point: {args.kill_at}" if args.kill_at else ""),
        flush=True,
    )
    if entry is not None:
        await entry.main(args.task_queue)
    else:
        await _run_modules(modules, args.task_queue)
    print("worker stopped", flush=True)


def main() -> None:
    """Parse the command line and run the worker until it is stopped or killed."""
    parser = argparse.ArgumentParser(prog="python -m workshop.workers.main", description=__doc__)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--module", action="append", required=True)
    parser.add_argument("--kill-at", help="kill point: start:NAME, mid:NAME or after:N")
    args = parser.parse_args()
    exit_with_parent()
    run_script(_main(args))


if __name__ == "__main__":
    main()
