"""Load heavy parts of the kit (the Agents SDK, widgets) on first use, not at import.

A worker process, the services process and a script that only need Temporal then start in
a fraction of a second instead of paying for the Agents SDK's import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, table: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `table[name]` (relative to `package`) on first use."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(table[name], package), name)
        importlib.import_module(package).__dict__[name] = value
        return value

    return __getattr__
