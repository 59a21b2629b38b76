# The kit's public surface: what the lesson notebooks import, and nothing else. Tests, tools and
# benchmarks find the rest in `workshop.testing`; errors are in `workshop.errors`.
#
# `workshop/__init__.py` reads this file (lazy_loader.attach_stub): each name below is imported
# on first use, so `import workshop` costs milliseconds and a worker process or a script loads
# only what it touches. Type checkers read this file as the package's signature.

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
from .history.meter import history_meter
from .history.model import fetch_steps, summarize
from .history.panel import control_panel
from .history.view import compare_runs, history_text, show_history
from .model import describe_model
from .notebook.answers import load_answer
from .notebook.approval import approval_buttons, wait_for_query
from .notebook.cells import require, unique_id
from .notebook.chat import chat_window
from .notebook.checks import Checks
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
    "show_history",
    "history_text",
    "compare_runs",
    "history_meter",
    "control_panel",
    "chat_window",
    "approval_buttons",
    "wait_for_query",
    "describe_model",
    # Cells and exercises
    "Checks",
    "load_answer",
    "require",
    "unique_id",
]
