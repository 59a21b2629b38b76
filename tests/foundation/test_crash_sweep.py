"""Kill the worker at every activity boundary and mid-activity; every run still ends right.

For each kill point: a worker process dies there (SIGKILL, declared, not timed), a fresh one
is started, the workflow completes with the uncrashed result, and the ledger written by the
steps' own code shows each step that had completed before the kill ran exactly once. Only
a step caught in flight (its work done, its result not yet reported) runs a second time.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest
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


@pytest.mark.parametrize("point", POINTS, ids=str)
async def test_crash_then_resume(
    point: KillPoint, client: Client, task_queue: str, ledger: Path
) -> None:
    proc = WorkerProcess(["tests.support.steps"], task_queue=task_queue, cwd=REPO_ROOT)
    await proc.start(kill_at=point)
    wf_id = f"sweep-{uuid.uuid4()}"
    handle = await client.start_workflow("StepsWorkflow", 5, id=wf_id, task_queue=task_queue)
    try:
        assert await proc.wait_exit(timeout=30) == -9
        assert f"KILL POINT reached: {point.describe()}" in proc.logs()
        await proc.restart()
        assert await handle.result() == expected_result(5)
    finally:
        proc.stop()
    runs = runs_per_step(ledger, wf_id)
    in_flight = point.count if point.kind == "mid" else None
    expected = {k: 2 if k == in_flight else 1 for k in range(1, STEPS + 1)}
    assert dict(runs) == expected
