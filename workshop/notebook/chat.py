"""A chat window for a conversation workflow: a text box, a Send button, the conversation so far.

Each message is sent as a Temporal *update* (`handle.execute_update(update, text)`); the
update's result is the reply. The window targets the workflow by id only, never by run, so
after a continue-as-new it talks to the new run and marks the boundary in the transcript.
`await chat.send("...")` does exactly what the button does, for CI and terminals; the text
form (what nbval and a reopened notebook show) is the transcript.

With `stream_topic`, the window also subscribes to the workflow's stream
(`temporalio.contrib.workflow_streams`) while a reply is being made, and shows the model's
text deltas as they arrive. Each model call's stream starts with a `response.created` event;
when one arrives after text was shown (a retried call: the worker died mid-stream, and the new
attempt streams again from the start), the window drops that partial text and starts over, so
the learner never sees a reply twice.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import ipywidgets as widgets
from temporalio.client import WorkflowHandle

from .display import TextForm


@dataclass
class ChatLine:
    """One line of the transcript."""

    who: str
    """"you", "agent" or "run" (a continue-as-new boundary)."""
    text: str
    """What was said (for "run": which run starts here)."""


def _update_name(update: Any) -> str:
    if isinstance(update, str):
        return update
    defn = getattr(update, "_defn", None)
    return str(getattr(defn, "name", None) or getattr(update, "__name__", update))


class ChatWindow(TextForm):
    """A chat widget bound to one conversation workflow's message update.

    Args:
        handle: the conversation workflow (any run: the window follows the workflow id).
        update: the `@workflow.update` method (or its name) that takes a message and
            returns the reply.
        after_reply: an async callback run after each reply with the handle (for example a
            history meter's `record`).
        stream_topic: the workflow stream topic the model's events are published on
            (`ModelActivityParameters.streaming_topic`); None: no streaming.
    """

    def __init__(
        self,
        handle: WorkflowHandle[Any, Any],
        update: Any,
        *,
        after_reply: Callable[[WorkflowHandle[Any, Any]], Awaitable[Any]] | None = None,
        stream_topic: str | None = None,
    ) -> None:
        # By id only: a handle pinned to a run would stop at that run's continue-as-new.
        self.handle = handle._client.get_workflow_handle(handle.id)
        self.update = update
        self.after_reply = after_reply
        self.lines: list[ChatLine] = []
        """The conversation as this window saw it."""
        self.runs: list[str] = []
        """Run ids seen, in order (more than one: the workflow continued as new)."""
        self.error: str | None = None
        self.stream_topic = stream_topic
        self.partial = ""
        """The reply streamed so far (while a reply is being made)."""
        self.first_token_s: float | None = None
        """Seconds from Send to the first streamed text of the last message."""
        self.stream_events: list[str] = []
        """Types of the stream events seen for the last message, in order."""
        self.restarts = 0
        """Streams of the last message that started over after text was shown (retries)."""
        self.first_token = asyncio.Event()
        """Set when the first text of the current message arrives (or its reply ends without)."""
        self._stream: Any = None
        self._position = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self.log = widgets.HTML()
        self.log.add_class("workshop-chat-log")
        self.box = widgets.Text(placeholder="Type a message and press Send")
        self.box.add_class("workshop-chat-input")
        self.button = widgets.Button(
            description="Send",
            icon="paper-plane",
            button_style="primary",
            tooltip=f"await handle.execute_update({_update_name(update)!r}, message)",
        )
        self.button.add_class("workshop-chat-send")
        self.button.on_click(self._clicked)
        self.status = widgets.HTML()
        self.status.add_class("workshop-chat-status")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>Conversation <code>{html.escape(self.handle.id)}</code></b>"),
                self.log,
                widgets.HBox([self.box, self.button, self.status]),
            ]
        )
        self.widget.add_class("workshop-chat")
        self._render()

    def _clicked(self, _: Any) -> None:
        text = self.box.value.strip()
        if not text:
            return
        self.box.value = ""
        task = asyncio.get_running_loop().create_task(self.send(text))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send(self, message: str) -> str | None:
        """Send one message (what the button does); returns the reply, or None if refused."""
        self.lines.append(ChatLine("you", message))
        self.button.disabled = True
        self.status.value = "<i>waiting for the reply…</i>"
        self._render()
        reply: str | None = None
        follower: asyncio.Task[None] | None = None
        if self.stream_topic is not None:
            follower = await self._start_following(time.monotonic())
        try:
            reply = str(await self.handle.execute_update(self.update, message))
            self.error = None
            await self._note_run()
            self.lines.append(ChatLine("agent", reply))
            if self.after_reply is not None:
                await self.after_reply(self.handle)
        except Exception as exc:
            # A validator's refusal (or a closed conversation) arrives as the update's failure.
            cause = getattr(exc, "cause", None) or exc
            self.error = str(getattr(cause, "message", None) or cause)
        finally:
            if follower is not None:
                await self._catch_up()
                follower.cancel()
                # No words will come now: whoever waits for the first ones stops waiting.
                self.first_token.set()
            self.partial = ""
            self.button.disabled = False
            self._render()
        return reply

    async def _catch_up(self, timeout: float = 2.0) -> None:
        """Let the subscriber read what was published before the reply came back."""
        try:
            end = await self._stream.get_offset()
        except Exception:
            return  # the workflow is gone (closed, continued as new): nothing more to read
        deadline = time.monotonic() + timeout
        while self._position < end and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def _on_event(self, data: Any, started: float) -> None:
        """One stream event: start over on a new model call after text, or add text."""
        event = data if isinstance(data, dict) else {}
        kind = str(event.get("type", ""))
        self.stream_events.append(kind)
        if kind == "response.created" and self.partial:
            # A model call starting again after text was shown: a retried attempt.
            self.restarts += 1
            self.partial = ""
        elif kind == "response.output_text.delta":
            if self.first_token_s is None:
                self.first_token_s = time.monotonic() - started
                self.first_token.set()
            self.partial += str(event.get("delta", ""))
            self._render()

    async def _start_following(self, started: float) -> asyncio.Task[None]:
        """Subscribe to the stream from its current end; returns the task that reads it."""
        from temporalio.contrib.workflow_streams import WorkflowStreamClient

        self.partial, self.first_token_s, self.stream_events, self.restarts = "", None, [], 0
        self.first_token.clear()
        stream = WorkflowStreamClient.create(self.handle._client, self.handle.id)
        offset = await stream.get_offset()

        self._stream, self._position = stream, offset

        async def follow() -> None:
            position = offset
            while True:
                try:
                    async for item in stream.subscribe(
                        self.stream_topic,
                        from_offset=position,
                        poll_cooldown=timedelta(milliseconds=20),
                    ):
                        position = self._position = item.offset + 1
                        self._on_event(item.data, started)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # A poll can fail while no worker hosts the workflow (it just crashed):
                    # poll again from where we were, as any subscriber should.
                    await asyncio.sleep(0.2)

        return asyncio.get_running_loop().create_task(follow())

    async def _note_run(self) -> None:
        run_id = (await self.handle.describe()).run_id
        if not self.runs:
            self.runs.append(run_id)
        elif run_id != self.runs[-1]:
            self.runs.append(run_id)
            # The reply came from the run that was current when it was sent; mark the new run
            # before it, which is where the compacted conversation took over.
            self.lines.insert(
                len(self.lines) - 1, ChatLine("run", f"continued as new: run {len(self.runs)}")
            )

    @property
    def replies(self) -> list[str]:
        """The agent's replies, in order."""
        return [line.text for line in self.lines if line.who == "agent"]

    def _render(self) -> None:
        rows = []
        for line in self.lines[-40:]:
            text = html.escape(line.text)
            if line.who == "run":
                rows.append(
                    "<div class='workshop-chat-run' style='color:#6a1b9a;text-align:center'>"
                    f"── {text} ──</div>"
                )
            else:
                align, color = ("right", "#e3f2fd") if line.who == "you" else ("left", "#f1f8e9")
                rows.append(
                    f"<div class='workshop-chat-{line.who}' style='text-align:{align}'>"
                    f"<span style='display:inline-block;background:{color};padding:3px 8px;"
                    f"border-radius:8px;margin:2px;max-width:80%'>{text}</span></div>"
                )
        if self.partial:
            rows.append(
                "<div class='workshop-chat-streaming' style='text-align:left'>"
                "<span style='display:inline-block;background:#fffde7;padding:3px 8px;"
                f"border-radius:8px;margin:2px;max-width:80%'>{html.escape(self.partial)}▌"
                "</span></div>"
            )
        if not rows:
            rows.append("<i>No messages yet.</i>")
        self.log.value = (
            "<div style='max-height:260px;overflow-y:auto;border:1px solid #ddd;padding:4px'>"
            + "".join(rows)
            + "</div>"
        )
        if self.error:
            self.status.value = (
                f"<span style='color:#c62828'>refused: {html.escape(self.error)}</span>"
            )
        elif not self.button.disabled:
            self.status.value = ""

    def text(self) -> str:
        """The transcript as text (the last 20 lines), and the code the Send button runs."""
        head = f"Conversation {self.handle.id} ({len(self.replies)} replies"
        head += f", {len(self.runs)} runs)" if len(self.runs) > 1 else ")"
        lines = [head]
        shown = self.lines[-20:]
        if len(self.lines) > len(shown):
            lines.append(f"  … {len(self.lines) - len(shown)} earlier lines")
        for line in shown:
            if line.who == "run":
                lines.append(f"  ── {line.text} ──")
            else:
                lines.append(f"  {line.who + ':':6} {line.text}")
        if self.error:
            lines.append(f"  refused: {self.error}")
        lines.append(f"  [Send]  {self.button.tooltip}")
        return "\n".join(lines)


def chat_window(
    handle: WorkflowHandle[Any, Any],
    update: Any,
    *,
    after_reply: Callable[[WorkflowHandle[Any, Any]], Awaitable[Any]] | None = None,
    stream_topic: str | None = None,
) -> ChatWindow:
    """A chat widget that sends each message as `update` and shows the replies.

    Args:
        handle: the conversation workflow.
        update: the `@workflow.update` method (or its name): message in, reply out.
        after_reply: async callback after each reply, e.g. `meter.record`.
        stream_topic: show replies token by token from this workflow stream topic.
    """
    return ChatWindow(handle, update, after_reply=after_reply, stream_topic=stream_topic)
