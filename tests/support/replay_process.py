"""Replay one workflow history in a fresh process, as a restarted worker would.

    python -m tests.support.replay_process LESSON_MODULES_DIR MODULE CLASS < HISTORY_JSON_PATH

A worker started after a crash has no cached workflow and has run none of its activities: it
rebuilds the workflow's state from the history alone. A replay inside the test process may
lean on what that process already did (openai's types, for one, remember a union's
discriminator once a stream was parsed), so this runs it where nothing was done before.

The process imports everything first and then waits for the history file's path on standard
input, so a test can start it early and let the imports overlap with its own waiting. Prints
`replayed` and exits 0, or prints the failure and exits 1.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

import workshop.testing
from tests.support.lessons import plugins_of


async def replay(workflow: type, plugins: list[Any], history_file: str) -> int:
    """Replay the history with the workflow class and its plugins."""
    history = WorkflowHistory.from_json("replayed", Path(history_file).read_text())
    result = await Replayer(
        workflows=[workflow],
        plugins=plugins,
        workflow_runner=workshop.testing.sandbox_runner(),
        # Determinism is what is checked here, not speed: a busy machine can keep the first
        # activation of a cold process (sandbox imports, openai's schemas) over the 2 s
        # deadlock detector, which a live worker answers with a retried task.
        debug_mode=True,
    ).replay_workflow(history, raise_on_replay_failure=False)
    if result.replay_failure is not None:
        print(f"replay failed: {result.replay_failure!r}")
        return 1
    print("replayed")
    return 0


def main(modules_dir: str, module_name: str, cls_name: str) -> int:
    """Import the lesson module, then replay the history named on standard input."""
    sys.path.insert(0, modules_dir)
    module = importlib.import_module(f"lesson_modules.{module_name}")
    history_file = sys.stdin.readline().strip()
    if not history_file:
        print("no history file given on standard input")
        return 1
    return workshop.testing.run_script(
        replay(getattr(module, cls_name), plugins_of(module), history_file)
    )


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
