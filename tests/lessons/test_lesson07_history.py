"""Lesson 07's conversation (the notebook's own modules): 500 turns, every run's history bounded.

With continue-as-new every 25 turns, the 500-turn conversation runs in about twenty runs, and every
run's history (read with `fetch_history`, run by run) stays under BOUND_EVENTS events and
BOUND_BYTES bytes: far below Temporal's 51,200 events and 50 MB. Without continue-as-new the
same messages grow one run past both bounds within the first 100 turns, each turn costing more
history than the one before (every model call carries the whole conversation).
"""

from __future__ import annotations

import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tests.support.lessons import lesson_modules_dir
from workshop import connect, start_worker
from workshop.testing import route_model_calls

TURNS = 500
PER_RUN = 25
BOUND_EVENTS = 500
"""Events per run: about 13 a turn, a few turns over the threshold while the summary runs."""
BOUND_BYTES = 384 * 1024
"""Bytes per run (the run's turns are re-sent on each call, so a run grows with its square)."""


def _message(n: int) -> str:
    return f"Message {n}: how is your day going?"


async def _runs(client: Client, workflow_id: str, first_run: str) -> list[tuple[int, int]]:
    """(events, bytes) of each run of the chain, read from each run's own history."""
    sizes, run_id = [], first_run
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        sizes.append((len(history.events), sum(e.ByteSize() for e in history.events)))
        last = history.events[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
            else ""
        )
    return sizes


@pytest.mark.slow
async def test_500_turns_stay_bounded_with_continue_as_new(task_queue: str) -> None:
    lesson_modules_dir()
    from lesson_modules.lesson07_chat import (
        ACTIVITIES,
        ChatState,
        Conversation,
        openai_agents_plugin,
    )
    from lesson_modules.lesson07_compaction import CompactingConversation

    route_model_calls()  # the SDK's default provider reads the variables this sets
    client = await connect(plugins=[openai_agents_plugin()])
    worker = await start_worker(
        task_queue, workflows=[CompactingConversation], client=client, activities=ACTIVITIES
    )
    try:
        handle = await client.start_workflow(
            CompactingConversation.run,
            ChatState(max_turns_per_run=PER_RUN),
            id=f"t07-long-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        replies = [
            await handle.execute_update(Conversation.send, _message(n)) for n in range(TURNS)
        ]
        assert all(replies) and len(replies) == TURNS
        now = await handle.query(Conversation.progress)
        assert now["turns_before"] + now["turns_this_run"] == TURNS, now
        assert now["summary"], "a later run starts from a summary"

        sizes = await _runs(client, handle.id, handle.result_run_id or "")
        assert len(sizes) >= TURNS // (PER_RUN + 5), sizes
        for events, size in sizes:
            assert events < BOUND_EVENTS and size < BOUND_BYTES, sizes
        print(
            f"{TURNS} turns in {len(sizes)} runs; largest run:",
            max(e for e, _ in sizes),
            "events,",
            max(b for _, b in sizes),
            "bytes",
        )
    finally:
        await worker.stop()


async def test_without_continue_as_new_one_run_outgrows_the_bound(task_queue: str) -> None:
    lesson_modules_dir()
    from lesson_modules.lesson07_chat import (
        ACTIVITIES,
        ChatState,
        Conversation,
        openai_agents_plugin,
    )

    route_model_calls()  # the SDK's default provider reads the variables this sets
    client = await connect(plugins=[openai_agents_plugin()])
    worker = await start_worker(
        task_queue, workflows=[Conversation], client=client, activities=ACTIVITIES
    )
    try:
        handle = await client.start_workflow(
            Conversation.run,
            ChatState(),
            id=f"t07-growing-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        sizes: list[int] = []
        events = 0
        for n in range(100):
            await handle.execute_update(Conversation.send, _message(n))
            info = (await handle.describe()).raw_description.workflow_execution_info
            sizes.append(info.history_size_bytes)
            events = info.history_length
            if events >= BOUND_EVENTS and sizes[-1] >= BOUND_BYTES:
                break
        assert events >= BOUND_EVENTS and sizes[-1] >= BOUND_BYTES, (len(sizes), events, sizes[-1])
        # Quadratic growth: the last turn cost more than twice the history of the tenth.
        assert sizes[-1] - sizes[-2] > 2 * (sizes[9] - sizes[8]), sizes
        history = await handle.fetch_history()
        assert len(history.events) >= events  # describe counts the same events
        print(f"one run outgrew the bound after {len(sizes)} turns: {events} events, {sizes[-1]} B")
    finally:
        await handle.terminate("test done")
        await worker.stop()
