"""Where the kit keeps its state and how it reads its environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# os.path, not Path.resolve: workflow modules import the kit inside Temporal's sandbox,
# which forbids Path.resolve at import time.
REPO_ROOT = Path(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a port number") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the kit reads from the environment, resolved once per call."""

    state_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("WORKSHOP_STATE_DIR", REPO_ROOT / ".workshop")
        ).resolve()
    )
    """Project-local folder for the dev server's db, logs and service state files."""

    temporal_port: int = field(default_factory=lambda: _env_int("WORKSHOP_TEMPORAL_PORT", 7233))
    """Preferred gRPC port of the embedded dev server (loopback only); when another program
    holds it, the kit takes a free port instead, unless WORKSHOP_TEMPORAL_PORT set it."""

    temporal_port_fixed: bool = field(
        default_factory=lambda: bool(os.environ.get("WORKSHOP_TEMPORAL_PORT", "").strip())
    )
    """True when the user chose the ports: then a busy port is an error, not a fallback."""

    temporal_ui_port: int = field(
        default_factory=lambda: _env_int("WORKSHOP_TEMPORAL_UI_PORT", 8233)
    )
    """Preferred Web UI port of the embedded dev server."""

    temporal_address: str | None = field(
        default_factory=lambda: os.environ.get("TEMPORAL_ADDRESS") or None
    )
    """When set, connect to this cluster instead of starting the embedded server."""

    temporal_ui_url: str | None = field(
        default_factory=lambda: os.environ.get("TEMPORAL_UI_URL") or None
    )
    """Web UI base of a remote cluster (Temporal Cloud: https://cloud.temporal.io)."""

    @property
    def remote(self) -> bool:
        """True when the kit talks to a cluster the user runs, not the embedded one."""
        return self.temporal_address is not None

    @property
    def logs_dir(self) -> Path:
        """Where servers and worker processes write their logs."""
        return self.state_dir / "logs"

    def ensure_dirs(self) -> None:
        """Create the state folders (idempotent)."""
        self.logs_dir.mkdir(parents=True, exist_ok=True)


def settings() -> Settings:
    """The current settings (environment read afresh on each call)."""
    return Settings()
