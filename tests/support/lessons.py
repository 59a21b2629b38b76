"""Lesson workflow code for tests, taken from the solution notebooks themselves (single source).

Lessons write their workflow modules with the `%%workflow_module NAME` cell magic. Tests
that need those workflows (replay, crash tests) call `lesson_modules_dir()`, which writes
every such cell of every solution notebook into one folder as `lesson_modules/NAME.py` and
puts the folder on sys.path; import them as `lesson_modules.NAME`, and give worker
processes that folder as `cwd`. Module names are unique across lessons (`lessonNN_...`).
"""

from __future__ import annotations

import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
MAGIC = "%%workflow_module"


def module_cells(notebook: Path) -> dict[str, str]:
    """NAME -> source of each `%%workflow_module NAME` cell in `notebook`."""
    import nbformat  # here: a replay in a fresh process needs plugins_of, not 2 s of nbformat

    found: dict[str, str] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith(MAGIC):
            found[first[len(MAGIC) :].strip()] = body
    return found


@cache
def lesson_modules_dir() -> Path:
    """A folder holding `lesson_modules/` with every lesson's modules; on sys.path."""
    root = Path(tempfile.mkdtemp(prefix="lesson-modules-"))
    package = root / "lesson_modules"
    package.mkdir()
    (package / "__init__.py").touch()
    for notebook in sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb")):
        for name, source in module_cells(notebook).items():
            target = package / f"{name}.py"
            if target.exists():
                raise ValueError(f"module {name} is written by two notebooks")
            target.write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))
    return root


def plugins_of(module: Any) -> list[Any]:
    """The Temporal plugins a lesson module's workflows need (the OpenAI Agents plugin, if any).

    Lessons on the Agents SDK define `openai_agents_plugin()` next to their workflows; a
    workflow that extends another lesson module's (lesson 07's `StreamingConversation` extends
    `Conversation`), or builds its agent with another's (lesson 08's `CarefulGuide` uses the
    city guide's), runs on the plugin of that module. Without the plugin a worker or a replayer
    runs the SDK's own runner inside the workflow: a real model call from workflow code, whose
    lazy imports Temporal's sandbox refuses (unless an earlier test in the same process
    happened to import them).
    """
    from workshop.testing import discover

    owners = [module] + [
        sys.modules[base.__module__]
        for cls in discover([module])[0]
        for base in cls.__mro__[1:]
        if base.__module__ in sys.modules
    ]
    owners += [
        sys.modules[value.__module__]
        for value in vars(module).values()
        if str(getattr(value, "__module__", "")).startswith("lesson_modules.")
        and value.__module__ in sys.modules
    ]
    for owner in owners:
        if hasattr(owner, "openai_agents_plugin"):
            return [owner.openai_agents_plugin()]
    return []
