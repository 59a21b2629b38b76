"""Declared kill points: a worker process SIGKILLs itself at a named moment, not after a sleep.

A kill point is a short spec string, so it can travel on a command line to a worker process:

- ``start:NAME[#K]``: when the K-th activity NAME of this process starts (default 1), before
  its code runs. Nothing of that activity happened.
- ``mid:NAME[#K]``: inside the K-th activity NAME, after its code has done its work but
  before the result reaches Temporal: the worst moment to die. Temporal never hears of the
  result, so that one activity runs again (at-least-once); every earlier one does not.

Activities are counted, not attempts: a retried attempt (an attempt that timed out on a busy
machine, say) is the same activity, so the kill lands on the same step run after run.
- ``after:N``: once this process has completed N activities and Temporal has recorded the
  N-th result in the workflow's history; any further activity in this process waits, so the
  kill lands exactly between activity N and the next.

Before dying the process writes one line to its log, so the notebook can show where it died.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any, Literal

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

Kind = Literal["start", "mid", "after"]


@dataclass(frozen=True)
class KillPoint:
    """A declared moment at which a worker process kills itself with SIGKILL."""

    kind: Kind
    """`start`, `mid` or `after` (see the module docstring)."""
    activity: str | None = None
    """Activity type name, for `start` and `mid`."""
    count: int = 1
    """The K-th run of that activity (`start`, `mid`), or N completed activities (`after`)."""

    def spec(self) -> str:
        """The string form, as passed to `python -m workshop.workers.main --kill-at`."""
        if self.kind == "after":
            return f"after:{self.count}"
        suffix = f"#{self.count}" if self.count != 1 else ""
        return f"{self.kind}:{self.activity}{suffix}"

    def __str__(self) -> str:
        return self.spec()

    def describe(self) -> str:
        """The kill point in words, for logs and notebook output."""
        if self.kind == "after":
            return f"after {self.count} activities completed"
        nth = f" (run {self.count})" if self.count != 1 else ""
        if self.kind == "start":
            return f"when activity {self.activity} starts{nth}"
        return f"in the middle of activity {self.activity}{nth}, before its result is reported"

    @classmethod
    def parse(cls, spec: str) -> KillPoint:
        """Parse `start:NAME[#K]`, `mid:NAME[#K]` or `after:N`."""
        kind, _, rest = spec.partition(":")
        if kind == "after" and rest.isdigit() and int(rest) >= 1:
            return cls("after", None, int(rest))
        if kind in ("start", "mid") and rest:
            name, _, nth = rest.partition("#")
            if name and (not nth or (nth.isdigit() and int(nth) >= 1)):
                return cls(kind, name, int(nth) if nth else 1)  # type: ignore[arg-type]
        raise ValueError(
            f"Unknown kill point {spec!r}. Use 'start:ACTIVITY', 'mid:ACTIVITY' "
            "(optionally '#K' for the K-th run) or 'after:N'."
        )


def kill_when_activity_starts(name: str, run: int = 1) -> KillPoint:
    """Kill the worker when activity `name` starts (the `run`-th such activity in the process)."""
    return KillPoint("start", name, run)


def kill_mid_activity(name: str, run: int = 1) -> KillPoint:
    """Kill the worker after activity `name` did its work, before Temporal hears the result."""
    return KillPoint("mid", name, run)


def kill_after_activities(n: int) -> KillPoint:
    """Kill the worker once `n` activities have completed and are recorded in the history."""
    return KillPoint("after", None, n)


def _die(point: KillPoint) -> None:
    print(f"KILL POINT reached: {point.describe()} -> SIGKILL", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class CrashInterceptor(Interceptor):
    """Worker interceptor that SIGKILLs its own process at a declared kill point."""

    def __init__(self, point: KillPoint, client: Client) -> None:
        self.point = point
        self.client = client
        self.seen: dict[str, list[tuple[str, str]]] = {}
        """Per activity type, the activities (run id, activity id) this process has started."""
        self.completed = 0
        self.kill_pending = False
        """Set once an `after:N` kill is due: later activities then wait for it."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CrashActivityInbound(next, self)

    async def _kill_once_recorded(self, info: activity.Info) -> None:
        """Die as soon as the history holds this activity's completion."""
        handle = self.client.get_workflow_handle(
            info.workflow_id or "", run_id=info.workflow_run_id
        )
        while True:
            scheduled_ids = set()
            async for event in handle.fetch_history_events():
                attrs = event.activity_task_scheduled_event_attributes
                if (
                    event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                    and attrs.activity_id == info.activity_id
                ):
                    scheduled_ids.add(event.event_id)
                done = event.activity_task_completed_event_attributes
                if (
                    event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
                    and done.scheduled_event_id in scheduled_ids
                ):
                    _die(self.point)
            await asyncio.sleep(0.02)


class _CrashActivityInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, root: CrashInterceptor) -> None:
        super().__init__(next)
        self.root = root

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        root, point = self.root, self.root.point
        if root.kill_pending:
            # An `after:N` kill is pending: hold every later activity until it lands.
            await asyncio.Event().wait()
        info = activity.info()
        name = info.activity_type
        seen = root.seen.setdefault(name, [])
        key = (info.workflow_run_id or "", info.activity_id)
        if key not in seen:
            seen.append(key)
        matches = point.activity == name and point.count == seen.index(key) + 1
        if point.kind == "start" and matches:
            _die(point)
        result = await super().execute_activity(input)
        if point.kind == "mid" and matches:
            _die(point)
        root.completed += 1
        if point.kind == "after" and root.completed == point.count:
            root.kill_pending = True
            asyncio.get_running_loop().create_task(root._kill_once_recorded(info))
        return result


def kill_at_point(point: KillPoint) -> None:
    """In a worker process: every `Worker` built from now on gets the crash interceptor.

    The lesson's own `main()` builds its `Worker(...)`; a declared crash is infrastructure,
    so the kit adds it there rather than asking lesson code to carry a workshop-only hook.
    """
    from temporalio.worker import Worker

    original = Worker.__init__

    def init(self: Worker, client: Client, **kwargs: Any) -> None:
        interceptors = [*kwargs.pop("interceptors", ()), CrashInterceptor(point, client)]
        original(self, client, interceptors=interceptors, **kwargs)

    Worker.__init__ = init  # type: ignore[method-assign]
