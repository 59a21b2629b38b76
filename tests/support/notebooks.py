"""The lesson notebooks as tests read them: where they are, their check cells, and what nbval
would compare for their checked cells."""

from __future__ import annotations

import re

import nbformat
from nbformat import NotebookNode

from tests.support.kernels import checked_text
from tests.support.tools import ROOT, load_tool

SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = re.findall(
    r"^regex: (.*)$\n^replace: (.*)$",
    (ROOT / "tests" / "nbval_sanitize.cfg").read_text(),
    flags=re.MULTILINE,
)
"""The (regex, replacement) pairs of tests/nbval_sanitize.cfg, as nbval applies them."""


def check_cell_number(cell: NotebookNode) -> int | None:
    """N for an exercise's check cell (`with Checks(N, ...)`), else None."""
    match = re.search(r"\bChecks\(\s*(\d+)", cell.source) if cell.cell_type == "code" else None
    return int(match.group(1)) if match else None


def references(cells: dict[str, NotebookNode]) -> dict[str, str]:
    """Key -> the sanitized reference output of each `# NBVAL_CHECK_OUTPUT` cell among `cells`
    (solution cells, whose references are kept in their metadata)."""
    tool = load_tool("clean_solutions")
    return {
        key: checked_text(tool.reference_outputs(cell), SANITIZE)
        for key, cell in cells.items()
        if tool.keeps_output(cell)
    }


def read(name: str, folder: str = "solutions") -> NotebookNode:
    """`folder/name` (solutions or notebooks) as an nbformat v4 notebook."""
    return nbformat.read(ROOT / folder / name, as_version=4)


def exercise_lessons() -> list[str]:
    """The solution notebooks (file names) that have exercises, in order."""
    regions = load_tool("make_exercises").has_region
    return [
        path.name
        for path in sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
        if any(regions(cell) for cell in read(path.name).cells)
    ]
