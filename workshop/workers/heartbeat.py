"""Heartbeat every running async activity, so a dead worker is noticed in seconds.

Temporal learns that a worker died only when a timeout expires. With a short heartbeat
timeout on an activity and this interceptor beating for it, a SIGKILLed worker's activity
is retried on another worker about one heartbeat timeout later, instead of after its whole
start-to-close timeout. Activities that heartbeat themselves are left alone.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class AutoHeartbeatInterceptor(Interceptor):
    """Beat for every async activity that has a heartbeat timeout, at a third of it."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _AutoHeartbeatInbound(next)


class _AutoHeartbeatInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        timeout = activity.info().heartbeat_timeout
        if not timeout or not inspect.iscoroutinefunction(input.fn):
            return await super().execute_activity(input)
        beater = asyncio.get_running_loop().create_task(_beat(timeout))
        try:
            return await super().execute_activity(input)
        finally:
            beater.cancel()


async def _beat(timeout: timedelta) -> None:
    interval = max(timeout.total_seconds() / 3, 0.05)
    while True:
        activity.heartbeat()
        await asyncio.sleep(interval)
