"""What the embedded dev server's db settings cost: the kit's SQLite pragmas, the CLI's own
defaults for a db file, and no db file at all (in memory), side by side.

    .venv/bin/python benchmarks/bench_server_db.py [--workflows 100] [--rounds 3]

Each round starts one `temporal server start-dev` per setting (fresh folder, free port, no
UI), runs `--workflows` workflows of four activities each on it (all started
at once, one in-process worker), and prints, per setting, the median wall time of the batch
and the CPU seconds the server process spent on it. Rounds interleave the settings, so
machine noise hits each alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from isolated import free_port, isolate  # noqa: E402  (first: it sets the environment)

isolate("server-db")

from temporalio.client import Client  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from tests.support.steps import StepsWorkflow, expected_result, step  # noqa: E402
from workshop.runtime.server import sqlite_args, temporal_binary  # noqa: E402

SETTINGS = {
    "the kit's pragmas": sqlite_args(),
    "the CLI's defaults": [],
    "in memory (no file)": None,
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_batch(pragmas: list[str] | None, workflows: int) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) for `workflows` workflows on a fresh server."""
    folder = Path(tempfile.mkdtemp(prefix="bench-server-db-"))
    port = free_port()
    args = [str(temporal_binary()), "server", "start-dev", "--ip", "127.0.0.1"]
    args += ["--port", str(port), "--headless", "--log-level", "warn"]
    if pragmas is not None:
        args += ["--db-filename", str(folder / "temporal.db"), *pragmas]
    env = {**os.environ, "HOME": str(folder)}
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = await Client.connect(f"127.0.0.1:{port}")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        os.environ["STEPS_LEDGER"] = str(folder / "ledger")
        async with Worker(client, task_queue=queue, workflows=[StepsWorkflow], activities=[step]):
            await client.execute_workflow(
                StepsWorkflow.run, 0, id=f"warm-{queue}", task_queue=queue
            )
            began, cpu = time.perf_counter(), cpu_seconds(server.pid)
            results = await asyncio.gather(
                *(
                    client.execute_workflow(
                        StepsWorkflow.run, n, id=f"{queue}-{n}", task_queue=queue
                    )
                    for n in range(workflows)
                )
            )
            wall, cpu = time.perf_counter() - began, cpu_seconds(server.pid) - cpu
        assert results == [expected_result(n) for n in range(workflows)]
        return wall, cpu
    finally:
        server.kill()
        server.wait()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workflows", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in SETTINGS}
    for _ in range(args.rounds):
        for name, pragmas in SETTINGS.items():
            figures[name].append(await one_batch(pragmas, args.workflows))
    print(f"{args.workflows} workflows of 4 activities, {args.rounds} rounds:")
    for name, runs in figures.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"  {name:<22} wall median {statistics.median(walls):5.1f} s "
            f"(min {min(walls):.1f}, max {max(walls):.1f}); "
            f"server CPU median {statistics.median(cpus):5.1f} s"
        )


if __name__ == "__main__":
    asyncio.run(main())
