"""Human in the loop: Approve / Reject buttons that answer a waiting workflow, and a wait.

The buttons send a Temporal *update* to the workflow: the workflow validates it, records it in
its history and returns an answer, which the widget shows. A click handler is sync (ipywidgets
calls it so), so the update is sent from a task on the kernel's loop. Every button's tooltip
holds the one line of code that does the same, for CI and for terminals, written so that it
runs in the notebook: the handle's variable (`variable="request"`), the update by its name
(`'decide'`, which works whichever class defined the method) and the argument's repr.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from temporalio.client import WorkflowHandle

from ..errors import WorkflowStuck
from .display import TextForm, is_python, variable_name
from .failures import watch


def _name(update: Any) -> str:
    """The update's name, from a name or an `@workflow.update` method."""
    if isinstance(update, str):
        return update
    defn = getattr(update, "_defn", None)
    return str(getattr(defn, "name", None) or getattr(update, "__name__", update))


def update_code(variable: str, update: Any, arg: Any) -> str:
    """The one line that sends `update` with `arg`, as a learner would type it.

    An argument whose repr is not Python (an object without a dataclass-like repr) is shown
    as a comment, never as code that would not run.
    """
    code = f"await {variable}.execute_update({_name(update)!r}, {arg!r})"
    return code if is_python(code) else f"# {code}"


class ApprovalButtons(TextForm):
    """Approve and Reject buttons bound to one workflow's update, with a text form.

    Args:
        handle: the waiting workflow.
        update: the update to send (an `@workflow.update` method or its name).
        approve: the argument the Approve button sends.
        reject: the argument the Reject button sends.
        variable: the notebook variable that holds `handle`, for the tooltips' code lines.
    """

    def __init__(
        self,
        handle: WorkflowHandle[Any, Any],
        update: Any,
        *,
        approve: Any,
        reject: Any,
        variable: str | None = None,
    ) -> None:
        self.handle = handle
        self.update = update
        self.variable = variable_name(variable, "handle", "workflow handle")
        """The notebook variable that holds the handle, as the code lines name it."""
        self.answer: Any = None
        """The workflow's answer to the update, once one was accepted."""
        self.error: str | None = None
        """Why the last click was refused (for example: the workflow is not waiting yet)."""
        self.clicks: list[str] = []
        """Labels of the buttons clicked, in order."""
        self._tasks: set[asyncio.Task[None]] = set()
        self.buttons = {
            "approve": self._button("Approve", "check", "success", approve),
            "reject": self._button("Reject", "times", "danger", reject),
        }
        self.status = widgets.HTML()
        self.status.add_class("workshop-approval-status")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>Decision for workflow <code>{html.escape(handle.id)}</code></b>"),
                widgets.HBox([self.buttons["approve"], self.buttons["reject"], self.status]),
            ]
        )
        self.widget.add_class("workshop-approval")
        self._render()

    def _button(self, label: str, icon: str, style: str, arg: Any) -> widgets.Button:
        code = update_code(self.variable, self.update, arg)
        button = widgets.Button(description=label, icon=icon, button_style=style, tooltip=code)
        button.add_class(f"workshop-approval-{label.lower()}")

        def clicked(_: widgets.Button) -> None:
            self.clicks.append(label)
            self.status.value = "<i>sending…</i>"
            task = asyncio.get_running_loop().create_task(self.send(arg))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        button.on_click(clicked)
        return button

    async def send(self, arg: Any) -> Any:
        """Send the update with `arg` (what a click does); returns the workflow's answer."""
        try:
            self.answer = await self.handle.execute_update(self.update, arg)
            self.error = None
        except Exception as exc:
            # A validator's refusal arrives as the update's failure: show its message.
            cause = getattr(exc, "cause", None) or exc
            self.error = str(getattr(cause, "message", None) or cause)
        self._render()
        return self.answer

    @property
    def decided(self) -> bool:
        """True once the workflow accepted a decision."""
        return self.answer is not None

    def _render(self) -> None:
        for button in self.buttons.values():
            button.disabled = self.decided
        if self.decided:
            self.status.value = f"✓ {html.escape(str(self.answer))}"
        elif self.error:
            self.status.value = (
                f"<span style='color:#c62828'>refused: {html.escape(self.error)}</span>"
            )
        else:
            self.status.value = "<i>waiting for your click</i>"

    def text(self) -> str:
        """The buttons as text: the state, then each button's code equivalent."""
        if self.decided:
            state = f"decided: {self.answer}"
        elif self.error:
            state = f"refused: {self.error}"
        else:
            state = "waiting for a decision"
        lines = [f"Decision for workflow {self.handle.id}: {state}"]
        lines += [f"  [{b.description}]  {b.tooltip}" for b in self.buttons.values()]
        return "\n".join(lines)


def approval_buttons(
    handle: WorkflowHandle[Any, Any],
    update: Any,
    *,
    approve: Any,
    reject: Any,
    variable: str | None = None,
) -> ApprovalButtons:
    """Approve / Reject buttons that send `update` to the workflow (shown as a cell's result).

    Args:
        handle: the workflow waiting for a decision.
        update: the `@workflow.update` method (or its name) to send.
        approve: the argument sent by Approve.
        reject: the argument sent by Reject.
        variable: the notebook variable that holds `handle`, so each tooltip's line runs as
            written (`variable="request"` shows `await request.execute_update(...)`; default
            `handle`).
    """
    return ApprovalButtons(handle, update, approve=approve, reject=reject, variable=variable)


async def wait_for_query(
    handle: WorkflowHandle[Any, Any],
    query: Any,
    until: Callable[[Any], bool],
    *,
    timeout: float = 30.0,
    interval: float = 0.05,
) -> Any:
    """Query the workflow until `until(answer)` holds; returns that answer.

    Args:
        handle: the workflow.
        query: the `@workflow.query` method (or its name).
        until: the condition on the query's answer.
        timeout: seconds before giving up.

    Raises:
        WorkflowStuck: (a TimeoutError) the condition did not hold within `timeout`, or the
            workflow cannot get on (no worker, failing code); the message says which, with
            the last answer.
    """
    answers: list[Any] = []

    async def ask() -> Any:
        while True:
            try:
                # A query needs a worker; while none serves the workflow it would wait, so bound it.
                answer = await asyncio.wait_for(handle.query(query), 5.0)
                answers.append(answer)
                if until(answer):
                    return answer
            except Exception:
                pass  # No worker has the workflow yet, or it has no state to show yet: ask again.
            await asyncio.sleep(interval)

    try:
        return await watch(ask(), handle, timeout=timeout, what=f"the query {_name(query)}")
    except WorkflowStuck as stuck:
        last = f" (its last answer: {answers[-1]!r})" if answers else ""
        raise WorkflowStuck(f"{stuck}{last}") from None
