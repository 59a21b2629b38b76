"""Kill the worker at every activity boundary and mid-activity; every run still ends right.

For each kill point: a worker process dies there (SIGKILL, declared, not timed), a fresh one
is started, the workflow completes with the uncrashed result, and the ledger written by the
steps' own code shows each step that had completed before the kill ran exactly once. Only
a step caught in flight (its work done, its result not yet reported) runs a second time.

All points run at once, each on its own task queue with its own worker processes, so the
whole sweep takes about as long as one crash and resume.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client

from tests.conftest import REPO_ROOT
from tests.support.steps import STEPS, expected_result
from workshop import (
    KillPoint,
    WorkerProcess,
    kill_after_activities,
    kill_mid_activity,
    kill_when_activity_starts,
)

POINTS = (
    [kill_when_activity_starts("step", k) for k in range(1, STEPS + 1)]
    + [kill_mid_activity("step", k) for k in range(1, STEPS + 1)]
    + [kill_after_activities(k) for k in range(1, STEPS + 1)]
)


def runs_per_step(ledger: Path, workflow_id: str) -> Counter[int]:
    lines = [line.split() for line in ledger.read_text().splitlines()]
    return Counter(int(index) for wf, index in lines if wf == workflow_id)


async def crash_and_resume(point: KillPoint, client: Client, ledger: Path) -> list[str]:
    """One kill point, end to end; returns what went wrong (nothing when all is right)."""
    queue = f"sweep-{uuid.uuid4().hex[:8]}"
    proc = WorkerProcess(["tests.support.steps"], task_queue=queue, cwd=REPO_ROOT)
    wf_id = f"sweep-{uuid.uuid4()}"
    problems = []
    try:
        await proc.start(kill_at=point)
        handle = await client.start_workflow(
            "StepsWorkflow", 5, id=wf_id, task_queue=queue, task_timeout=timedelta(seconds=2)
        )
        if await proc.wait_exit(timeout=60) != -9:
            problems.append("the worker was not SIGKILLed")
        if f"KILL POINT reached: {point.describe()}" not in proc.logs():
            problems.append(f"no kill line in the log: {proc.logs(3)}")
        await proc.restart()
        result = await asyncio.wait_for(handle.result(), 60)
        if result != expected_result(5):
            problems.append(f"result {result}, expected {expected_result(5)}")
    finally:
        proc.stop()
    in_flight = point.count if point.kind == "mid" else None
    expected = {k: 2 if k == in_flight else 1 for k in range(1, STEPS + 1)}
    runs = dict(runs_per_step(ledger, wf_id))
    if runs != expected:
        problems.append(f"step runs {runs}, expected {expected}")
    return problems


async def test_crash_at_every_point_then_resume(client: Client, ledger: Path) -> None:
    outcomes = await asyncio.gather(*(crash_and_resume(p, client, ledger) for p in POINTS))
    failures = {str(p): found for p, found in zip(POINTS, outcomes, strict=True) if found}
    assert not failures, failures
    assert len(POINTS) == 3 * STEPS
