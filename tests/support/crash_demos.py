"""The lessons' crash demos, cell by cell.

`tests/lessons/test_stuck_learner.py` runs each demo once with its lesson, then again up to its
crash, restarts the kernel while the crashed run waits, and runs the cells the demo needs and
the whole demo, comparing its checked cells with their stored references.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrashDemo:
    """The cells of one crash demo, by cell id."""

    notebook: str
    needs: tuple[str, ...]
    """Cells the demo needs first: the setup cell, module cells, what its cells `require`."""
    crash: tuple[str, ...]
    """The demo's cells, in order."""
    pending_after: str
    """The crash cell after which the crashed run waits for a worker (the restart goes here)."""


DEMOS = [
    CrashDemo(
        "02-temporal-foundations.ipynb",
        needs=("c02", "c04", "c06", "lesson02-worker-module"),
        crash=("c27", "c28", "c29", "c31"),
        pending_after="c29",
    ),
    CrashDemo(
        "03-durable-agent-loop.ipynb",
        needs=("c02", "c04", "c08", "c11", "lesson03-worker-module", "c14", "c15"),
        crash=("c17", "c18", "c20"),
        pending_after="c18",
    ),
    CrashDemo(
        "04-agents-sdk-on-temporal.ipynb",
        needs=("c02", "c03", "c05", "lesson04-worker-module", "c07"),
        crash=("c16", "c18", "c21"),
        pending_after="c16",
    ),
    CrashDemo(
        "05-micro-agents-and-handoffs.ipynb",
        needs=("c02", "c04", "lesson05-worker-module", "c05", "c10"),
        crash=("c27", "c28", "c31"),
        pending_after="c27",
    ),
    CrashDemo(
        "06-humans-and-production.ipynb",
        needs=("1201bf0d", "c82d389a", "lesson06-worker-module", "27bff676"),
        crash=("b10ef206", "3e9d4c93", "937a86b6", "9d9facf3", "5e1f2d46"),
        pending_after="937a86b6",
    ),
    CrashDemo(
        "07-a-conversation-that-lives-for-weeks.ipynb",
        needs=("l07-02", "l07-04", "l07-05b", "l07-13", "lesson07-worker-module"),
        crash=("l07-15", "l07-17"),
        pending_after="l07-15",
    ),
    CrashDemo(
        "08-tools-guardrails-and-tests.ipynb",
        needs=("3e628824", "7d0fc624", "d28d37a1", "lesson08-worker-module", "18d272cc"),
        crash=("130d3da0", "516c38e1", "e84ae37c"),
        pending_after="130d3da0",
    ),
]
