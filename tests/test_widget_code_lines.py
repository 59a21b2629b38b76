"""The code lines the control panel and the approval buttons show are the notebook's own code.

Each tooltip (and the click log, and the text form) is a line a learner can type: it compiles,
and it names the notebook's variable (`worker_b`, `request`), never a process name or a stand-in.
Every lesson that shows one of these widgets tells it the variable's name.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import Client

from tests.support.code_lines import assert_runs_in_notebook, unknown_names
from workshop import WorkerProcess, approval_buttons, control_panel

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


@dataclass
class Review:
    approved: bool
    reviewer: str


@workflow.defn
class ApprovalWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update
    async def decide(self, review: Review) -> str:
        return "ok"


def test_the_checker_refuses_a_process_name_and_a_stand_in() -> None:
    with pytest.raises(AssertionError, match="lesson"):
        assert_runs_in_notebook(["lesson-06-b.kill()"], {"worker_b"})
    with pytest.raises(AssertionError, match="not Python"):
        assert_runs_in_notebook(["lesson 06.kill()"], {"worker_b"})
    assert unknown_names("await worker_b.restart()", {"worker_b"}) == set()


def test_control_panel_lines_name_the_notebook_variable() -> None:
    worker_b = WorkerProcess("lesson_modules.lesson06_worker", task_queue="q", name="lesson-06-b")
    panel = control_panel(worker_b, variable="worker_b", refresh=False)
    try:
        assert panel.buttons["kill"].tooltip == "worker_b.kill()"
        lines = [b.tooltip for b in panel.buttons.values()]
        assert_runs_in_notebook(lines, {"worker_b"})
        # The free-form fault follows the choosers, so its line is the one the click runs.
        panel.target.value, panel.kind.value, panel.count.value = "geo", "slow", 0
        assert panel.buttons["inject"].tooltip == 'inject_fault("geo", "slow")'
        panel.buttons["kill"].click()  # a click logs its line (no process runs: nothing dies)
        assert panel.actions == ["worker_b.kill()"]
        assert "worker_b.kill()" in panel.log.value
        shown = [line.split("]", 1)[1].strip() for line in panel.text().splitlines() if "]" in line]
        assert_runs_in_notebook(shown, {"worker_b"})
    finally:
        panel.close()


def test_a_name_that_is_not_python_is_refused_in_words() -> None:
    worker = WorkerProcess("m", task_queue="q", name="lesson-06-b")
    with pytest.raises(ValueError, match="not a Python name.*WorkerProcess"):
        control_panel(worker, variable="lesson-06 b", refresh=False)


async def test_approval_tooltips_name_the_handle_variable_and_the_update(client: Client) -> None:
    request = client.get_workflow_handle("approval-not-started")
    buttons = approval_buttons(
        request,
        ApprovalWorkflow.decide,
        approve=Review(True, "you"),
        reject=Review(False, "you"),
        variable="request",
    )
    approve = buttons.buttons["approve"].tooltip
    assert (
        approve == "await request.execute_update('decide', Review(approved=True, reviewer='you'))"
    )
    lines = [b.tooltip for b in buttons.buttons.values()]
    assert_runs_in_notebook(lines, {"request", "Review"})
    # An argument without a Python repr is shown as a comment, not as code that cannot run.
    odd = approval_buttons(request, "decide", approve=object(), reject=None, variable="request")
    assert odd.buttons["approve"].tooltip.startswith("# await request.execute_update('decide'")
    assert_runs_in_notebook([odd.buttons["reject"].tooltip], {"request"})


def _widget_calls(notebook: Path) -> list[ast.Call]:
    """The `control_panel(...)` and `approval_buttons(...)` calls in a notebook's code cells."""
    calls = []
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or source.startswith("%%"):
            continue
        flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        tree = compile(source, notebook.name, "exec", flags=flags)
        calls += [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("control_panel", "approval_buttons")
        ]
    return calls


def test_every_lesson_tells_the_widget_its_variable() -> None:
    calls = [
        (path.name, call) for path in SOLUTIONS.glob("*.ipynb") for call in _widget_calls(path)
    ]
    assert len(calls) >= 2, "lesson 06 shows the approval buttons and the control panel"
    for name, call in calls:
        variable = {k.arg: k.value for k in call.keywords}.get("variable")
        assert isinstance(variable, ast.Constant), (
            f"{name}: {ast.unparse(call)} needs variable=... (the name its code lines use)"
        )
        assert variable.value == ast.unparse(call.args[0]), (
            f"{name}: {ast.unparse(call)} holds {ast.unparse(call.args[0])}, "
            f"but its code lines would say {variable.value}"
        )
