"""A reference multi-step workflow for crash tests: each step appends to a ledger file.

The ledger is written by the activity itself, outside Temporal, so a test can count how
many times each step's code really ran, whatever Temporal recorded.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

STEPS = 4


@activity.defn
async def step(index: int, value: int) -> int:
    """One step: record that it ran, return a value that depends on all earlier steps."""
    # A heartbeat says "alive": with the workflow's 3 s heartbeat timeout, a worker that dies
    # after this is noticed in seconds instead of after the 30 s start-to-close timeout. (1 s
    # was too tight on a loaded machine: a step whose completion took over a second to report
    # timed out and ran again, as Temporal rightly does.)
    activity.heartbeat()
    ledger = Path(os.environ["STEPS_LEDGER"])
    with ledger.open("a") as f:
        f.write(f"{activity.info().workflow_id} {index}\n")
    return value * 3 + index


@workflow.defn
class StepsWorkflow:
    """Runs `STEPS` activities in sequence, each fed the previous result."""

    @workflow.run
    async def run(self, seed: int) -> int:
        value = seed
        for index in range(1, STEPS + 1):
            value = await workflow.execute_activity(
                step,
                args=[index, value],
                start_to_close_timeout=timedelta(seconds=30),
                heartbeat_timeout=timedelta(seconds=3),
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100)),
            )
        return value


def expected_result(seed: int) -> int:
    """What `StepsWorkflow` returns for `seed` when nothing goes wrong."""
    value = seed
    for index in range(1, STEPS + 1):
        value = value * 3 + index
    return value


async def main(task_queue: str) -> None:
    """Run a worker for the steps workflow, as a lesson's worker module does."""
    from temporalio.client import Client
    from temporalio.envconfig import ClientConfig
    from temporalio.worker import Worker

    client = await Client.connect(**ClientConfig.load_client_connect_config())
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[StepsWorkflow],
        activities=[step],
        # A dead worker's next workflow task moves to another worker after 1 s (default 10 s).
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    await worker.run()
