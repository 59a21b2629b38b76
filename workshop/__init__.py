"""Durable Agents Workshop kit: what the lesson notebooks import.

Temporal (embedded dev server or your cluster), workers in the kernel and in killable
processes, and declared crash points. Notebooks import from here, never from private modules.
"""

from ._cells import MissingSetup, install_name_error_hint, require, unique_id
from ._crash import (
    KillPoint,
    kill_after_activities,
    kill_mid_activity,
    kill_when_activity_starts,
)
from ._errors import (
    PortInUse,
    TemporalBinaryMissing,
    TemporalUnreachable,
    WorkerStartError,
    WorkshopError,
)
from ._exercises import Checks, ExerciseIncomplete
from ._history.model import Step, Totals, fetch_steps, history_steps, summarize
from ._history.panel import ControlPanel, control_panel
from ._history.view import Comparison, HistoryView, compare_runs, history_text, show_history
from ._notebook import apply_nest_asyncio, in_kernel, register_magics, write_module
from ._script import run_script
from ._shutdown import shutdown_all
from ._settings import Settings, settings
from ._temporal import ServerInfo, connect, ensure_server, stop_server, ui_url
from ._workers import (
    KernelWorker,
    WorkerProcess,
    WorkerTuning,
    build_worker,
    running_workers,
    start_worker,
    stop_all_workers,
)

__all__ = [
    # History view and control panel (workshop/_history).
    "Comparison",
    "ControlPanel",
    "HistoryView",
    "Step",
    "Totals",
    "compare_runs",
    "control_panel",
    "fetch_steps",
    "history_steps",
    "history_text",
    "show_history",
    "summarize",
    "Checks",
    "ExerciseIncomplete",
    "KernelWorker",
    "KillPoint",
    "MissingSetup",
    "PortInUse",
    "ServerInfo",
    "Settings",
    "TemporalBinaryMissing",
    "TemporalUnreachable",
    "WorkerProcess",
    "WorkerStartError",
    "WorkerTuning",
    "WorkshopError",
    "apply_nest_asyncio",
    "build_worker",
    "connect",
    "ensure_server",
    "in_kernel",
    "kill_after_activities",
    "kill_mid_activity",
    "kill_when_activity_starts",
    "register_magics",
    "require",
    "run_script",
    "running_workers",
    "settings",
    "shutdown_all",
    "start_worker",
    "stop_all_workers",
    "stop_server",
    "ui_url",
    "unique_id",
    "write_module",
]

if in_kernel():
    apply_nest_asyncio()
    register_magics()
    install_name_error_hint()
