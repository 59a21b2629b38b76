"""Durable Agents Workshop kit: what the lesson notebooks import.

Temporal (the embedded dev server or your cluster), workers in the kernel and in killable
processes, declared crash points, the weather world and its faults, the model, and the
views that show a workflow's history. Lessons import from here and nothing else; tests,
tools and benchmarks find the rest in `workshop.testing`, and errors in `workshop.errors`.
The public names are listed once, in `__init__.pyi`, and each is imported on first use.

Layout (each folder one concern, arrows one way): `runtime/` servers and processes,
`services/` the local HTTP services, `workers/` Temporal workers, `crash/` kill points,
`model/` the offline model and the model switch, `world/` the weather tools and faults,
`history/` the history view, `notebook/` cells, checks and widgets.
"""

import lazy_loader

from .notebook.magics import in_kernel

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)


def _route_kernel_model_calls() -> None:
    """In a kernel, `AsyncOpenAI()` and the Agents SDK's default provider must reach the
    kit's model gateway from the first cell on, so the variables are routed at import
    (see `runtime/services.py`); the services start here, in about a second."""
    import warnings

    from .errors import WorkshopError
    from .runtime.services import route_model_calls

    try:
        route_model_calls()
    except WorkshopError as exc:
        warnings.warn(f"the kit's model gateway did not start: {exc}", stacklevel=2)


def _prepare_for_cells() -> None:
    """The model routing, nest-asyncio, quiet logs, and Temporal's failures in plain words."""
    import temporalio.client  # noqa: F401  (its failure types join the kernel's error display)

    from .notebook.cells import install_kernel_errors
    from .notebook.magics import apply_nest_asyncio
    from .notebook.quiet import quiet_core_warnings, quiet_expected_activity_failures

    _route_kernel_model_calls()
    apply_nest_asyncio()
    quiet_expected_activity_failures()
    quiet_core_warnings()
    install_kernel_errors()


def _prepare_kernel() -> None:
    """In a Jupyter kernel: the magics and the which-cell-to-run hints at once; the rest now
    when a cell imports the kit, or at the first cell when the kernel is still starting (the
    kit's PYTHONSTARTUP file, `notebook/kernel_startup.py`, imports it then)."""
    from .notebook.cells import install_kernel_errors
    from .notebook.magics import at_first_cell, kernel_starting, register_magics

    register_magics()
    install_kernel_errors()
    if kernel_starting():
        at_first_cell(_prepare_for_cells)
    else:
        _prepare_for_cells()


if in_kernel():
    _prepare_kernel()
