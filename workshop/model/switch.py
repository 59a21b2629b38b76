"""The model switch: one place that tells every lesson which model to use.

Every model call goes to the kit's gateway on loopback (`services/gateway.py`). Offline by
default: the gateway answers with the stand-in. With OPENAI_API_KEY (the OpenAI API) or
OPENAI_BASE_URL (any OpenAI-compatible server: Ollama, vLLM, LM Studio) the gateway
forwards there; WORKSHOP_MODEL=offline|openai overrides both. The key itself stays with
the gateway: here it is described as "set" or "not set".
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openai import AsyncOpenAI

from ..runtime import services
from .core import MODEL_NAME

if TYPE_CHECKING:
    from agents import ModelProvider

DEFAULT_OPENAI_MODEL = services.DEFAULT_UPSTREAM_MODEL


@dataclass(frozen=True)
class ModelConfig:
    """Which model the lessons use, without the secret."""

    mode: str
    """"offline" (the kit's stand-in) or "openai" (OpenAI or an OpenAI-compatible server)."""
    model: str
    """Model name sent with each call."""
    base_url: str | None
    """The gateway's OpenAI-compatible base URL, where every call goes (None: not started)."""
    key: str
    """"set", "not set" or "not needed": never the key itself."""
    upstream: str | None = None
    """Host the gateway forwards to (None offline): never a path, query or key."""

    @property
    def offline(self) -> bool:
        """True for the deterministic stand-in."""
        return self.mode == "offline"

    def describe(self) -> str:
        """One line for a notebook or the doctor command."""
        at = self.base_url or "(the kit starts it on first use)"
        if self.offline:
            return (
                f"offline stand-in model {self.model!r} (deterministic, not an LLM; no key, "
                f"no internet), answered by the kit's model gateway at {at}"
            )
        return (
            f"model {self.model!r} at {self.upstream} (API key: {self.key}), forwarded by "
            f"the kit's model gateway at {at}"
        )


def configure_tracing() -> None:
    """Turn Agents SDK tracing off unless WORKSHOP_TRACING=on.

    Tracing uploads to OpenAI with the key; offline (or with a fake key) that is a network call
    nobody wants, and the env variable is the only switch that works inside a Temporal worker.
    """
    if os.environ.get("WORKSHOP_TRACING", "").lower() in ("on", "1", "true"):
        return
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
    if "agents" in sys.modules:
        # Already imported: it read the variable at import, so tell it directly too.
        from agents import set_tracing_disabled

        set_tracing_disabled(True)


def model_config(*, start: bool = True) -> ModelConfig:
    """The model the lessons use now (and tracing set accordingly).

    Args:
        start: start the shared services (the gateway) if they are not running, and route
            this process's OpenAI variables to it; with False, nothing is started and
            `base_url` is None until the services run.

    Raises:
        WorkshopError: WORKSHOP_MODEL=openai with neither OPENAI_API_KEY nor OPENAI_BASE_URL.
    """
    configure_tracing()
    base_url: str | None = None
    if start:
        base_url = services.route_model_calls().model_base_url
    else:
        status = services.services_status()
        base_url = f"{status['base_url']}/v1" if status else None
    user = services.user_model()
    if user is None:
        # A worker process: it inherited the routed variables and never saw the key.
        upstream = os.environ.get(services.UPSTREAM, "offline")
        model = os.environ.get(services.MODEL_VARIABLE) or MODEL_NAME
        if upstream == "offline":
            return ModelConfig("offline", model, base_url, "not needed")
        return ModelConfig("openai", model, base_url, "held by the gateway", upstream)
    if user.offline:
        return ModelConfig("offline", user.model or MODEL_NAME, base_url, "not needed")
    host = services._host(user.upstream_url or "")
    key = "set" if user.api_key else "not set"
    return ModelConfig("openai", user.model or DEFAULT_OPENAI_MODEL, base_url, key, host)


def model_name() -> str:
    """The model name to send with each call."""
    return model_config().model


def describe_model() -> str:
    """One line saying which model the lessons use (the key shown only as set / not set)."""
    return model_config(start=False).describe()


_clients: dict[tuple[Any, ...], AsyncOpenAI] = {}


def openai_client(*, max_retries: int = 0, timeout: float = 30.0) -> AsyncOpenAI:
    """An official `openai` AsyncOpenAI client for the configured model, through the gateway.

    Args:
        max_retries: the client's own retries; 0 by default so Temporal's retry policy
            (and the lesson's history) shows every failed attempt.
        timeout: seconds per request.
    """
    cfg = model_config()
    try:
        loop_id = id(asyncio.get_running_loop())
    except RuntimeError:
        loop_id = 0
    # One client per loop and settings: an httpx pool must not cross event loops.
    key = (loop_id, cfg, max_retries, timeout)
    if key not in _clients:
        _clients[key] = AsyncOpenAI(
            api_key=services.PLACEHOLDER_KEY,
            base_url=cfg.base_url,
            max_retries=max_retries,
            timeout=timeout,
        )
    return _clients[key]


def get_model_provider(*, in_process: bool = False) -> ModelProvider:
    """The Agents SDK model provider for the configured model.

    Use it in `RunConfig(model_provider=...)` or `OpenAIAgentsPlugin(model_provider=...)`.

    Args:
        in_process: offline only: run the stand-in inside this process instead of calling
            the gateway (faster, but injected model faults and the counts do not apply).
    """
    # The Agents SDK is imported here, on first use, not when the kit is imported.
    from .agents import ConfiguredProvider, OfflineModelProvider

    cfg = model_config()
    if cfg.offline and in_process:
        return OfflineModelProvider()
    return ConfiguredProvider(openai_client(timeout=60.0), cfg.model)


def agents_plugin(**model_params: Any) -> Any:
    """The Temporal OpenAI Agents plugin wired to the configured model.

    Args:
        model_params: fields of `ModelActivityParameters` (for example
            `start_to_close_timeout=timedelta(seconds=30)`).
    """
    from temporalio.contrib.openai_agents import ModelActivityParameters, OpenAIAgentsPlugin

    return OpenAIAgentsPlugin(
        model_params=ModelActivityParameters(**model_params),
        model_provider=get_model_provider(),
    )
