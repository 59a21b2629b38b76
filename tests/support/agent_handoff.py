"""A triage agent that hands off to a weather agent, on the Agents SDK + Temporal plugin.

The model is a scripted `agents.Model` that reads the handoffs and tools it is offered:
hand off when it can, else call the first tool once, else answer. Deterministic, offline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from agents import Agent, Model, ModelResponse, Runner, Usage
    from openai.types.responses import (
        ResponseFunctionToolCall,
        ResponseOutputMessage,
        ResponseOutputText,
    )
    from temporalio.contrib.openai_agents import workflow as agents_workflow


@activity.defn
async def get_weather_alerts(state: str) -> str:
    """Active weather alerts for a US state (a fixed answer)."""
    return f"{state}: Heat Advisory"


class ScriptedModel(Model):
    """Hand off if offered, else call the first tool once, else answer with the tool's output."""

    async def get_response(
        self,
        system_instructions: Any,
        input: Any,
        model_settings: Any,
        tools: Any,
        output_schema: Any,
        handoffs: Any,
        tracing: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        items = input if isinstance(input, list) else [{"role": "user", "content": input}]
        outputs = [
            i for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"
        ]
        usage = Usage(
            requests=1,
            input_tokens=40 + 10 * len(items),
            output_tokens=15,
            total_tokens=55 + 10 * len(items),
        )
        if handoffs:
            call: Any = ResponseFunctionToolCall(
                arguments="{}",
                call_id="h1",
                id="h1",
                name=handoffs[0].tool_name,
                type="function_call",
                status="completed",
            )
        elif tools and len(outputs) < 2:
            call = ResponseFunctionToolCall(
                arguments='{"state": "IL"}',
                call_id="t1",
                id="t1",
                name=tools[0].name,
                type="function_call",
                status="completed",
            )
        else:
            text = f"Alerts: {outputs[-1].get('output') if outputs else 'none'}"
            call = ResponseOutputMessage(
                id="m1",
                role="assistant",
                status="completed",
                type="message",
                content=[ResponseOutputText(text=text, annotations=[], type="output_text")],
            )
        return ModelResponse(output=[call], usage=usage, response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


def worker_plugins() -> list[Any]:
    """The OpenAI Agents plugin with the scripted model."""
    from temporalio.contrib.openai_agents import ModelActivityParameters, OpenAIAgentsPlugin
    from temporalio.contrib.openai_agents.testing import TestModelProvider

    params = ModelActivityParameters(start_to_close_timeout=timedelta(seconds=10))
    return [
        OpenAIAgentsPlugin(model_params=params, model_provider=TestModelProvider(ScriptedModel()))
    ]


@workflow.defn
class HandoffWorkflow:
    """Triage agent -> Weather Agent (handoff) -> tool call -> answer."""

    @workflow.run
    async def run(self, question: str) -> str:
        weather = Agent(
            name="Weather Agent",
            instructions="Answer with the weather alerts.",
            tools=[
                agents_workflow.activity_as_tool(
                    get_weather_alerts, start_to_close_timeout=timedelta(seconds=10)
                )
            ],
        )
        triage = Agent(name="Triage Agent", instructions="Route the question.", handoffs=[weather])
        result = await Runner.run(triage, question)
        return str(result.final_output)
