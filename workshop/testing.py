"""What the kit's tests, tools and benchmarks use beyond the lessons' names.

Lessons import from `workshop`; this namespace holds the machinery underneath (servers,
services, worker building, the offline model's classes, the history model), so the
lessons' import list stays small and a test can still reach every part.
"""

from .history.model import Step, Totals, as_events, history_steps
from .history.panel import ControlPanel
from .history.view import Comparison, HistoryView
from .model import (
    MODEL_NAME,
    Conversation,
    ModelConfig,
    ToolSpec,
    agents_plugin,
    create_chat_completion,
    create_response,
    decide,
    get_model_provider,
    model_config,
)
from .model.agents import OfflineModel, OfflineModelProvider
from .notebook.approval import ApprovalButtons
from .notebook.magics import write_module
from .notebook.quiet import ExpectedFailureFilter
from .runtime import processes
from .runtime.script import run_script
from .runtime.server import ServerInfo, ensure_server, find_server, stop_server
from .runtime.services import ServicesInfo, ensure_services, route_model_calls, stop_services
from .runtime.settings import Settings
from .workers.kernel import KernelWorker, running_workers
from .workers.options import build_worker, discover, sandbox_runner
from .world import LOCAL_TOOLS, chat_tools

__all__ = [
    "agents_plugin",
    "create_response",
    "get_model_provider",
    "LOCAL_TOOLS",
    "MODEL_NAME",
    "ApprovalButtons",
    "Comparison",
    "ControlPanel",
    "Conversation",
    "ExpectedFailureFilter",
    "HistoryView",
    "KernelWorker",
    "ModelConfig",
    "OfflineModel",
    "OfflineModelProvider",
    "ServerInfo",
    "ServicesInfo",
    "Settings",
    "Step",
    "ToolSpec",
    "Totals",
    "as_events",
    "build_worker",
    "chat_tools",
    "create_chat_completion",
    "decide",
    "discover",
    "ensure_server",
    "ensure_services",
    "find_server",
    "history_steps",
    "model_config",
    "processes",
    "route_model_calls",
    "run_script",
    "running_workers",
    "sandbox_runner",
    "stop_server",
    "stop_services",
    "write_module",
]
