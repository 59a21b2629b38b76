"""The units of work the test command shares among its side-by-side processes (pytest-xdist,
`--dist loadscope`, see the root conftest's scheduler): the tests of one unit run in one
process, in their order."""

from __future__ import annotations

# Test modules run whole in one process: their tests share costly module fixtures (the
# browser tests: one JupyterLab and one Chromium, instead of one per process).
ONE_PROCESS_MODULES = ("tests/browser/test_lab_browser.py",)


def unit_of_work(nodeid: str) -> str:
    """The unit of work `nodeid` belongs to: its notebook, its module (ONE_PROCESS_MODULES),
    or itself. The tests of one unit run in one process, in their order."""
    notebook, cell, _ = nodeid.partition(".ipynb::")
    if cell:
        return f"{notebook}.ipynb"
    module = nodeid.partition("::")[0]
    return module if module in ONE_PROCESS_MODULES else nodeid
