"""Long waits on the time-skipping test server: days of workflow time in moments."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from temporalio import workflow

import workshop
import workshop.testing


@workflow.defn
class SleepForDays:
    @workflow.run
    async def run(self, days: int) -> float:
        started = workflow.now()
        await workflow.sleep(timedelta(days=days))
        return (workflow.now() - started).total_seconds()


async def test_three_day_sleep_finishes_at_once() -> None:
    async with await workshop.start_time_skipping() as env:
        # This test module imports the kit, and the sandbox re-imports a workflow's module.
        runner = workshop.testing.sandbox_runner()
        async with workshop.testing.build_worker(
            env.client, "skip", workflows=[SleepForDays], workflow_runner=runner
        ):
            wall = time.monotonic()
            slept = await env.client.execute_workflow(
                SleepForDays.run, 3, id=f"sleepy-{uuid.uuid4()}", task_queue="skip"
            )
            wall = time.monotonic() - wall
    assert slept >= timedelta(days=3).total_seconds()
    # Skipped, not slept: seconds of real time at most, even on a busy machine (the figure
    # itself is a benchmark's business, not this test's).
    assert wall < 30, f"a 3-day sleep took {wall:.2f} s of real time"
