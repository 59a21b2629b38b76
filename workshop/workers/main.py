"""Entry point of a worker process: `python -m workshop.workers.main --task-queue Q --module M`.

It imports each module, registers every workflow and activity defined there, connects
to Temporal the same way the notebook does, and polls until SIGTERM/SIGINT. A module may
define `worker_plugins()` returning Temporal plugins (for example the OpenAI Agents plugin)
and `worker_options()` returning extra `Worker` keyword arguments; its `activities` are added
to the discovered ones (for activities defined elsewhere, such as the kit's weather tools).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import signal
import socket
from pathlib import Path
from typing import Any

from ..crash.kill_points import CrashInterceptor, KillPoint
from ..runtime.processes import exit_with_parent
from ..runtime.script import run_script
from ..runtime.server import connect
from .options import build_worker, discover


async def _main(args: argparse.Namespace) -> None:
    modules = [importlib.import_module(name) for name in args.module]
    workflows, activities = discover(modules)
    if not workflows and not activities:
        raise SystemExit(f"No workflows or activities found in modules {args.module}.")
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
    client = await connect(plugins=plugins) if plugins else await connect()
    interceptors = []
    if args.kill_at:
        interceptors.append(CrashInterceptor(KillPoint.parse(args.kill_at), client))
    worker = build_worker(
        client,
        args.task_queue,
        workflows=workflows,
        activities=activities,
        interceptors=interceptors,
        identity=f"{args.task_queue}-worker-{os.getpid()}@{socket.gethostname()}",
        **extra,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    names = [w.__name__ for w in workflows] + [
        getattr(a, "__temporal_activity_definition").name or a.__name__ for a in activities
    ]
    async with worker:
        print(
            f"worker pid {os.getpid()} polling task queue {args.task_queue!r} with {names}"
            + (f"; kill point: {args.kill_at}" if args.kill_at else ""),
            flush=True,
        )
        if args.ready_file:
            Path(args.ready_file).write_text(str(os.getpid()))
        await stop.wait()
    print("worker stopped", flush=True)


def main() -> None:
    """Parse the command line and run the worker until it is stopped or killed."""
    parser = argparse.ArgumentParser(prog="python -m workshop.workers.main", description=__doc__)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--module", action="append", required=True)
    parser.add_argument("--kill-at", help="kill point: start:NAME, mid:NAME or after:N")
    parser.add_argument("--ready-file", help="file written once the worker polls")
    args = parser.parse_args()
    exit_with_parent()
    run_script(_main(args))


if __name__ == "__main__":
    main()
