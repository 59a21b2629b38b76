"""The offline stand-in model, the model switch and model calls for activities.

The Agents SDK classes (`agents.py`) are imported from their module, on first use.
"""

from .client import create_chat_completion, create_response, model_error
from .core import MODEL_NAME, Conversation, Decision, ToolSpec, decide
from .switch import (
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
