"""The offline stand-in model, the model switch and model calls for activities."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._client import create_chat_completion, create_response, model_error
from ._core import MODEL_NAME, Conversation, Decision, ToolSpec, decide
from ._switch import (
    ModelConfig,
    agents_plugin,
    configure_tracing,
    describe_model,
    get_model_provider,
    model_config,
    model_name,
    openai_client,
)

# The Agents SDK classes load on first use (see workshop/_lazy.py).
__getattr__ = lazy_exports(
    __name__, {"OfflineModel": "._agents", "OfflineModelProvider": "._agents"}
)

if TYPE_CHECKING:
    from ._agents import OfflineModel, OfflineModelProvider

__all__ = [
    "MODEL_NAME",
    "Conversation",
    "Decision",
    "ModelConfig",
    "OfflineModel",
    "OfflineModelProvider",
    "ToolSpec",
    "agents_plugin",
    "configure_tracing",
    "create_chat_completion",
    "create_response",
    "decide",
    "describe_model",
    "get_model_provider",
    "model_config",
    "model_error",
    "model_name",
    "openai_client",
]
