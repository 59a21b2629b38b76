"""A benchmark's own kit: a fresh state folder and free ports, set before the kit is imported.

Benchmarks import this first (`from isolated import REPO, isolate`), so they never touch a
learner's `.workshop/` or a server on the default ports.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The checkout; put on sys.path so `workshop` and `tests.support` import."""
sys.path.insert(0, str(REPO))


def free_port() -> int:
    """A port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolate(name: str) -> Path:
    """Set the kit's environment for benchmark `name`; returns its state folder."""
    state = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    os.environ["WORKSHOP_STATE_DIR"] = str(state)
    os.environ["WORKSHOP_TEMPORAL_PORT"] = str(free_port())
    os.environ["WORKSHOP_TEMPORAL_UI_PORT"] = str(free_port())
    os.environ.pop("TEMPORAL_ADDRESS", None)
    # The Agents SDK's default provider sees a (placeholder) key: keep its tracing upload off.
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
    return state
