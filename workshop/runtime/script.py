"""Run a kit coroutine as a standalone script without the known exit-time crash."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_script(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, then a garbage collection before the interpreter exits.

    Scripts using temporalio can abort at exit in `PyGILState_Release` when Rust-side
    objects are freed during interpreter shutdown (sdk-python issue 300); collecting them
    while the interpreter is still whole avoids it.
    """
    try:
        return asyncio.run(main)
    finally:
        gc.collect()
