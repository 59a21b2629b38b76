"""Shared fixtures: one embedded Temporal dev server per test session, in a temp state dir.

The environment is set before anything starts, so worker processes, notebook kernels and
kit services started by tests inherit the same isolated state folder and ports, and never
touch a learner's `.workshop/` or a server on the default ports.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

import workshop
from workshop import Settings


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session", autouse=True)
def kit_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Isolated kit settings for the whole session (state dir, ports, offline mode)."""
    state = tmp_path_factory.mktemp("workshop-state")
    saved = dict(os.environ)
    os.environ["WORKSHOP_STATE_DIR"] = str(state)
    os.environ["WORKSHOP_TEMPORAL_PORT"] = str(free_port())
    os.environ["WORKSHOP_TEMPORAL_UI_PORT"] = str(free_port())
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "OPENAI_API_KEY",
                 "OPENAI_BASE_URL", "WORKSHOP_MODEL"):
        os.environ.pop(name, None)
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
    cfg = workshop.settings()
    yield cfg
    workshop.stop_server(cfg)
    os.environ.clear()
    os.environ.update(saved)


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
