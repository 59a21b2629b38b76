"""Lesson 08's MCP agent (the notebook's own module): a worker killed mid MCP call resumes.

The worker process is SIGKILLed inside the MCP `call-tool` activity, after the city guide
served the call and before Temporal heard the result. Counted two ways: the steps in the
history, and the calls the MCP server itself recorded in its ledger.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from temporalio.client import Client

from tests.support.lessons import lesson_modules_dir
from workshop import (
    WorkerProcess,
    connect,
    fetch_steps,
    kill_mid_activity,
    start_city_guide,
    summarize,
)

WORKER_MODULE = "lesson_modules.lesson08_worker"
CALL_TOOL = "city-guide-stateless-call-tool-v2"


async def test_a_crash_mid_mcp_call_resumes_and_reruns_only_that_call(
    client: Client, task_queue: str
) -> None:
    root = lesson_modules_dir()
    from lesson_modules.lesson08_city_guide import CityGuideAgent, openai_agents_plugin

    guide = start_city_guide()
    plugin_client = await connect(plugins=[openai_agents_plugin()])
    worker = WorkerProcess(WORKER_MODULE, task_queue=task_queue, name=f"t08-{task_queue}", cwd=root)
    await worker.start(kill_at=kill_mid_activity(CALL_TOOL))
    try:
        before = Counter(call["tool"] for call in guide.calls())
        handle = await plugin_client.start_workflow(
            CityGuideAgent.run,
            "What sights can I see in Austin?",
            id=f"t08-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
            task_timeout=timedelta(seconds=2),  # as the notebook starts it
        )
        assert await worker.wait_exit(timeout=60) == -9
        assert f"KILL POINT reached: in the middle of activity {CALL_TOOL}" in worker.logs(5)
        at_crash = Counter(call["tool"] for call in guide.calls()) - before
        await worker.restart()
        answer = await handle.result()
        served = Counter(call["tool"] for call in guide.calls()) - before
    finally:
        worker.kill()

    assert "Texas State Capitol" in answer
    # The call in flight had reached the server before the kill; it ran again after it.
    assert at_crash == {"get_sights": 1}
    assert served["get_sights"] >= 2 and set(served) == {"get_sights"}

    steps = await fetch_steps(handle)
    work = [(s.title, s.attempt) for s in steps if s.kind in ("llm", "tool", "activity")]
    titles = [title for title, _ in work]
    assert titles == [
        "MCP list tools [city-guide]",
        "LLM call [City Guide]",
        "MCP tool get_sights [city-guide]",
        "LLM call [City Guide]",
    ]
    # Completed steps ran once: the listing and both model calls are first attempts.
    assert [attempt for title, attempt in work if "get_sights" not in title] == [1, 1, 1]
    assert dict(work)["MCP tool get_sights [city-guide]"] >= 2
    assert summarize(steps).crashes == 1
