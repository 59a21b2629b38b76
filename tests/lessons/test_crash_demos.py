"""Every crash demo tells the same story after a kernel restart in the middle of it, and when
it runs again from its first cell (as under Run All twice).

A learner restarts the kernel while a demo's crashed run still waits for a worker, then runs the
cells again, the whole demo twice. The demo's checked cells must print what their stored
references say: the demo's worker polls a fresh task queue, its kill cell replaces its own
earlier run (which a new worker would otherwise pick up first), and every count comes from its
own run's history, never from a counter other runs reach. (Each cell run twice in a row is
nbval's: it runs every cell of every lesson twice.)

Each demo runs only the cells it needs (setup, module cells, what its cells `require`), not the
whole notebook, in a kernel started as the kit starts them: its cells up to the crash, a kernel
restart with the crashed run pending, then the needed cells and the whole demo, twice over.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tests.support.crash_demos import DEMOS, CrashDemo
from tests.support.kernels import LiveKernel, checked_text
from tests.support.notebooks import SANITIZE, SOLUTIONS, references

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


@pytest.mark.notebooks
@pytest.mark.parametrize("demo", DEMOS, ids=[demo.notebook[:2] for demo in DEMOS])
def test_a_crash_demo_tells_the_same_story_after_a_restart_and_run_again(
    demo: CrashDemo, tmp_path: Path
) -> None:
    cells = {cell.id: cell for cell in nbformat.read(SOLUTIONS / demo.notebook, as_version=4).cells}
    expected = references(cells)
    stories: list[str] = []

    def run(kernel: LiveKernel, ids: tuple[str, ...], when: str) -> None:
        for cell_id in ids:
            ran = kernel.run(cells[cell_id])
            errors = [o for o in ran.outputs if o.output_type == "error"]
            assert not errors, f"{when}, cell {cell_id}: {errors[0].ename}: {errors[0].evalue}"
            got = checked_text(ran.outputs, SANITIZE)
            if cell_id in expected and got != expected[cell_id]:
                stories.append(f"{when}, cell {cell_id}:\n{got}--- reference:\n{expected[cell_id]}")

    upto = demo.crash[: demo.crash.index(demo.pending_after) + 1]
    with LiveKernel(tmp_path) as kernel:
        run(kernel, demo.needs + upto, "up to the crash")
        kernel.restart()  # the crashed run waits for a worker; the kernel's worker process died
        run(kernel, demo.needs + demo.crash, "after the kernel restart")
        run(kernel, demo.crash, "the demo again, from its first cell")
    assert not stories, "the crash demo told another story:\n" + "\n".join(stories)
