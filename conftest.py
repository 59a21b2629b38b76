"""Test-session environment for every pytest run (tests/ and the nbval notebooks alike).

Set in `pytest_configure`, before any test, kernel or worker process starts, so all of them
inherit one isolated state folder and free ports and never touch a learner's `.workshop/`
or a server on the default ports. Offline mode: no key, no remote cluster, no tracing.
"""

from __future__ import annotations

import os
import socket
import tempfile
from typing import Any

import pytest

from tasks import kit_kernel_env
from tests.support.units import unit_of_work

# Notebooks that are not lessons (the browser test opens its own) are not nbval items.
collect_ignore_glob = [
    "tests/browser/*.ipynb",
    "notebooks/*.ipynb",
    "**/.ipynb_checkpoints/*",
    # Test files a lesson writes for its learner (lesson 08): run by the notebook and by
    # tests/lessons/, never collected from the lesson folders.
    "*/lesson[0-9][0-9]_tests/*",
]

_SCRUBBED = (
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "WORKSHOP_MODEL",
    "WORKSHOP_WEATHER",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pytest_configure(config: pytest.Config) -> None:
    for name in _SCRUBBED:
        os.environ.pop(name, None)
    os.environ["WORKSHOP_STATE_DIR"] = tempfile.mkdtemp(prefix="workshop-test-state-")
    os.environ["WORKSHOP_TEMPORAL_PORT"] = str(_free_port())
    os.environ["WORKSHOP_TEMPORAL_UI_PORT"] = str(_free_port())
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
    # Every kernel a test starts is a kit kernel, as in `tasks.py lab`: it runs the kit's
    # start-up file (out-of-order hints from the first cell).
    os.environ.update(kit_kernel_env(os.environ))
    if config.option.nbval or config.option.nbval_lax:
        _nbval_reads_reference_outputs()


def _nbval_reads_reference_outputs() -> None:
    """Give nbval the reference outputs that committed solutions keep in cell metadata.

    Committed notebooks carry no outputs (see tools/clean_solutions.py); nbval compares the
    `# NBVAL_CHECK_OUTPUT` cells with outputs it reads from the file, so its reader is wrapped
    to put the stored references back, in memory, as it reads.
    """
    import nbformat
    import nbval.plugin

    from tests.support.tools import load_tool

    tool = load_tool("clean_solutions")

    class _Reader:
        def __getattr__(self, name: str) -> object:
            return getattr(nbformat, name)

        @staticmethod
        def read(fp: str, as_version: int, **kwargs: object) -> nbformat.NotebookNode:
            nb = tool.with_reference_outputs(nbformat.read(fp, as_version=as_version, **kwargs))
            return _every_cell_twice(nb)

    nbval.plugin.nbformat = _Reader()  # type: ignore[assignment]

    # A checked cell's answer is what it prints on stdout (and its data); stderr carries log
    # noise (Temporal core warnings, a retried workflow task), which no check may rely on
    # (tests/test_notebooks_structure.py forbids stderr in stored references).
    original_init = nbval.plugin.IPyNbFile.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.skip_compare = (*self.skip_compare, "stderr")

    nbval.plugin.IPyNbFile.__init__ = init  # type: ignore[method-assign]


def _every_cell_twice(nb: Any) -> Any:
    """Each code cell followed by a copy of itself, with the same reference outputs.

    A learner re-runs cells all the time (to see the output again, after a fix, by accident),
    so nbval runs every lesson as that learner: each code cell twice in a row, and a checked
    cell must print the same answer both times (workflow ids are unique per run, workers and
    worker processes replace their earlier selves, a crash demo never counts another run's
    calls). Cells tagged `raises-exception` (the exercise stubs, failure demos) run once.
    """
    import copy

    doubled = []
    for cell in nb.cells:
        doubled.append(cell)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
            doubled.append(copy.deepcopy(cell))
    nb.cells = doubled
    return nb


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest first, so that no process of a side-by-side run (pytest-xdist) starts a
    minute-long test when the others are done: tests marked `slow`, then those that run
    kernels or a browser (`notebooks`, `browser`), then the notebooks under nbval by size,
    the largest first (each notebook's cells in their order), then the rest."""

    def cost(item: pytest.Item) -> tuple[int, int]:
        if item.get_closest_marker("slow"):
            return (0, 0)
        if item.get_closest_marker("notebooks") or item.get_closest_marker("browser"):
            return (1, 0)
        if item.path.suffix == ".ipynb":
            return (2, -item.path.stat().st_size)
        return (3, 0)

    items.sort(key=cost)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `--dist loadscope`: a notebook under nbval is one unit of work (its cells run in
    order, in one kernel, so in one process), and so is a module whose tests share costly
    fixtures (tests/support/units.py); every other test is a unit of its own, run wherever a
    process is free, in the order above (with `--no-loadscope-reorder`).

    pytest-xdist's own `loadgroup` would do this with `xdist_group` marks, but it renames the
    items' node ids to do it, which pytest 9 no longer lets it do."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScopes(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return unit_of_work(nodeid)

    return NotebookScopes(config, log)


def pytest_unconfigure(config: pytest.Config) -> None:
    import workshop

    workshop.shutdown_all()
