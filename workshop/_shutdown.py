"""Stop everything the kit started in the background: for notebooks' last cell and test teardown."""

from __future__ import annotations

from collections.abc import Callable

from ._temporal import stop_server

_stoppers: list[Callable[[], object]] = []


def on_shutdown(stopper: Callable[[], object]) -> None:
    """Register a function that stops a background service (called by `shutdown_all`)."""
    _stoppers.append(stopper)


def shutdown_all() -> None:
    """Stop worker processes and background services of this state folder, then the dev server.

    Workflows and their histories stay in the db file; the next `connect()` starts afresh.
    """
    from ._workers import stop_worker_processes

    stop_worker_processes()
    for stopper in reversed(_stoppers):
        try:
            stopper()
        except Exception as exc:  # keep stopping the rest
            print(f"shutdown: {stopper.__name__} failed: {exc}")
    stop_server()
