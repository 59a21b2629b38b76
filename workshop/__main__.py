"""The kit's command line: `python -m workshop doctor | server start|stop|status | serve`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys

from ._doctor import doctor_main
from ._errors import WorkshopError
from ._temporal import ensure_server, stop_server


def _server(action: str) -> int:
    if action == "stop":
        print("stopped" if stop_server() else "no embedded server was running")
        return 0
    info = asyncio.run(ensure_server())
    how = "started" if info.started else "already running"
    if action == "start" or info.started:
        print(f"Temporal dev server {how} at {info.target}; UI {info.ui_url}; log {info.log_file}")
    else:
        print(f"Temporal dev server running at {info.target}; UI {info.ui_url}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one kit command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m workshop")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="versions, Temporal and model mode, problems and fixes")
    server = commands.add_parser("server", help="the embedded Temporal dev server")
    server.add_argument("action", choices=["start", "stop", "status"])
    commands.add_parser("serve", help="run the offline model and tool services in the foreground")
    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "doctor":
            return doctor_main()
        if args.command == "server":
            return _server(args.action)
        from ._services import serve_main

        return int(serve_main(rest) or 0)
    except WorkshopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        gc.collect()


if __name__ == "__main__":
    sys.exit(main())
