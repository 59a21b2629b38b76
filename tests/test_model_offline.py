"""The offline model with the talk's agent: Agents SDK Runner, handoffs, and the HTTP endpoint."""

from __future__ import annotations

import json
from typing import Any

from agents import Agent, RunConfig, Runner, function_tool
from openai import AsyncOpenAI

import workshop
import workshop.testing
from workshop import (
    WEATHER_TOOLS,
    call_tool,
    get_ip_address,
    get_local_news,
    get_location_from_ip,
    get_things_to_do,
    get_weather_alerts,
)
from workshop.testing import LOCAL_TOOLS, MODEL_NAME, chat_tools

QUESTION = "Are there any weather alerts where I am?"


def weather_agent() -> Agent[Any]:
    return Agent(
        name="Weather Agent",
        instructions="You answer questions about weather alerts where the user is.",
        handoff_description="Answers questions about weather alerts and warnings near the user.",
        tools=[
            function_tool(f) for f in (get_ip_address, get_location_from_ip, get_weather_alerts)
        ],
    )


def local_agent() -> Agent[Any]:
    return Agent(
        name="Local Info Agent",
        instructions="You suggest things to do and share local news for a city.",
        handoff_description="Suggests attractions, things to do and local news in a city.",
        tools=[function_tool(f) for f in (get_things_to_do, get_local_news)],
    )


def tool_calls(result: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        (item.raw_item.name, json.loads(item.raw_item.arguments or "{}"))
        for item in result.new_items
        if item.type == "tool_call_item"
    ]


def in_process() -> RunConfig:
    return RunConfig(model_provider=workshop.testing.OfflineModelProvider(), tracing_disabled=True)


async def test_runner_calls_the_three_tools_in_order_and_answers_from_them() -> None:
    result = await Runner.run(weather_agent(), QUESTION, run_config=in_process())
    assert tool_calls(result) == [
        ("get_ip_address", {}),
        ("get_location_from_ip", {"ip": "203.0.113.42"}),
        ("get_weather_alerts", {"state": "TX"}),
    ]
    answer = result.final_output
    assert "Heat Advisory" in answer and "Flood Watch" in answer and "TX" in answer
    usage = result.context_wrapper.usage
    assert usage.requests == 4
    assert all(u.input_tokens > 0 and u.output_tokens > 0 for u in usage.request_usage_entries)


async def test_answer_follows_the_data_for_a_state_without_alerts() -> None:
    workshop.set_location("198.51.100.23")  # Seattle, WA: no alerts in the offline world
    try:
        result = await Runner.run(weather_agent(), QUESTION, run_config=in_process())
    finally:
        workshop.set_location(None)
    assert tool_calls(result)[-1] == ("get_weather_alerts", {"state": "WA"})
    assert "none found" in result.final_output
    assert "Heat Advisory" not in result.final_output


async def test_triage_hands_off_to_the_right_specialist() -> None:
    triage = Agent(
        name="Triage Agent",
        instructions="Route the user to the right specialist.",
        handoffs=[weather_agent(), local_agent()],
    )
    weather = await Runner.run(triage, QUESTION, run_config=in_process())
    assert weather.last_agent.name == "Weather Agent"
    assert [n for n, _ in tool_calls(weather)] == [
        "get_ip_address",
        "get_location_from_ip",
        "get_weather_alerts",
    ]
    local = await Runner.run(
        triage, "What are some fun things to do in Austin?", run_config=in_process()
    )
    assert local.last_agent.name == "Local Info Agent"
    assert tool_calls(local) == [("get_things_to_do", {"city": "Austin"})]
    assert "Barton Springs Pool" in local.final_output


async def test_the_configured_provider_goes_over_http_and_counts_calls() -> None:
    before = workshop.services_status() or {"calls": {}}
    result = await Runner.run(
        weather_agent(),
        QUESTION,
        run_config=RunConfig(
            model_provider=workshop.testing.get_model_provider(), tracing_disabled=True
        ),
    )
    after = workshop.services_status()
    assert after is not None
    assert "Heat Advisory" in result.final_output
    assert after["calls"]["model"] - before["calls"].get("model", 0) == 4
    assert workshop.testing.model_config().model == MODEL_NAME


async def test_openai_client_hand_loop_on_the_responses_api() -> None:
    client = AsyncOpenAI(
        base_url=workshop.testing.ensure_services().model_base_url,
        api_key="anything",
        max_retries=0,
    )
    models = await client.models.list()
    assert [m.id for m in models.data] == [MODEL_NAME]
    items: list[Any] = [{"role": "user", "content": QUESTION}]
    called = []
    for _ in range(6):
        response = await client.responses.create(
            model=MODEL_NAME, input=items, tools=WEATHER_TOOLS + LOCAL_TOOLS
        )
        assert response.usage is not None and response.usage.total_tokens > 0
        calls = [o for o in response.output if o.type == "function_call"]
        if not calls:
            break
        for call in calls:
            called.append(call.name)
            output = await call_tool(call.name, json.loads(call.arguments))
            items.append(call.model_dump(exclude_none=True))
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": call.call_id,
                    "output": json.dumps(output),
                }
            )
    assert called == ["get_ip_address", "get_location_from_ip", "get_weather_alerts"]
    assert "Heat Advisory" in response.output_text


async def test_openai_client_hand_loop_on_chat_completions() -> None:
    client = AsyncOpenAI(
        base_url=workshop.testing.ensure_services().model_base_url,
        api_key="anything",
        max_retries=0,
    )
    messages: list[Any] = [
        {"role": "system", "content": "You help with weather."},
        {"role": "user", "content": QUESTION},
    ]
    called = []
    for _ in range(6):
        completion = await client.chat.completions.create(
            model=MODEL_NAME, messages=messages, tools=chat_tools(WEATHER_TOOLS)
        )
        assert completion.usage is not None and completion.usage.prompt_tokens > 0
        message = completion.choices[0].message
        if not message.tool_calls:
            break
        assert completion.choices[0].finish_reason == "tool_calls"
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            called.append((call.function.name, json.loads(call.function.arguments)))
            output = await call_tool(call.function.name, json.loads(call.function.arguments))
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": json.dumps(output)}
            )
    assert called == [
        ("get_ip_address", {}),
        ("get_location_from_ip", {"ip": "203.0.113.42"}),
        ("get_weather_alerts", {"state": "TX"}),
    ]
    assert "Heat Advisory" in (message.content or "")


async def test_temporal_plugin_runs_the_agent_with_the_configured_provider(
    task_queue: str,
) -> None:
    from datetime import timedelta

    from tests.support.weather_agent import WeatherAgentWorkflow

    client = await workshop.connect(
        plugins=[workshop.testing.agents_plugin(start_to_close_timeout=timedelta(seconds=10))]
    )
    worker = await workshop.start_worker(
        task_queue,
        workflows=[WeatherAgentWorkflow],
        activities=[get_ip_address, get_location_from_ip, get_weather_alerts],
        client=client,
    )
    try:
        answer = await client.execute_workflow(
            WeatherAgentWorkflow.run, QUESTION, id=f"wf-{task_queue}", task_queue=task_queue
        )
    finally:
        await worker.stop()
    assert "Heat Advisory" in answer
    history = await client.get_workflow_handle(f"wf-{task_queue}").fetch_history()
    names = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert names == [
        "invoke_model_activity",
        "get_ip_address",
        "invoke_model_activity",
        "get_location_from_ip",
        "invoke_model_activity",
        "get_weather_alerts",
        "invoke_model_activity",
    ]
