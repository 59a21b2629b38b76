"""Lesson 07's streaming conversation: a worker killed mid-stream, the reply still completes.

A worker process runs `StreamingConversation`; the model is slowed so its stream is still
flowing when the first words reach the subscriber (the chat window), and at that moment the
process is SIGKILLed. A new worker process takes over: the model call is retried and streams
again from the start. The reply completes, the conversation records the turn exactly once, the
history has exactly one completed streaming model call for the answer, and the subscriber saw
the stream start over (and dropped the partial text it had shown).

The new process starts with no cached workflow, so before it can finish the turn it replays
the history from the start, through the model call and the tool call that completed before
the crash. The history shows that it did: the workflow tasks after the crash were completed by
the new process, and no workflow task failed (a failed replay would, and with the worker's
`workflow_failure_exception_types=[Exception]` it would fail the turn). Whether that replay
ran before the new process streamed a model call of its own is timing, though (a streamed
call's events decode right only once the process has parsed a stream: see
`workshop/model/convert.py`), so the whole history, crash included, is then replayed in a
process that never ran anything (tests/support/replay_process.py).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from tests.support.lessons import lesson_modules_dir
from workshop import WorkerProcess, chat_window, clear_faults, connect, inject_fault
from workshop.notebook.failures import DEADLOCK_DETECTED
from workshop.testing import route_model_calls

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_MODULE = "lesson_modules.lesson07_worker"
QUESTION = "Are there any weather alerts in Texas?"


async def test_a_reply_survives_a_worker_killed_mid_stream(task_queue: str, tmp_path: Path) -> None:
    root = lesson_modules_dir()
    from lesson_modules.lesson07_chat import (
        REPLY_TOPIC,
        ChatState,
        Conversation,
        openai_agents_plugin,
    )
    from lesson_modules.lesson07_streaming import StreamingConversation

    route_model_calls()  # the SDK's default provider reads the variables this sets
    client = await connect(plugins=[openai_agents_plugin()])
    # Started now, it imports while the test waits; it replays the history at the end.
    replay = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.support.replay_process"),
        *(str(root), "lesson07_streaming", "StreamingConversation"),
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    worker = WorkerProcess(WORKER_MODULE, task_queue=task_queue, name=f"t07-{task_queue}", cwd=root)
    await worker.start()
    clear_faults()
    try:
        handle = await client.start_workflow(
            StreamingConversation.run,
            ChatState(),
            id=f"t07-stream-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
            task_timeout=timedelta(seconds=2),
        )
        chat = chat_window(handle, Conversation.send, stream_topic=REPLY_TOPIC)
        inject_fault("model", "slow", count=2, delay=1.0)
        turn = asyncio.create_task(chat.send(QUESTION))
        await asyncio.wait_for(chat.first_token.wait(), 30)
        shown = chat.partial
        old_pid = worker.pid
        worker.kill()
        assert worker.returncode == -9
        await worker.restart()
        new_pid = worker.pid
        reply = await asyncio.wait_for(turn, 60)

        assert reply is not None and reply.startswith("Weather alerts for state=TX")
        assert shown and reply.startswith(shown) and shown != reply
        turns = await handle.query(Conversation.transcript)
        assert [(t.user, t.reply) for t in turns] == [(QUESTION, reply)]  # recorded once
        assert chat.replies == [reply]  # the window shows it once
        assert chat.restarts >= 1  # the subscriber saw the retried stream start over

        events = [e async for e in handle.fetch_history_events()]
        completed = [
            e for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        ]
        streaming = [
            e
            for e in events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            and e.activity_task_scheduled_event_attributes.activity_type.name
            == "invoke_model_activity_streaming"
        ]
        # Two model calls (the tool call, the answer) and one tool: each completed once.
        assert len(streaming) == 2 and len(completed) == 3

        # The new process replayed the history and finished the turn.
        by = [
            e.workflow_task_completed_event_attributes.identity.split("@")[0]
            for e in events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
        ]
        assert str(old_pid) in by and by[-1] == str(new_pid), (old_pid, new_pid, by)
        first_new = by.index(str(new_pid))
        assert set(by[first_new:]) == {str(new_pid)}  # only the new process after the crash
        done_before = [c for c in completed if c.event_id < _first_task_of(events, new_pid)]
        assert len(done_before) == 2  # model call and tool call, replayed by the new process
        failed = [
            e.workflow_task_failed_event_attributes.failure.message
            for e in events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        ]
        # A busy machine may trip the 2 s deadlock detector on a cold worker's first task
        # (then retried); any other failure is a replay that went wrong.
        assert all(DEADLOCK_DETECTED in message for message in failed), failed

        saved = tmp_path / "history.json"
        saved.write_text((await handle.fetch_history()).to_json())
        output = (await asyncio.wait_for(replay.communicate(f"{saved}\n".encode()), 120))[0]
        assert replay.returncode == 0 and b"replayed" in output, output.decode()[-3000:]
    finally:
        clear_faults()
        worker.stop()
        if replay.returncode is None:
            replay.kill()
            await replay.wait()


def _first_task_of(events: list[HistoryEvent], pid: int | None) -> int:
    """The id of the first workflow task the process `pid` started."""
    return next(
        e.event_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
        and e.workflow_task_started_event_attributes.identity.split("@")[0] == str(pid)
    )
