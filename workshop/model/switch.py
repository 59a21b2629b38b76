"""The model switch: one place that tells every lesson which model to use.

Offline by default (the kit's stand-in, over HTTP on loopback). The real OpenAI API when
OPENAI_API_KEY is set; any OpenAI-compatible server (Ollama, vLLM, LM Studio) when
OPENAI_BASE_URL is set; WORKSHOP_MODEL=offline|openai overrides both. The key itself is
never printed, logged or returned: it is described as "set" or "not set".
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openai import AsyncOpenAI

from ..errors import WorkshopError
from .core import MODEL_NAME

if TYPE_CHECKING:
    from agents import ModelProvider

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
_OFFLINE_KEY = "offline-no-key-needed"


@dataclass(frozen=True)
class ModelConfig:
    """Which model the lessons use, without the secret."""

    mode: str
    """"offline" (the kit's stand-in) or "openai" (OpenAI or an OpenAI-compatible server)."""
    model: str
    """Model name sent with each call."""
    base_url: str | None
    """OpenAI-compatible base URL (None: api.openai.com)."""
    key: str
    """"set", "not set" or "not needed": never the key itself."""

    @property
    def offline(self) -> bool:
        """True for the deterministic stand-in."""
        return self.mode == "offline"

    def describe(self) -> str:
        """One line for a notebook or the doctor command."""
        if self.offline:
            return (
                f"offline stand-in model {self.model!r} (deterministic, not an LLM; no key, "
                f"no internet) at {self.base_url or '(the kit starts it on first use)'}"
            )
        where = self.base_url or "https://api.openai.com/v1"
        return f"OpenAI-compatible model {self.model!r} at {where} (API key: {self.key})"


def _mode() -> str:
    override = os.environ.get("WORKSHOP_MODEL", "").strip().lower()
    if override in ("offline", "openai"):
        return override
    if override:
        raise WorkshopError(
            f"WORKSHOP_MODEL={override!r} is not understood. Fix: set it to 'offline' or "
            "'openai', or unset it."
        )
    if os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"):
        return "openai"
    return "offline"


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
    """The model the lessons use now, read from the environment (and tracing set accordingly).

    Args:
        start: offline only: start the shared services if they are not running (with False,
            `base_url` is None until they run).

    Raises:
        WorkshopError: WORKSHOP_MODEL=openai with neither OPENAI_API_KEY nor OPENAI_BASE_URL.
    """
    configure_tracing()
    mode = _mode()
    if mode == "offline":
        from ..runtime.services import ensure_services, services_status

        if start:
            url: str | None = ensure_services().model_base_url
        else:
            status = services_status()
            url = f"{status['base_url']}/v1" if status else None
        return ModelConfig("offline", MODEL_NAME, url, "not needed")
    key_set = bool(os.environ.get("OPENAI_API_KEY"))
    base_url = os.environ.get("OPENAI_BASE_URL") or None
    if not key_set and base_url is None:
        raise WorkshopError(
            "WORKSHOP_MODEL=openai but OPENAI_API_KEY is not set. Fix: set OPENAI_API_KEY "
            "(or OPENAI_BASE_URL for a local OpenAI-compatible server), "
            "or use WORKSHOP_MODEL=offline."
        )
    model = os.environ.get("WORKSHOP_OPENAI_MODEL") or os.environ.get("OPENAI_MODEL")
    return ModelConfig(
        "openai", model or DEFAULT_OPENAI_MODEL, base_url, "set" if key_set else "not set"
    )


def model_name() -> str:
    """The model name to send with each call."""
    return model_config().model


def describe_model() -> str:
    """One line saying which model the lessons use (the key shown only as set / not set)."""
    return model_config(start=False).describe()


_clients: dict[tuple[Any, ...], AsyncOpenAI] = {}


def openai_client(*, max_retries: int = 0, timeout: float = 30.0) -> AsyncOpenAI:
    """An official `openai` AsyncOpenAI client for the configured model.

    Args:
        max_retries: the client's own retries; 0 by default so Temporal's retry policy
            (and the lesson's history) shows every failed attempt.
        timeout: seconds per request.
    """
    cfg = model_config()
    if cfg.offline:
        api_key = _OFFLINE_KEY
    else:
        api_key = os.environ.get("OPENAI_API_KEY") or "not-needed"
    try:
        loop_id = id(asyncio.get_running_loop())
    except RuntimeError:
        loop_id = 0
    # One client per loop and settings: an httpx pool must not cross event loops.
    key = (loop_id, cfg, hash(api_key), max_retries, timeout)
    if key not in _clients:
        _clients[key] = AsyncOpenAI(
            api_key=api_key, base_url=cfg.base_url, max_retries=max_retries, timeout=timeout
        )
    return _clients[key]


def get_model_provider(*, in_process: bool = False) -> ModelProvider:
    """The Agents SDK model provider for the configured model.

    Use it in `RunConfig(model_provider=...)` or `OpenAIAgentsPlugin(model_provider=...)`.

    Args:
        in_process: offline only: run the stand-in inside this process instead of calling
            the shared endpoint (faster, but injected model faults do not apply).
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
