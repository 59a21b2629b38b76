"""Start, find and stop the kit's local services process (model endpoint, weather world, faults).

One process per state folder, started on demand in its own session (it outlives a kernel
restart, like the dev server), recorded as ours (see `processes`), reused while it runs,
bound to 127.0.0.1 only, logging one line per request to the logs folder. What it serves
is in `workshop/services/`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import ServicesUnavailable
from . import processes
from .processes import LOOPBACK
from .settings import Settings, settings

SERVICES = "services"
"""The name of the services process's record."""


@dataclass(frozen=True)
class ServicesInfo:
    """Where the shared services process listens."""

    base_url: str
    """Root URL, for example http://127.0.0.1:7350."""
    pid: int | None
    """Process id of the services process."""
    started: bool
    """True when this call started it, False when it reused a running one."""
    log_file: Path
    """Where it logs one line per request."""

    @property
    def model_base_url(self) -> str:
        """The OpenAI-compatible base URL of the model endpoint (give it to any OpenAI client)."""
        return f"{self.base_url}/v1"


def _log_file(cfg: Settings) -> Path:
    return cfg.logs_dir / "services.log"


def _health(base_url: str, cfg: Settings) -> dict[str, Any] | None:
    """The services' health report, when the services of this state folder answer there."""
    try:
        resp = httpx.get(f"{base_url}/health", timeout=2.0)
        data = resp.json()
    except (httpx.HTTPError, ValueError):
        return None
    if resp.status_code == 200 and data.get("state_dir") == str(cfg.state_dir):
        return dict(data)
    return None


_cache: dict[str, tuple[ServicesInfo, processes.ProcessRecord]] = {}


def ensure_services(cfg: Settings | None = None) -> ServicesInfo:
    """Start the services process for this state folder unless it runs; return where it listens.

    The port is WORKSHOP_SERVICES_PORT when set, else a free one (kept in its record).

    Raises:
        ServicesUnavailable: it did not come up (the message holds its log tail).
    """
    cfg = cfg or settings()
    cached = _cache.get(str(cfg.state_dir))
    if cached is not None and cached[1].alive:
        return cached[0]
    with processes.locked(cfg, SERVICES):
        record = processes.find(cfg, SERVICES)
        started = record is None
        if record is None:
            record = _start(cfg)
    info = ServicesInfo(record.info["base_url"], record.pid, started, _log_file(cfg))
    _cache[str(cfg.state_dir)] = (info, record)
    return info


def _start(cfg: Settings) -> processes.ProcessRecord:
    port = int(os.environ.get("WORKSHOP_SERVICES_PORT") or 0) or processes.free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    args = [sys.executable, "-m", "workshop.services", "--port", str(port)]
    args += ["--state-dir", str(cfg.state_dir)]
    log_path = _log_file(cfg)
    proc = processes.start(
        cfg,
        SERVICES,
        args,
        log_file=log_path,
        cwd=cfg.state_dir,
        env=processes.kit_env(cfg, drop=("OPENAI_API_KEY",)),  # the key is never needed there
        info={"port": port, "base_url": base_url},
    )
    processes.wait_ready(
        proc,
        lambda: _health(base_url, cfg) is not None,
        what="The workshop services process",
        log_file=log_path,
        error=ServicesUnavailable,
    )
    record = processes.find(cfg, SERVICES)
    assert record is not None
    return record


def services_status(cfg: Settings | None = None) -> dict[str, Any] | None:
    """The running services' health report (calls per service, blocked connections), or None."""
    cfg = cfg or settings()
    record = processes.find(cfg, SERVICES)
    if record is None:
        return None
    health = _health(record.info["base_url"], cfg)
    return {**health, "base_url": record.info["base_url"]} if health else None


def stop_services(cfg: Settings | None = None, timeout: float = 5.0) -> bool:
    """Stop the services process of this state folder; True when one was stopped."""
    cfg = cfg or settings()
    _cache.pop(str(cfg.state_dir), None)
    return processes.stop(cfg, SERVICES, timeout)
