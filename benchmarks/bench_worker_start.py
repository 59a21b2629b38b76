"""What starting a worker process costs: forked from the kit's fork server, or `python -m`.

    .venv/bin/python benchmarks/bench_worker_start.py [--starts 6] [--rounds 2]

Each round runs both ways side by side, each in a fresh script with its own state folder:
the script starts lesson 04's worker process `--starts` times (start, wait until it polls its
task queue, stop), as a lesson whose cells run twice does. Prints, per way, the median wall
time of a start after the first, the first start (the fork server's imports happen then, if
they were not done yet), and the CPU time the whole machine spent per start (from
/proc/stat: run it on a quiet machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import asyncio, json, sys, time
from workshop import WorkerProcess, connect, unique_id

async def main(starts):
    await connect()  # the dev server and services are up before the clock starts
    times = []
    for n in range(starts):
        worker = WorkerProcess("lesson_modules.lesson04_worker", task_queue=unique_id("bench"))
        began = time.perf_counter()
        await worker.start()
        times.append(time.perf_counter() - began)
        worker.stop()
    print(json.dumps(times))

asyncio.run(main(int(sys.argv[1])))
"""
WAYS = {"fork server": "1", "python -m": "0"}


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def one_way(forkserver: str, starts: int) -> tuple[list[float], float]:
    with tempfile.TemporaryDirectory(prefix="bench-worker-start-") as state:
        env = {**os.environ, "WORKSHOP_STATE_DIR": state, "WORKSHOP_FORKSERVER": forkserver}
        env.pop("WORKSHOP_TEMPORAL_PORT", None)
        before = busy_seconds()
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(starts)],
            cwd=ROOT / "solutions",
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        cpu = busy_seconds() - before
        subprocess.run([sys.executable, "-m", "workshop", "stop"], env=env, capture_output=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    firsts: dict[str, list[float]] = {way: [] for way in WAYS}
    laters: dict[str, list[float]] = {way: [] for way in WAYS}
    cpu: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(args.rounds):  # interleaved, so machine noise hits both ways alike
        for way, flag in WAYS.items():
            times, spent = one_way(flag, args.starts)
            firsts[way].append(times[0])
            laters[way] += times[1:]
            cpu[way].append(spent / args.starts)
    for way in WAYS:
        print(
            f"{way:<12} start after the first: median {statistics.median(laters[way]):5.2f} s"
            f"  first start: {statistics.median(firsts[way]):5.2f} s"
            f"  machine CPU per start (script, server, worker): "
            f"{statistics.median(cpu[way]):5.2f} s"
        )


if __name__ == "__main__":
    main()
