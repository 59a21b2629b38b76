"""The control panel: worker start / kill / restart, fault switches, server health, UI link.

Made for a live demo with a mouse; every button's tooltip holds the one line of code that
does the same, written with the notebook's own names (`control_panel(worker_b,
variable="worker_b")` shows `worker_b.kill()`), so a notebook run by CI never needs the
panel. Click handlers are sync (ipywidgets calls them so): async work is scheduled as a task
on the kernel's loop, and blocking calls (the fault service's HTTP) run in a thread, so the
kernel never stalls.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from typing import Any

import ipywidgets as widgets

from ..notebook.display import TextForm, variable_name
from ..runtime.server import connect, ui_url
from ..workers.process import WorkerProcess
from ..world.faults import clear_faults, fault_status, inject_fault

FAULT_TARGETS = ("model", "tools", "ip", "geo", "alerts", "local")
FAULT_KINDS = ("rate_limit", "server_error", "slow", "timeout", "unauthorized", "bad_request")
REFRESH_SECONDS = 1.0

# (label, css class, target, kind, count): one-click demo faults.
QUICK_FAULTS = (
    ("Model 429 x3", "workshop-panel-model-429", "model", "rate_limit", 3),
    ("Model down", "workshop-panel-model-down", "model", "server_error", None),
    ("Tools down", "workshop-panel-tools-down", "tools", "server_error", None),
)


def fault_code(target: str, kind: str, count: int | None) -> str:
    """The one line of code that injects this fault."""
    extra = f", count={count}" if count else ""
    return f'inject_fault("{target}", "{kind}"{extra})'


class ControlPanel(TextForm):
    """Buttons for a worker process, fault switches and the server, with a text form."""

    def __init__(self, worker: WorkerProcess | None = None, variable: str | None = None) -> None:
        self.worker = worker
        self.variable = variable_name(variable, "worker", "WorkerProcess")
        """The notebook variable that holds the worker, as the code lines name it."""
        self.faults: dict[str, Callable[..., Any]] = {
            "inject_fault": inject_fault,
            "clear_faults": clear_faults,
            "fault_status": fault_status,
        }
        self.actions: list[str] = []
        """Code equivalents of the buttons clicked, in order (also shown in the panel)."""
        self.server_ok: bool | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refresher: asyncio.Task[None] | None = None
        self.buttons: dict[str, widgets.Button] = {}

        name = self.variable
        self.worker_status = widgets.HTML()
        self.worker_status.add_class("workshop-worker-status")
        self._button("start", "Start worker", "play", f"await {name}.start()", self._start)
        self._button("kill", "Kill worker", "skull", f"{name}.kill()", self._kill, "danger")
        self._button(
            "restart",
            "Restart worker",
            "refresh",
            f"await {name}.restart()",
            self._restart,
            "warning",
        )
        if worker is None:
            for key in ("start", "kill", "restart"):
                self.buttons[key].disabled = True
                self.buttons[
                    key
                ].tooltip = "no worker: pass one, control_panel(worker, variable='worker')"

        self.target = widgets.Dropdown(
            options=FAULT_TARGETS,
            value="model",
            description="target",
            layout=widgets.Layout(width="170px"),
        )
        self.kind = widgets.Dropdown(
            options=FAULT_KINDS,
            value="rate_limit",
            description="kind",
            layout=widgets.Layout(width="200px"),
        )
        self.count = widgets.BoundedIntText(
            value=3, min=0, max=1000, description="count", layout=widgets.Layout(width="140px")
        )
        self._button("inject", "Inject", "bolt", self._selected_code(), self._inject_selected)
        for chooser in (self.target, self.kind, self.count):
            chooser.observe(self._show_selected_code, names="value")
        for label, css, target, kind, count in QUICK_FAULTS:
            code = fault_code(target, kind, count)
            self._button(css, label, "", code, self._quick(target, kind, count), css_class=css)
        self._button("clear", "Clear faults", "eraser", "clear_faults()", self._clear)
        self.fault_status = widgets.HTML()
        self.fault_status.add_class("workshop-fault-status")

        self.server = widgets.HTML()
        self.server.add_class("workshop-server-health")
        self._button(
            "health",
            "Check server",
            "heartbeat",
            "await (await connect()).service_client.check_health()",
            self._check_server,
        )
        self.log = widgets.HTML("<i>click a button; its code equivalent shows here</i>")
        self.log.add_class("workshop-panel-log")

        b = self.buttons
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Workshop control panel</b>"),
                widgets.HBox([b["start"], b["kill"], b["restart"], self.worker_status]),
                widgets.HBox([self.target, self.kind, self.count, b["inject"], b["clear"]]),
                widgets.HBox([*(b[q[1]] for q in QUICK_FAULTS), self.fault_status]),
                widgets.HBox([b["health"], self.server]),
                self.log,
            ]
        )
        self.widget.add_class("workshop-panel")
        self._render()

    # Building blocks.
    def _button(
        self,
        key: str,
        label: str,
        icon: str,
        code: str,
        handler: Callable[[], Any],
        style: str = "",
        css_class: str | None = None,
    ) -> None:
        button = widgets.Button(description=label, icon=icon, tooltip=code, button_style=style)
        button.add_class("workshop-panel-button")
        button.add_class(css_class or f"workshop-panel-{key}")

        def clicked(_: widgets.Button) -> None:
            self._run(button.tooltip, handler)

        button.on_click(clicked)
        self.buttons[key] = button

    def _run(self, code: str, handler: Callable[[], Any]) -> None:
        """Run a click: log the code, run sync work now, async work as a task."""
        self.actions.append(code)
        self.log.value = f"running: <code>{html.escape(code)}</code>"
        try:
            outcome = handler()
        except Exception as exc:
            self._done(code, exc)
            return
        if asyncio.iscoroutine(outcome):
            task = asyncio.get_running_loop().create_task(self._finish(code, outcome))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._done(code, outcome)

    async def _finish(self, code: str, work: Awaitable[Any]) -> None:
        try:
            result: Any = await work
        except Exception as exc:
            result = exc
        self._done(code, result)

    def _done(self, code: str, result: Any) -> None:
        if isinstance(result, Exception):
            error = html.escape(f"{type(result).__name__}: {result}")
            shown = f"<span style='color:#c62828'>{error}</span>"
        else:
            shown = "done" if result is None else html.escape(str(result))[:200]
        self.log.value = f"ran <code>{html.escape(code)}</code> → {shown}"
        self._render()

    # Actions.
    async def _start(self) -> str:
        assert self.worker is not None
        await self.worker.start()
        return self.worker.status()

    def _kill(self) -> str:
        assert self.worker is not None
        killed = self.worker.kill()
        return self.worker.status() if killed else "no worker process was running"

    async def _restart(self) -> str:
        assert self.worker is not None
        await self.worker.restart()
        return self.worker.status()

    async def _call_fault(self, name: str, *args: Any, **kwargs: Any) -> Any:
        fn = self.faults[name]
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, lambda: fn(*args, **kwargs))
        await self._refresh_faults()
        return result

    def _selected_code(self) -> str:
        return fault_code(self.target.value, self.kind.value, self.count.value or None)

    def _show_selected_code(self, _: Any = None) -> None:
        self.buttons["inject"].tooltip = self._selected_code()

    def _inject_selected(self) -> Awaitable[Any]:
        count = self.count.value or None
        return self._call_fault("inject_fault", self.target.value, self.kind.value, count=count)

    def _quick(self, target: str, kind: str, count: int | None) -> Callable[[], Awaitable[Any]]:
        return lambda: self._call_fault("inject_fault", target, kind, count=count)

    def _clear(self) -> Awaitable[Any]:
        return self._call_fault("clear_faults")

    async def _check_server(self) -> str:
        try:
            client = await connect()
            self.server_ok = bool(await asyncio.wait_for(client.service_client.check_health(), 3.0))
        except Exception:
            self.server_ok = False
        self._render()
        return "healthy" if self.server_ok else "not reachable"

    async def _refresh_faults(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            rules = await loop.run_in_executor(None, self.faults["fault_status"])
        except Exception as exc:
            self.fault_status.value = f"<i>faults: {html.escape(str(exc))[:120]}</i>"
            return
        if not rules:
            self.fault_status.value = "faults: <b>none</b>"
            return
        shown = ", ".join(
            f"{r.get('target')}: {r.get('kind')}"
            + (f" ({r.get('count')} left)" if r.get("count") is not None else "")
            for r in rules
        )
        self.fault_status.value = f"faults: <b>{html.escape(shown)}</b>"

    # State.
    def worker_state(self) -> str:
        """One line about the worker process."""
        return self.worker.status() if self.worker else "no worker process attached"

    def _render(self) -> None:
        alive = bool(self.worker and self.worker.alive)
        colour = "#2e7d32" if alive else "#c62828"
        self.worker_status.value = (
            f"<span style='color:{colour}'>{html.escape(self.worker_state())}</span>"
        )
        health = {None: "not checked", True: "healthy", False: "NOT reachable"}[self.server_ok]
        self.server.value = (
            f"Temporal server: <b>{health}</b> · "
            f'<a href="{html.escape(ui_url())}" target="_blank" style="color:#1a73e8">'
            "Temporal UI</a>"
        )

    def start_refreshing(self, interval: float = REFRESH_SECONDS) -> None:
        """Keep the worker state, server health and faults current (a task on the loop)."""
        if self._refresher is None or self._refresher.done():
            self._refresher = asyncio.get_running_loop().create_task(self._refresh_loop(interval))

    async def _refresh_loop(self, interval: float) -> None:
        ticks = 0
        while True:
            if ticks % 5 == 0:
                await self._check_server()
                # Asking for fault status starts the services process: only once faults are in use.
                if any("fault" in action for action in self.actions):
                    await self._refresh_faults()
            self._render()
            ticks += 1
            await asyncio.sleep(interval)

    def close(self) -> None:
        """Stop refreshing and close the widgets."""
        if self._refresher is not None:
            self._refresher.cancel()
        self.widget.close()

    def text(self) -> str:
        """The panel as text: state, then each button with its code equivalent."""
        lines = ["Workshop control panel", f"  worker: {self.worker_state()}"]
        health = {None: "not checked", True: "healthy", False: "NOT reachable"}[self.server_ok]
        lines.append(f"  Temporal server: {health}; UI: {ui_url()}")
        lines.append("  buttons (code equivalent):")
        for button in self.buttons.values():
            state = " (disabled)" if button.disabled else ""
            lines.append(f"    [{button.description}]{state}  {button.tooltip}")
        return "\n".join(lines)


def control_panel(
    worker: WorkerProcess | None = None, *, variable: str | None = None, refresh: bool = True
) -> ControlPanel:
    """A control panel for a worker process, the fault switches and the server.

    Args:
        worker: the `WorkerProcess` its start / kill / restart buttons drive (None: no buttons).
        variable: the notebook variable that holds `worker`, so each button's code line runs
            as written (`variable="worker_b"` shows `worker_b.kill()`; default `worker`).
        refresh: keep the state current in the background (needs a running event loop).
    """
    panel = ControlPanel(worker, variable)
    if refresh:
        try:
            panel.start_refreshing()
        except RuntimeError:
            pass  # No running loop (a plain script): the panel shows the state at creation.
    return panel
