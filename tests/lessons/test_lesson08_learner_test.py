"""The test the learner writes in lesson 08 runs under the kit's test command, and it fails
when the workflow is broken on purpose.

The test file is the solution's `%%writefile lesson08_tests/test_city_guide.py` cell (single
source); the saved history it replays is the one recorded for the replay tests. It runs the
way the notebook runs it: pytest in a fresh process, from a folder holding `lesson_modules/`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.support.lessons import SOLUTIONS, lesson_modules_dir

NOTEBOOK = SOLUTIONS / "08-tools-guardrails-and-tests.ipynb"
HISTORY = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "lesson_histories"
    / "lesson08_city_guide"
    / "CityGuideAgent-1.json"
)
PYTEST = [sys.executable, "-m", "pytest", "-q", "--noconftest", "-o", "asyncio_mode=auto"]
WRITEFILE = "%%writefile lesson08_tests/test_city_guide.py"


def _learner_test() -> str:
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.strip() == WRITEFILE:
            return body
    raise AssertionError(f"{NOTEBOOK.name} has no `{WRITEFILE}` cell")


def _folder(tmp_path: Path, module_source: str | None = None) -> Path:
    """A folder like the notebook's: lesson_modules/ and lesson08_tests/ with the history."""
    shutil.copytree(lesson_modules_dir() / "lesson_modules", tmp_path / "lesson_modules")
    if module_source is not None:
        (tmp_path / "lesson_modules" / "lesson08_city_guide.py").write_text(module_source)
    tests = tmp_path / "lesson08_tests"
    tests.mkdir()
    (tests / "test_city_guide.py").write_text(_learner_test())
    shutil.copy(HISTORY, tests / "city_guide_history.json")
    return tmp_path


def _run(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYTEST, "lesson08_tests/test_city_guide.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_the_learner_test_passes_on_the_lesson_workflow(tmp_path: Path) -> None:
    run = _run(_folder(tmp_path))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


@pytest.mark.parametrize(
    ("change", "fails"),
    [
        # The tool list is no longer cached: an extra MCP list-tools activity per model call.
        # The scripted test sees the new activity sequence; replay sees new commands.
        (
            ("cache_tools_list=True", "cache_tools_list=False"),
            ["test_the_agent_calls_the_tool_the_model_asks_for", "test_a_saved_history_replays"],
        ),
    ],
    ids=["uncached-tool-list"],
)
def test_the_learner_test_fails_on_a_broken_workflow(
    tmp_path: Path, change: tuple[str, str], fails: list[str]
) -> None:
    source = (lesson_modules_dir() / "lesson_modules" / "lesson08_city_guide.py").read_text()
    assert change[0] in source, "the lesson module changed: update this test's broken variant"
    run = _run(_folder(tmp_path, source.replace(change[0], change[1], 1)))
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    for name in fails:
        assert f"FAILED lesson08_tests/test_city_guide.py::{name}" in run.stdout, run.stdout[-3000:]
