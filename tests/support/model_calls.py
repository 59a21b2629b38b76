"""An LLM-call activity and workflow for the model fault tests (issue 3).

The activity calls the configured model with the kit's `create_response` helper, so a 429
becomes a retryable error honouring Retry-After and a 401 a non-retryable one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workshop.model.client import create_response


@activity.defn
async def ask_model(question: str) -> dict[str, Any]:
    """One model call; returns the answer text, the attempt number and the token usage."""
    response = await create_response(question, instructions="Answer briefly.", timeout=10.0)
    text = "".join(
        part.get("text", "")
        for item in response.get("output", [])
        if item.get("type") == "message"
        for part in item.get("content", [])
    )
    return {"text": text, "attempt": activity.info().attempt, "usage": response.get("usage")}


@workflow.defn
class AskModelWorkflow:
    """Calls the model once, retrying quickly unless the error says otherwise."""

    @workflow.run
    async def run(self, question: str) -> dict[str, Any]:
        return await workflow.execute_activity(
            ask_model,
            question,
            start_to_close_timeout=timedelta(seconds=15),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=100), maximum_attempts=10
            ),
        )
