"""Model calls for activities: the official openai client, errors mapped onto Temporal retries.

429, 5xx, timeouts and connection errors are retryable (a 429 honours Retry-After through
`next_retry_delay`); 400 and 401 are not, and their message says what to fix. The key is
scrubbed from every message.
"""

from __future__ import annotations

import os
import re
from typing import Any

import openai
from temporalio.exceptions import ApplicationError

from ..runtime import services
from ..world.tools import retry_delay
from .switch import model_config, openai_client

_CAUSES = {
    400: "bad request (HTTP 400): the model endpoint rejected the request's content",
    401: "unauthorized (HTTP 401): the API key is missing or wrong; check OPENAI_API_KEY",
    403: "forbidden (HTTP 403): this key may not use this model",
    404: "not found (HTTP 404): check the model name and OPENAI_BASE_URL",
    422: "unprocessable request (HTTP 422)",
}


def _scrub(text: str) -> str:
    user = services.user_model()
    for key in (os.environ.get("OPENAI_API_KEY"), user.api_key if user else None):
        if key:
            text = text.replace(key, "***")
    return re.sub(r"sk-[A-Za-z0-9_\-*]{4,}", "sk-***", text)


def model_error(exc: Exception) -> ApplicationError:
    """The ApplicationError Temporal should see for a failed model call."""
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = _scrub(str(exc.message))[:300]
        if status == 429:
            delay = retry_delay(exc.response.headers)
            wait = f"{delay.total_seconds():g} s" if delay else "a moment"
            return ApplicationError(
                f"model rate limited (HTTP 429); retrying after {wait}: {detail}",
                type="RateLimited",
                next_retry_delay=delay,
            )
        if status in _CAUSES:
            return ApplicationError(
                f"model call failed: {_CAUSES[status]}. Retrying cannot fix this. ({detail})",
                type="Unauthorized" if status in (401, 403) else "BadRequest",
                non_retryable=True,
            )
        return ApplicationError(
            f"model endpoint error (HTTP {status}): {detail}", type="ModelError"
        )
    if isinstance(exc, openai.APITimeoutError):
        return ApplicationError("model call timed out", type="Timeout")
    if isinstance(exc, openai.APIConnectionError):
        return ApplicationError(
            f"model endpoint unreachable at {model_config().base_url or 'api.openai.com'}",
            type="Unreachable",
        )
    return ApplicationError(_scrub(f"{type(exc).__name__}: {exc}"), type="ModelError")


async def create_response(
    input: str | list[Any],
    *,
    instructions: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    model: str | None = None,
    timeout: float = 30.0,
    **kwargs: Any,
) -> dict[str, Any]:
    """One Responses-API call with the configured model; returns the response as plain JSON.

    Meant to be the body of an LLM-call activity: the result is small, JSON and keyless,
    so it sits well in a workflow history.

    Raises:
        ApplicationError: retryable or not, as the module docstring says.
    """
    client = openai_client(timeout=timeout)
    extra: dict[str, Any] = dict(kwargs)
    if instructions is not None:
        extra["instructions"] = instructions
    if tools:
        extra["tools"] = tools
    try:
        resp = await client.responses.create(
            model=model or model_config().model, input=input, **extra
        )
    except (openai.APIError, openai.APIConnectionError) as exc:
        raise model_error(exc) from None
    return resp.model_dump(mode="json", exclude_none=True)


async def create_chat_completion(
    messages: list[dict[str, Any]],
    *,
    tools: list[dict[str, Any]] | None = None,
    model: str | None = None,
    timeout: float = 30.0,
    **kwargs: Any,
) -> dict[str, Any]:
    """One Chat Completions call with the configured model; returns the completion as JSON.

    Raises:
        ApplicationError: retryable or not, as the module docstring says.
    """
    client = openai_client(timeout=timeout)
    extra: dict[str, Any] = dict(kwargs)
    if tools:
        extra["tools"] = tools
    try:
        resp = await client.chat.completions.create(
            model=model or model_config().model,
            messages=messages,  # type: ignore[arg-type]
            **extra,
        )
    except (openai.APIError, openai.APIConnectionError) as exc:
        raise model_error(exc) from None
    return resp.model_dump(mode="json", exclude_none=True)
