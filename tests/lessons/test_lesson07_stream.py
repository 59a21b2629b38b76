"""Lesson 07's streaming conversation: a worker killed mid-stream, the reply still completes.

A worker process runs `StreamingConversation`; the model is slowed so its stream is still
flowing when the first words reach the subscriber (the chat window), and at that moment the
process is SIGKILLed. A new worker takes over: the model call is retried and streams again
from the start. The reply completes, the conversation records the turn exactly once, the
history has exactly one completed streaming model call for the answer, and the subscriber saw
the stream start over (and dropped the partial text it had shown).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio.api.enums.v1 import EventType

from tests.support.lessons import lesson_modules_dir
from workshop import WorkerProcess, chat_window, clear_faults, connect, inject_fault
from workshop.testing import route_model_calls

WORKER_MODULE = "lesson_modules.lesson07_worker"
QUESTION = "Are there any weather alerts in Texas?"


async def test_a_reply_survives_a_worker_killed_mid_stream(task_queue: str) -> None:
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
        worker.kill()
        assert worker.returncode == -9
        await worker.restart()
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
    finally:
        clear_faults()
        worker.stop()
