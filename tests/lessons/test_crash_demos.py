"""Every cell that kills a worker on purpose belongs to a listed crash demo, and every listed demo
runs: `tests/lessons/test_stuck_learner.py` runs each one again after its lesson, around a
kernel restart in the middle of it (see there)."""

from __future__ import annotations

import re

import nbformat

from tests.support.crash_demos import DEMOS
from tests.support.notebooks import SOLUTIONS, exercise_lessons

KILLS = re.compile(r"kill_at=|\.kill\(\)")
# Lesson 01 kills a bare agent process, not a Temporal worker: nothing waits for a worker after
# a restart, and each of its runs is a fresh process.
NOT_TEMPORAL = {"01-agents-sdk-loop.ipynb"}


def test_every_crash_demo_is_listed() -> None:
    # A cell that kills a worker on purpose belongs to a demo (an exercise's check cell that runs
    # a crash, like lesson 03's, starts from scratch each time: nbval runs it twice).
    listed = {(demo.notebook, cell) for demo in DEMOS for cell in demo.crash}
    for path in sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb")):
        if path.name in NOT_TEMPORAL:
            continue
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or "exercise" in cell.metadata.get("tags", []):
                continue
            if KILLS.search(cell.source) and "with Checks(" not in cell.source:
                assert (path.name, cell.id) in listed, (
                    f"{path.name} cell {cell.id}: add it to DEMOS"
                )


def test_every_crash_demo_runs_after_its_lesson() -> None:
    """The stuck learner runs the lessons that have exercises; each demo is in one of them, and
    its pending cell is one of its crash cells."""
    lessons = exercise_lessons()
    for demo in DEMOS:
        assert demo.notebook in lessons, demo.notebook
        assert demo.pending_after in demo.crash, demo
