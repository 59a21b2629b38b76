"""Registers the marker of the one slow test here (the whole pre-flight)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "preflight: runs the whole attendee pre-flight (lesson 00 headless, ~15 s)"
    )
