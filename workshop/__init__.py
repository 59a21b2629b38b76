"""Durable Agents Workshop kit: what the lesson notebooks import.

Temporal (embedded dev server or your cluster), workers in the kernel and in killable
processes, and declared crash points. Notebooks import from here, never from private modules.
"""

from typing import TYPE_CHECKING

from ._agent_process import (
    AgentRun,
    kill_after_tool_calls,
    kill_when_tool_starts,
    run_agent_process,
)
from ._cells import MissingSetup, install_name_error_hint, require, unique_id
from ._crash import (
    KillPoint,
    kill_after_activities,
    kill_mid_activity,
    kill_when_activity_starts,
)
from ._doctor import doctor_report
from ._errors import (
    PortInUse,
    TemporalBinaryMissing,
    TemporalUnreachable,
    WorkerStartError,
    WorkshopError,
)
from ._exercises import Checks, ExerciseIncomplete
from ._faults import clear_faults, fault_status, inject_fault
from ._history.model import Step, Totals, fetch_steps, history_steps, summarize
from ._lazy import lazy_exports
from ._notebook import apply_nest_asyncio, in_kernel, register_magics, write_module
from ._quiet import quiet_core_warnings, quiet_expected_activity_failures
from ._script import run_script
from ._services import ServicesInfo, ensure_services, services_status, stop_services
from ._settings import Settings, settings
from ._shutdown import shutdown_all
from ._temporal import ServerInfo, connect, ensure_server, stop_server, ui_url
from ._timeskip import start_time_skipping
from ._weather import (
    LOCAL_TOOLS,
    WEATHER_TOOLS,
    call_tool,
    chat_tools,
    get_ip_address,
    get_local_news,
    get_location_from_ip,
    get_things_to_do,
    get_weather_alerts,
    set_location,
)
from ._workers import (
    KernelWorker,
    WorkerProcess,
    WorkerTuning,
    build_worker,
    discover,
    running_workers,
    sandbox_runner,
    start_worker,
    stop_all_workers,
    stop_worker_processes,
)

# Heavy parts (the Agents SDK, widgets) load on first use: see _lazy.py.
_LAZY = {
    "ControlPanel": "._history.panel",
    "control_panel": "._history.panel",
    "Comparison": "._history.view",
    "HistoryView": "._history.view",
    "compare_runs": "._history.view",
    "history_text": "._history.view",
    "show_history": "._history.view",
    "ApprovalButtons": "._humans",
    "approval_buttons": "._humans",
    "wait_for_query": "._humans",
    "MODEL_NAME": "._model",
    "ModelConfig": "._model",
    "OfflineModel": "._model",
    "OfflineModelProvider": "._model",
    "agents_plugin": "._model",
    "create_chat_completion": "._model",
    "create_response": "._model",
    "describe_model": "._model",
    "get_model_provider": "._model",
    "model_config": "._model",
    "model_error": "._model",
    "model_name": "._model",
    "openai_client": "._model",
}
__getattr__ = lazy_exports(__name__, _LAZY)

if TYPE_CHECKING:
    from ._history.panel import (
        ControlPanel,
        control_panel,
    )
    from ._history.view import (
        Comparison,
        HistoryView,
        compare_runs,
        history_text,
        show_history,
    )
    from ._humans import (
        ApprovalButtons,
        approval_buttons,
        wait_for_query,
    )
    from ._model import (
        MODEL_NAME,
        ModelConfig,
        OfflineModel,
        OfflineModelProvider,
        agents_plugin,
        create_chat_completion,
        create_response,
        describe_model,
        get_model_provider,
        model_config,
        model_error,
        model_name,
        openai_client,
    )

__all__ = [
    # Human in the loop (lesson 06).
    "ApprovalButtons",
    "approval_buttons",
    "wait_for_query",
    # A plain Agents SDK run in a killable process (lesson 01).
    "AgentRun",
    "kill_after_tool_calls",
    "kill_when_tool_starts",
    "run_agent_process",
    # Offline model, model switch, services, faults and weather world (issue 3).
    "LOCAL_TOOLS",
    "MODEL_NAME",
    "ModelConfig",
    "OfflineModel",
    "OfflineModelProvider",
    "ServicesInfo",
    "WEATHER_TOOLS",
    "agents_plugin",
    "call_tool",
    "chat_tools",
    "clear_faults",
    "create_chat_completion",
    "create_response",
    "describe_model",
    "discover",
    "ensure_services",
    "fault_status",
    "get_ip_address",
    "get_local_news",
    "get_location_from_ip",
    "get_model_provider",
    "get_things_to_do",
    "get_weather_alerts",
    "inject_fault",
    "model_config",
    "model_error",
    "model_name",
    "openai_client",
    "services_status",
    "set_location",
    "stop_services",
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
    "doctor_report",
    "ensure_server",
    "in_kernel",
    "kill_after_activities",
    "kill_mid_activity",
    "kill_when_activity_starts",
    "register_magics",
    "require",
    "run_script",
    "running_workers",
    "sandbox_runner",
    "settings",
    "shutdown_all",
    "start_time_skipping",
    "start_worker",
    "stop_all_workers",
    "stop_server",
    "stop_worker_processes",
    "ui_url",
    "unique_id",
    "write_module",
]

if in_kernel():
    apply_nest_asyncio()
    register_magics()
    install_name_error_hint()
    quiet_expected_activity_failures()
    quiet_core_warnings()
