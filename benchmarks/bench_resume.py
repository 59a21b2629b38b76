"""How fast a workflow resumes after its worker is SIGKILLed, at each kind of kill point.

    .venv/bin/python benchmarks/bench_resume.py [--runs 5]

A 4-step workflow (tests/support/steps.py, a worker module with a `main()` like the lessons')
runs on a worker process that is killed at a declared point: when step 2 starts, in the
middle of step 2 (its work done, its result not reported), and between steps 1 and 2 (after
step 1's completion is recorded). A new worker process is launched at once. For each point it
prints the time from the kill, and from the new worker being ready, to the next completed step.

The settings are the ones the lessons show: a 1 s heartbeat timeout on a step that heartbeats,
a 100 ms first retry interval, a 1 s sticky schedule-to-start timeout on the Worker, and a 2 s
workflow task timeout on the run. Runs on its own state folder and free ports.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import timedelta

from isolated import REPO, isolate  # noqa: E402  (first: it sets the environment)

STATE = isolate("resume")
os.environ["STEPS_LEDGER"] = str(STATE / "ledger.txt")

from temporalio.api.enums.v1 import EventType  # noqa: E402
from temporalio.client import WorkflowHandle  # noqa: E402

import workshop  # noqa: E402
import workshop.testing  # noqa: E402
from workshop import (  # noqa: E402
    KillPoint,
    WorkerProcess,
    kill_after_activities,
    kill_mid_activity,
    kill_when_activity_starts,
)

POINTS = {
    "when step 2 starts": kill_when_activity_starts("step", 2),
    "in the middle of step 2": kill_mid_activity("step", 2),
    "between steps 1 and 2": kill_after_activities(1),
}


async def completed(handle: WorkflowHandle) -> int:
    count = 0
    async for event in handle.fetch_history_events():
        count += event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
    return count


async def once(point: KillPoint) -> tuple[float, float]:
    client = await workshop.connect()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    proc = WorkerProcess("tests.support.steps", task_queue=queue, cwd=REPO)
    await proc.start(kill_at=point)
    handle = await client.start_workflow(
        "StepsWorkflow",
        1,
        id=f"bench-{uuid.uuid4()}",
        task_queue=queue,
        task_timeout=timedelta(seconds=2),
    )
    await proc.wait_exit(60)
    killed = time.perf_counter()
    before = await completed(handle)
    await proc.start()
    ready = time.perf_counter()
    while await completed(handle) <= before:
        await asyncio.sleep(0.01)
    done = time.perf_counter()
    await handle.result()
    proc.stop()
    return done - killed, done - ready


def _fmt(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"
    )


async def main(runs: int) -> None:
    print(f"next step completed after a SIGKILL, {runs} runs each (target: < 2 s from ready)")
    for label, point in POINTS.items():
        results = [await once(point) for _ in range(runs)]
        from_kill = [r[0] for r in results]
        from_ready = [r[1] for r in results]
        print(f"  {label:<26} from the kill {_fmt(from_kill)};  from ready {_fmt(from_ready)}")
    workshop.shutdown_all()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    workshop.testing.run_script(main(parser.parse_args().runs))
