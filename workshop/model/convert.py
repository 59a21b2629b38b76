"""OpenAI wire shapes in and out of the decision core (Responses and Chat Completions).

The Agents SDK adapter and the HTTP endpoint both go through here, so they decide alike.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from .core import (
    MODEL_NAME,
    Conversation,
    Decision,
    ToolSpec,
    decide,
    estimate_tokens,
)


def _plain(item: Any) -> Any:
    """A pydantic item (from the SDK) as a plain dict."""
    dump = getattr(item, "model_dump", None)
    return dump(exclude_none=True) if callable(dump) else item


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [_plain(p) for p in content]
        return "\n".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))
    return "" if content is None else str(content)


def conversation_from_responses(instructions: str | None, input: Any) -> Conversation:
    """A Conversation from Responses-API `instructions` and `input` (string or items)."""
    conv = Conversation(instructions=instructions or "")
    if isinstance(input, str):
        conv.events.append(("user", input))
        return conv
    for raw in input or []:
        item = _plain(raw)
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        role = item.get("role")
        if kind == "function_call":
            conv.add_call(item.get("call_id", ""), item.get("name", ""), item.get("arguments"))
        elif kind == "function_call_output":
            conv.add_output(item.get("call_id", ""), item.get("output"))
        elif role in ("user", "assistant"):
            conv.events.append((role, _text_of(item.get("content"))))
        elif role in ("system", "developer"):
            conv.instructions += "\n" + _text_of(item.get("content"))
    return conv


def conversation_from_chat(messages: list[Any]) -> Conversation:
    """A Conversation from Chat Completions `messages`."""
    conv = Conversation()
    for raw in messages or []:
        msg = _plain(raw)
        role = msg.get("role")
        if role in ("system", "developer"):
            conv.instructions += _text_of(msg.get("content")) + "\n"
        elif role == "user":
            conv.events.append(("user", _text_of(msg.get("content"))))
        elif role == "assistant":
            if msg.get("content"):
                conv.events.append(("assistant", _text_of(msg.get("content"))))
            for call in msg.get("tool_calls") or []:
                fn = call.get("function") or {}
                conv.add_call(call.get("id", ""), fn.get("name", ""), fn.get("arguments"))
        elif role == "tool":
            conv.add_output(msg.get("tool_call_id", ""), _text_of(msg.get("content")))
    return conv


def tools_from_request(tools: list[Any] | None) -> list[ToolSpec]:
    """ToolSpecs from request tools, in Responses (flat) or Chat (`function`) form."""
    specs = []
    for raw in tools or []:
        tool = _plain(raw)
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            continue
        fn: dict[str, Any] = tool["function"] if isinstance(tool.get("function"), dict) else tool
        name = str(fn.get("name", ""))
        description = str(fn.get("description") or "")
        handoff_to = None
        if name.startswith("transfer_to_"):
            # A handoff rendered as a plain tool: the agent's name is in the tool's name.
            handoff_to = name.removeprefix("transfer_to_")
        specs.append(ToolSpec(name, description, fn.get("parameters") or {}, handoff_to))
    return specs


def _id(prefix: str, *parts: Any) -> str:
    seed = json.dumps(parts, sort_keys=True, default=str)
    return f"{prefix}_{hashlib.sha1(seed.encode()).hexdigest()[:24]}"


def responses_output(decision: Decision) -> list[dict[str, Any]]:
    """Responses-API output items for a decision."""
    if decision.calls:
        return [
            {
                "type": "function_call",
                "id": _id("fc", call_id),
                "call_id": call_id,
                "name": name,
                "arguments": json.dumps(args),
                "status": "completed",
            }
            for call_id, name, args in decision.calls
        ]
    return [
        {
            "type": "message",
            "id": _id("msg", decision.text),
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": decision.text or "", "annotations": []}],
        }
    ]


def responses_usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """A Responses API `usage` object, with every field openai's types require.

    A streamed model call's events come back to the workflow through a strict pydantic
    decode; an event short of a required field falls back to a lenient decode that, in a
    fresh process (a worker replaying after a restart), builds the wrong event class.
    """
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def respond_responses(body: dict[str, Any]) -> dict[str, Any]:
    """A full `POST /v1/responses` reply for a request body."""
    conv = conversation_from_responses(body.get("instructions"), body.get("input"))
    tools = tools_from_request(body.get("tools"))
    fmt = (body.get("text") or {}).get("format") or {}
    schema = fmt.get("schema") if fmt.get("type") == "json_schema" else None
    decision = decide(
        conv, tools, tool_choice=body.get("tool_choice") or "auto", output_schema=schema
    )
    output = responses_output(decision)
    in_tokens = estimate_tokens(
        body.get("instructions") or "", body.get("input"), body.get("tools") or []
    )
    out_tokens = estimate_tokens(output)
    return {
        "id": _id("resp", body.get("input"), decision.calls, decision.text),
        "object": "response",
        "created_at": int(time.time()),
        "model": MODEL_NAME,
        "status": "completed",
        "output": output,
        "parallel_tool_calls": bool(body.get("parallel_tool_calls", True)),
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": body.get("tools") or [],
        "instructions": body.get("instructions"),
        "error": None,
        "incomplete_details": None,
        "metadata": {},
        "text": {"format": {"type": "text"}},
        "usage": responses_usage(in_tokens, out_tokens),
    }


def respond_chat(body: dict[str, Any]) -> dict[str, Any]:
    """A full `POST /v1/chat/completions` reply for a request body."""
    conv = conversation_from_chat(body.get("messages") or [])
    tools = tools_from_request(body.get("tools"))
    fmt = body.get("response_format") or {}
    schema = (
        (fmt.get("json_schema") or {}).get("schema") if fmt.get("type") == "json_schema" else None
    )
    decision = decide(
        conv, tools, tool_choice=body.get("tool_choice") or "auto", output_schema=schema
    )
    message: dict[str, Any] = {"role": "assistant", "content": decision.text, "refusal": None}
    if decision.calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for call_id, name, args in decision.calls
        ]
    in_tokens = estimate_tokens(body.get("messages") or [], body.get("tools") or [])
    out_tokens = estimate_tokens(message)
    return {
        "id": _id("chatcmpl", body.get("messages"), decision.calls, decision.text),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if decision.calls else "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": in_tokens,
            "completion_tokens": out_tokens,
            "total_tokens": in_tokens + out_tokens,
        },
    }


def models_list() -> dict[str, Any]:
    """The `GET /v1/models` reply."""
    return {
        "object": "list",
        "data": [
            {"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "workshop-offline"}
        ],
    }
