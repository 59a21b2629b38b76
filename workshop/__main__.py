"""The kit's command line: `python -m workshop doctor | stop | server start|status | serve`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys

from .doctor import doctor_main
from .errors import WorkshopError
from .runtime.server import ensure_server, find_server
from .runtime.settings import settings
from .runtime.shutdown import shutdown_all


def _stop() -> int:
    cfg = settings()
    stopped = shutdown_all(cfg)
    if stopped:
        print(f"Stopped what the kit started for {cfg.state_dir}:")
        for entry in stopped:
            print(f"  {entry}")
    else:
        print(f"Nothing of the kit's was running for {cfg.state_dir}.")
    print("Workflows and their histories stay in the db file for the next start.")
    return 0


def _server(action: str) -> int:
    if action == "stop":
        # Stopping the server alone would leave workers and services of this folder behind.
        print("`server stop` stops everything the kit started (same as `python -m workshop stop`).")
        return _stop()
    if action == "status":
        info = find_server()
        if info is None:
            print(f"No embedded Temporal server runs for {settings().state_dir}.")
            return 1
    else:
        info = asyncio.run(ensure_server())
    how = "started" if info.started else "running"
    print(
        f"Temporal dev server {how} at {info.target} (pid {info.pid}, state folder "
        f"{info.state_dir}); UI {info.ui_url}; log {info.log_file}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one kit command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m workshop")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser(
        "doctor",
        help="versions, Temporal and model mode, problems and fixes (leaves nothing running)",
    )
    doctor.add_argument(
        "--model",
        action="store_true",
        help="also make one tiny real request through the model gateway",
    )
    commands.add_parser(
        "stop", help="stop the dev server, services and worker processes the kit started here"
    )
    server = commands.add_parser("server", help="the embedded Temporal dev server")
    server.add_argument("action", choices=["start", "stop", "status"])
    commands.add_parser("serve", help="run the model endpoint and tool services in the foreground")
    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "doctor":
            return doctor_main(model_request=args.model)
        if args.command == "stop":
            return _stop()
        if args.command == "server":
            return _server(args.action)
        from .services.app import serve_main

        return int(serve_main(rest) or 0)
    except WorkshopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        gc.collect()


if __name__ == "__main__":
    sys.exit(main())
