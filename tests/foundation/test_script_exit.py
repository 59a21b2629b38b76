"""A standalone script using the kit exits cleanly (no PyGILState_Release abort at exit)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from temporalio.client import Client

from tests.conftest import REPO_ROOT

RUNS = 5


async def test_script_exits_cleanly_every_time(client: Client, ledger: Path) -> None:
    for run in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-m", "tests.support.exit_script"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"run {run}: exit {done.returncode}\n{done.stderr[-2000:]}"
        assert "PyGILState_Release" not in done.stderr
        assert done.stdout.startswith("ok ")
