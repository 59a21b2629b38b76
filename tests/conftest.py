"""Shared fixtures: one embedded Temporal dev server per test session, in a temp state dir.

The root conftest.py sets the isolated environment; these fixtures hand out its pieces.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client

import workshop
from workshop.testing import Settings


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def kit_env() -> Settings:
    """The session's kit settings (isolated state dir and ports, set by the root conftest)."""
    return workshop.settings()


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
