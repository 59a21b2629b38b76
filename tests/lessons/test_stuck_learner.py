"""Each exercise notebook, worked in a real kernel by a stuck learner who has a model key.

The learner runs the generated notebook (notebooks/) from the top. After each exercise's stub
they run its check cell unsolved, read what is missing, run `await load_answer("NN", N)` and
the check again, and go on to the end of the lesson. The lessons that call a model (01, 03-08)
run as a learner with a key runs them: OPENAI_BASE_URL points at a test upstream (a separate
stand-in process that wants its own secret key) and OPENAI_API_KEY is that secret, in a state
folder of their own. Lesson 02 calls no model and runs offline.

Asserted:
- each unsolved check fails with `ExerciseIncomplete`, naming the exercise, and after
  `load_answer` the check passes and says it used the reference answer;
- every other checked cell (`# NBVAL_CHECK_OUTPUT`: retries after a 429, the 401 failure, the
  crash counts, the requests served, the streamed replies) prints what the solution's
  reference says: the same as offline, and the same with answers loaded by `load_answer`;
- every model call went to the kit's gateway, and every one it forwarded reached the
  upstream; the key stayed in the gateway: not in the learner's state folder, logs, outputs.

Then each crash demo of the lesson (tests/support/crash_demos.py) tells the same story after a
kernel restart, as a learner meets it. As Run All a second time would, the cells the demo needs
and the demo run again up to its crash; the kernel restarts while the crashed run waits for a
worker; the learner runs the cells the demo needs (`load_answer` where one is an exercise) and
the whole demo. Its checked cells must print their references: the demo's worker polls a fresh
task queue, its kill cell replaces its own earlier run (which a new worker would otherwise pick
up first), and every count comes from its own run's history, never from a counter other runs
reach.

The offline runs of the same lessons are nbval's (solutions/, every cell twice).
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from tests.support.crash_demos import DEMOS, CrashDemo
from tests.support.kernels import LiveKernel, checked_text, unexpected_errors
from tests.support.notebooks import (
    SANITIZE,
    SOLUTIONS,
    check_cell_number,
    exercise_lessons,
    read,
    references,
)
from tests.support.upstream import TestUpstream, upstream_env
from workshop import shutdown_all
from workshop.testing import Settings, processes

pytestmark = pytest.mark.notebooks

EXERCISE_LESSONS = exercise_lessons()
MODEL_LESSONS = [
    "01-agents-sdk-loop.ipynb",
    "03-durable-agent-loop.ipynb",
    "04-agents-sdk-on-temporal.ipynb",
    "05-micro-agents-and-handoffs.ipynb",
    "06-humans-and-production.ipynb",
    "07-a-conversation-that-lives-for-weeks.ipynb",
    "08-tools-guardrails-and-tests.ipynb",
]
_SERVED = re.compile(r'"POST /v1/(?:responses|chat/completions) HTTP/1\.1" 200 ')


def test_every_model_lesson_runs_with_a_key() -> None:
    """A lesson whose notebook or modules call a model is in MODEL_LESSONS, and has exercises."""
    calls_a_model = re.compile(r"\b(Runner\.run|AsyncOpenAI\(|OpenAIAgentsPlugin\()")
    found = [
        path.name
        for path in sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
        if calls_a_model.search(path.read_text())
        or any(
            calls_a_model.search(module.read_text())
            for module in (SOLUTIONS / "lesson_modules").glob(f"lesson{path.name[:2]}_*.py")
        )
    ]
    assert found == MODEL_LESSONS
    assert set(MODEL_LESSONS) <= set(EXERCISE_LESSONS)


def _load(name: str, number: int) -> NotebookNode:
    return nbformat.v4.new_code_cell(f'await load_answer("{name[:2]}", {number})')


def _stuck_learner(
    name: str,
) -> tuple[NotebookNode, list[tuple[int, int, int, int]], dict[str, int]]:
    """The generated notebook as a stuck learner works it: after each exercise's stub, its check
    (unsolved), then `await load_answer("NN", N)`, then the check again. Returns the notebook;
    per exercise, (N, unsolved check index, load index, check index); and the exercise number
    of each stub cell, by its cell id."""
    nb = read(name, "notebooks")
    cells: list[NotebookNode] = []
    marks: list[tuple[int, int, int, int]] = []
    stubs: list[str] = []
    exercise_of: dict[str, int] = {}
    for cell in nb.cells:
        number = check_cell_number(cell)
        if stubs and number is not None:
            unsolved = copy.deepcopy(cell)
            unsolved.id = f"{cell.id}-unsolved"
            cells += [unsolved, _load(name, number)]
            marks.append((number, len(cells) - 2, len(cells) - 1, len(cells)))
            exercise_of.update(dict.fromkeys(stubs, number))
            stubs = []
        if "exercise" in cell.metadata.get("tags", []):
            stubs.append(cell.id)
        cells.append(cell)
    nb.cells = cells
    return nb, marks, exercise_of


def _text(cell: NotebookNode) -> str:
    return "".join(
        o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs
    )


def _with_a_key(upstream: TestUpstream, state: Path) -> dict[str, str]:
    """The kernel's environment as a learner with a key has it, in a state folder (and so a
    dev server and gateway) of its own."""
    env = upstream_env(upstream)
    env["WORKSHOP_STATE_DIR"] = str(state)
    env["WORKSHOP_TEMPORAL_PORT"] = str(processes.free_port())
    env["WORKSHOP_TEMPORAL_UI_PORT"] = str(processes.free_port())
    return env


def _served(log: Path) -> int:
    return len(_SERVED.findall(log.read_text(errors="replace")))


@pytest.mark.parametrize("name", EXERCISE_LESSONS)
def test_a_stuck_learner_reads_what_is_missing_then_loads_the_reference(
    name: str, upstream: TestUpstream, tmp_path: Path
) -> None:
    nb, marks, exercise_of = _stuck_learner(name)
    assert [m[0] for m in marks] == list(range(1, len(marks) + 1))
    state = tmp_path / "learner-state"
    with_key = name in MODEL_LESSONS
    demo_stories: list[str] = []
    kernel = LiveKernel(
        tmp_path, timeout=180, env=_with_a_key(upstream, state) if with_key else None
    )
    try:
        with kernel:
            nb.cells = [kernel.run(cell) for cell in nb.cells]
            for demo in DEMOS:
                if demo.notebook == name:
                    demo_stories += _crash_demo_again(kernel, demo, exercise_of)
    finally:
        if with_key:
            shutdown_all(Settings(state_dir=state))

    exercise_cells = {i for mark in marks for i in mark[1:]}
    for number, unsolved, load, check in marks:
        errors = [o for o in nb.cells[unsolved].outputs if o.output_type == "error"]
        assert len(errors) == 1, f"the unsolved check of exercise {number} did not fail: {errors}"
        assert errors[0].ename == "ExerciseIncomplete", errors[0]
        assert f"Exercise {number}" in errors[0].evalue
        text = _text(nb.cells[unsolved])
        assert "✗" in text and f"Exercise {number}" in text, text
        loaded = nb.cells[load].outputs
        assert not [o for o in loaded if o.output_type == "error"], loaded
        assert f"the reference answer from solutions/{name}" in _text(nb.cells[load])
        checked = nb.cells[check].outputs
        assert not [o for o in checked if o.output_type == "error"], checked
        assert re.search(
            rf"^✓ Exercise {number}\b.* passed, with the reference answer that load_answer",
            _text(nb.cells[check]),
            re.M,
        ), _text(nb.cells[check])

    # Every other cell ran without error and printed what the solution's reference says.
    errors = [(i, o) for i, o in unexpected_errors(nb) if i not in exercise_cells]
    assert not errors, [f"cell {i}: {o.ename}: {o.evalue}" for i, o in errors]
    expected = references({c.source: c for c in read(name).cells if c.cell_type == "code"})
    stories = [
        f"cell {i}:\n{got}--- reference:\n{expected[cell.source]}"
        for i, cell in enumerate(nb.cells)
        if i not in exercise_cells
        and cell.source in expected
        and (got := checked_text(cell.outputs, SANITIZE)) != expected[cell.source]
    ]
    assert not stories, "a checked cell printed another answer:\n" + "\n".join(stories)
    assert not demo_stories, "a crash demo told another story:\n" + "\n".join(demo_stories)

    if with_key:
        # Every model call went to the gateway, and every one it forwarded reached the upstream.
        forwarded = _served(state / "logs" / "services.log")
        answered = _served(upstream.cfg.logs_dir / "upstream.log")
        assert forwarded > 0 and answered == forwarded == upstream.model_requests()
        # The key stayed in the gateway: not in the learner's state folder, logs, outputs.
        leaked = [
            str(p)
            for p in state.rglob("*")
            if p.is_file() and upstream.api_key in p.read_text(errors="replace")
        ]
        assert leaked == []
        # Every cell the kernel ran, demos too (as JSON: a re-run cell repeats its id).
        assert upstream.api_key not in json.dumps(kernel.nb)
        assert os.environ.get("OPENAI_API_KEY") != upstream.api_key


def _crash_demo_again(
    kernel: LiveKernel, demo: CrashDemo, exercise_of: dict[str, int]
) -> list[str]:
    """After the lesson: the cells the demo needs and the demo to its crash, again (Run All
    twice), a kernel restart while the crashed run waits, then the cells it needs and the whole
    demo. Returns each checked cell that printed another story than its reference; fails on
    an error."""
    solution = read(demo.notebook).cells
    exercise = read(demo.notebook, "notebooks").cells
    # The generated notebook is the solution's cells in order, after a banner cell.
    assert len(exercise) == len(solution) + 1
    cells = {cell.id: exercise[i + 1] for i, cell in enumerate(solution)}
    expected = references({cell.id: cell for cell in solution})
    stories: list[str] = []

    def run(ids: tuple[str, ...], when: str) -> None:
        for cell_id in ids:
            cell = cells[cell_id]
            if cell.id in exercise_of:  # a stub: the stuck learner loads the reference again
                cell = _load(demo.notebook, exercise_of[cell.id])
            ran = kernel.run(cell)
            errors = [o for o in ran.outputs if o.output_type == "error"]
            assert not errors, f"{when}, cell {cell_id}: {errors[0].ename}: {errors[0].evalue}"
            got = checked_text(ran.outputs, SANITIZE)
            if cell_id in expected and got != expected[cell_id]:
                stories.append(f"{when}, cell {cell_id}:\n{got}--- reference:\n{expected[cell_id]}")

    upto = demo.crash[: demo.crash.index(demo.pending_after) + 1]
    # As Run All a second time would: the cells the demo needs (the lesson's last cell stopped
    # its workers), then the demo to its crash.
    run(demo.needs + upto, f"crash demo {demo.crash[0]} again, up to its crash")
    kernel.restart()  # the crashed run waits for a worker; the kernel's worker process died
    run(demo.needs + demo.crash, f"crash demo {demo.crash[0]} after the kernel restart")
    return stories
