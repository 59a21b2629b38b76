"""Foundation figure on this machine: how long the embedded dev server takes to be ready.

    .venv/bin/python benchmarks/bench_foundation.py [--runs 5]

Prints seconds from `temporal server start-dev` launch to a healthy frontend, on a fresh
state folder. (Resume after a SIGKILL, at every kind of kill point: `bench_resume.py`.)
Runs on its own state folder and free ports; touches nothing of a learner's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from isolated import free_port, isolate  # noqa: E402  (first: it sets the environment)

isolate("foundation")


import workshop  # noqa: E402
import workshop.testing  # noqa: E402
from workshop.testing import Settings  # noqa: E402


async def server_ready(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        cfg = Settings(
            state_dir=Path(tempfile.mkdtemp(prefix="bench-server-")),
            temporal_port=free_port(),
            temporal_ui_port=free_port(),
            temporal_address=None,
        )
        start = time.perf_counter()
        await workshop.testing.ensure_server(cfg)
        times.append(time.perf_counter() - start)
        workshop.testing.stop_server(cfg)
    return times


def _fmt(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s  "
        f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
    )


async def main(runs: int) -> None:
    ready = await server_ready(runs)
    print(f"dev server ready (fresh state):                    {_fmt(ready)}   target < 1.5 s")
    workshop.shutdown_all()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    workshop.testing.run_script(main(parser.parse_args().runs))
