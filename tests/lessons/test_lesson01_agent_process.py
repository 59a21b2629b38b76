"""Lesson 01's bare agent (the notebook's own module) in a process killed at a declared point.

The kill lands on the declared tool, the record file keeps what completed before the SIGKILL,
and the offline model endpoint confirms the count: a re-run from scratch pays every LLM call
again (2 before the crash + 4 after, for a 4-call job).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.lessons import lesson_modules_dir
from workshop import (
    AgentRun,
    kill_after_tool_calls,
    kill_mid_activity,
    kill_when_tool_starts,
    run_agent_process,
)

AGENT = "lesson_modules.lesson01_weather_agent:build_agent"
QUESTION = "Are there any weather alerts where I am?"


async def _run(kill_at: object = None, name: str = "t01") -> AgentRun:
    return await run_agent_process(
        AGENT,
        QUESTION,
        kill_at=kill_at,
        name=name,
        cwd=lesson_modules_dir(),
        timeout=60,  # type: ignore[arg-type]
    )


async def test_killed_run_loses_its_progress_and_the_rerun_pays_again() -> None:
    crashed = await _run(kill_when_tool_starts("get_location_from_ip"))
    assert crashed.killed and crashed.answer is None
    assert [s["kind"] for s in crashed.steps] == ["llm", "tool", "llm", "crash"]
    assert (crashed.llm_calls, crashed.tool_calls, crashed.model_requests) == (2, 1, 2)
    assert crashed.log_file is not None
    assert (
        "KILL POINT reached: when tool get_location_from_ip starts" in crashed.log_file.read_text()
    )

    rerun = await _run()
    assert not rerun.killed and rerun.returncode == 0
    assert rerun.answer is not None and "Heat Advisory" in rerun.answer
    assert (rerun.llm_calls, rerun.tool_calls, rerun.model_requests) == (4, 3, 4)
    assert crashed.llm_calls + rerun.llm_calls == 6
    assert rerun.tokens > crashed.tokens > 0


async def test_each_run_counts_only_its_own_model_requests() -> None:
    # Two runs at once: the gateway counts each one's requests by the run id it sends.
    one, two = await asyncio.gather(_run(name="t01-one"), _run(name="t01-two"))
    assert (one.llm_calls, one.model_requests) == (4, 4)
    assert (two.llm_calls, two.model_requests) == (4, 4)


@pytest.mark.parametrize(
    ("point", "llm_calls", "tool_calls"),
    [
        (kill_when_tool_starts("get_ip_address"), 1, 0),
        (kill_mid_activity("get_location_from_ip"), 2, 2),
        (kill_after_tool_calls(3), 3, 3),
    ],
    ids=str,
)
async def test_each_kind_of_kill_point_lands_where_declared(
    point: object, llm_calls: int, tool_calls: int
) -> None:
    run = await _run(point)
    assert run.killed, run.summary()
    assert (run.llm_calls, run.tool_calls) == (llm_calls, tool_calls)
    assert run.model_requests == llm_calls


async def test_an_agent_defined_in_a_notebook_cell_is_refused() -> None:
    def build_agent() -> None:  # a nested function: no process could import it
        return None

    with pytest.raises(ValueError, match="module-level function"):
        await run_agent_process(build_agent, QUESTION)
