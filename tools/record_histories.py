"""Record real workflow histories as JSON fixtures for the history-model tests.

Runs each scenario on the embedded Temporal server with a real worker process (killed at a
declared kill point for the crash scenarios) and saves `WorkflowHistory.to_json()` under
tests/fixtures/histories/. Usage, from the repo root:

    WORKSHOP_STATE_DIR=/tmp/rec-state WORKSHOP_TEMPORAL_PORT=7401 WORKSHOP_TEMPORAL_UI_PORT=8401 \
        .venv/bin/python tools/record_histories.py [scenario ...]
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import workshop  # noqa: E402
import workshop.testing  # noqa: E402
from workshop import WorkerProcess, kill_mid_activity, kill_when_activity_starts  # noqa: E402

OUT = REPO_ROOT / "tests" / "fixtures" / "histories"
LOOP = "tests.support.agent_loop"
HANDOFF = "tests.support.agent_handoff"
QUESTION = "Are there any weather alerts where I am?"


async def _run(name: str, module: str, workflow: str, arg: Any, kill_at: Any = None) -> None:
    client = await workshop.connect()
    queue = f"rec-{name}-{uuid.uuid4().hex[:6]}"
    worker = WorkerProcess([module], task_queue=queue, name=f"rec-{name}", cwd=REPO_ROOT)
    await worker.start(kill_at=kill_at)
    try:
        handle = await client.start_workflow(
            workflow, arg, id=f"{name}-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        if kill_at is not None:
            code = await worker.wait_exit(60)
            print(f"  {name}: worker died at its kill point (exit code {code}); restarting")
            await worker.restart()
        result = await handle.result()
        history = await handle.fetch_history()
    finally:
        worker.stop()
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
    print(f"  {name}: {len(history.events)} events -> {path.relative_to(REPO_ROOT)} ({result!r})")


SCENARIOS: dict[str, Callable[[], Awaitable[None]]] = {
    "clean_agent": lambda: _run("clean_agent", LOOP, "AgentLoopWorkflow", {"question": QUESTION}),
    "crash_llm": lambda: _run(
        "crash_llm",
        LOOP,
        "AgentLoopWorkflow",
        {"question": QUESTION},
        kill_when_activity_starts("call_llm", 3),
    ),
    "crash_mid_tool": lambda: _run(
        "crash_mid_tool",
        LOOP,
        "AgentLoopWorkflow",
        {"question": QUESTION},
        kill_mid_activity("get_location_from_ip"),
    ),
    "rate_limited": lambda: _run(
        "rate_limited",
        LOOP,
        "AgentLoopWorkflow",
        {"question": QUESTION, "rate_limited_attempts": 3},
    ),
    "handoff": lambda: _run("handoff", HANDOFF, "HandoffWorkflow", QUESTION),
}


async def main(names: list[str]) -> None:
    """Record the named scenarios (all when none are named)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or list(SCENARIOS):
        print(f"recording {name}")
        await SCENARIOS[name]()


if __name__ == "__main__":
    workshop.testing.run_script(main(sys.argv[1:]))
