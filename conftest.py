"""Test-session environment for every pytest run (tests/ and the nbval notebooks alike).

Set in `pytest_configure`, before any test, kernel or worker process starts, so all of them
inherit one isolated state folder and free ports and never touch a learner's `.workshop/`
or a server on the default ports. Offline mode: no key, no remote cluster, no tracing.
"""

from __future__ import annotations

import os
import socket
import tempfile

import pytest

_SCRUBBED = (
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "WORKSHOP_MODEL",
    "WORKSHOP_WEATHER",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pytest_configure(config: pytest.Config) -> None:
    for name in _SCRUBBED:
        os.environ.pop(name, None)
    os.environ["WORKSHOP_STATE_DIR"] = tempfile.mkdtemp(prefix="workshop-test-state-")
    os.environ["WORKSHOP_TEMPORAL_PORT"] = str(_free_port())
    os.environ["WORKSHOP_TEMPORAL_UI_PORT"] = str(_free_port())
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    import workshop

    workshop.shutdown_all()
