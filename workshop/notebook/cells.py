"""Cell-order robustness: a later cell run first says which cell to run; ids never collide.

A cell that needs something an earlier cell made starts with::

    client, worker = require("client", "worker", run="the setup cell at the top")

and, run out of order, stops with "`worker` is not defined yet: run the setup cell at the
top first" instead of a bare NameError. In a kernel the kit also explains errors in one line
(`install_kernel_errors`): a kit name used before the setup cell, a notebook name or a
`lesson_modules.X` import before the cell that makes it (named by its section when the
kernel knows its notebook, as in JupyterLab), and a workflow that failed in the learner's code
(their own lines and the cell to fix, see `failures.py`). `unique_id("hello")` gives a fresh
workflow id each time a cell runs, so running a cell twice starts a second workflow instead of
colliding with the first.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import os
import re
import sys
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import MissingSetup
from .failures import error_text, explain
from .magics import MODULES_DIR


def require(*names: str, run: str) -> Any:
    """The values of `names` from the notebook, or a MissingSetup that says which cell to run.

    Args:
        names: names an earlier cell defines.
        run: the cell to run first, in words ("the setup cell at the top").

    Returns:
        The single value for one name, else a tuple in the order given.
    """
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    # A notebook cell's names are the frame's globals; in a function, its locals first.
    namespace: dict[str, Any] = {}
    if caller is not None:
        namespace = {**caller.f_globals, **caller.f_locals}
    missing = [name for name in names if name not in namespace]
    if missing:
        listed = ", ".join(f"`{name}`" for name in missing)
        verb = "is" if len(missing) == 1 else "are"
        raise MissingSetup(
            f"{listed} {verb} not defined yet: run {run} first "
            "(or Run > Run All Above Selected Cell)."
        )
    values = tuple(namespace[name] for name in names)
    return values[0] if len(values) == 1 else values


def unique_id(prefix: str) -> str:
    """A fresh workflow id like `prefix-1a2b3c4d`: rerunning a cell never reuses an id."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


SETUP_CELL = "the setup cell at the top (the one with `from workshop import ...`)"
_ORDER = "(or Run > Run All Above Selected Cell)"
_GENERIC = (
    "Hint: `{name}` is made by an earlier cell. Run the cells above in order "
    "(Run > Run All Above Selected Cell), or restart the kernel and Run All."
)
_LESSON_IMPORT = re.compile(rf"\b{MODULES_DIR}\.(\w+)")


@functools.cache
def kit_names() -> frozenset[str]:
    """The names lessons import from `workshop` (read from its stub; nothing is imported)."""
    stub = Path(__file__).resolve().parent.parent / "__init__.pyi"
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


def _bound_names(tree: ast.AST) -> Iterator[str]:
    """Names a cell binds at its top level (assignments, imports, defs, loop targets)."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
            continue  # names inside a function or class are not the notebook's
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                yield alias.asname or alias.name.split(".")[0]
        todo.extend(ast.iter_child_nodes(node))


def cell_defines(source: str, name: str) -> bool:
    """True when a code cell's source binds `name` at its top level."""
    if source.lstrip().startswith("%%"):
        return False  # a cell magic (a %%workflow_module cell writes a module, not names)
    code = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    try:
        tree = compile(code, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError:
        return False
    return name in set(_bound_names(tree))


def _first_code_line(source: str) -> str:
    for line in source.splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            return text if len(text) <= 60 else text[:59] + "…"
    return ""


def find_cell(notebook: Path, *, name: str | None = None, module: str | None = None) -> str | None:
    """The cell of `notebook` that defines `name` (or writes lesson module `module`), in words.

    Returns "the setup cell at the top (...)" for the first code cell, else "the cell under
    “<section heading>” that starts with `<its first line>`", or None when no cell does.
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    heading = ""
    first_code = True
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            for line in source.splitlines():
                if line.startswith("#"):
                    heading = line.lstrip("#").strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        if module is not None:
            found = source.lstrip().startswith(f"%%workflow_module {module}")
        else:
            found = name is not None and cell_defines(source, name)
        if found:
            if first_code:
                return SETUP_CELL
            under = f"the cell under “{heading}” " if heading else "the cell "
            return under + f"that starts with `{_first_code_line(source)}`"
        first_code = False
    return None


def notebook_of(shell: Any) -> Path | None:
    """The notebook this kernel runs, when the front end said so (JupyterLab does)."""
    user_ns = getattr(shell, "user_ns", {}) or {}
    path = str(user_ns.get("__session__") or os.environ.get("JPY_SESSION_NAME") or "")
    candidate = Path(path)
    return candidate if candidate.suffix == ".ipynb" and candidate.is_file() else None


def order_hint(error: BaseException, notebook: Path | None = None) -> str | None:
    """One line that names the cell to run first, for a name or lesson module used too early."""
    if isinstance(error, MissingSetup):
        return None  # its message already names the cell
    if isinstance(error, ImportError):
        missing = getattr(error, "name", None) or ""
        if not missing.startswith(MODULES_DIR):
            return None
        module = missing.partition(".")[2]
        if not module:  # the folder itself: the import statement names the module
            lines = [frame.line or "" for frame in traceback.extract_tb(error.__traceback__)]
            found = [m for line in lines for m in _LESSON_IMPORT.findall(line)]
            module = found[-1] if found else ""
        if not module:
            return (
                f"Hint: `{MODULES_DIR}` is written by the notebook's `%%workflow_module` cells: "
                f"run the cells above in order first {_ORDER}."
            )
        writer = find_cell(notebook, module=module) if notebook else None
        writer = writer or f"the cell that starts with `%%workflow_module {module}`"
        return f"Hint: `{MODULES_DIR}.{module}` is written by {writer}: run it first {_ORDER}."
    name = getattr(error, "name", None)
    if not isinstance(error, NameError) or not name:
        return None
    frames = traceback.extract_tb(error.__traceback__)
    if frames and re.search(rf"[/\\]{MODULES_DIR}[/\\]", frames[-1].filename):
        return None  # a name missing in a lesson module's own code: a bug there, not cell order
    if name in kit_names():
        return f"Hint: `{name}` comes from the kit: run {SETUP_CELL} first."
    cell = find_cell(notebook, name=name) if notebook else None
    if cell:
        return f"Hint: `{name}` is made by {cell}: run it first {_ORDER}."
    return _GENERIC.format(name=name)


def short_failure(error: BaseException) -> list[str] | None:
    """A Temporal failure's few lines: the learner's own code and the cell to fix, or its causes."""
    kind = type(error).__name__
    mine = explain(error)
    if mine is not None:
        first, *rest = mine.lines("run this one again")
        return [f"{kind}: {error}: {first}", *rest]
    causes: list[str] = []
    current = error.__cause__
    while current is not None and len(causes) < 5:
        causes.append(f"  caused by {error_text(current)}")
        current = current.__cause__
    return [f"{kind}: {error}", *causes] if causes else None


def _temporal_failures() -> tuple[type[BaseException], ...]:
    client = sys.modules.get("temporalio.client")
    if client is None:
        return ()
    return (client.WorkflowFailureError, client.WorkflowUpdateFailedError)


def _show_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):  # type: ignore[no-untyped-def]
    failures = _temporal_failures()
    if failures and isinstance(value, failures):
        lines = short_failure(value)
        if lines is not None:
            # IPython prints this instead of pages of the SDK's own frames.
            value._render_traceback_ = lambda: lines  # type: ignore[attr-defined]
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    hint = order_hint(value, notebook_of(shell))
    if hint:
        print(hint)
    return None


def install_kernel_errors() -> None:
    """In IPython, explain out-of-order names and imports, and workflow failures (re-callable:
    the Temporal failure types join once `temporalio.client` is loaded)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    ip.set_custom_exc((NameError, ImportError, *_temporal_failures()), _show_error)
