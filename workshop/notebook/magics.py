"""Notebook conveniences: nest-asyncio once, a cell magic that writes a workflow module, and
when a kernel is starting (the kit's PYTHONSTARTUP file runs then)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

_applied = False


def apply_nest_asyncio() -> None:
    """Let `asyncio.run(...)` work inside a Jupyter kernel (applied once per process)."""
    global _applied
    if _applied:
        return
    import nest_asyncio

    nest_asyncio.apply()
    _applied = True


def in_kernel() -> bool:
    """True inside a Jupyter kernel."""
    return "ipykernel" in sys.modules and _ipython() is not None


def kernel_starting() -> bool:
    """True while a kernel is still starting (no request handled yet, e.g. in PYTHONSTARTUP)."""
    kernel = getattr(_ipython(), "kernel", None)
    get_parent = getattr(kernel, "get_parent", None)
    return get_parent is not None and not get_parent()


def at_first_cell(prepare: Callable[[], None]) -> None:
    """Run `prepare` once, just before the kernel's next cell runs."""
    ip = _ipython()
    if ip is None:
        return

    def once(*args: object) -> None:
        ip.events.unregister("pre_run_cell", once)
        prepare()

    ip.events.register("pre_run_cell", once)


def _ipython():  # type: ignore[no-untyped-def]
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


MODULES_DIR = "lesson_modules"


def write_module(name: str, source: str, folder: Path | None = None):  # type: ignore[no-untyped-def]
    """Write `source` to `lesson_modules/<name>.py` beside the notebook and (re)import it.

    Workflows must live in a real module file for Temporal's sandbox and so that a worker
    process can import them; the cell still shows (and lets the learner edit) the code.
    """
    folder = folder or Path.cwd() / MODULES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").touch()
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    parent = str(folder.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    qualified = f"{MODULES_DIR}.{name}"
    importlib.invalidate_caches()
    if qualified in sys.modules:
        return importlib.reload(sys.modules[qualified])
    return importlib.import_module(qualified)


def register_magics() -> None:
    """Register `%%workflow_module NAME` in the running IPython, if any."""
    ip = _ipython()
    if ip is None:
        return

    def workflow_module(line: str, cell: str) -> None:
        name = line.strip()
        if not name.isidentifier():
            raise ValueError("Usage: %%workflow_module NAME  (NAME is a Python identifier)")
        module = write_module(name, cell)
        print(f"wrote {MODULES_DIR}/{name}.py and imported it as {module.__name__}")

    ip.register_magic_function(workflow_module, magic_kind="cell")
