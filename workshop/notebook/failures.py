"""A failed or stuck workflow in the learner's words: their own lines first, then the cell to fix.

When a learner's workflow or activity code raises, Temporal carries the error to the client
as a failure whose stack trace is text from the worker. `explain(exc)` picks out the frames
of the learner's own files (`lesson_modules/*.py`, written by `%%workflow_module` cells) and
names the cell that wrote the last of them:

    TypeError: Object of type coroutine is not JSON serializable (is an `await` missing?)
      File "lesson_modules/lesson03_agent_loop.py", line 89, in run
        "output": json.dumps(result),
    Fix it in the cell that starts with `%%workflow_module lesson03_agent_loop`, run that
    cell, then run this one again.

`watch(handle.result(), handle, timeout=...)` waits the way a check should: it ends early,
with a sentence, when no worker polls the workflow's task queue or when its workflow task keeps
failing (a worker without `workflow_failure_exception_types` retries a bug forever), and at
its timeout it says what the workflow is still waiting for.
"""

from __future__ import annotations

import asyncio
import re
import time
import traceback
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import WorkflowStuck
from .magics import MODULES_DIR

T = TypeVar("T")

_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<func>.+)$')
_LESSON_FILE = re.compile(rf"(?:^|[/\\]){MODULES_DIR}[/\\](?P<module>\w+)\.py$")


@dataclass(frozen=True)
class LessonFrame:
    """One line of the learner's own code in a traceback."""

    module: str
    """The lesson module's name (`lesson03_agent_loop`), also the `%%workflow_module` argument."""
    line: int
    function: str
    source: str = ""
    """The line of code, as the worker saw it."""

    def text(self) -> list[str]:
        """The frame as a traceback prints it, with the path shortened to the notebook's folder."""
        where = f'  File "{MODULES_DIR}/{self.module}.py", line {self.line}, in {self.function}'
        return [where, f"    {self.source}"] if self.source else [where]


@dataclass
class Explanation:
    """What went wrong in the learner's code, and which cell to fix."""

    error: str
    """`TypeName: message` of the error the learner's code raised."""
    frames: list[LessonFrame] = field(default_factory=list)
    hint: str = ""
    """A guess at the usual cause, in words (empty when there is none)."""

    @property
    def cell(self) -> str | None:
        """The cell to fix: the one that wrote the module of the innermost learner frame."""
        if not self.frames:
            return None
        return f"the cell that starts with `%%workflow_module {self.frames[-1].module}`"

    def lines(self, then: str = "run this one again") -> list[str]:
        """The short traceback: error, the learner's frames, the cell to fix."""
        out = [self.error + (f" ({self.hint})" if self.hint else "")]
        for frame in self.frames:
            out += frame.text()
        if self.cell:
            out.append(f"Fix it in {self.cell}, run that cell, then {then}.")
        return out

    def text(self, then: str = "run this one again") -> str:
        return "\n".join(self.lines(then))


def lesson_frames(stack: str | traceback.StackSummary) -> list[LessonFrame]:
    """The frames of `lesson_modules/*.py` in a traceback (text from a worker, or a summary)."""
    frames: list[LessonFrame] = []
    if isinstance(stack, traceback.StackSummary):
        for entry in stack:
            match = _LESSON_FILE.search(entry.filename)
            if match:
                frames.append(
                    LessonFrame(match["module"], entry.lineno or 0, entry.name, entry.line or "")
                )
        return frames
    lines = stack.splitlines()
    for index, line in enumerate(lines):
        found = _FRAME.match(line)
        if not found:
            continue
        match = _LESSON_FILE.search(found["path"])
        if not match:
            continue
        source = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if _FRAME.match(source) or set(source) <= {"^", "~", " "}:
            source = ""
        frames.append(LessonFrame(match["module"], int(found["line"]), found["func"], source))
    return frames


def _hint(error: str) -> str:
    if "coroutine" in error:
        return "a coroutine was used as a value: is an `await` missing?"
    return ""


def error_text(exc: BaseException) -> str:
    """`TypeName: message`; for an error carried by Temporal, the type the learner's code raised."""
    kind = getattr(exc, "type", None) or type(exc).__name__
    message = getattr(exc, "message", None) or str(exc)
    return f"{kind}: {message}" if message else str(kind)


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def explain(exc: BaseException) -> Explanation | None:
    """The learner's part of an error, or None when no learner code is in it.

    Looks through the whole chain (a workflow failure caused by an activity failure caused by
    the learner's exception), in the worker's stack traces and in this process's tracebacks,
    and explains the innermost error raised in learner code.
    """
    found: Explanation | None = None
    for link in _chain(exc):
        failure = getattr(link, "failure", None)
        stack = getattr(failure, "stack_trace", "") if failure is not None else ""
        frames = lesson_frames(stack) if stack else []
        if not frames and link.__traceback__ is not None:
            frames = lesson_frames(traceback.extract_tb(link.__traceback__))
        if frames:
            error = error_text(link)
            found = Explanation(error, frames, _hint(error))
    return found


def explain_failure_proto(failure: Any) -> Explanation:
    """An `Explanation` of a `temporalio.api.failure.v1.Failure` (a failed workflow task)."""
    kind = ""
    if failure.HasField("application_failure_info"):
        kind = failure.application_failure_info.type
    error = f"{kind}: {failure.message}" if kind else failure.message
    return Explanation(error, lesson_frames(failure.stack_trace), _hint(error))


def _client_of(handle: Any) -> Any:
    # A WorkflowHandle keeps the client it came from; the SDK has no public accessor for it.
    return handle._client


async def task_queue_pollers(client: Any, task_queue: str) -> list[Any]:
    """The workers polling `task_queue` for workflow or activity tasks, as the server sees them
    (`PollerInfo`s; a killed worker stays listed for a while)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    pollers: list[Any] = []
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        reply = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=kind,
            )
        )
        pollers += reply.pollers
    return pollers


def no_worker_message(task_queue: str) -> str:
    """The sentence for a workflow that no worker will ever pick up."""
    return (
        f"no worker is polling task queue {task_queue!r}: did you start the workflow on the "
        "queue the worker polls?"
    )


DEADLOCK_DETECTED = "[TMPRL1101]"
"""How the SDK marks a workflow task that ran over 2 s without yielding. A busy machine can
cause it once, on a cold worker's first task (then the retry passes); a workflow that blocks
(a `time.sleep` in workflow code) fails that way every time."""


async def _failed_workflow_task(handle: Any) -> Explanation | None:
    """The last failure of the workflow's code, when its workflow task failed (it is retried).

    A single deadlock-detector failure is not counted: on a busy machine the retry passes.
    Two in a row are the code's."""
    from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause

    # Other causes (a signal arriving mid-task, a reset) are routine and retried at once.
    code_failed = (
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
    )
    failure, slow = None, 0
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            attrs = event.workflow_task_failed_event_attributes
            if attrs.cause in code_failed:
                slow = slow + 1 if DEADLOCK_DETECTED in attrs.failure.message else 0
                failure = attrs.failure if slow != 1 else None
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            failure, slow = None, 0
    return explain_failure_proto(failure) if failure is not None else None


async def stuck_reason(handle: Any) -> str | None:
    """Why a running workflow cannot finish on its own, or None when nothing is known wrong.

    Two things never mend themselves: no worker polls its task queue, or its workflow code
    raises (the worker retries the workflow task until the code is fixed). A server that cannot
    answer these questions (the time-skipping test server) leaves the answer at None.
    """
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.service import RPCError

    try:
        description = await handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            return None
        task = description.raw_description.pending_workflow_task
        if task.attempt > 1:  # its workflow task failed or timed out at least once
            bug = await _failed_workflow_task(handle)
            if bug is not None:
                return (
                    "the workflow's code raised, and its worker retries the workflow task until "
                    "the code is fixed (it does not list the error in "
                    "`workflow_failure_exception_types`):\n" + bug.text("run this one again")
                )
        if not await task_queue_pollers(_client_of(handle), description.task_queue):
            return no_worker_message(description.task_queue)
    except RPCError:
        return None
    return None


async def still_waiting(handle: Any) -> str:
    """What a running workflow waits for, in one sentence (for a timeout's message)."""
    description = await handle.describe()
    raw = description.raw_description
    for pending in raw.pending_activities:
        name = pending.activity_type.name
        if pending.attempt > 1 and pending.HasField("last_failure"):
            return (
                f"activity {name} is on attempt {pending.attempt}; its last failure: "
                f"{pending.last_failure.message}"
            )
        return f"activity {name} has not completed yet"
    if raw.HasField("pending_workflow_task"):
        return "its next workflow task has not been completed by a worker yet"
    return "it is waiting (for a timer, a signal or an update, or for its code to return)"


async def watch(
    waiting: Awaitable[T],
    handle: Any,
    *,
    timeout: float = 30.0,
    what: str = "",
    no_worker_grace: float = 3.0,
    check_every: float = 1.0,
) -> T:
    """Await `waiting` (a result, an update, a query on `handle`), but end with a sentence
    when `handle`'s workflow cannot get on.

    Args:
        waiting: what to wait for, e.g. `handle.result()`.
        handle: the workflow it depends on.
        timeout: seconds before giving up.
        what: what is awaited, in words, for the messages (default: the workflow's result).
        no_worker_grace: seconds without any poller on its task queue before saying so (a
            worker started a moment ago may not have polled yet).
        check_every: seconds between looks at the workflow while waiting.

    Raises:
        WorkflowStuck: no worker polls its queue, its code keeps failing, or `timeout` passed.
        WorkflowFailureError: the workflow failed (`explain` reads it); other errors of
            `waiting` as they are.
    """
    what = what or f"the result of workflow {handle.id}"
    started = time.monotonic()
    no_worker_since: float | None = None
    task = asyncio.ensure_future(waiting)
    try:
        while True:
            left = timeout - (time.monotonic() - started)
            done, _ = await asyncio.wait({task}, timeout=max(min(check_every, left), 0))
            if done:
                return task.result()
            reason = await stuck_reason(handle)
            if reason is not None and reason.startswith("no worker"):
                now = time.monotonic()
                no_worker_since = no_worker_since or now
                if now - no_worker_since < no_worker_grace:
                    reason = None
            else:
                no_worker_since = None
            if reason is not None:
                raise WorkflowStuck(f"waiting for {what}: {reason}")
            if time.monotonic() - started >= timeout:
                raise WorkflowStuck(
                    f"waited {timeout:.0f} s for {what}: {await still_waiting(handle)}"
                )
    finally:
        task.cancel()
