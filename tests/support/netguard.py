"""A reusable test double: refuse and record every non-loopback connection in this process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class NetGuard:
    """Records each attempt to reach a non-loopback address (the attempt is refused)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    @contextmanager
    def active(self) -> Iterator[NetGuard]:
        """Patch `socket.socket.connect` (and connect_ex) while the block runs."""
        original, original_ex = socket.socket.connect, socket.socket.connect_ex
        guard = self

        def _check(sock: socket.socket, address: Any) -> None:
            host = address[0] if isinstance(address, tuple) else str(address)
            if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
                guard.attempts.append(str(host))
                raise OSError(f"test NetGuard: connection to {host} refused")

        def connect(sock: socket.socket, address: Any) -> None:
            _check(sock, address)
            original(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            _check(sock, address)
            return original_ex(sock, address)

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        try:
            yield self
        finally:
            socket.socket.connect, socket.socket.connect_ex = original, original_ex  # type: ignore[method-assign]
