"""Fault injection across processes: tool services and the model endpoint, under Temporal."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

import workshop
import workshop.testing
from tests.support.model_calls import AskModelWorkflow, ask_model
from workshop import clear_faults, fault_status, get_weather_alerts, inject_fault
from workshop.world import tools as _tools


@pytest.fixture(autouse=True)
def no_faults() -> Iterator[None]:
    clear_faults()
    yield
    clear_faults()


async def test_tool_faults_map_to_retryable_and_non_retryable_errors() -> None:
    inject_fault("alerts", "server_error", count=1)
    with pytest.raises(ApplicationError) as err:
        await get_weather_alerts("TX")
    assert not err.value.non_retryable and "HTTP 500" in str(err.value)
    assert (await get_weather_alerts("TX"))["alerts"]  # the next call is fine again

    inject_fault("tools", "rate_limit", count=1, retry_after=3)
    with pytest.raises(ApplicationError) as err:
        await workshop.get_ip_address()
    assert err.value.next_retry_delay is not None
    assert err.value.next_retry_delay.total_seconds() == 3

    inject_fault("geo", "bad_request", count=1)
    with pytest.raises(ApplicationError) as err:
        await workshop.get_location_from_ip("203.0.113.42")
    assert err.value.non_retryable and "bad request (HTTP 400)" in str(err.value)


async def test_a_ratio_fails_that_share_of_calls_deterministically() -> None:
    inject_fault("alerts", "server_error", ratio=0.5)
    outcomes = []
    for _ in range(6):
        try:
            await get_weather_alerts("CA")
            outcomes.append("ok")
        except ApplicationError:
            outcomes.append("fail")
    assert outcomes == ["ok", "fail"] * 3
    assert fault_status()[0]["fired"] == 3


async def test_slow_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    inject_fault("ip", "slow", count=1, delay=0.6)
    start = time.monotonic()
    assert await workshop.get_ip_address() == "203.0.113.42"
    assert time.monotonic() - start >= 0.6

    monkeypatch.setattr(_tools, "TOOL_TIMEOUT_S", 0.3)
    inject_fault("ip", "timeout", count=1, delay=2)
    with pytest.raises(ApplicationError) as err:
        await workshop.get_ip_address()
    assert err.value.type == "Timeout" and not err.value.non_retryable


async def test_a_slow_model_answers_late_streamed_or_not() -> None:
    from openai import AsyncOpenAI

    workshop.testing.route_model_calls()  # the standard variables point at the kit's gateway
    model = AsyncOpenAI(max_retries=0)
    for stream in (False, True):
        inject_fault("model", "slow", count=1, delay=0.8)
        started = time.monotonic()
        reply = await model.responses.create(model="any", input="hello", stream=stream)
        if stream:
            async for _ in reply:  # type: ignore[union-attr]
                pass
        assert time.monotonic() - started >= 0.75, f"stream={stream}: the slow fault was ignored"


def test_clear_one_target_and_reject_unknown_names() -> None:
    inject_fault("model", "rate_limit")
    inject_fault("local", "server_error", count=5)
    assert {f["target"] for f in clear_faults("local")} == {"model"}
    with pytest.raises(ValueError, match="unknown fault kind"):
        inject_fault("model", "explode")


async def test_model_429s_are_retried_honouring_retry_after(
    client: Client, task_queue: str
) -> None:
    inject_fault("model", "rate_limit", count=2, retry_after=1)
    worker = await workshop.start_worker(
        task_queue, workflows=[AskModelWorkflow], activities=[ask_model]
    )
    try:
        start = time.monotonic()
        result = await client.execute_workflow(
            AskModelWorkflow.run, "hello", id=f"wf-{uuid.uuid4()}", task_queue=task_queue
        )
        elapsed = time.monotonic() - start
    finally:
        await worker.stop()
    assert result["attempt"] == 3
    assert result["usage"]["total_tokens"] > 0
    # The retry policy alone would wait 0.1 s + 0.2 s; Retry-After asked for 1 s twice.
    assert elapsed >= 2.0


async def test_model_401_fails_fast_and_names_the_cause(client: Client, task_queue: str) -> None:
    inject_fault("model", "unauthorized", count=1)
    worker = await workshop.start_worker(
        task_queue, workflows=[AskModelWorkflow], activities=[ask_model]
    )
    try:
        start = time.monotonic()
        with pytest.raises(WorkflowFailureError) as err:
            await client.execute_workflow(
                AskModelWorkflow.run, "hello", id=f"wf-{uuid.uuid4()}", task_queue=task_queue
            )
        elapsed = time.monotonic() - start
    finally:
        await worker.stop()
    activity_error = err.value.cause
    assert isinstance(activity_error, ActivityError)
    cause = activity_error.cause
    assert isinstance(cause, ApplicationError) and cause.non_retryable
    assert "unauthorized (HTTP 401)" in cause.message and "OPENAI_API_KEY" in cause.message
    assert activity_error.retry_state == RetryState.NON_RETRYABLE_FAILURE
    assert elapsed < 5
    assert [f for f in fault_status() if f["target"] == "model"] == []  # count used up
