"""The offline stand-in streams: Responses and Chat Completions events, read by real clients."""

from __future__ import annotations

import os
from typing import Any

from agents import Agent, Runner, function_tool
from openai import AsyncOpenAI
from openai.types.responses import ResponseStreamEvent, ResponseTextDeltaEvent
from pydantic import TypeAdapter

import workshop.testing
from workshop import WEATHER_TOOLS, get_ip_address, get_location_from_ip, get_weather_alerts
from workshop.model.convert import respond_chat, respond_responses
from workshop.model.stream import responses_events
from workshop.services.gateway import chat_to_responses
from workshop.testing import MODEL_NAME, chat_tools

QUESTION = "Are there any weather alerts where I am?"


def _client() -> AsyncOpenAI:
    url = workshop.testing.ensure_services().model_base_url
    return AsyncOpenAI(base_url=url, api_key="placeholder", max_retries=0)


async def test_responses_stream_text_word_by_word() -> None:
    client = _client()
    stream = await client.responses.create(model="any-name", input="Hello there", stream=True)
    events = [event async for event in stream]
    kinds = [event.type for event in events]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[-2:] == ["response.output_item.done", "response.completed"]
    deltas = [e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)]
    assert len(deltas) > 3  # word by word, not one lump
    final = events[-1].response  # type: ignore[union-attr]
    assert "".join(deltas) == final.output_text
    assert final.model == MODEL_NAME and final.usage is not None and final.usage.total_tokens > 0
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_every_streamed_event_has_every_field_openai_requires() -> None:
    """Strictly valid, as a real model's are: the plugin decodes a streamed call's events in
    the workflow, and an event short of a required field falls back to a lenient decode that,
    in a fresh worker replaying the history, builds the wrong class (`response.completed` as an
    audio event: "Model did not produce a final response!"). Offline and translated replies."""
    strict = TypeAdapter(ResponseStreamEvent)
    answers = [
        {"input": "Hello there"},
        {"input": QUESTION, "tools": WEATHER_TOOLS},
    ]
    replies = [respond_responses(body) for body in answers]
    chat = {"messages": [{"role": "user", "content": QUESTION}], "tools": chat_tools(WEATHER_TOOLS)}
    replies.append(chat_to_responses(respond_chat(chat), {"model": "llama3"}))
    for reply in replies:
        events = list(responses_events(reply))
        decoded = [strict.validate_python(event) for event in events]
        assert [type(e).__name__ for e in decoded][-1] == "ResponseCompletedEvent"
        assert [e.type for e in decoded] == [e["type"] for e in events]


async def test_responses_stream_tool_call_arguments() -> None:
    client = _client()
    tools = WEATHER_TOOLS
    stream = await client.responses.create(
        model="gpt-4o-mini",
        input=QUESTION,
        tools=tools,
        stream=True,  # type: ignore[arg-type]
    )
    events = [event async for event in stream]
    kinds = [event.type for event in events]
    assert "response.function_call_arguments.delta" in kinds
    assert "response.function_call_arguments.done" in kinds
    final = events[-1].response  # type: ignore[union-attr]
    assert final.output[0].type == "function_call"
    assert final.output[0].name == "get_ip_address"


async def test_chat_completions_stream_with_usage() -> None:
    client = _client()
    messages: list[Any] = [{"role": "user", "content": QUESTION}]
    stream = await client.chat.completions.create(
        model="m",
        messages=messages,
        tools=chat_tools(WEATHER_TOOLS),  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    calls = [
        c.choices[0].delta.tool_calls for c in chunks if c.choices and c.choices[0].delta.tool_calls
    ]
    assert calls[0][0].function.name == "get_ip_address"  # type: ignore[index,union-attr]
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0

    stream = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "Hello"}], stream=True
    )
    text = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert len(text) > 3 and "stand-in" in "".join(text).lower()


async def test_agents_sdk_default_provider_streams() -> None:
    """`Runner.run_streamed` on the SDK's own OpenAI provider, which reads the variables the
    kit routed to the gateway (a fresh provider, so it reads them now)."""
    from agents import RunConfig
    from agents.models.openai_provider import OpenAIProvider

    info = workshop.testing.route_model_calls()
    assert os.environ["OPENAI_BASE_URL"] == info.model_base_url
    agent = Agent(
        name="Weather Agent",
        instructions="You answer questions about weather alerts where the user is.",
        tools=[
            function_tool(f) for f in (get_ip_address, get_location_from_ip, get_weather_alerts)
        ],
    )
    result = Runner.run_streamed(
        agent, QUESTION, run_config=RunConfig(model_provider=OpenAIProvider())
    )
    deltas = []
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            deltas.append(event.data.delta)
    assert "Heat Advisory" in str(result.final_output)
    assert len(deltas) > 3 and "".join(deltas) == result.final_output
