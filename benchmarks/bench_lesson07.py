"""Benchmark: lesson 07's streamed replies and the history each turn costs.

1. Time to the first streamed token in the notebook path: the chat window (`stream_topic=`)
   sends an update to `StreamingConversation` on an in-kernel-style worker, the model activity
   streams from the offline endpoint and publishes to the workflow stream, the window's
   subscriber long-polls it. Measured from Send to the first text delta, one model call a turn.
   Target: < 200 ms offline.
2. History bytes per turn, with and without continue-as-new (every 20 turns), over TURNS turns
   of the same messages: the average, and what the last turn cost.

Run: `.venv/bin/python benchmarks/bench_lesson07.py [--messages 20] [--turns 100]`.
"""

from __future__ import annotations

import argparse
import statistics
import uuid

from isolated import isolate  # noqa: E402  (first: it sets the environment)

STATE = isolate("lesson07")

import workshop  # noqa: E402
import workshop.testing  # noqa: E402
from tests.support.lessons import lesson_modules_dir  # noqa: E402
from workshop import chat_window, connect, history_meter, start_worker  # noqa: E402

lesson_modules_dir()
workshop.testing.route_model_calls()  # the SDK's default provider reads these variables
from lesson_modules.lesson07_chat import (  # noqa: E402
    ACTIVITIES,
    REPLY_TOPIC,
    ChatState,
    Conversation,
    openai_agents_plugin,
)
from lesson_modules.lesson07_compaction import CompactingConversation  # noqa: E402
from lesson_modules.lesson07_streaming import StreamingConversation  # noqa: E402


async def first_token(messages: int) -> list[float]:
    client = await connect(plugins=[openai_agents_plugin()])
    queue = f"bench-stream-{uuid.uuid4().hex[:6]}"
    worker = await start_worker(
        queue, workflows=[StreamingConversation], client=client, activities=ACTIVITIES
    )
    handle = await client.start_workflow(
        StreamingConversation.run, ChatState(), id=queue, task_queue=queue
    )
    chat = chat_window(handle, Conversation.send, stream_topic=REPLY_TOPIC)
    await chat.send("Hello")  # warm-up: services, worker cache, connections
    times = []
    for n in range(messages):
        await chat.send(f"Thanks, message {n}.")
        assert chat.first_token_s is not None, "no streamed text arrived"
        times.append(chat.first_token_s)
    await handle.terminate("benchmark done")
    await worker.stop()
    return times


async def history_per_turn(turns: int) -> dict[str, tuple[float, int, int, int]]:
    client = await connect(plugins=[openai_agents_plugin()])
    queue = f"bench-history-{uuid.uuid4().hex[:6]}"
    worker = await start_worker(
        queue,
        workflows=[Conversation, CompactingConversation],
        client=client,
        activities=ACTIVITIES,
    )
    meter = history_meter()
    out = {}
    for name, workflow, state in [
        ("without continue-as-new", Conversation.run, ChatState()),
        ("continue-as-new every 20", CompactingConversation.run, ChatState(max_turns_per_run=20)),
    ]:
        handle = await client.start_workflow(
            workflow, state, id=f"{queue}-{len(out)}", task_queue=queue
        )
        for n in range(turns):
            await handle.execute_update(Conversation.send, f"Message {n}: how is your day going?")
            await meter.record(handle, series=name)
        line = meter.series[name]
        s = line.samples
        out[name] = (
            line.per_turn_bytes(),
            s[-1].bytes - s[-2].bytes,
            line.peak_bytes,
            len(line.run_ids),
        )
        await handle.terminate("benchmark done")
    await worker.stop()
    return out


def _ms(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return (
        f"median {statistics.median(ms):5.0f} ms  (min {ms[0]:.0f}, max {ms[-1]:.0f}, n={len(ms)})"
    )


async def main(messages: int, turns: int) -> None:
    times = await first_token(messages)
    print(f"first streamed token, notebook path:   {_ms(times)}   target < 200 ms")
    for name, (avg, last, peak, runs) in (await history_per_turn(turns)).items():
        print(
            f"history per turn, {name:25} {avg / 1024:6.1f} KB average, "
            f"turn {turns} cost {last / 1024:6.1f} KB; largest run {peak / 1024:7.0f} KB; "
            f"{runs} run(s)"
        )
    workshop.shutdown_all()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--turns", type=int, default=100)
    args = parser.parse_args()
    workshop.testing.run_script(main(args.messages, args.turns))
