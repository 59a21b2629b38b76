"""Lesson 05's parallel fan-out (the notebook's own module): a crash re-runs no finished branch.

The worker process is killed when `get_weather_alerts` starts for the second time (the long
`here` branch; the `florida` branch made the first call). Counted two ways: model activities
per branch in the history (by the agent name the plugin puts in each call's summary, and by
the worker that ran it), and the requests the offline model endpoint served.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tests.support.lessons import lesson_modules_dir
from workshop import (
    WorkerProcess,
    connect,
    fetch_steps,
    kill_when_activity_starts,
    services_status,
    summarize,
)

QUESTIONS = {
    "here": "Are there any weather alerts where I am?",
    "florida": "Are there any weather alerts in Florida?",
    "local": "What are some fun things to do in Austin?",
}
# Model calls each branch needs: here 3 tools + answer; florida and local 1 tool + answer.
NEEDED = {"here": 4, "florida": 2, "local": 2}


def _model_calls() -> int:
    return int((services_status() or {"calls": {}})["calls"].get("model", 0))


async def test_crash_in_the_fan_out_reruns_only_unfinished_branches(
    client: Client, task_queue: str
) -> None:
    root = lesson_modules_dir()
    from lesson_modules.lesson05_agents import Digest, openai_agents_plugin

    plugin_client = await connect(plugins=[openai_agents_plugin()])
    worker = WorkerProcess(
        "lesson_modules.lesson05_worker", task_queue=task_queue, name=f"t05-{task_queue}", cwd=root
    )
    await worker.start(kill_at=kill_when_activity_starts("get_weather_alerts", 2))
    try:
        before = _model_calls()
        handle = await plugin_client.start_workflow(
            Digest.run,
            QUESTIONS,
            id=f"t05-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
            task_timeout=timedelta(seconds=2),  # as the notebook starts it
        )
        assert await worker.wait_exit(timeout=60) == -9
        at_crash = _model_calls()
        assert "KILL POINT reached: when activity get_weather_alerts starts (run 2)" in (
            worker.logs(5)
        )
        await worker.restart()
        answers = await handle.result()
        after = _model_calls()
    finally:
        worker.kill()

    assert set(answers) == set(QUESTIONS)
    assert "state=TX" in answers["here"] and "state=FL" in answers["florida"]
    assert "Barton Springs Pool" in answers["local"]

    steps = await fetch_steps(handle)
    llm = [s for s in steps if s.kind == "llm"]
    assert all(s.status == "done" for s in llm)
    first_worker = llm[0].identity
    per_branch = Counter(s.agent for s in llm)
    after_crash = Counter(s.agent for s in llm if s.identity != first_worker)
    branch = {key: next(a for a in per_branch if a and a.endswith(f"[{key}]")) for key in QUESTIONS}

    # Every branch made exactly the model calls it needs: none scheduled twice.
    assert {k: per_branch[a] for k, a in branch.items()} == NEEDED
    # The short branches were finished by the first worker; the new one ran none of their calls.
    assert after_crash[branch["florida"]] == 0 and after_crash[branch["local"]] == 0
    # The long branch continued: the alerts tool that was starting, then its final answer.
    assert after_crash[branch["here"]] == 1
    assert summarize(steps).crashes == 1
    tools = [(s.tool, s.attempt) for s in steps if s.kind == "tool"]
    assert sorted(tools) == sorted(
        [
            ("get_ip_address", 1),
            ("get_location_from_ip", 1),
            ("get_weather_alerts", 1),
            ("get_weather_alerts", 2),
            ("get_things_to_do", 1),
        ]
    )
    # No model call ran twice: the endpoint served exactly one request per model activity,
    # and after the restart only the one the unfinished branch still needed.
    assert all(s.attempt == 1 for s in llm)
    assert after - before == sum(NEEDED.values())
    assert after - at_crash == 1

    # The same from raw events: one scheduled model activity per completed one.
    history = await handle.fetch_history()
    kinds = Counter(
        e.event_type
        for e in history.events
        if e.event_type
        in (
            EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
            EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        )
    )
    assert (
        kinds[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
        == kinds[EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED]
        == sum(NEEDED.values()) + len(tools)
    )
