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
                heartbeat_timeout=timedelta(seconds=1),
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100)),
            )
        return value


def expected_result(seed: int) -> int:
    """What `StepsWorkflow` returns for `seed` when nothing goes wrong."""
    value = seed
    for index in range(1, STEPS + 1):
        value = value * 3 + index
    return value
