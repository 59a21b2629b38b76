"""The history model on recorded real histories (tests/fixtures/histories, made by
tools/record_histories.py): a clean agent run, a SIGKILLed worker, 429 retries, a handoff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from workshop import history_text, summarize
from workshop.testing import Step, as_events, history_steps

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"


def load(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def kinds(steps: list[Step]) -> list[str]:
    return [s.kind for s in steps]


def test_clean_agent_run_reads_as_llm_and_tool_steps() -> None:
    steps = history_steps(load("clean_agent"))
    assert kinds(steps) == ["start", "llm", "tool", "llm", "tool", "llm", "tool", "llm", "end"]
    tools = [s for s in steps if s.kind == "tool"]
    assert [t.tool for t in tools] == [
        "get_ip_address",
        "get_location_from_ip",
        "get_weather_alerts",
    ]
    # Arguments and results are decoded from the payloads.
    assert tools[1].arguments == {"ip": "203.0.113.7"}
    assert tools[1].result["region_code"] == "IL"
    llm = steps[1]
    assert llm.model == "scripted-mini" and llm.tokens_in > 0 and llm.tokens_out > 0
    assert llm.duration is not None and llm.duration >= 0
    assert "asks for get_ip_address" in llm.detail
    totals = summarize(steps)
    assert (totals.llm_calls, totals.tool_calls, totals.retries, totals.crashes) == (4, 3, 0, 0)
    assert totals.tokens == sum(s.tokens for s in steps) and totals.status == "completed"
    assert totals.tokens_saved == 0


@pytest.mark.parametrize("name", ["crash_llm", "crash_mid_tool"])
def test_sigkilled_worker_shows_crash_then_resume_by_another_worker(name: str) -> None:
    steps = history_steps(load(name))
    crash = next(i for i, s in enumerate(steps) if s.kind == "crash")
    resume = steps[crash + 1]
    assert resume.kind == "resume"
    assert steps[crash].identity and resume.identity and steps[crash].identity != resume.identity
    assert "heartbeat timeout (1.0 s)" in steps[crash].detail
    assert "gap of" in resume.detail
    # The activity the dead worker held ran again on the new worker (attempt 2)...
    rerun = next(s for s in steps[crash:] if s.kind in ("llm", "tool"))
    assert rerun.attempt == 2 and rerun.identity == resume.identity
    # ...and everything completed before the crash ran exactly once.
    assert all(s.attempt == 1 for s in steps[:crash] if s.kind in ("llm", "tool"))
    assert steps[-1].kind == "end" and steps[-1].status == "completed"


def test_tokens_saved_are_the_llm_tokens_completed_before_the_crash() -> None:
    steps = history_steps(load("crash_llm"))
    crash = kinds(steps).index("crash")
    before = sum(s.tokens for s in steps[:crash] if s.kind == "llm")
    totals = summarize(steps)
    assert totals.crashes == 1 and totals.llm_calls_saved == 2
    assert totals.tokens_saved == before > 0
    assert totals.retries == 1  # the re-run of the call the dead worker held


def test_rate_limited_run_shows_retries_with_the_429() -> None:
    steps = history_steps(load("rate_limited"))
    retries = [s for s in steps if s.kind == "retry"]
    assert len(retries) == 4  # every LLM call was refused three times
    assert all("429 Too Many Requests" in (r.error or "") for r in retries)
    assert all(s.attempt == 4 for s in steps if s.kind == "llm")
    assert "crash" not in kinds(steps)  # same worker throughout: not a crash
    assert summarize(steps).retries == 12


def test_handoff_run_names_the_active_agent() -> None:
    steps = history_steps(load("handoff"))
    assert kinds(steps) == ["start", "llm", "handoff", "llm", "tool", "llm", "end"]
    assert steps[1].agent == "Triage Agent"
    assert steps[2].title == "handoff: Triage Agent -> Weather Agent"
    assert steps[3].agent == steps[5].agent == "Weather Agent"
    assert steps[4].tool == "get_weather_alerts"
    assert summarize(steps).tokens > 0


def test_all_input_forms_give_the_same_steps() -> None:
    text = load("crash_llm")
    history = WorkflowHistory.from_json("wf", text)
    by_json = history_steps(text)
    for other in (history, history.events, json.loads(text)):
        assert [s.to_dict() for s in history_steps(other)] == [s.to_dict() for s in by_json]


def test_unknown_activities_are_plain_activity_steps() -> None:
    events = as_events(load("clean_agent"))
    for event in events:  # rename the model activity: nothing marks it as an LLM call now
        attrs = event.activity_task_scheduled_event_attributes
        if attrs.activity_type.name == "call_llm":
            attrs.activity_type.name = "fetch_report"
    steps = history_steps(events)
    assert "llm" not in kinds(steps) and kinds(steps).count("activity") == 7
    assert steps[1].title == "activity fetch_report"


def test_text_form_is_a_readable_table() -> None:
    text = history_text(load("crash_llm"))
    lines = text.splitlines()
    assert lines[0] == "status: completed"
    assert any(line.split()[1:2] == ["CRASH"] for line in lines[2:])
    assert any(line.split()[1:2] == ["RESUME"] for line in lines[2:])
    assert "A non-durable loop would have paid" in lines[-1]


def test_bare_loop_record_is_accepted_as_steps() -> None:
    record = [
        {"kind": "llm", "model": "m", "tokens_in": 10, "tokens_out": 5},
        {"kind": "crash"},
        {"kind": "llm", "model": "m", "tokens_in": 10, "tokens_out": 5},
    ]
    totals = summarize([Step.from_dict(r) for r in record])
    assert (totals.llm_calls, totals.tokens, totals.crashes, totals.tokens_saved) == (2, 30, 1, 15)
