"""Workers: the in-kernel one is replaced, never doubled; a process can die and come back."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from temporalio.client import Client

import workshop
import workshop.testing
from tests.conftest import REPO_ROOT
from tests.support.steps import STEPS, StepsWorkflow, expected_result, step
from workshop import WorkerProcess
from workshop.errors import WorkerStartError


async def test_worker_cell_run_twice_keeps_one_worker(
    client: Client, task_queue: str, ledger: Path
) -> None:
    first = await workshop.start_worker(task_queue, workflows=[StepsWorkflow], activities=[step])
    second = await workshop.start_worker(task_queue, workflows=[StepsWorkflow], activities=[step])
    try:
        assert not first.running and second.running
        assert [w for w in workshop.testing.running_workers() if w.task_queue == task_queue] == [
            second
        ]
        result = await client.execute_workflow(
            StepsWorkflow.run, 1, id=f"twice-{uuid.uuid4()}", task_queue=task_queue
        )
        assert result == expected_result(1)
        assert len(ledger.read_text().splitlines()) == STEPS
    finally:
        await second.stop()
    assert not second.running


async def test_worker_module_that_fails_to_import_shows_the_error(task_queue: str) -> None:
    proc = WorkerProcess(["tests.support.broken_module"], task_queue=task_queue, cwd=REPO_ROOT)
    with pytest.raises(WorkerStartError) as caught:
        await proc.start()
    message = str(caught.value)
    assert "a_module_that_does_not_exist" in message
    assert "ModuleNotFoundError" in message
    assert not proc.alive


async def test_process_killed_and_restarted(client: Client, task_queue: str, ledger: Path) -> None:
    proc = WorkerProcess(["tests.support.steps"], task_queue=task_queue, cwd=REPO_ROOT)
    await proc.start()
    try:
        first_pid = proc.pid
        assert proc.alive
        assert proc.kill()
        assert not proc.alive and proc.returncode == -9
        assert "killed (SIGKILL)" in proc.status()
        await proc.restart()
        assert proc.alive and proc.pid != first_pid
        result = await client.execute_workflow(
            "StepsWorkflow", 2, id=f"restart-{uuid.uuid4()}", task_queue=task_queue
        )
        assert result == expected_result(2)
        assert "worker process for task queue" in proc.logs()
    finally:
        proc.stop()


async def test_starting_again_replaces_the_old_process(task_queue: str) -> None:
    first = WorkerProcess(["tests.support.steps"], task_queue=task_queue, cwd=REPO_ROOT)
    await first.start()
    second = WorkerProcess(["tests.support.steps"], task_queue=task_queue, cwd=REPO_ROOT)
    await second.start()
    try:
        # The second start found the first one's pid file and killed it.
        assert first._proc is not None and first._proc.wait(5) == -9
        assert second.alive
    finally:
        second.stop()
