"""What the model gateway adds: per forwarded call, and to the first streamed event.

    .venv/bin/python benchmarks/bench_gateway.py [--runs 200]

Starts a test upstream (a stand-in model server in its own state folder, wanting its own
key) and the kit's gateway forwarding to it, then times the same request sent (a) to the
upstream directly with the key and (b) through the gateway with the placeholder,
interleaved so machine load hits both alike. Prints the median of each and the difference,
for a whole call and for the time to the first event of a stream. Targets: under 5 ms per
call and under 10 ms to the first event.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["WORKSHOP_STATE_DIR"] = tempfile.mkdtemp(prefix="bench-gateway-")
for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WORKSHOP_MODEL", "WORKSHOP_SERVICES_PORT"):
    os.environ.pop(name, None)

import httpx  # noqa: E402

from tests.support.upstream import TestUpstream  # noqa: E402
from workshop.runtime import services  # noqa: E402
from workshop.runtime.shutdown import shutdown_all  # noqa: E402

BODY = {"model": "gpt-4o-mini", "input": "Are there any weather alerts where I am?"}


def _call(client: httpx.Client, url: str, key: str) -> float:
    started = time.perf_counter()
    response = client.post(
        f"{url}/responses", json=BODY, headers={"Authorization": f"Bearer {key}"}
    )
    response.raise_for_status()
    return time.perf_counter() - started


def _first_event(client: httpx.Client, url: str, key: str) -> float:
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {key}"}
    with client.stream(
        "POST", f"{url}/responses", json={**BODY, "stream": True}, headers=headers
    ) as r:
        r.raise_for_status()
        first = None
        for _ in r.iter_raw():
            first = first or time.perf_counter() - started
        assert first is not None
        return first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    upstream = TestUpstream(Path(os.environ["WORKSHOP_STATE_DIR"]) / "upstream").start()
    os.environ.update(OPENAI_BASE_URL=upstream.base_url, OPENAI_API_KEY=upstream.api_key)
    gateway = services.route_model_calls().model_base_url
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(10):  # warm both paths
                _call(client, upstream.base_url, upstream.api_key)
                _call(client, gateway, services.PLACEHOLDER_KEY)
            figures = {}
            for label, measure in (("call", _call), ("first event", _first_event)):
                direct, through = [], []
                for _ in range(runs):
                    direct.append(measure(client, upstream.base_url, upstream.api_key))
                    through.append(measure(client, gateway, services.PLACEHOLDER_KEY))
                figures[label] = (statistics.median(direct), statistics.median(through))
    finally:
        shutdown_all()
        upstream.stop()
    print(f"model gateway overhead, median of {runs} interleaved runs (ms):")
    print(f"{'':14}{'direct':>9}{'gateway':>9}{'added':>9}{'target':>9}")
    for (label, (direct, through)), target in zip(figures.items(), (5, 10), strict=True):
        added = (through - direct) * 1000
        ok = "ok" if added < target else "OVER"
        row = f"{label:14}{direct * 1000:9.2f}{through * 1000:9.2f}{added:9.2f}"
        print(f"{row}{'<' + str(target):>9} {ok}")


if __name__ == "__main__":
    main()
