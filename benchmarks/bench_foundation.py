"""Foundation figures on this machine: dev server ready time, and resume after a SIGKILL.

    .venv/bin/python benchmarks/bench_foundation.py [--runs 5]

Prints (1) seconds from `temporal server start-dev` launch to a healthy frontend, on a fresh
state folder, and (2) seconds from a restarted worker process's launch to the workflow's
next completed step, after the previous worker was SIGKILLed in the middle of an activity.
Runs on its own state folder and free ports; touches nothing of a learner's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from isolated import REPO, free_port, isolate  # noqa: E402  (first: it sets the environment)

STATE = isolate("foundation")
os.environ["STEPS_LEDGER"] = str(STATE / "ledger.txt")

from temporalio.api.enums.v1 import EventType  # noqa: E402

import workshop  # noqa: E402
import workshop.testing  # noqa: E402
from workshop import WorkerProcess, kill_mid_activity  # noqa: E402
from workshop.testing import Settings  # noqa: E402


async def server_ready(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        cfg = Settings(
            state_dir=Path(tempfile.mkdtemp(prefix="bench-server-")),
            temporal_port=free_port(),
            temporal_ui_port=free_port(),
            temporal_address=None,
        )
        start = time.perf_counter()
        await workshop.testing.ensure_server(cfg)
        times.append(time.perf_counter() - start)
        workshop.testing.stop_server(cfg)
    return times


async def completed_count(handle) -> int:  # type: ignore[no-untyped-def]
    n = 0
    async for event in handle.fetch_history_events():
        n += event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
    return n


async def resume_after_kill(runs: int) -> tuple[list[float], list[float]]:
    client = await workshop.connect()
    from_launch, from_ready = [], []
    for run in range(runs):
        queue = f"bench-{run}-{uuid.uuid4().hex[:6]}"
        proc = WorkerProcess(["tests.support.steps"], task_queue=queue, cwd=REPO)
        await proc.start(kill_at=kill_mid_activity("step", 2))
        handle = await client.start_workflow(
            "StepsWorkflow", 1, id=f"bench-{uuid.uuid4()}", task_queue=queue
        )
        await proc.wait_exit(30)
        before = await completed_count(handle)
        launched = time.perf_counter()
        await proc.start()
        ready = time.perf_counter()
        while await completed_count(handle) <= before:
            await asyncio.sleep(0.01)
        done = time.perf_counter()
        from_launch.append(done - launched)
        from_ready.append(done - ready)
        await handle.result()
        proc.stop()
    return from_launch, from_ready


def _fmt(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s  "
        f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
    )


async def main(runs: int) -> None:
    ready = await server_ready(runs)
    print(f"dev server ready (fresh state):                    {_fmt(ready)}   target < 1.5 s")
    launch, after_ready = await resume_after_kill(runs)
    print(f"resume after SIGKILL mid-activity, from launch:    {_fmt(launch)}   target < 2 s")
    print(f"resume after SIGKILL mid-activity, from ready:     {_fmt(after_ready)}")
    workshop.shutdown_all()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    workshop.testing.run_script(main(parser.parse_args().runs))
