"""Keep expected activity failures out of notebook cells; the history view shows them instead.

An in-kernel worker logs every failed activity attempt as a warning with a full traceback, and
the log lands in whichever cell happens to be running. For an `ApplicationError` (a failure
the code raised on purpose, such as an injected HTTP 500 or a rate limit) that traceback is
noise: the history view already shows the attempt and its message. Any other exception (a bug
in the learner's activity) still prints its traceback.

Temporal's Rust core logs to the process's stderr, which a kernel also shows in the running
cell; its warnings after a crash or a timeout ("Activity not found on completion") are the
expected consequences the lessons provoke, so in a kernel only its errors are shown.
"""

from __future__ import annotations

import logging

from temporalio.exceptions import ApplicationError
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

_LOGGER = "temporalio.activity"


class ExpectedFailureFilter(logging.Filter):
    """Drop "Completing activity as failed" records whose error is an ApplicationError."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ApplicationError):
            return not record.getMessage().startswith("Completing activity as failed")
        return True


def quiet_expected_activity_failures() -> None:
    """Install the filter on Temporal's activity logger (idempotent)."""
    logger = logging.getLogger(_LOGGER)
    if not any(isinstance(f, ExpectedFailureFilter) for f in logger.filters):
        logger.addFilter(ExpectedFailureFilter())


def quiet_core_warnings() -> None:
    """Show only errors from Temporal's core in this process (before its first client)."""
    runtime = Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )
    # Clients made before this keep their runtime; every later one uses this.
    Runtime.set_default(runtime, error_if_already_set=False)
