"""The offline model as an OpenAI Agents SDK `Model` and `ModelProvider` (in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from agents import (
    AgentOutputSchemaBase,
    FunctionTool,
    Handoff,
    Model,
    ModelProvider,
    ModelResponse,
    ModelSettings,
    ModelTracing,
    OpenAIProvider,
    Tool,
    TResponseInputItem,
    Usage,
)
from agents.items import TResponseStreamEvent
from openai import AsyncOpenAI
from openai.types.responses import Response, ResponseCompletedEvent

from .convert import _plain, conversation_from_responses, responses_output, responses_usage
from .core import MODEL_NAME, ToolSpec, decide, estimate_tokens


def _specs(tools: list[Tool], handoffs: list[Handoff[Any, Any]]) -> list[ToolSpec]:
    specs = [
        ToolSpec(t.name, t.description or "", t.params_json_schema or {})
        for t in tools
        if isinstance(t, FunctionTool)
    ]
    specs += [
        ToolSpec(h.tool_name, h.tool_description or "", h.input_json_schema or {}, h.agent_name)
        for h in handoffs
    ]
    return specs


class OfflineModel(Model):
    """A deterministic stand-in for an LLM that decides from the tools and conversation it gets."""

    def __init__(self, name: str = MODEL_NAME) -> None:
        self.name = name

    def _respond(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        tools: list[Tool],
        handoffs: list[Handoff[Any, Any]],
        model_settings: ModelSettings,
        output_schema: AgentOutputSchemaBase | None = None,
    ) -> tuple[list[Any], Usage]:
        conv = conversation_from_responses(system_instructions, input)
        specs = _specs(tools, handoffs)
        choice = (
            model_settings.tool_choice if isinstance(model_settings.tool_choice, str) else "auto"
        )
        schema = (
            output_schema.json_schema()
            if output_schema is not None and not output_schema.is_plain_text()
            else None
        )
        decision = decide(conv, specs, tool_choice=choice, output_schema=schema)
        raw = responses_output(decision)
        in_tokens = estimate_tokens(
            system_instructions or "",
            input if isinstance(input, str) else [_plain(i) for i in input],
            [(s.name, s.description, s.parameters) for s in specs],
        )
        out_tokens = estimate_tokens(raw)
        usage = Usage(
            requests=1,
            input_tokens=in_tokens,
            output_tokens=out_tokens,
            total_tokens=in_tokens + out_tokens,
        )
        response = Response.model_validate(
            {
                "id": "resp_offline",
                "object": "response",
                "created_at": 0,
                "model": self.name,
                "output": raw,
                "parallel_tool_calls": False,
                "tool_choice": "auto",
                "tools": [],
            }
        )
        return list(response.output), usage

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **_: Any,
    ) -> ModelResponse:
        """One model call: tool calls or an answer, with token usage."""
        output, usage = self._respond(
            system_instructions, input, tools, handoffs, model_settings, output_schema
        )
        return ModelResponse(output=output, usage=usage, response_id=None)

    async def stream_response(  # type: ignore[override]
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        **_: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        """The same answer as one completed event (the stand-in does not stream tokens)."""
        output, usage = self._respond(
            system_instructions, input, tools, handoffs, model_settings, output_schema
        )
        response = Response.model_validate(
            {
                "id": "resp_offline",
                "object": "response",
                "created_at": 0,
                "model": self.name,
                "output": [o.model_dump() for o in output],
                "parallel_tool_calls": False,
                "tool_choice": "auto",
                "tools": [],
                "usage": responses_usage(usage.input_tokens, usage.output_tokens),
            }
        )
        yield ResponseCompletedEvent(
            type="response.completed", response=response, sequence_number=0
        )


class OfflineModelProvider(ModelProvider):
    """Gives an `OfflineModel` for any model name (use it in `RunConfig` or the Temporal plugin)."""

    def get_model(self, model_name: str | None) -> Model:
        """The offline model (the name is kept only for display)."""
        return OfflineModel(MODEL_NAME)


class ConfiguredProvider(ModelProvider):
    """An OpenAIProvider that fills in the configured model name when an agent names none."""

    def __init__(self, client: AsyncOpenAI, default_model: str) -> None:
        self._inner = OpenAIProvider(openai_client=client, use_responses=True)
        self._default = default_model

    def get_model(self, model_name: str | None) -> Model:
        """The model of that name, or the configured default."""
        return self._inner.get_model(model_name or self._default)
