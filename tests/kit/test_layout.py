"""The package's shape: a frozen public surface, and imports that run one way (no cycles)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import workshop
import workshop.errors
import workshop.testing
from tests.conftest import REPO_ROOT
from workshop.runtime.settings import REPO_ROOT as KIT_ROOT

PACKAGE = REPO_ROOT / "workshop"

# What the lessons may import. A name added or removed here is a decision: change this list
# on purpose, together with the lessons and the docs.
LESSON_NAMES = {
    "AgentRun",
    "Checks",
    "CityGuide",
    "KillPoint",
    "WEATHER_TOOLS",
    "WorkerProcess",
    "approval_buttons",
    "call_tool",
    "city_guide_url",
    "chat_window",
    "clear_faults",
    "compare_runs",
    "connect",
    "control_panel",
    "describe_model",
    "doctor_report",
    "fault_status",
    "fetch_steps",
    "get_blob",
    "get_ip_address",
    "get_local_news",
    "get_location_from_ip",
    "get_things_to_do",
    "get_weather_alerts",
    "history_meter",
    "history_text",
    "inject_fault",
    "kill_after_activities",
    "kill_after_tool_calls",
    "kill_mid_activity",
    "kill_when_activity_starts",
    "kill_when_tool_starts",
    "load_answer",
    "put_blob",
    "require",
    "run_agent_process",
    "services_status",
    "set_location",
    "settings",
    "show_history",
    "shutdown_all",
    "start_city_guide",
    "start_time_skipping",
    "start_worker",
    "stop_all_workers",
    "stop_worker_processes",
    "summarize",
    "ui_url",
    "unique_id",
    "wait_for_query",
}


def test_the_public_surface_is_what_lessons_use() -> None:
    assert set(workshop.__all__) == LESSON_NAMES
    assert len(workshop.__all__) == len(LESSON_NAMES), "a name is listed twice in __all__"
    for name in workshop.__all__:
        assert getattr(workshop, name) is not None, f"workshop.{name} does not resolve"


def test_import_workshop_loads_nothing_heavy() -> None:
    # Every public name is imported on first use (workshop/__init__.pyi), so a worker process
    # or a script pays only for what it touches. A fresh interpreter, not this one.
    code = (
        "import sys, workshop; "
        "print([m for m in ('temporalio', 'agents', 'openai', 'ipywidgets') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_tests_and_tools_names_live_in_their_own_namespaces() -> None:
    assert not set(workshop.testing.__all__) & LESSON_NAMES
    for name in workshop.testing.__all__:
        assert getattr(workshop.testing, name) is not None, f"workshop.testing.{name}"
    errors = [v for v in vars(workshop.errors).values() if isinstance(v, type)]
    assert all(issubclass(e, Exception) for e in errors) and len(errors) >= 7


def test_every_error_type_is_defined_in_the_errors_module() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {ast.unparse(b) for b in node.bases}
                assert not bases & {
                    "Exception",
                    "RuntimeError",
                    "AssertionError",
                    "WorkshopError",
                }, (
                    f"{path.relative_to(REPO_ROOT)} defines error type {node.name}: "
                    "move it to workshop/errors.py"
                )


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kit_imports() -> dict[str, set[str]]:
    """module -> kit modules it imports (at any depth in the file, function bodies included).

    A package whose names are imported on first use lists them in `__init__.pyi`: its imports
    count as the package's."""
    graph: dict[str, set[str]] = {}
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("__init__.pyi")]:
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                if module.startswith("workshop"):
                    targets.add(module)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("workshop")}
        graph[name] = graph.get(name, set()) | targets - {name}
    return graph


def _folder(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else module


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles_between_modules_or_folders() -> None:
    graph = kit_imports()
    # The package's face (workshop/__init__.py, workshop.testing) re-exports; nothing inside
    # the kit may import it back, but its entry points: the command line and the kernel's
    # start-up file (which imports the kit so a starting kernel is prepared).
    entry_points = ("workshop.__main__", "workshop.notebook.kernel_startup")
    for module, targets in graph.items():
        if module not in ("workshop", "workshop.testing", *entry_points):
            assert not targets & {"workshop", "workshop.testing"}, f"{module} imports the face"
    inner = {m: t for m, t in graph.items() if m not in ("workshop", "workshop.testing")}
    assert _cycle(inner) is None, f"import cycle: {' -> '.join(_cycle(inner) or [])}"
    folders: dict[str, set[str]] = {}
    for module, targets in inner.items():
        folders.setdefault(_folder(module), set()).update(
            _folder(t) for t in targets if _folder(t) != _folder(module)
        )
    assert _cycle(folders) is None, f"folder cycle: {' -> '.join(_cycle(folders) or [])}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    # The no-cycle test is only as good as this search.
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_default_state_folder_is_the_checkouts() -> None:
    assert KIT_ROOT == REPO_ROOT, "the kit's idea of the checkout's root moved with a module"
    env = {k: v for k, v in os.environ.items() if k != "WORKSHOP_STATE_DIR"}
    out = subprocess.run(
        [sys.executable, "-c", "import workshop; print(workshop.settings().state_dir)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == str(REPO_ROOT / ".workshop")
