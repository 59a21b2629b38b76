"""A time-skipping Temporal test server, for lessons and tests about long waits."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from .server import test_server_binary


async def start_time_skipping() -> WorkflowEnvironment:
    """Start Temporal's time-skipping test server from the venv (offline, no download).

    Timers in workflows run on this server skip ahead whenever every workflow is waiting,
    so a workflow that sleeps for days finishes in moments. Use it as an async context
    manager, or call `await env.shutdown()`.
    """
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(test_server_binary())
    )
