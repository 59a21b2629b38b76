"""The offline stand-in model, the model switch and model calls for activities.

The names are listed in `__init__.pyi` and each is imported on first use, so the services
process, which needs only the stand-in (`core`, `convert`, `stream`), never loads openai or
the Agents SDK. The Agents SDK classes (`agents.py`) are imported from their module.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
