"""Running a cell twice is harmless: every solution runs with each code cell run twice in a row.

A learner re-runs cells all the time (to see the output again, after a fix, by accident). Each
lesson is executed in a fresh kernel with every code cell executed twice, back to back; no cell
may fail either time (workflow ids are unique per run, workers and worker processes replace
their earlier selves, and decisions already made are not sent again).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO_ROOT
from tests.support.kernels import execute, unexpected_errors

LESSONS = sorted((REPO_ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.notebooks
@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_every_cell_can_run_twice(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    doubled = []
    for cell in nb.cells:
        doubled.append(cell)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
            doubled.append(copy.deepcopy(cell))
    nb.cells = doubled
    execute(nb, tmp_path)
    errors = [f"cell {i}: {o.ename}: {o.evalue[:300]}" for i, o in unexpected_errors(nb)]
    assert not errors, "\n".join(errors)
