"""MCP steps in the history view: the integration's MCP activities read as what they did.

The fixture is a real run of lesson 08's `CityGuideAgent` (a stateless MCP server) whose
worker was SIGKILLed in the middle of the MCP tool call, then restarted.
"""

from __future__ import annotations

from pathlib import Path

from workshop import history_text, summarize
from workshop.history.model import mcp_operation, mcp_result_text
from workshop.testing import history_steps

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "histories" / "mcp_crash.json"


def test_mcp_activity_names_are_recognised() -> None:
    assert mcp_operation("city-guide-stateless-call-tool-v2") == ("city-guide", "call-tool")
    assert mcp_operation("city-guide-stateless-list-tools") == ("city-guide", "list-tools")
    assert mcp_operation("files-stateful-get-prompt") == ("files", "get-prompt")
    assert mcp_operation("get_weather_alerts") is None
    assert mcp_operation("invoke_model_activity") is None


def test_call_tool_results_read_as_their_text() -> None:
    result = {"content": [{"type": "text", "text": "open"}], "isError": False}
    assert mcp_result_text(result) == "open"
    assert mcp_result_text({**result, "isError": True}) == "error: open"
    assert mcp_result_text("plain") == "plain"


def test_mcp_list_and_call_steps_are_named_in_a_crashed_run() -> None:
    steps = history_steps(FIXTURE.read_text())
    work = [(s.kind, s.title) for s in steps if s.kind in ("llm", "tool", "activity")]
    assert work == [
        ("activity", "MCP list tools [city-guide]"),
        ("llm", "LLM call [City Guide]"),
        ("tool", "MCP tool get_sights [city-guide]"),
        ("llm", "LLM call [City Guide]"),
    ]
    listing = steps[1]
    assert listing.detail == "2 tools: get_sights, get_opening_hours"
    call = next(s for s in steps if s.kind == "tool")
    assert call.tool == "get_sights" and call.arguments == {"city": "Austin"}
    assert call.attempt == 2 and call.result.startswith('{"city": "Austin", "sights"')
    kinds = [s.kind for s in steps]
    assert kinds.index("crash") < kinds.index("resume") < kinds.index("tool")
    totals = summarize(steps)
    assert (totals.tool_calls, totals.crashes, totals.llm_calls) == (1, 1, 2)
    text = history_text(steps)
    assert "MCP tool get_sights [city-guide]" in text and "worker lost" in text
