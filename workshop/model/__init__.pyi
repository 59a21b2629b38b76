# The names of `workshop.model`, imported on first use (`__init__.py` reads this file with
# lazy_loader.attach_stub): the services process uses the stand-in (`core`, `convert`,
# `stream`) without loading openai; type checkers read this file as the package's signature.

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
