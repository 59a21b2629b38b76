"""The offline stand-in model, the model switch and model calls for activities."""

from ._agents import OfflineModel, OfflineModelProvider
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
