"""Lesson 03's durable loop (the notebook's own modules), killed at every step boundary.

A worker process runs the workflow and is SIGKILLed at a declared point; a fresh one resumes.
Completed LLM calls must not run again: counted by the requests the offline model endpoint
served (4 for this 4-call job, 5 when an LLM call was in flight), by the LLM-call activity
completions in the history (exactly 4, each on a longer conversation than the last), and by
the requests each tool's service served (one each, two for a tool caught in flight).
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tests.support.lessons import lesson_modules_dir
from workshop import KillPoint, WorkerProcess, fetch_steps, services_status, summarize

WORKER_MODULE = "lesson_modules.lesson03_worker"
QUESTION = "Are there any weather alerts where I am?"
TOOL_SERVICE = {
    "get_ip_address": "ip",
    "get_location_from_ip": "geo",
    "get_weather_alerts": "alerts",
}

# Between every two steps (after:N, N = 1..6 of the 7 activities), and in flight (mid: the
# call did its work, Temporal never heard) at the first and last LLM call and at a tool call.
KILL_POINTS = [f"after:{n}" for n in range(1, 7)] + [
    "mid:call_llm#1",
    "mid:call_llm#4",
    "mid:get_location_from_ip",
]


def _calls() -> dict[str, int]:
    return dict((services_status() or {"calls": {}})["calls"])


@pytest.mark.parametrize("spec", KILL_POINTS)
async def test_a_crash_reruns_no_completed_llm_call(
    spec: str, client: Client, task_queue: str
) -> None:
    root = lesson_modules_dir()
    point = KillPoint.parse(spec)
    worker = WorkerProcess(WORKER_MODULE, task_queue=task_queue, name=f"t03-{task_queue}", cwd=root)
    await worker.start(kill_at=point)
    before = _calls()
    handle = await client.start_workflow(
        "DurableAgent",
        QUESTION,
        id=f"t03-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
        task_timeout=timedelta(seconds=2),  # as the notebook starts it
    )
    try:
        assert await worker.wait_exit(timeout=30) == -9, worker.logs()
        assert "KILL POINT reached" in worker.logs(3)
        await worker.restart()
        answer = await handle.result()
    finally:
        worker.stop()
    after = _calls()
    served = {name: after.get(name, 0) - before.get(name, 0) for name in after}

    assert "Heat Advisory" in answer
    in_flight_llm = point.kind == "mid" and point.activity == "call_llm"
    assert served["model"] == 4 + (1 if in_flight_llm else 0), served
    for tool, service in TOOL_SERVICE.items():
        in_flight_tool = point.kind == "mid" and point.activity == tool
        assert served[service] == 1 + (1 if in_flight_tool else 0), (tool, served)

    # The history: each LLM call completed once, each on the conversation grown by one tool.
    history = await handle.fetch_history()
    scheduled = {
        e.event_id: e.activity_task_scheduled_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }
    completed = [
        scheduled[e.activity_task_completed_event_attributes.scheduled_event_id]
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
    ]
    llm_inputs = [
        len(json.loads(a.input.payloads[0].data)["input"])
        for a in completed
        if a.activity_type.name == "call_llm"
    ]
    assert llm_inputs == [1, 3, 5, 7]
    totals = summarize(await fetch_steps(handle))
    assert (totals.llm_calls, totals.tool_calls, totals.crashes) == (4, 3, 1)
