"""The city guide: an MCP server of the weather world, for tools the weather services lack.

It serves sights and opening hours for a few cities from data in this file (offline), over
MCP's streamable HTTP on 127.0.0.1, in a process the kit owns (`start_city_guide()`;
`python -m workshop.world.mcp_city_guide --port P` runs it in the foreground). Each tools
module adds the functions in its `TOOLS` list with `server.add_tool(fn)`, the same call you
would make on your own MCP server: the tool's name, docstring and type hints become its MCP
schema. A module that does not exist yet is skipped with a note in the log, so a lesson can
name the module its exercise will write.

Every tool call is appended to a ledger in the state folder (`CityGuide.calls()`), so a test
or a notebook can count what the server really did, across processes and crashes.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ServicesUnavailable
from ..runtime import processes
from ..runtime.processes import LOOPBACK
from ..runtime.settings import Settings, settings

SERVER_NAME = "city-guide"

SIGHTS: dict[str, list[dict[str, str]]] = {
    "austin": [
        {"name": "Texas State Capitol", "kind": "landmark", "area": "Downtown"},
        {"name": "Barton Springs Pool", "kind": "outdoors", "area": "Zilker Park"},
        {"name": "Congress Avenue Bridge bats", "kind": "nature", "area": "Lady Bird Lake"},
    ],
    "seattle": [
        {"name": "Pike Place Market", "kind": "market", "area": "Downtown"},
        {"name": "Space Needle", "kind": "landmark", "area": "Seattle Center"},
    ],
    "miami": [
        {"name": "Wynwood Walls", "kind": "art", "area": "Wynwood"},
        {"name": "South Pointe Park", "kind": "outdoors", "area": "Miami Beach"},
    ],
}

OPENING_HOURS: dict[str, str] = {
    "texas state capitol": "Mon-Fri 7 AM-10 PM, Sat-Sun 9 AM-8 PM",
    "barton springs pool": "Daily 5 AM-10 PM (closed Thursdays 9 AM-7 PM for cleaning)",
    "congress avenue bridge bats": "Bats emerge at dusk, March to October",
    "pike place market": "Daily 9 AM-6 PM",
    "space needle": "Daily 10 AM-8 PM",
    "wynwood walls": "Mon-Thu 11 AM-7 PM, Fri-Sun 10 AM-8 PM",
    "south pointe park": "Daily sunrise to 10 PM",
}


def get_sights(city: str) -> str:
    """Sights and landmarks to visit in a city (city guide)."""
    found = SIGHTS.get(city.strip().lower(), [])
    return json.dumps({"city": city, "sights": found})


def get_opening_hours(place: str) -> str:
    """Opening hours of a sight or landmark, by its name (city guide)."""
    hours = OPENING_HOURS.get(place.strip().lower())
    return json.dumps({"place": place, "opening_hours": hours or "unknown"})


TOOLS = [get_sights, get_opening_hours]


def ledger_file(cfg: Settings | None = None) -> Path:
    """The JSON-lines file where the server records each tool call."""
    return (cfg or settings()).state_dir / "mcp-city-guide-calls.jsonl"


@dataclass(frozen=True)
class CityGuide:
    """The kit's city guide MCP server, as running now."""

    url: str
    """Its streamable HTTP endpoint, for `MCPServerStreamableHttp(params={"url": ...})`."""
    tools_modules: tuple[str, ...]
    """Modules whose `TOOLS` it serves besides its own."""
    pid: int

    def calls(self) -> list[dict[str, Any]]:
        """Every tool call it served so far: `{"tool", "arguments", "pid", "time"}`."""
        path = ledger_file()
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def count(self, tool: str) -> int:
        """How many times `tool` ran at the server."""
        return sum(call["tool"] == tool for call in self.calls())

    def stop(self) -> bool:
        """Stop the server process; True when one was running."""
        return processes.stop(settings(), SERVER_NAME, timeout=5.0)

    def __repr__(self) -> str:
        extra = f" + tools from {', '.join(self.tools_modules)}" if self.tools_modules else ""
        return f"<CityGuide MCP server at {self.url}{extra}>"


def start_city_guide(*tools_modules: str, cwd: Path | None = None) -> CityGuide:
    """Start the city guide MCP server (or reuse the running one if it serves the same tools).

    Args:
        tools_modules: importable modules whose `TOOLS` list adds tools to the server; a
            different list restarts the server, so it serves the new tools.
        cwd: folder the modules are imported from (default: the current directory).
    """
    cfg = settings()
    wanted = list(tools_modules)
    with processes.locked(cfg, SERVER_NAME):
        record = processes.find(cfg, SERVER_NAME)
        if record is not None and record.info.get("tools") != wanted:
            processes.stop(cfg, SERVER_NAME, timeout=5.0)
            record = None
        if record is None:
            record = _start(cfg, wanted, Path(cwd or Path.cwd()).resolve())
    return CityGuide(str(record.info["url"]), tuple(record.info["tools"]), record.pid)


def city_guide_url() -> str:
    """The running city guide's URL (started with its own tools if it is not running)."""
    record = processes.find(settings(), SERVER_NAME)
    if record is not None:
        return str(record.info["url"])
    return start_city_guide().url


def _start(cfg: Settings, tools: list[str], cwd: Path) -> processes.ProcessRecord:
    port = processes.free_port()
    args = [sys.executable, "-m", "workshop.world.mcp_city_guide", "--port", str(port)]
    for module in tools:
        args += ["--tools", module]
    log_file = cfg.logs_dir / f"{SERVER_NAME}.log"
    proc = processes.start(
        cfg,
        SERVER_NAME,
        args,
        log_file=log_file,
        cwd=cwd,
        env=processes.kit_env(cfg, cwd, drop=("OPENAI_API_KEY",)),
        info={"port": port, "url": f"http://{LOOPBACK}:{port}/mcp", "tools": tools},
        header=f"city guide, tools modules: {tools}",
    )
    processes.wait_ready(
        proc,
        lambda: processes.port_open(port),
        what="The city guide MCP server",
        log_file=log_file,
        error=ServicesUnavailable,
    )
    record = processes.find(cfg, SERVER_NAME)
    assert record is not None
    return record


def _recorded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The tool, writing one ledger line per call (the signature stays the tool's schema)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        entry: dict[str, Any] = {"tool": fn.__name__, "arguments": dict(bound.arguments)}
        entry.update(pid=os.getpid(), time=time.time())
        path = ledger_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
        return fn(*args, **kwargs)

    return wrapper


def build_server(tools_modules: Sequence[str] = ()) -> Any:
    """The MCP server with the guide's tools and those of `tools_modules`."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        SERVER_NAME, instructions="A city guide: sights and opening hours.", log_level="WARNING"
    )
    tools = list(TOOLS)
    for name in tools_modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name not in (name, name.rpartition(".")[0]):
                raise
            print(f"city guide: no module {name} (yet), skipped", file=sys.stderr)
            continue
        tools += list(getattr(module, "TOOLS", []))
    for fn in tools:
        server.add_tool(_recorded(fn))
    return server


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the city guide over streamable HTTP on 127.0.0.1 until stopped."""
    parser = argparse.ArgumentParser(prog="python -m workshop.world.mcp_city_guide")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tools", action="append", default=[], help="module with a TOOLS list")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.getcwd())
    server = build_server(args.tools)
    server.run("streamable-http", host=LOOPBACK, port=args.port)


if __name__ == "__main__":
    main()
