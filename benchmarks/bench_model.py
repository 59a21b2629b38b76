"""Offline model speed: calls per second in-process and over HTTP, ms per in-process call.

Run: `WORKSHOP_STATE_DIR=/tmp/bench-state python benchmarks/bench_model.py`
Target: under 5 ms per in-process call, so the model never makes a lesson slow.
"""

from __future__ import annotations

import json
import time

from agents import ModelSettings, ModelTracing
from openai import AsyncOpenAI

import workshop
import workshop.testing
from workshop import WEATHER_TOOLS
from workshop.testing import OfflineModel

QUESTION = "Are there any weather alerts where I am?"
# The longest step of the talk's chain: three tool results already in the conversation.
HISTORY = [
    {"role": "user", "content": QUESTION},
    {"type": "function_call", "call_id": "c1", "name": "get_ip_address", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "c1", "output": "203.0.113.42"},
    {"type": "function_call", "call_id": "c2", "name": "get_location_from_ip",
     "arguments": json.dumps({"ip": "203.0.113.42"})},
    {"type": "function_call_output", "call_id": "c2",
     "output": json.dumps({"ip": "203.0.113.42", "city": "Austin", "region": "TX"})},
]  # fmt: skip


async def bench_in_process(n: int) -> float:
    from agents import FunctionTool

    async def noop(*_: object) -> str:
        return ""

    tools = [
        FunctionTool(t["name"], t["description"], t["parameters"], noop, strict_json_schema=True)
        for t in WEATHER_TOOLS
    ]
    model = OfflineModel()
    start = time.perf_counter()
    for _ in range(n):
        await model.get_response(
            "You help.", HISTORY, ModelSettings(), tools, None, [], ModelTracing.DISABLED,
            previous_response_id=None, conversation_id=None, prompt=None,
        )  # fmt: skip
    return time.perf_counter() - start


async def bench_http(n: int) -> float:
    client = AsyncOpenAI(base_url=workshop.testing.ensure_services().model_base_url, api_key="x")
    await client.responses.create(model="m", input=HISTORY, tools=WEATHER_TOOLS)  # warm up
    start = time.perf_counter()
    for _ in range(n):
        await client.responses.create(model="m", input=HISTORY, tools=WEATHER_TOOLS)
    return time.perf_counter() - start


async def main() -> None:
    n_local, n_http = 2000, 300
    local = await bench_in_process(n_local)
    http = await bench_http(n_http)
    print(f"in-process: {n_local / local:8.0f} calls/s  {1000 * local / n_local:6.3f} ms/call")
    print(f"over HTTP : {n_http / http:8.0f} calls/s  {1000 * http / n_http:6.3f} ms/call")
    print(f"target < 5 ms per in-process call: {'met' if 1000 * local / n_local < 5 else 'MISSED'}")


if __name__ == "__main__":
    workshop.testing.run_script(main())
    workshop.testing.stop_services()
