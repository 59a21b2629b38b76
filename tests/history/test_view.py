"""The live history view, the comparison view and the control panel, against a real server."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from temporalio.client import Client

import workshop
from tests.support.agent_loop import AgentLoopWorkflow, call_llm, invoke_tool
from workshop import WorkerProcess, compare_runs, control_panel, history_text, show_history

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"
REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_live_view_updates_during_the_run_without_blocking_other_work(
    client: Client, task_queue: str
) -> None:
    worker = await workshop.start_worker(
        task_queue, workflows=[AgentLoopWorkflow], activities=[call_llm, invoke_tool], client=client
    )
    try:
        # Every LLM call is refused three times (429, 0.2 s apart): a run of a few seconds.
        handle = await client.start_workflow(
            AgentLoopWorkflow.run,
            {"question": "alerts?", "rate_limited_attempts": 3},
            id=f"live-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        view = show_history(handle, client=client)
        # "A cell started after it": a loop that must keep ticking while the view polls.
        seen_while_running: set[int] = set()
        ticks: list[float] = []
        while not view.closed:
            ticks.append(time.monotonic())
            if view.totals.status == "running":
                seen_while_running.add(len(view.steps))
            await asyncio.sleep(0.02)
        await view.wait_closed(30)
    finally:
        await worker.stop()
    assert len(seen_while_running) >= 3, "the view should grow step by step during the run"
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.5
    assert view.refreshes >= 3 and view.totals.status == "completed"
    assert view.totals.llm_calls == 4 and view.totals.retries == 12
    # The widget rows match the steps and carry the CSS classes the browser test selects.
    rows = view.widget.children[2].children
    assert len(rows) == len(view.steps)
    assert "workshop-step-end" in rows[-1]._dom_classes
    assert "END" in view.text().splitlines()[-3] and view.url.endswith("/history")


def test_compare_runs_puts_the_totals_side_by_side() -> None:
    crashed = (FIXTURES / "crash_llm.json").read_text()
    clean = (FIXTURES / "clean_agent.json").read_text()
    comparison = compare_runs(crashed, clean)
    lines = comparison.text().splitlines()
    assert lines[0].split() == ["crashed", "+", "resumed", "uncrashed"]
    row = {line[:28].strip(): line[28:].split() for line in lines[1:8]}
    assert row["worker crashes"] == ["1", "0"]
    assert row["LLM calls"] == ["4", "4"]
    assert int(row["tokens done before a crash"][0]) > 0
    assert "workshop-compare" in comparison.widget._dom_classes


def test_a_run_without_llm_calls_says_nothing_about_llms() -> None:
    """Lesson 02's crashed run (activities only): no "0 LLM calls", no "paid 0 tokens"."""
    runs = REPO_ROOT / "tests/fixtures/lesson_histories/lesson02_weather_report"
    crashed, clean = ((runs / f"WeatherReport-{n}.json").read_text() for n in (1, 2))
    text = history_text(crashed)
    assert "LLM" not in text and "tokens" not in text
    assert text.splitlines()[-1] == (
        "totals: 3 activities, 1 retry, 1 worker crash. "
        "The 2 activities completed before the crash did not run again."
    )
    rows = [line[:28].strip() for line in compare_runs(crashed, clean).text().splitlines()[1:7]]
    assert rows == ["status", "activities", "retries", "worker crashes", "done before a crash", ""]


async def test_control_panel_buttons_drive_a_real_worker_and_faults(task_queue: str) -> None:
    worker = WorkerProcess(["tests.support.agent_loop"], task_queue=task_queue, cwd=REPO_ROOT)
    await worker.start()
    panel = control_panel(worker, variable="worker", refresh=False)
    try:
        assert panel.buttons["kill"].tooltip == "worker.kill()"
        panel.buttons["kill"].click()
        assert not worker.alive and "killed (SIGKILL)" in panel.worker_status.value
        panel.buttons["restart"].click()
        deadline = time.monotonic() + 30
        while "running" not in panel.worker_status.value and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert worker.alive and "running" in panel.worker_status.value
        assert panel.actions == ["worker.kill()", "await worker.restart()"]
        if panel.faults is not None:
            quick = panel.buttons["workshop-panel-model-429"]
            assert quick.tooltip == 'inject_fault("model", "rate_limit", count=3)'
            quick.click()
            while "rate_limit" not in panel.fault_status.value and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert [(r["target"], r["kind"]) for r in workshop.fault_status()] == [
                ("model", "rate_limit")
            ]
            panel.buttons["clear"].click()
            while "none" not in panel.fault_status.value and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert workshop.fault_status() == []
        assert "[Kill worker]" in panel.text()
    finally:
        panel.close()
        worker.stop()
