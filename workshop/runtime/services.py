"""Start, find and stop the kit's local services process (model gateway, weather world, faults),
and route this process's model calls through its gateway.

One process per state folder, started on demand in its own session (it outlives a kernel
restart, like the dev server), recorded as ours (see `processes`), reused while it runs,
bound to 127.0.0.1 only, logging one line per request to the logs folder. What it serves
is in `workshop/services/`.

The key lives in one place. `route_model_calls()` moves the user's OPENAI_API_KEY and
OPENAI_BASE_URL out of this process's environment (kept in memory here, never printed),
hands them to the services process only (as WORKSHOP_UPSTREAM_API_KEY and
WORKSHOP_UPSTREAM_BASE_URL), and sets the standard variables to the gateway:
OPENAI_BASE_URL=http://127.0.0.1:PORT/v1, OPENAI_API_KEY=a placeholder, and the model name
in OPENAI_DEFAULT_MODEL (what the Agents SDK's default provider reads). Worker processes
inherit those, so `AsyncOpenAI()` and `Agent(...)` reach the gateway with no kit code.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import ServicesUnavailable, WorkshopError
from . import processes
from .processes import LOOPBACK
from .settings import Settings, settings

SERVICES = "services"
"""The name of the services process's record."""

PLACEHOLDER_KEY = "workshop-gateway-placeholder"
"""What OPENAI_API_KEY holds in kernels and workers: the gateway adds the real key."""
GATEWAY_URL = "WORKSHOP_GATEWAY_URL"
"""Set with the routed variables: the gateway's base URL (tells a routed process apart)."""
UPSTREAM = "WORKSHOP_UPSTREAM"
"""Set with the routed variables: "offline", or the upstream's host (never the key)."""
RUN_HEADER = "X-Workshop-Run"
"""A request header the gateway counts model requests by (lesson 01's agent runs send it, so a
run's count is its own); it is never forwarded upstream."""
MODEL_VARIABLE = "OPENAI_DEFAULT_MODEL"
"""The Agents SDK's variable for its default model name."""
DEFAULT_UPSTREAM_MODEL = "gpt-4o-mini"
OPENAI_API_BASE_URL = "https://api.openai.com/v1"
_UPSTREAM_ENV = ("WORKSHOP_UPSTREAM_BASE_URL", "WORKSHOP_UPSTREAM_API_KEY")


@dataclass(frozen=True)
class UserModel:
    """The user's own model variables, as they were before the kit routed them."""

    api_key: str | None = field(repr=False)
    """OPENAI_API_KEY (never shown)."""
    base_url: str | None
    """OPENAI_BASE_URL."""
    model: str | None
    """WORKSHOP_OPENAI_MODEL, OPENAI_MODEL or OPENAI_DEFAULT_MODEL."""
    offline: bool
    """True when the calls are answered by the stand-in (no key and no URL, or
    WORKSHOP_MODEL=offline)."""

    @property
    def upstream_url(self) -> str | None:
        """Where the gateway forwards to (None: offline)."""
        return None if self.offline else (self.base_url or OPENAI_API_BASE_URL).rstrip("/")

    def services_env(self) -> dict[str, str]:
        """What only the services process receives."""
        if self.offline or self.upstream_url is None:
            return {}
        env = {"WORKSHOP_UPSTREAM_BASE_URL": self.upstream_url}
        if self.api_key:
            env["WORKSHOP_UPSTREAM_API_KEY"] = self.api_key
        return env

    def health_upstream(self) -> tuple[str, str] | None:
        """What the gateway's health report should say about its upstream."""
        url = self.upstream_url
        return None if url is None else (url, "set" if self.api_key else "not set")

    def identity(self) -> tuple[str, ...] | None:
        """The upstream and a digest of the key, kept in memory only: tells a changed key."""
        upstream = self.health_upstream()
        if upstream is None:
            return None
        digest = hashlib.sha256((self.api_key or "").encode()).hexdigest()[:16]
        return (*upstream, digest)


_moved: UserModel | None = None
_routed_model: str | None = None


def _is_routed() -> bool:
    env = os.environ
    return bool(env.get(GATEWAY_URL)) and (
        env.get("OPENAI_BASE_URL") == env.get(GATEWAY_URL)
        and env.get("OPENAI_API_KEY") == PLACEHOLDER_KEY
    )


def _own_gateway(url: str) -> bool:
    ours = {env_url for env_url in [os.environ.get(GATEWAY_URL)] if env_url}
    ours |= {cached[0].model_base_url for cached in _cache.values()}
    return url.rstrip("/") in {u.rstrip("/") for u in ours}


def user_model() -> UserModel | None:
    """The user's model variables: read from the environment, or the ones moved aside.

    None in a process that inherited routed variables (a worker): it never saw the key.

    Raises:
        WorkshopError: WORKSHOP_MODEL is set to something other than offline or openai, or
            to openai with neither OPENAI_API_KEY nor OPENAI_BASE_URL.
    """
    if _is_routed():
        return _moved
    env = os.environ
    key = env.get("OPENAI_API_KEY") or None
    base_url = env.get("OPENAI_BASE_URL") or None
    if base_url and _own_gateway(base_url):
        # Still (or by hand) pointed at the kit's own gateway: never forward it to itself.
        base_url = None
        key = None if key == PLACEHOLDER_KEY else key
    default_model = env.get(MODEL_VARIABLE)
    if default_model == _routed_model:
        default_model = None  # the kit set it, not the user
    model = env.get("WORKSHOP_OPENAI_MODEL") or env.get("OPENAI_MODEL") or default_model
    override = env.get("WORKSHOP_MODEL", "").strip().lower()
    if override not in ("", "offline", "openai"):
        raise WorkshopError(
            f"WORKSHOP_MODEL={override!r} is not understood. Fix: set it to 'offline' or "
            "'openai', or unset it."
        )
    if override == "openai" and not key and not base_url:
        raise WorkshopError(
            "WORKSHOP_MODEL=openai but OPENAI_API_KEY is not set. Fix: set OPENAI_API_KEY "
            "(or OPENAI_BASE_URL for a local OpenAI-compatible server), "
            "or use WORKSHOP_MODEL=offline."
        )
    offline = override == "offline" or (not override and not key and not base_url)
    return UserModel(key, base_url, model or None, offline)


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


_cache: dict[str, tuple[ServicesInfo, processes.ProcessRecord, object]] = {}


def ensure_services(cfg: Settings | None = None, *, follow_user: bool = False) -> ServicesInfo:
    """Start the services process for this state folder unless it runs; return where it listens.

    The port is WORKSHOP_SERVICES_PORT when set, else a free one (kept in its record).
    A process it starts forwards model calls as the user's variables say (see `user_model`).

    Args:
        follow_user: restart running services whose gateway forwards elsewhere than the
            user's variables now say (`route_model_calls` asks for this; a tool call does not).

    Raises:
        ServicesUnavailable: it did not come up (the message holds its log tail).
    """
    cfg = cfg or settings()
    user = user_model()
    want = user.identity() if user else None
    follow_user = follow_user and user is not None
    cached = _cache.get(str(cfg.state_dir))
    if cached is not None and cached[1].alive and (not follow_user or cached[2] == want):
        return cached[0]
    with processes.locked(cfg, SERVICES):
        record = processes.find(cfg, SERVICES)
        if record is not None and follow_user:
            if cached is not None and cached[1].pid == record.pid:
                differs = cached[2] != want  # we started or checked it: we know its key
            else:
                health = _health(record.info["base_url"], cfg) or {}
                differs = _upstream_of(health) != (want[:2] if want else None)
            if differs:
                # The user's model changed (a key set, a URL changed): restart the gateway
                # with the new upstream, on the same port, so workers keep reaching it.
                processes.stop(cfg, SERVICES, 5.0)
                record = _start(cfg, user, port=int(record.info["port"]))
        started = record is None
        if record is None:
            record = _start(cfg, user)
    info = ServicesInfo(record.info["base_url"], record.pid, started, _log_file(cfg))
    # What its gateway forwards to, when known (a reused process unchecked: "unknown").
    _cache[str(cfg.state_dir)] = (info, record, want if follow_user or started else "unknown")
    return info


def _upstream_of(health: dict[str, Any]) -> tuple[str, str] | None:
    upstream = (health.get("model_gateway") or {}).get("upstream")
    return (upstream["base_url"], upstream["key"]) if upstream else None


def route_model_calls(cfg: Settings | None = None) -> ServicesInfo:
    """Point this process's standard OpenAI variables at the gateway (idempotent).

    Starts the services when they do not run. The user's OPENAI_API_KEY / OPENAI_BASE_URL
    are moved aside (see the module docstring); processes started afterwards with
    `processes.kit_env` inherit the routed variables.
    """
    global _moved, _routed_model
    user = user_model()
    info = ensure_services(cfg, follow_user=True)
    env = os.environ
    if user is not None and not _is_routed():
        _moved = user
        health = _health(info.base_url, cfg or settings()) or {}
        offline_model = str(health.get("model") or "offline-stand-in")
        _routed_model = user.model or (offline_model if user.offline else DEFAULT_UPSTREAM_MODEL)
        env[MODEL_VARIABLE] = _routed_model
        env[UPSTREAM] = "offline" if user.offline else _host(user.upstream_url or "")
    env["OPENAI_BASE_URL"] = env[GATEWAY_URL] = info.model_base_url
    env["OPENAI_API_KEY"] = PLACEHOLDER_KEY
    # The Agents SDK would upload traces with the placeholder key (failing, and inside a
    # Temporal worker this variable is the only switch); WORKSHOP_TRACING=on keeps them.
    if env.get("WORKSHOP_TRACING", "").lower() not in ("on", "1", "true"):
        env["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
    return info


def _host(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).netloc or url


def _start(
    cfg: Settings, user: UserModel | None = None, port: int | None = None
) -> processes.ProcessRecord:
    port = port or int(os.environ.get("WORKSHOP_SERVICES_PORT") or 0) or processes.free_port()
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
        # Only this process gets the real key and upstream, under the kit's own names.
        env={
            **processes.kit_env(cfg, drop=("OPENAI_API_KEY", "OPENAI_BASE_URL")),
            **(user.services_env() if user else {}),
        },
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
