"""Every lesson workflow replays its saved histories; a deliberately broken change does not.

Histories come from tools/record_lesson_histories.py (real runs of the solution notebooks);
the workflow code comes from the solution notebooks' `%%workflow_module` cells
(tests/support/lessons.py), so a lesson edit that breaks determinism fails here. A lesson
module with a workflow but no saved history fails too: record it.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from tests.support.lessons import SOLUTIONS, lesson_modules_dir, module_cells, plugins_of
from workshop.testing import discover, sandbox_runner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lesson_histories"
MANIFEST: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text())
RECORD = "run `.venv/bin/python tools/record_lesson_histories.py NN` for its lesson"


def _module(name: str) -> Any:
    lesson_modules_dir()
    return importlib.import_module(f"lesson_modules.{name}")


def _workflow_classes(module: Any) -> list[type]:
    return discover([module])[0]


CASES = [
    pytest.param(module, cls, spec["expect"], item, id=f"{module}.{cls}:{Path(item['file']).stem}")
    for module, entry in MANIFEST.items()
    for cls, spec in entry["workflows"].items()
    for item in spec["histories"]
]


async def _replay(module_name: str, cls_name: str, item: dict[str, str]) -> None:
    module = _module(module_name)
    plugins = plugins_of(module)
    history = WorkflowHistory.from_json(item["workflow_id"], (FIXTURES / item["file"]).read_text())
    await Replayer(
        workflows=[getattr(module, cls_name)], plugins=plugins, workflow_runner=sandbox_runner()
    ).replay_workflow(history)


@pytest.mark.parametrize(("module_name", "cls_name", "expect", "item"), CASES)
async def test_saved_history_replays_as_expected(
    module_name: str, cls_name: str, expect: str, item: dict[str, str]
) -> None:
    if expect == "replays":
        await _replay(module_name, cls_name, item)
    else:
        with pytest.raises(NondeterminismError, match="Nondeterminism error"):
            await _replay(module_name, cls_name, item)


def test_every_lesson_workflow_has_a_saved_history() -> None:
    missing = []
    for notebook in sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb")):
        for name in module_cells(notebook):
            for cls in _workflow_classes(_module(name)):
                spec = MANIFEST.get(name, {}).get("workflows", {}).get(cls.__name__)
                if not (spec and spec["histories"]):
                    missing.append(f"{notebook.name}: {name}.{cls.__name__}")
    assert not missing, f"lesson workflows without a saved history ({RECORD}): {missing}"


def test_the_broken_change_is_covered() -> None:
    # Lesson 06's point: replaying an older run against the changed code is caught.
    expects = [spec["expect"] for e in MANIFEST.values() for spec in e["workflows"].values()]
    assert "nondeterministic" in expects and expects.count("replays") >= 3


async def test_a_history_from_another_workflow_does_not_replay() -> None:
    # Guards the test itself: replay does compare code and history.
    item = MANIFEST["lesson06_approval"]["workflows"]["AskAgent"]["histories"][0]
    with pytest.raises(Exception, match="not registered|[Nn]ondeterminism|does not match"):
        await _replay("lesson06_approval", "ApprovalWorkflow", item)
