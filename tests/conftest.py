"""Shared fixtures: one embedded Temporal dev server per test session, in a temp state dir.

The root conftest.py sets the isolated environment; these fixtures hand out its pieces.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

import workshop
from tests.support.upstream import TestUpstream, upstream_env
from workshop.testing import Settings, running_workers


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def kit_env() -> Settings:
    """The session's kit settings (isolated state dir and ports, set by the root conftest)."""
    return workshop.settings()


@pytest.fixture(scope="session", autouse=True)
async def _the_event_loop_ends_clean() -> AsyncIterator[None]:
    """At the session's end, stop the in-process workers tests left running, cancel what else
    they left on the event loop, and name what will not end.

    pytest-asyncio's closing of the loop would otherwise cancel a worker along with its own
    poller tasks; a workflow activation in flight then never completes, the worker's final
    shutdown waits for it forever, and the session never ends, without a word.
    """
    yield
    for worker in running_workers():
        await asyncio.wait_for(worker.stop(), 60)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in left:
        task.cancel()
    _, stuck = await asyncio.wait(left, timeout=30) if left else (set(), set())
    for task in stuck:
        print(f"\nA task ignored its cancellation at the session's end: {task!r}", file=sys.stderr)
        task.print_stack(file=sys.stderr)
    if stuck:
        sys.stderr.flush()
        os._exit(3)  # fail loudly now rather than hang until CI's time limit


@pytest.fixture(scope="session")
async def client(kit_env: Settings) -> AsyncIterator[Client]:
    """A client of the session's embedded dev server (started on first use)."""
    yield await workshop.connect(kit_env)


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue per test, so no test sees another's workers."""
    return f"tq-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file the reference steps workflow appends to each time a step's code runs."""
    path = tmp_path / "ledger.txt"
    path.touch()
    monkeypatch.setenv("STEPS_LEDGER", str(path))
    return path


REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[TestUpstream]:
    """A test upstream (a second stand-in in its own state folder), stopped afterwards."""
    server = TestUpstream(tmp_path / "upstream-state").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def forwarding(upstream: TestUpstream) -> Iterator[TestUpstream]:
    """This test process as a learner with a key: OPENAI_BASE_URL is the test upstream and
    OPENAI_API_KEY its secret, routed through the session's gateway (restarted forwarding).
    Afterwards the variables are put back and the gateway restarted offline."""
    from workshop.runtime import services

    saved_env = dict(os.environ)
    saved = (services._moved, services._routed_model)
    learner = upstream_env(upstream)
    os.environ.clear()
    os.environ.update(learner)
    try:
        services.route_model_calls()
        yield upstream
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        services._moved, services._routed_model = saved
        services.route_model_calls()
