"""The inline history view: a live timeline of a workflow's steps, and two runs side by side.

Live updates run as an asyncio task on the kernel's own loop (poll, render, sleep), so the
cell that shows the view returns at once and later cells run meanwhile. Every view also has
a plain-text form: it is what nbval, terminals and a reopened notebook show.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
from temporalio.client import Client, WorkflowHandle, WorkflowHistory

from ..notebook.display import TextForm
from ..notebook.failures import watch
from ..runtime.server import ui_url
from .model import Step, Totals, fetch_steps, history_steps, resolve_handle, summarize

POLL_SECONDS = 0.4

LABELS = {
    "start": "START",
    "llm": "LLM",
    "tool": "TOOL",
    "activity": "ACTIVITY",
    "retry": "RETRY",
    "timeout": "TIMEOUT",
    "crash": "CRASH",
    "resume": "RESUME",
    "timer": "TIMER",
    "signal": "SIGNAL",
    "update": "UPDATE",
    "child": "CHILD",
    "handoff": "HANDOFF",
    "workflow_task": "WF TASK",
    "end": "END",
}

# Row colours by kind; the crash and resume rows must stand out on a projector.
COLOURS = {
    "llm": "#e8f0fe",
    "tool": "#e6f4ea",
    "retry": "#fef7e0",
    "timeout": "#fce8e6",
    "crash": "#f8d7da",
    "resume": "#d4edda",
    "handoff": "#f3e8fd",
    "end": "#eeeeee",
}

CSS = """
<style>
.workshop-history .workshop-step { margin: 0; padding: 0; }
.workshop-step-row { font-family: monospace; font-size: 12px; padding: 2px 6px;
  border-left: 4px solid #bbb; margin: 1px 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.workshop-step-row.k-crash { border-left-color: #c62828; font-weight: bold; }
.workshop-step-row.k-resume { border-left-color: #2e7d32; font-weight: bold; }
.workshop-step-row.s-running { border-left-color: #1a73e8; }
.workshop-step-row.s-failed { border-left-color: #c62828; }
</style>
"""

# Two runs side by side: each column takes half the width and may shrink below its content
# (a flex item's default minimum is its widest line, which pushed one column over the other),
# and its rows wrap instead of cutting text, so every step stays readable from 1000 px up.
COMPARE_CSS = """
<style>
.workshop-compare-columns { gap: 12px; }
.workshop-compare-run { flex: 1 1 0; min-width: 0; margin: 0; }
.workshop-compare-run > .widget-html-content { min-width: 0; line-height: 1.4; }
.workshop-compare .workshop-step-row { white-space: normal; overflow-wrap: anywhere; }
.workshop-compare-totals td, .workshop-compare-totals th { padding: 0 12px 0 0; text-align: left; }
</style>
"""


def _as_steps(run: Any) -> list[Step]:
    """Steps from a view, a list of steps or dicts, or a history (object or JSON)."""
    if isinstance(run, HistoryView):
        return list(run.steps)
    if isinstance(run, (WorkflowHistory, str, bytes, dict)):
        return history_steps(run)
    items = list(run)
    if items and all(isinstance(item, dict) for item in items):
        return [Step.from_dict(item) for item in items]
    if items and not isinstance(items[0], Step):
        return history_steps(items)
    return items


def _when(step: Step) -> str:
    if step.duration is not None:
        return f"{step.duration:.1f} s"
    return ""


def step_line(index: int, step: Step, width: int = 44) -> str:
    """One step as a fixed-width text line."""
    title = step.title if len(step.title) <= width else step.title[: width - 1] + "…"
    attempt = f"#{step.attempt}" if step.attempt > 1 else ""
    return (
        f"{index:>3}  {LABELS.get(step.kind, step.kind.upper()):<8} {title:<{width}} "
        f"{step.status:<10}{attempt:<4}{_when(step):>7}  {step.detail}"
    ).rstrip()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def totals_text(totals: Totals) -> str:
    """Totals in one or two sentences; a run without LLM calls says nothing about LLMs."""
    parts = []
    if totals.llm_calls:
        parts.append(
            f"{_count(totals.llm_calls, 'LLM call', 'LLM calls')}, {totals.tokens} tokens "
            f"({totals.tokens_in} in / {totals.tokens_out} out)"
        )
    if totals.llm_calls or totals.tool_calls:
        parts.append(_count(totals.tool_calls, "tool call", "tool calls"))
    if totals.activities or not parts:
        other = "other activity" if parts else "activity"
        parts.append(_count(totals.activities, other, other.replace("activity", "activities")))
    parts.append(_count(totals.retries, "retry", "retries"))
    parts.append(_count(totals.crashes, "worker crash", "worker crashes"))
    text = ", ".join(parts)
    if totals.crashes and totals.llm_calls_saved:
        saved = _count(totals.llm_calls_saved, "LLM call", "LLM calls")
        text += (
            f". A non-durable loop would have paid {totals.tokens_saved} tokens "
            f"({saved}) again after the crash; Temporal paid 0."
        )
    elif totals.crashes and totals.done_before_crash:
        done = _count(totals.done_before_crash, "activity", "activities")
        text += f". The {done} completed before the crash did not run again."
    return text


def history_text(steps_or_history: Any, *, title: str = "") -> str:
    """A readable plain-text table of a run's steps and totals."""
    steps = _as_steps(steps_or_history)
    totals = summarize(steps)
    lines = [title] if title else []
    lines.append(f"status: {totals.status}")
    lines.append(f"{'#':>3}  {'KIND':<8} {'STEP':<44} {'STATUS':<10}{'TRY':<4}{'TIME':>7}  DETAIL")
    lines += [step_line(i, step) for i, step in enumerate(steps, 1)]
    lines.append("totals: " + totals_text(totals))
    return "\n".join(lines)


def row_html(index: int, step: Step) -> str:
    """One step as an HTML row (escaped)."""
    colour = COLOURS.get(step.kind, "#fafafa")
    attempt = f" attempt {step.attempt}" if step.attempt > 1 else ""
    when = f" · {_when(step)}" if _when(step) else ""
    return (
        f'<div class="workshop-step-row k-{step.kind} s-{step.status.replace(" ", "-")}" '
        f'style="background:{colour}" title="{html.escape(step.detail)}">'
        f"{index:>3} <b>{LABELS.get(step.kind, step.kind.upper())}</b> "
        f"{html.escape(step.title)} <i>[{html.escape(step.status)}{attempt}{when}]</i> "
        f"{html.escape(step.detail)}</div>"
    )


def history_html(steps: Sequence[Step], title: str = "") -> str:
    """Static HTML of a run (for renderers without widgets)."""
    totals = summarize(steps)
    head = f"<b>{html.escape(title)}</b> " if title else ""
    rows = "".join(row_html(i, s) for i, s in enumerate(steps, 1))
    return (
        f'{CSS}<div class="workshop-history">{head}status: <b>{totals.status}</b>'
        f"{rows}<div>{html.escape(totals_text(totals))}</div></div>"
    )


class HistoryView(TextForm):
    """A workflow's steps as a timeline that updates live; also a text and HTML form."""

    def __init__(self, handle_or_id: WorkflowHandle[Any, Any] | str, client: Client | None) -> None:
        self.workflow_id = (
            handle_or_id.id if isinstance(handle_or_id, WorkflowHandle) else str(handle_or_id)
        )
        self.run_id = (
            (handle_or_id.result_run_id or handle_or_id.run_id)
            if isinstance(handle_or_id, WorkflowHandle)
            else None
        )
        self._target = handle_or_id
        self._client = client
        self.steps: list[Step] = []
        self.totals = Totals(status="loading")
        self.refreshes = 0
        """How many times the view has fetched and redrawn the history."""
        self.error: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._display_handle: Any = None
        self._header = widgets.HTML()
        self._header.add_class("workshop-history-header")
        self._totals = widgets.HTML()
        self._totals.add_class("workshop-history-totals")
        self._rows: list[widgets.HTML] = []
        self._row_classes: list[tuple[str, ...]] = []
        self._box = widgets.VBox()
        self._box.add_class("workshop-history-rows")
        self.widget = widgets.VBox([widgets.HTML(CSS), self._header, self._box, self._totals])
        self.widget.add_class("workshop-history")
        self._render()

    @property
    def url(self) -> str:
        """This workflow's page in the Temporal UI."""
        return ui_url(self.workflow_id, self.run_id)

    @property
    def closed(self) -> bool:
        """True once the workflow has completed, failed, or otherwise closed."""
        return self.totals.status not in ("running", "loading", "unknown")

    def set_steps(self, steps: list[Step]) -> None:
        """Show these steps (used by the poller; also handy for recorded histories)."""
        self.steps = steps
        self.totals = summarize(steps)
        self._render()

    async def refresh(self) -> list[Step]:
        """Fetch the history once and redraw."""
        try:
            steps = await fetch_steps(self._target, self._client)
            self.error = None
        except Exception as exc:  # Shown in the header; the next poll may succeed.
            self.error = f"{type(exc).__name__}: {exc}"
            self._render()
            return self.steps
        self.refreshes += 1
        self.set_steps(steps)
        return steps

    def start(self, interval: float = POLL_SECONDS, *, live: bool = True) -> None:
        """Poll in the background on the running event loop until the workflow closes.

        Args:
            interval: seconds between polls.
            live: False fetches once and stops.
        """
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.get_running_loop().create_task(
            self._poll(interval, live), name=f"history-view:{self.workflow_id}"
        )

    def stop(self) -> None:
        """Stop polling (the view keeps what it shows)."""
        if self._task is not None:
            self._task.cancel()

    async def _poll(self, interval: float, live: bool) -> None:
        self._target = await resolve_handle(self._target, self._client)
        while True:
            await self.refresh()
            if self.closed or not live:
                break
            await asyncio.sleep(interval)
        if self._display_handle is not None:
            # Rewrite the saved output so a reopened notebook shows the final text form.
            self._display_handle.update(self._repr_mimebundle_(), raw=True)

    async def wait_closed(self, timeout: float | None = None) -> HistoryView:
        """Wait until the workflow closes and the view shows its last step.

        Raises:
            WorkflowStuck: no worker polls the workflow's task queue, its code keeps failing,
                or it is still running after `timeout` seconds (the message says which).
        """
        if self._task is None or self._task.done():
            if self.closed:
                return self
            self.start()
        assert self._task is not None
        handle = await resolve_handle(self._target, self._client)
        await watch(
            asyncio.shield(self._task),
            handle,
            timeout=float("inf") if timeout is None else timeout,
            what=f"workflow {self.workflow_id} to close",
        )
        return self

    def text(self) -> str:
        """The plain-text table (what terminals, nbval and reopened notebooks show)."""
        body = history_text(self.steps, title=f"workflow {self.workflow_id}")
        if self.totals.status == "loading":
            body = f"workflow {self.workflow_id}: loading history..."
        return f"{body}\nTemporal UI: {self.url}"

    def _repr_html_(self) -> str:
        link = f'<a href="{html.escape(self.url)}" target="_blank">open in Temporal UI</a>'
        return history_html(self.steps, f"workflow {self.workflow_id}") + link

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self._repr_html_()
        return bundle

    def _ipython_display_(self) -> None:
        self.display()

    def display(self) -> None:
        """Show the view in the notebook (the text form where widgets are not rendered)."""
        from IPython.display import display

        # Raw bundle: displaying `self` would call `_ipython_display_` again.
        self._display_handle = display(self._repr_mimebundle_(), raw=True, display_id=True)

    def _render(self) -> None:
        status = self.totals.status
        error = (
            f" <span style='color:#c62828'>({html.escape(self.error)})</span>" if self.error else ""
        )
        self._header.value = (
            f"<b>workflow {html.escape(self.workflow_id)}</b> · status <b>{status}</b>{error} · "
            f'<a href="{html.escape(self.url)}" target="_blank" style="color:#1a73e8">'
            "open in Temporal UI</a>"
        )
        self._totals.value = f"<div>{html.escape(totals_text(self.totals))}</div>"
        for index, step in enumerate(self.steps):
            classes = ("workshop-step", f"workshop-step-{step.kind}")
            value = row_html(index + 1, step)
            if index == len(self._rows):
                row = widgets.HTML(value)
                for name in classes:
                    row.add_class(name)
                self._rows.append(row)
                self._row_classes.append(classes)
                continue
            row = self._rows[index]
            if row.value != value:
                row.value = value
            if self._row_classes[index] != classes:
                for name in self._row_classes[index]:
                    row.remove_class(name)
                for name in classes:
                    row.add_class(name)
                self._row_classes[index] = classes
        del self._rows[len(self.steps) :]
        del self._row_classes[len(self.steps) :]
        if len(self._box.children) != len(self._rows):
            self._box.children = tuple(self._rows)


def show_history(
    handle_or_workflow_id: WorkflowHandle[Any, Any] | str,
    *,
    client: Client | None = None,
    live: bool = True,
) -> HistoryView:
    """A live view of a workflow's event history; shows itself as a cell's last expression.

    Args:
        handle_or_workflow_id: the workflow's handle, or its workflow id.
        client: the client to use (default: the kit's `connect()`).
        live: keep polling until the workflow closes; False fetches once.
    """
    view = HistoryView(handle_or_workflow_id, client)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return view  # No loop (a plain script): `await view.refresh()` fills it.
    view.start(live=live)
    return view


class Comparison(TextForm):
    """Two runs side by side, with a text form."""

    def __init__(self, a: Any, b: Any, labels: tuple[str, str]) -> None:
        self.labels = labels
        self.steps = (_as_steps(a), _as_steps(b))
        self.totals = (summarize(self.steps[0]), summarize(self.steps[1]))
        columns = []
        for label, steps in zip(labels, self.steps, strict=True):
            column = widgets.HTML(history_html(steps, label))
            column.add_class("workshop-compare-run")
            columns.append(column)
        table = widgets.HTML(COMPARE_CSS + self._table_html())
        table.add_class("workshop-compare-totals")
        pair = widgets.HBox(columns)
        pair.add_class("workshop-compare-columns")
        self.widget = widgets.VBox([table, pair])
        self.widget.add_class("workshop-compare")

    def _rows(self) -> list[tuple[str, str, str]]:
        a, b = self.totals
        llm = bool(a.llm_calls or b.llm_calls)
        rows = [("status", a.status, b.status)]
        if llm:
            rows.append(("LLM calls", str(a.llm_calls), str(b.llm_calls)))
            rows.append(("tokens", str(a.tokens), str(b.tokens)))
        tools = bool(llm or a.tool_calls or b.tool_calls)
        if tools:
            rows.append(("tool calls", str(a.tool_calls), str(b.tool_calls)))
        if a.activities or b.activities or not tools:
            name = "other activities" if tools else "activities"
            rows.append((name, str(a.activities), str(b.activities)))
        rows.append(("retries", str(a.retries), str(b.retries)))
        rows.append(("worker crashes", str(a.crashes), str(b.crashes)))
        if llm:
            rows.append(("tokens done before a crash", str(a.tokens_saved), str(b.tokens_saved)))
        else:
            done = (str(a.done_before_crash), str(b.done_before_crash))
            rows.append(("done before a crash", *done))
        return rows

    def _table_html(self) -> str:
        head = "".join(f"<th>{html.escape(x)}</th>" for x in ("", *self.labels))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self._rows()
        )
        return f"<table><tr>{head}</tr>{body}</table>"

    def text(self) -> str:
        """The totals table, then each run's steps."""
        width = max(len(self.labels[0]), 12)
        lines = [f"{'':<28}{self.labels[0]:<{width + 2}}{self.labels[1]}"]
        lines += [f"{name:<28}{x:<{width + 2}}{y}" for name, x, y in self._rows()]
        for label, steps in zip(self.labels, self.steps, strict=True):
            lines += ["", history_text(steps, title=label)]
        return "\n".join(lines)


def compare_runs(
    a: Any, b: Any, *, labels: tuple[str, str] = ("crashed + resumed", "uncrashed")
) -> Comparison:
    """Two runs side by side: totals table plus each run's steps.

    Args:
        a: a `HistoryView`, a list of `Step`, a list of dicts (e.g. a bare loop's record of
            LLM calls: `{"kind": "llm", "model": ..., "tokens_in": ..., "tokens_out": ...}`,
            `{"kind": "crash"}`), or a history (`WorkflowHistory` or its JSON).
        b: the same, for the other run.
        labels: column titles.
    """
    return Comparison(a, b, labels)
