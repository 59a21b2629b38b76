"""Stop everything the kit started for a state folder: `python -m workshop stop`, test teardown."""

from __future__ import annotations

from . import processes
from .server import SERVER
from .settings import Settings, settings


def shutdown_all(cfg: Settings | None = None) -> list[str]:
    """Stop the worker processes, agent runs, services and dev server of this state folder.

    Only processes the kit recorded as its own are stopped (SIGTERM, then SIGKILL); nothing
    else on the machine is touched. Workflows and their histories stay in the db file, so
    the next `connect()` finds them again. Returns what was stopped, one entry a process.
    """
    cfg = cfg or settings()
    # The server goes last, so no worker is left polling a server that is gone.
    records = sorted(processes.owned(cfg), key=lambda r: r.name == SERVER)
    return [
        f"{record.name} (pid {record.pid})"
        for record in records
        if processes.stop(cfg, record.name, timeout=10.0)
    ]
