"""A hand-built durable agent loop with a scripted stand-in for an LLM, for recorded histories.

The "LLM" activity returns Responses-shaped JSON (model, output, usage) decided from the
conversation alone, so a run is deterministic; it is honest test scaffolding, not a model.
Tools run through one dynamic activity: the activity type is the tool's name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import ApplicationError

MODEL = "scripted-mini"
TOOLS = ("get_ip_address", "get_location_from_ip", "get_weather_alerts")
TOOL_SPECS = [{"type": "function", "name": name, "parameters": {}} for name in TOOLS]


def scripted_response(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The next Responses-API-shaped answer: call the next tool, or answer from the last one."""
    outputs = [m for m in messages if m.get("type") == "function_call_output"]
    text_in = json.dumps(messages)
    usage = {"input_tokens": len(text_in) // 4, "output_tokens": 12 + 3 * len(outputs)}
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    base = {"id": f"resp_{len(outputs)}", "object": "response", "model": MODEL, "usage": usage}
    if len(outputs) < len(TOOLS):
        name = TOOLS[len(outputs)]
        last = json.loads(outputs[-1]["output"]) if outputs else {}
        args = {"get_ip_address": {}, "get_location_from_ip": {"ip": last.get("ip")}}.get(
            name, {"state": last.get("region_code")}
        )
        call = {"type": "function_call", "call_id": f"call_{len(outputs)}", "name": name}
        call["arguments"] = json.dumps(args)
        return {**base, "output": [call]}
    alerts = json.loads(outputs[-1]["output"]).get("alerts", [])
    text = f"There are {len(alerts)} weather alerts where you are."
    message = {"type": "message", "role": "assistant"}
    message["content"] = [{"type": "output_text", "text": text}]
    return {**base, "output": [message], "output_text": text}


@activity.defn
async def call_llm(request: dict[str, Any]) -> dict[str, Any]:
    """One model call; the first `rate_limited_attempts` attempts get a 429, as a busy API would."""
    activity.heartbeat()  # alive: a crash after this is noticed within the heartbeat timeout
    if activity.info().attempt <= int(request.get("rate_limited_attempts", 0)):
        raise ApplicationError(
            "429 Too Many Requests (Retry-After: 0.2)",
            type="RateLimitError",
            next_retry_delay=timedelta(milliseconds=200),
        )
    return scripted_response(request["input"])


_WORLD = {
    "get_ip_address": lambda: {"ip": "203.0.113.7"},
    "get_location_from_ip": lambda ip: {"ip": ip, "city": "Springfield", "region_code": "IL"},
    "get_weather_alerts": lambda state: {"state": state, "alerts": ["Heat Advisory"]},
}


@activity.defn(dynamic=True)
async def invoke_tool(args: Sequence[RawValue]) -> dict[str, Any]:
    """Run the tool named by the activity type with the model's arguments."""
    activity.heartbeat()  # alive: a crash after this is noticed within the heartbeat timeout
    name = activity.info().activity_type
    kwargs = activity.payload_converter().from_payload(args[0].payload, dict) if args else {}
    return _WORLD[name](**kwargs)  # type: ignore[operator]


@workflow.defn
class AgentLoopWorkflow:
    """`while True`: ask the model; run the tools it asks for; stop when it answers."""

    @workflow.run
    async def run(self, request: dict[str, Any]) -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": request["question"]}]
        retry = RetryPolicy(initial_interval=timedelta(milliseconds=100))
        while True:
            response = await workflow.execute_activity(
                call_llm,
                {
                    "model": MODEL,
                    "input": messages,
                    "tools": TOOL_SPECS,
                    "rate_limited_attempts": request.get("rate_limited_attempts", 0),
                },
                start_to_close_timeout=timedelta(seconds=10),
                heartbeat_timeout=timedelta(seconds=1),
                retry_policy=retry,
            )
            calls = [o for o in response["output"] if o["type"] == "function_call"]
            if not calls:
                return str(response["output_text"])
            for call in calls:
                result = await workflow.execute_activity(
                    call["name"],
                    json.loads(call["arguments"]),
                    start_to_close_timeout=timedelta(seconds=10),
                    heartbeat_timeout=timedelta(seconds=1),
                    retry_policy=retry,
                )
                messages.append(call)
                messages.append(
                    {
                        "type": "function_call_output",
                        "call_id": call["call_id"],
                        "output": json.dumps(result),
                    }
                )
