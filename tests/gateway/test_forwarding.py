"""The gateway with an upstream: forwarded unchanged, counted, faulted, streamed, translated.

The upstream is a separate OpenAI-compatible process (tests/support/upstream.py), reached
the way a learner with a key would: OPENAI_BASE_URL and a secret OPENAI_API_KEY.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from agents import Agent, Runner, function_tool
from openai import AsyncOpenAI
from temporalio.client import Client, WorkflowFailureError

import workshop
import workshop.testing
from tests.conftest import REPO_ROOT
from tests.support.upstream import TestUpstream
from workshop.runtime import services
from workshop.testing import MODEL_NAME, processes

QUESTION = "Are there any weather alerts where I am?"


def _gateway() -> dict[str, Any]:
    status = workshop.services_status()
    assert status is not None
    return dict(status["model_gateway"])


async def test_forwards_counts_and_keeps_the_key(forwarding: TestUpstream) -> None:
    # Vanilla client code: AsyncOpenAI() reads the variables the kit routed to the gateway.
    assert os.environ["OPENAI_API_KEY"] == services.PLACEHOLDER_KEY
    assert forwarding.api_key not in json.dumps(dict(os.environ))
    client = AsyncOpenAI(max_retries=0)
    assert str(client.base_url).startswith(workshop.testing.ensure_services().base_url)
    response = await client.responses.create(model="gpt-4o-mini", input="Hello there")
    assert response.model == MODEL_NAME  # the upstream (a stand-in) says what it is
    chat = await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}]
    )
    assert chat.choices[0].message.content
    stream = await client.responses.create(model="gpt-4o-mini", input="Hi", stream=True)
    events = [event async for event in stream]
    assert events[-1].type == "response.completed"
    gateway = _gateway()
    assert gateway["mode"] == "forwarding"
    assert gateway["upstream"]["host"] == forwarding.base_url.split("/")[2]
    assert gateway["upstream"]["key"] == "set"
    assert forwarding.api_key not in json.dumps(gateway)
    assert gateway["requests"] == forwarding.model_requests() == 3
    assert gateway["input_tokens"] > 0 and gateway["output_tokens"] > 0
    cfg = workshop.testing.model_config()
    assert not cfg.offline and cfg.upstream == gateway["upstream"]["host"]
    assert forwarding.api_key not in cfg.describe()


async def test_the_model_list_comes_from_the_upstream(forwarding: TestUpstream) -> None:
    # A client that lists models (many UIs and `doctor`-like checks do) asks the upstream,
    # with the real key added by the gateway: the test upstream refuses requests without it.
    before = forwarding.model_requests()
    models = [model.id async for model in AsyncOpenAI(max_retries=0).models.list()]
    assert models == [MODEL_NAME]
    assert forwarding.model_requests() == before + 1


async def test_a_slow_fault_paces_a_forwarded_stream_as_it_paces_the_stand_ins(
    forwarding: TestUpstream,
) -> None:
    # Lesson 07 kills the worker when the first words arrive: with a key, as offline, they
    # must arrive well before the rest of a slow reply.
    workshop.inject_fault("model", "slow", count=1, delay=1.5)
    started = time.monotonic()
    stream = await AsyncOpenAI(max_retries=0).responses.create(model="m", input="Hi", stream=True)
    seen = [(time.monotonic() - started, event.type) async for event in stream]
    assert seen[-1][1] == "response.completed"
    assert seen[-1][0] >= 1.5, seen  # the whole stream took the fault's delay
    # Spread over the delay, not held back and sent in one burst at its end: most events
    # arrive well before the last (in one burst, none does). Counted this way, a first read
    # that a busy machine delays (the events then queued arrive together) cannot fail it.
    early = [event for at, event in seen if at <= seen[-1][0] - 0.5]
    assert len(early) >= len(seen) // 2, seen


async def test_gateway_faults_apply_before_the_upstream(forwarding: TestUpstream) -> None:
    workshop.inject_fault("model", "rate_limit", count=1, retry_after=2)
    client = AsyncOpenAI(max_retries=0)
    with pytest.raises(openai.RateLimitError) as caught:
        await client.responses.create(model="m", input="Hello")
    assert caught.value.response.headers["retry-after"] == "2"
    await client.responses.create(model="m", input="Hello")
    assert forwarding.model_requests() == 1  # the faulted call never left the gateway
    assert workshop.services_status()["calls"]["model"] == 2  # type: ignore[index]


async def test_streams_pass_through_event_by_event(forwarding: TestUpstream) -> None:
    forwarding.inject("slow", delay=2.0, count=1)  # the upstream streams over 2 s
    client = AsyncOpenAI(max_retries=0)
    started = time.monotonic()
    stream = await client.responses.create(model="m", input="Tell me a story", stream=True)
    arrivals = [time.monotonic() - started async for _ in stream]
    assert arrivals[-1] > 1.8
    # Passed through: the first event long before the last (a busy machine delays it a little).
    assert arrivals[0] < 1.0, f"first event after {arrivals[0]:.2f} s: buffered, not passed"
    assert _gateway()["requests"] == 1 and _gateway()["output_tokens"] > 0


async def test_upstream_429_is_retried_by_temporal_after_retry_after(
    forwarding: TestUpstream, client: Client, task_queue: str
) -> None:
    forwarding.inject("rate_limit", count=2, retry_after=1)
    proc = workshop.WorkerProcess(
        ["tests.support.model_calls"], task_queue=task_queue, cwd=REPO_ROOT
    )
    await proc.start()
    try:
        started = time.monotonic()
        result = await client.execute_workflow(
            "AskModelWorkflow", "Hello", id=f"wf-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        elapsed = time.monotonic() - started
    finally:
        proc.stop()
    assert result["attempt"] == 3 and elapsed >= 2.0  # Retry-After (1 s) honoured twice
    assert forwarding.model_requests() == 3 == _gateway()["requests"] + 2


async def test_wrong_key_is_not_retried_and_names_the_variable(
    forwarding: TestUpstream, client: Client, task_queue: str
) -> None:
    os.environ["OPENAI_BASE_URL"] = forwarding.base_url
    os.environ["OPENAI_API_KEY"] = "sk-wrong-key-0000"
    services.route_model_calls()  # the learner fixed nothing: the gateway forwards a bad key
    proc = workshop.WorkerProcess(
        ["tests.support.model_calls"], task_queue=task_queue, cwd=REPO_ROOT
    )
    await proc.start()
    try:
        with pytest.raises(WorkflowFailureError) as caught:
            await client.execute_workflow(
                "AskModelWorkflow", "Hello", id=f"wf-{uuid.uuid4().hex[:8]}", task_queue=task_queue
            )
    finally:
        proc.stop()
    cause = caught.value.cause.cause  # type: ignore[union-attr]
    assert cause.non_retryable and "OPENAI_API_KEY" in str(cause)  # type: ignore[union-attr]
    assert "sk-wrong-key-0000" not in str(cause)
    assert forwarding.model_requests() == 1


@pytest.mark.parametrize("where", ["refused", "blackhole"])
async def test_unreachable_upstream_fails_within_seconds(
    forwarding: TestUpstream, where: str
) -> None:
    port = processes.free_port()
    host = "127.0.0.1" if where == "refused" else "10.255.255.1"
    os.environ["OPENAI_BASE_URL"] = f"http://{host}:{port}/v1"
    services.route_model_calls()
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as caught:
        await AsyncOpenAI(max_retries=0).responses.create(model="m", input="Hello")
    assert time.monotonic() - started < 5.0
    assert caught.value.status_code in (502, 504)
    assert "OPENAI_BASE_URL" in caught.value.message and host in caught.value.message


@pytest.fixture
def chat_only(tmp_path: Path) -> Iterator[str]:
    """A Chat-Completions-only upstream process; yields its base URL."""
    cfg = workshop.testing.Settings(state_dir=tmp_path / "chat-only")
    port = processes.free_port()
    log = tmp_path / "chat-only.log"
    proc = processes.start(
        cfg,
        "chat-only",
        [sys.executable, "-m", "tests.support.chat_only", "--port", str(port)],
        log_file=log,
        cwd=REPO_ROOT,
        env=processes.kit_env(cfg),
    )
    processes.wait_ready(proc, lambda: processes.port_open(port), what="chat-only", log_file=log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(cfg, "chat-only", 5.0)


async def test_chat_only_upstream_through_translation(
    forwarding: TestUpstream, chat_only: str
) -> None:
    os.environ["OPENAI_BASE_URL"] = f"{chat_only}/v1"
    services.route_model_calls()
    client = AsyncOpenAI(max_retries=0)
    response = await client.responses.create(model="llama3", input="Hello there")
    assert response.output_text and response.usage and response.usage.total_tokens > 0
    stream = await client.responses.create(model="llama3", input="Hello", stream=True)
    events = [event async for event in stream]
    assert events[-1].type == "response.completed"
    agent = Agent(
        name="Weather Agent",
        instructions="You answer questions about weather alerts where the user is.",
        tools=[
            function_tool(f)
            for f in (
                workshop.get_ip_address,
                workshop.get_location_from_ip,
                workshop.get_weather_alerts,
            )
        ],
    )
    result = await Runner.run(agent, QUESTION)  # the SDK's default provider: Responses API
    assert "Heat Advisory" in result.final_output
    seen = httpx.get(chat_only).json()["seen"]
    assert seen[0] == "/v1/responses" and set(seen[1:]) == {"/v1/chat/completions"}
    assert _gateway()["chat_only_upstream"] and _gateway()["requests"] == len(seen) - 1
