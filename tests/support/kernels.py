"""Run a notebook in a fresh kernel, as tests and the history recorder do; or chosen cells in a
kernel a test restarts (`LiveKernel`), and compare checked outputs as nbval does."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbformat import NotebookNode


def execute(
    nb: NotebookNode,
    cwd: Path,
    *,
    timeout: int = 300,
    allow_errors: bool = True,
    env: dict[str, str] | None = None,
) -> NotebookNode:
    """Execute `nb` in place in a new `python3` kernel whose working folder is `cwd` (and whose
    environment is `env`, when given)."""
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    ).execute(**({"env": env} if env is not None else {}))
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


class LiveKernel:
    """One kernel to run chosen cells in, one at a time, and to restart, as a learner does.

    Use as a context manager; `run(cell)` executes a copy of the cell (its outputs land on
    the copy it returns), `restart()` restarts the kernel as Kernel > Restart does. `env`: the
    kernel's environment (default: this process's).
    """

    def __init__(self, cwd: Path, *, timeout: int = 300, env: dict[str, str] | None = None) -> None:
        self.env = env
        self.nb = nbformat.v4.new_notebook()
        self.client = NotebookClient(
            self.nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(cwd)}},
        )

    def __enter__(self) -> LiveKernel:
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel(**({"env": self.env} if self.env is not None else {}))
        self.client.start_new_kernel_client()
        return self

    def __exit__(self, *exc: object) -> None:
        run_sync(self.client.km.shutdown_kernel)(now=True)

    def run(self, cell: NotebookNode) -> NotebookNode:
        """Execute a copy of `cell`; returns the copy, with its outputs."""
        mine = copy.deepcopy(cell)
        mine.outputs = []
        self.nb.cells.append(mine)
        self.client.execute_cell(mine, len(self.nb.cells) - 1)
        return mine

    def restart(self) -> None:
        """Restart the kernel: everything in its memory is gone, the processes it started die."""
        run_sync(self.client.km.restart_kernel)(now=True)
        run_sync(self.client.kc.wait_for_ready)(timeout=60)


def checked_text(outputs: list[Any], sanitize: list[tuple[str, str]]) -> str:
    """What nbval compares for a `# NBVAL_CHECK_OUTPUT` cell: stdout and plain-text data (not
    stderr, see the root conftest), with the sanitizers applied; errors as `ename: evalue`."""
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output["text"])
        elif output.get("output_type") in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output['ename']}: {output['evalue']}\n")
    text = "".join(parts)
    for regex, replace in sanitize:
        text = re.sub(regex, replace, text)
    return text
