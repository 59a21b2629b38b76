"""What `import workshop` costs a worker process, a script or a kernel.

    .venv/bin/python benchmarks/bench_import.py [--runs 15]

Times fresh interpreters side by side in one run: `python -c pass` (the interpreter alone),
`import temporalio.client`, `import workshop` (names are imported on first use, see
`workshop/__init__.pyi`), and `from workshop import connect` (what a script that talks to
Temporal pays: Temporal's client plus the kit's runtime). Prints the median and spread of
each, and what `import workshop` adds on top of the interpreter. Nothing heavy (Temporal,
the Agents SDK, openai, widgets) may be among what `import workshop` loads.

`import nbformat` is what every test process, JupyterLab's server and each `pytest` a lesson
08 learner runs pay for the notebook format and its schema checks (jsonschema's format
checkers: the pin in pyproject.toml keeps them from building a Lark grammar at import).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "interpreter alone": "pass",
    "import temporalio.client": "import temporalio.client",
    "import workshop": "import workshop",
    "from workshop import connect": "from workshop import connect",
    "import nbformat": "import nbformat",
}
HEAVY = ("temporalio", "agents", "openai", "ipywidgets")


def once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(runs):  # interleaved, so machine noise hits every case alike
        for name, code in CASES.items():
            times[name].append(once(code))
    for name, values in times.items():
        print(
            f"{name:<30} median {statistics.median(values) * 1000:6.0f} ms  "
            f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}) over {runs} runs"
        )
    base = statistics.median(times["interpreter alone"])
    kit = statistics.median(times["import workshop"]) - base
    print(f"import workshop adds {kit * 1000:.0f} ms to the interpreter's start (target < 300 ms)")
    check = "import sys, workshop; print([m for m in {heavy} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", check.format(heavy=HEAVY)], capture_output=True, text=True
    ).stdout.strip()
    print(f"heavy modules loaded by import workshop: {loaded}")


if __name__ == "__main__":
    main()
