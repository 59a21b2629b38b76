"""Durable Agents Workshop kit: what the lesson notebooks import.

Temporal (the embedded dev server or your cluster), workers in the kernel and in killable
processes, declared crash points, the weather world and its faults, the model, and the
views that show a workflow's history. Lessons import from here and nothing else; tests,
tools and benchmarks find the rest in `workshop.testing`, and errors in `workshop.errors`.

Layout (each folder one concern, arrows one way): `runtime/` servers and processes,
`services/` the local HTTP services, `workers/` Temporal workers, `crash/` kill points,
`model/` the offline model and the model switch, `world/` the weather tools and faults,
`history/` the history view, `notebook/` cells, checks and widgets.
"""

import importlib
from typing import Any

from .crash.agent_process import (
    AgentRun,
    kill_after_tool_calls,
    kill_when_tool_starts,
    run_agent_process,
)
from .crash.kill_points import (
    KillPoint,
    kill_after_activities,
    kill_mid_activity,
    kill_when_activity_starts,
)
from .doctor import doctor_report
from .history.model import fetch_steps, summarize
from .notebook.cells import install_name_error_hint, require, unique_id
from .notebook.checks import Checks
from .notebook.magics import apply_nest_asyncio, in_kernel, register_magics
from .notebook.quiet import quiet_core_warnings, quiet_expected_activity_failures
from .runtime.server import connect, ui_url
from .runtime.services import services_status
from .runtime.settings import settings
from .runtime.shutdown import shutdown_all
from .runtime.timeskip import start_time_skipping
from .workers.kernel import start_worker, stop_all_workers
from .workers.process import WorkerProcess, stop_worker_processes
from .world import (
    WEATHER_TOOLS,
    call_tool,
    get_ip_address,
    get_local_news,
    get_location_from_ip,
    get_things_to_do,
    get_weather_alerts,
    set_location,
)
from .world.blobs import get_blob, put_blob
from .world.faults import clear_faults, fault_status, inject_fault
from .world.mcp_city_guide import CityGuide, city_guide_url, start_city_guide

# Names whose modules load the Agents SDK, the openai client or widgets (about 2 s) are
# imported on first use, so a worker process or a script that only needs Temporal starts fast.
_LAZY = {
    "compare_runs": ".history.view",
    "history_text": ".history.view",
    "show_history": ".history.view",
    "control_panel": ".history.panel",
    "history_meter": ".history.meter",
    "chat_window": ".notebook.chat",
    "approval_buttons": ".notebook.approval",
    "wait_for_query": ".notebook.approval",
    "describe_model": ".model",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'workshop' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    # Temporal and its workers
    "connect",
    "ui_url",
    "settings",
    "start_worker",
    "stop_all_workers",
    "WorkerProcess",
    "stop_worker_processes",
    "start_time_skipping",
    "shutdown_all",
    "doctor_report",
    # Declared crashes
    "KillPoint",
    "kill_when_activity_starts",
    "kill_mid_activity",
    "kill_after_activities",
    "AgentRun",
    "run_agent_process",
    "kill_when_tool_starts",
    "kill_after_tool_calls",
    # The weather world and its faults
    "WEATHER_TOOLS",
    "call_tool",
    "get_ip_address",
    "get_location_from_ip",
    "get_weather_alerts",
    "get_things_to_do",
    "get_local_news",
    "set_location",
    "put_blob",
    "get_blob",
    "inject_fault",
    "clear_faults",
    "fault_status",
    "services_status",
    "CityGuide",
    "start_city_guide",
    "city_guide_url",
    # What you see
    "fetch_steps",
    "summarize",
    # Cells and exercises
    "Checks",
    "require",
    "unique_id",
    *_LAZY,
]


def _route_kernel_model_calls() -> None:
    """In a kernel, `AsyncOpenAI()` and the Agents SDK's default provider must reach the
    kit's model gateway from the first cell on, so the variables are routed at import
    (see `runtime/services.py`); the services start here, in about a second."""
    import warnings

    from .errors import WorkshopError
    from .runtime.services import route_model_calls

    try:
        route_model_calls()
    except WorkshopError as exc:
        warnings.warn(f"the kit's model gateway did not start: {exc}", stacklevel=2)


if in_kernel():
    _route_kernel_model_calls()
    apply_nest_asyncio()
    register_magics()
    install_name_error_hint()
    quiet_expected_activity_failures()
    quiet_core_warnings()
