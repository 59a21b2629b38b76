"""Finished replies as server-sent event streams, in the shapes OpenAI's own streams have.

The stand-in decides a whole reply at once (`convert.py`); a request with `"stream": true`
gets that reply cut into the events a real model sends: word by word for text, chunk by
chunk for a tool call's arguments, usage in the last event. The `openai` client's stream
parser and the Agents SDK's `stream_response` read them as they read OpenAI's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_CHUNK = re.compile(r"\S+\s*|\s+")


def chunks(text: str) -> list[str]:
    """`text` cut into word-sized pieces (each keeps its trailing space), as a model streams."""
    return _CHUNK.findall(text) or [""]


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event: an optional `event:` line and one `data:` line of JSON."""
    head = f"event: {event}\n" if event else ""
    body = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"{head}data: {body}\n\n".encode()


def responses_events(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The Responses API's stream events for a finished `response` object, in order."""
    seq = iter(range(1_000_000))

    def event(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "sequence_number": next(seq), **fields}

    opening = {**response, "status": "in_progress", "output": [], "usage": None}
    yield event("response.created", response=opening)
    yield event("response.in_progress", response=opening)
    for index, item in enumerate(response.get("output") or []):
        where = {"output_index": index, "item_id": item.get("id", "")}
        if item.get("type") == "function_call":
            yield event(
                "response.output_item.added",
                output_index=index,
                item={**item, "arguments": "", "status": "in_progress"},
            )
            arguments = str(item.get("arguments") or "")
            for piece in _pieces(arguments):
                yield event("response.function_call_arguments.delta", delta=piece, **where)
            yield event("response.function_call_arguments.done", arguments=arguments, **where)
        elif item.get("type") == "message":
            yield event(
                "response.output_item.added",
                output_index=index,
                item={**item, "content": [], "status": "in_progress"},
            )
            for part_index, part in enumerate(item.get("content") or []):
                text = str(part.get("text") or "")
                at = {**where, "content_index": part_index}
                yield event("response.content_part.added", part={**part, "text": ""}, **at)
                for piece in chunks(text):
                    yield event("response.output_text.delta", delta=piece, logprobs=[], **at)
                yield event("response.output_text.done", text=text, logprobs=[], **at)
                yield event("response.content_part.done", part=part, **at)
        yield event("response.output_item.done", output_index=index, item=item)
    yield event("response.completed", response=response)


def _pieces(arguments: str, size: int = 8) -> list[str]:
    return [arguments[i : i + size] for i in range(0, len(arguments), size)] or [""]


def chat_chunks(completion: dict[str, Any], include_usage: bool) -> Iterator[dict[str, Any]]:
    """`chat.completion.chunk` objects for a finished chat completion, in order."""
    base = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return {**base, "choices": [choice]}

    choice = completion["choices"][0]
    message = choice["message"]
    yield chunk({"role": "assistant", "content": ""})
    if message.get("content"):
        for piece in chunks(message["content"]):
            yield chunk({"content": piece})
    for index, call in enumerate(message.get("tool_calls") or []):
        fn = call["function"]
        opening = {"name": fn["name"], "arguments": ""}
        yield chunk(
            {
                "tool_calls": [
                    {"index": index, "id": call["id"], "type": "function", "function": opening}
                ]
            }
        )
        for piece in _pieces(fn["arguments"]):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, choice["finish_reason"])
    if include_usage:
        yield {**base, "choices": [], "usage": completion["usage"]}


def responses_stream(response: dict[str, Any]) -> Iterator[bytes]:
    """The bytes of a Responses API event stream for a finished response."""
    for item in responses_events(response):
        yield sse(item, item["type"])


def chat_stream(completion: dict[str, Any], include_usage: bool) -> Iterator[bytes]:
    """The bytes of a Chat Completions stream for a finished completion, `[DONE]` last."""
    for item in chat_chunks(completion, include_usage):
        yield sse(item)
    yield sse("[DONE]")
