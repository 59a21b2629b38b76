"""Run a notebook in a fresh kernel, as tests and the history recorder do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbclient import NotebookClient
from nbformat import NotebookNode


def execute(
    nb: NotebookNode, cwd: Path, *, timeout: int = 300, allow_errors: bool = True
) -> NotebookNode:
    """Execute `nb` in place in a new `python3` kernel whose working folder is `cwd`."""
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return nb


def unexpected_errors(nb: NotebookNode) -> list[tuple[int, Any]]:
    """(cell index, error output) for each error in a cell not tagged `raises-exception`."""
    return [
        (index, output)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
