"""A standalone script using the kit exits cleanly (no PyGILState_Release abort at exit).

The abort was intermittent, so the script runs several times; the runs go side by side (each
on its own task queue), which takes about as long as one.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from temporalio.client import Client

from tests.conftest import REPO_ROOT

RUNS = 5


async def test_script_exits_cleanly_every_time(client: Client, ledger: Path) -> None:
    async def one_run() -> tuple[int | None, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.exit_script",
            cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 180)
        return proc.returncode, out.decode(), err.decode()

    for run, (code, out, err) in enumerate(await asyncio.gather(*(one_run() for _ in range(RUNS)))):
        assert code == 0, f"run {run}: exit {code}\n{err[-2000:]}"
        assert "PyGILState_Release" not in err
        assert out.startswith("ok ")
