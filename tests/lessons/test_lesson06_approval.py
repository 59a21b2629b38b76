"""Lesson 06's approval agent (the notebook's own module): durable waits for a person."""

from __future__ import annotations

import time
import uuid

from temporalio.client import Client, WorkflowExecutionStatus

from tests.support.lessons import lesson_modules_dir
from workshop import (
    WorkerProcess,
    approval_buttons,
    fetch_steps,
    start_time_skipping,
    start_worker,
    summarize,
    wait_for_query,
)
from workshop.testing import route_model_calls

QUESTION = "Are there any weather alerts where I am?"
MODULE = "lesson_modules.lesson06_approval"
WORKER_MODULE = "lesson_modules.lesson06_worker"


def _waiting(status: dict[str, str]) -> bool:
    return status["state"] != "working"


async def test_approval_survives_a_worker_kill_while_waiting(
    client: Client, task_queue: str
) -> None:
    root = lesson_modules_dir()
    from lesson_modules.lesson06_approval import ApprovalWorkflow, Review

    worker = WorkerProcess(WORKER_MODULE, task_queue=task_queue, name=f"t06-{task_queue}", cwd=root)
    await worker.start()
    try:
        handle = await client.start_workflow(
            ApprovalWorkflow.run, QUESTION, id=f"t06-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        status = await wait_for_query(handle, ApprovalWorkflow.status, _waiting)
        assert status["state"] == "waiting for approval"
        assert "Weather alerts" in status["draft"]
        first_pid = worker.pid

        worker.kill()
        assert worker.returncode == -9
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

        await worker.restart()
        answer = await handle.execute_update(ApprovalWorkflow.decide, Review(True, "tester"))
        assert answer == "approved by tester"
        result = await handle.result()
        assert result.startswith("approved by tester; posted to #weather-team (idempotency key ")

        steps = await fetch_steps(handle)
        totals = summarize(steps)
        # The agent's model and tool calls ran once, before the kill; none ran again.
        assert (totals.llm_calls, totals.tool_calls, totals.retries) == (4, 3, 0)
        send = [s for s in steps if s.title == "activity send_notice"]
        assert len(send) == 1 and (send[0].identity or "").startswith(f"{worker.pid}@")
        assert worker.pid != first_pid
        assert [s.kind for s in steps if s.kind in ("crash", "resume", "update")] == [
            "crash",
            "resume",
            "update",
        ]
    finally:
        worker.stop()


async def test_buttons_send_the_update_and_report_a_refusal(
    client: Client, task_queue: str
) -> None:
    lesson_modules_dir()
    from lesson_modules.lesson06_approval import (
        ApprovalWorkflow,
        Review,
        call_llm,
        run_tool,
        send_notice,
    )

    await start_worker(
        task_queue, workflows=[ApprovalWorkflow], activities=[call_llm, run_tool, send_notice]
    )
    handle = await client.start_workflow(
        ApprovalWorkflow.run, QUESTION, id=f"t06b-{uuid.uuid4().hex[:8]}", task_queue=task_queue
    )
    buttons = approval_buttons(
        handle,
        ApprovalWorkflow.decide,
        approve=Review(True, "me"),
        reject=Review(False, "me", "not now"),
    )
    assert "waiting for a decision" in buttons.text()
    assert "await handle.execute_update('decide', Review(approved=False" in buttons.text()
    await wait_for_query(handle, ApprovalWorkflow.status, _waiting)
    assert await buttons.send(Review(False, "me", "not now")) == "rejected by me"
    assert buttons.decided and all(b.disabled for b in buttons.buttons.values())
    assert await handle.result() == "rejected by me: nothing sent"

    late = approval_buttons(handle, "decide", approve=Review(True, "late"), reject=None)
    assert await late.send(Review(True, "late")) is None
    assert late.error and not late.decided and "refused" in late.text()


async def test_unanswered_request_expires_after_two_days_of_skipped_time() -> None:
    lesson_modules_dir()
    from lesson_modules.lesson06_approval import (
        APPROVAL_TIMEOUT,
        ApprovalWorkflow,
        call_llm,
        run_tool,
        send_notice,
    )

    route_model_calls()  # call_llm's client reads the variables this sets
    queue = f"t06-skip-{uuid.uuid4().hex[:6]}"
    async with await start_time_skipping() as env:
        worker = await start_worker(
            queue,
            workflows=[ApprovalWorkflow],
            activities=[call_llm, run_tool, send_notice],
            client=env.client,
        )
        started = time.monotonic()
        handle = await env.client.start_workflow(
            ApprovalWorkflow.run, QUESTION, id=f"t06-skip-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        assert await handle.result() == "no decision within 2 days: nothing sent"
        desc = await handle.describe()
        await worker.stop()
    assert desc.close_time and desc.start_time
    assert desc.close_time - desc.start_time >= APPROVAL_TIMEOUT
    assert time.monotonic() - started < 30
