"""Cell-order robustness: a later cell run first says which cell to run; ids never collide.

A cell that needs something an earlier cell made starts with::

    client, worker = require("client", "worker", run="the setup cell at the top")

and, run out of order, stops with "`worker` is not defined yet: run the setup cell at the
top first" instead of a bare NameError. In a kernel the kit also adds a hint under any
NameError that names a notebook variable. `unique_id("hello")` gives a fresh workflow id each
time a cell runs, so running a cell twice starts a second workflow instead of colliding
with the first.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from ..errors import MissingSetup


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


_HINT = (
    "Hint: `{name}` is made by an earlier cell. Run the cells above in order "
    "(Run > Run All Above Selected Cell), or restart the kernel and Run All."
)


def install_name_error_hint() -> None:
    """In IPython, print a which-cell-to-run hint under every NameError (idempotent)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None or getattr(ip, "_workshop_name_hint", False):
        return

    def handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):  # type: ignore[no-untyped-def]
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        name = getattr(value, "name", None)
        if name and not isinstance(value, MissingSetup):
            print(_HINT.format(name=name))
        return None

    ip.set_custom_exc((NameError,), handler)
    ip._workshop_name_hint = True
