"""A learner's mistakes explain themselves, in seconds: their own line, the cell to fix, the queue.

Lesson 03's real workflow (taken from the notebook) with the `await` of Exercise 2 left out
fails in seconds; the check shows the learner's line and names the `%%workflow_module` cell,
and a learner's own `await handle.result()` cell shows the same few lines. A worker that does
not list `workflow_failure_exception_types` retries the bug forever: the check still stops in
seconds, with the same lines. A workflow started on a queue no worker polls ends with a sentence
that says so, instead of waiting forever.
"""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError

from tests.support.lessons import SOLUTIONS, lesson_modules_dir, module_cells
from workshop import Checks, start_worker
from workshop.errors import ExerciseIncomplete
from workshop.notebook.cells import short_failure
from workshop.testing import route_model_calls

QUESTION = "Are there any weather alerts where I am?"
BUGGY = "lesson03_missing_await"


@pytest.fixture(scope="module")
def buggy() -> ModuleType:
    """Lesson 03's agent loop as a learner might leave Exercise 2: the `await` forgotten."""
    source = module_cells(SOLUTIONS / "03-durable-agent-loop.ipynb")["lesson03_agent_loop"]
    fixed = "result = await workflow.execute_activity("
    assert fixed in source
    path = lesson_modules_dir() / "lesson_modules" / f"{BUGGY}.py"
    path.write_text(source.replace(fixed, "result = workflow.execute_activity("))
    route_model_calls()  # the activities' AsyncOpenAI() reaches the kit's model gateway
    return importlib.import_module(f"lesson_modules.{BUGGY}")


async def _start_worker(task_queue: str, buggy: ModuleType, **options: Any) -> Any:
    llm = importlib.import_module("lesson_modules.lesson03_llm")
    tools = importlib.import_module("lesson_modules.lesson03_tools")
    return await start_worker(
        task_queue,
        workflows=[buggy.DurableAgent],
        activities=[llm.call_llm, tools.invoke_tool],
        name=task_queue,
        **options,
    )


@pytest.fixture
async def stopped_after(task_queue: str) -> AsyncIterator[list[Any]]:
    workers: list[Any] = []
    yield workers
    for worker in workers:
        await worker.stop()


def _the_learners_lines(text: str) -> None:
    assert "TypeError: Object of type coroutine is not JSON serializable" in text
    assert "is an `await` missing?" in text
    assert f'File "lesson_modules/{BUGGY}.py", line ' in text
    assert '"output": json.dumps(result),' in text
    assert f"Fix it in the cell that starts with `%%workflow_module {BUGGY}`" in text


async def _start_buggy_run(client: Client, buggy: ModuleType, task_queue: str) -> Any:
    """Lesson 03's agent with the learner's bug, started on `task_queue`."""
    return await client.start_workflow(
        buggy.DurableAgent.run,
        QUESTION,
        id=f"mistake-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
    )


async def test_a_missing_await_fails_in_seconds_with_the_learners_line(
    client: Client,
    task_queue: str,
    buggy: ModuleType,
    stopped_after: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    stopped_after.append(
        await _start_worker(task_queue, buggy, workflow_failure_exception_types=[Exception])
    )
    started = time.monotonic()
    run = await _start_buggy_run(client, buggy, task_queue)
    with pytest.raises(ExerciseIncomplete):
        async with Checks(2, "the tool-call branch") as check:
            await check.result(run)
    assert time.monotonic() - started < 10
    shown = capsys.readouterr().out
    _the_learners_lines(shown)
    # Short and first: the error line comes right under the check's title.
    assert shown.splitlines()[1].startswith("  ✗ your code raised TypeError")
    # A learner's own `await handle.result()` cell: the kernel shows these lines, not pages.
    with pytest.raises(WorkflowFailureError) as failed:
        await run.result()
    lines = short_failure(failed.value)
    assert lines is not None and lines[0].startswith("WorkflowFailureError: ")
    _the_learners_lines("\n".join(lines))


async def test_a_bug_retried_forever_stops_the_check_in_seconds(
    client: Client,
    task_queue: str,
    buggy: ModuleType,
    stopped_after: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without workflow_failure_exception_types Temporal retries the workflow task (production's
    # choice): the run stays Running, and the check must not wait out its timeout.
    stopped_after.append(await _start_worker(task_queue, buggy))
    started = time.monotonic()
    run = await _start_buggy_run(client, buggy, task_queue)
    with pytest.raises(ExerciseIncomplete):
        async with Checks(2, "the tool-call branch") as check:
            await check.result(run, timeout=60)
    assert time.monotonic() - started < 15
    shown = capsys.readouterr().out
    assert "its worker retries the workflow task until the code is fixed" in shown
    _the_learners_lines(shown)
    await run.terminate("test done")


async def test_a_check_on_a_queue_nobody_polls_says_so(
    client: Client, task_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    run = await client.start_workflow(
        "WeatherAgent",
        "Are there any weather alerts in Florida?",
        id=f"lost-{task_queue}",
        task_queue=task_queue,
    )
    with pytest.raises(ExerciseIncomplete) as incomplete:
        async with Checks(2, "the model picks the activities") as check:
            await check.result(run)
    assert time.monotonic() - started < 10
    sentence = (
        f"no worker is polling task queue {task_queue!r}: did you start the workflow on the "
        "queue the worker polls?"
    )
    assert sentence in capsys.readouterr().out
    assert sentence in str(incomplete.value)
    await run.terminate("test done")


class _History:
    """Stands in for a workflow handle whose history holds these events (logic only)."""

    def __init__(self, *events: Any) -> None:
        self.events = events

    async def fetch_history_events(self) -> AsyncIterator[Any]:
        for event in self.events:
            yield event


def _task_failed(message: str) -> Any:
    from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
    from temporalio.api.history.v1 import HistoryEvent

    event = HistoryEvent(event_type=EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    attrs = event.workflow_task_failed_event_attributes
    attrs.cause = (
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
    )
    attrs.failure.message = message
    return event


async def test_one_deadlock_trip_is_load_two_in_a_row_are_the_code() -> None:
    """A busy machine can push one workflow task past the SDK's 2 s deadlock detector (the
    retry passes): no check may blame the learner's code for it. Twice in a row, it is."""
    from workshop.notebook.failures import DEADLOCK_DETECTED, _failed_workflow_task

    slow = f"{DEADLOCK_DETECTED} Potential deadlock detected: workflow didn't yield within 2 s"
    assert await _failed_workflow_task(_History(_task_failed(slow))) is None
    twice = await _failed_workflow_task(_History(_task_failed(slow), _task_failed(slow)))
    assert twice is not None and "deadlock" in twice.text("run it again")
    bug = await _failed_workflow_task(_History(_task_failed("name 'x' is not defined")))
    assert bug is not None and "not defined" in bug.text("run it again")
