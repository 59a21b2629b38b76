"""A plain (non-durable) Agents SDK run in its own process, killed at a declared point.

Lesson 01 needs the crash a bare agent loop suffers: a real SIGKILL of the process running
`Runner.run`, landing on a declared step (never a sleep), then a re-run from scratch. The
child process (`python -m workshop.crash.agent_process`) records every LLM call and tool call it
completes to a JSON-lines file as it goes, so the notebook can count what was paid before
the crash and what was paid again after it.

Kill points reuse the worker's spec language, read for tools:

- ``start:TOOL[#K]``: when tool TOOL is about to run (its K-th call in this run);
- ``mid:TOOL[#K]``: after TOOL ran, before its result goes back to the model;
- ``after:N``: once N tool calls have completed.

Each record is a dict that `Step.from_dict` understands, so `history_text(run.steps)` and
`compare_runs(...)` show a bare run the same way as a Temporal one.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..runtime import processes
from ..runtime.settings import settings
from .kill_points import KillPoint


def kill_when_tool_starts(name: str, run: int = 1) -> KillPoint:
    """Kill the agent process when tool `name` is about to run (its `run`-th call)."""
    return KillPoint("start", name, run)


def kill_after_tool_calls(n: int) -> KillPoint:
    """Kill the agent process once `n` tool calls have completed."""
    return KillPoint("after", None, n)


def describe_tool_kill(point: KillPoint) -> str:
    """A kill point in words, read for an agent's tools."""
    nth = f" (call {point.count})" if point.count != 1 else ""
    if point.kind == "after":
        return f"after {point.count} tool calls completed"
    if point.kind == "start":
        return f"when tool {point.activity} starts{nth}"
    return f"after tool {point.activity} ran{nth}, before the model sees its result"


@dataclass
class AgentRun:
    """What one agent process did: the steps it completed, its answer, how it ended."""

    question: str
    """The question the agent was asked."""
    returncode: int
    """Exit code of the process (-9 after SIGKILL)."""
    steps: list[dict[str, Any]] = field(default_factory=list)
    """Records in order: `{"kind": "llm", ...}`, `{"kind": "tool", ...}`, then a crash or end."""
    kill_point: KillPoint | None = None
    """The declared kill point, if any."""
    model_requests: int | None = None
    """Model requests the kit's gateway received from this run's process (offline or
    forwarded), counted by the run id the process sends: no other run's requests count."""
    log_file: Path | None = None
    """The process's output."""

    @property
    def killed(self) -> bool:
        """True when the process died by SIGKILL."""
        return self.returncode == -signal.SIGKILL

    @property
    def answer(self) -> str | None:
        """The agent's final answer, or None when the process died first."""
        ends = [s for s in self.steps if s["kind"] == "end"]
        return str(ends[-1]["detail"]) if ends else None

    @property
    def llm_calls(self) -> int:
        """LLM calls that completed (each one was paid for)."""
        return sum(1 for s in self.steps if s["kind"] == "llm")

    @property
    def tool_calls(self) -> int:
        """Tool calls that completed."""
        return sum(1 for s in self.steps if s["kind"] == "tool")

    @property
    def tokens(self) -> int:
        """Tokens of the completed LLM calls (in + out)."""
        return sum(s.get("tokens_in", 0) + s.get("tokens_out", 0) for s in self.steps)

    def summary(self) -> str:
        """One line: how the run ended and what it paid."""
        if self.killed:
            how = "killed (SIGKILL)" + (
                f" {describe_tool_kill(self.kill_point)}" if self.kill_point else ""
            )
        elif self.answer is not None:
            how = "finished"
        else:
            how = f"exited with code {self.returncode}"
        answer = self.answer
        if answer is not None and len(answer) > 60:
            answer = answer[:59] + "…"
        tools = f"{self.tool_calls} tool call" + ("" if self.tool_calls == 1 else "s")
        return (
            f"{how}: {self.llm_calls} LLM calls ({self.tokens} tokens) and {tools} completed; "
            + (f"answer: {answer!r}" if answer is not None else "no answer")
        )

    def text(self) -> str:
        """The completed steps, one line each, then the summary."""
        lines = [
            f"{i:>3}  {s['kind'].upper():<6} {s.get('title', ''):<28} {s.get('detail', '')}"[:150]
            for i, s in enumerate(self.steps, 1)
        ]
        return "\n".join([*lines, self.summary()])

    def __repr__(self) -> str:
        return f"<AgentRun {self.summary()}>"


def _agent_spec(agent: str | Callable[..., Any]) -> str:
    if isinstance(agent, str):
        if ":" not in agent:
            raise ValueError(f"agent {agent!r}: use 'module:name', e.g. 'my_module:build_agent'")
        return agent
    module, name = getattr(agent, "__module__", None), getattr(agent, "__qualname__", "")
    if not module or module == "__main__" or "." in name:
        raise ValueError(
            "The agent process imports the agent by name, so it must be a module-level "
            "function in a module file (write it with %%workflow_module), not a notebook cell."
        )
    return f"{module}:{name}"


def _model_requests(run_id: str) -> int | None:
    """The gateway's count of the model requests sent with run id `run_id` (None when the
    services do not answer)."""
    from ..runtime.services import services_status

    status = services_status()
    if status is None:
        return None
    return int(status.get("model_calls_by_run", {}).get(run_id, 0))


async def run_agent_process(
    agent: str | Callable[..., Any],
    question: str,
    *,
    kill_at: KillPoint | str | None = None,
    name: str = "agent",
    cwd: Path | str | None = None,
    timeout: float = 120.0,
) -> AgentRun:
    """Run an agent with `Runner.run` in a fresh process and wait until it ends or is killed.

    Args:
        agent: a module-level function returning the `Agent` (or the Agent itself), or its
            import path `"module:name"`. The process imports it; nothing is shared.
        question: the user's message.
        kill_at: a declared point at which the process SIGKILLs itself (see module docstring).
        name: names the log and record files (`<state>/logs/agent-NAME.log`).
        cwd: folder the agent's module is imported from (default: the current directory).
        timeout: seconds before the process is killed and TimeoutError raised.
    """
    from ..runtime.services import route_model_calls

    spec = _agent_spec(agent)
    point = KillPoint.parse(kill_at) if isinstance(kill_at, str) else kill_at
    cfg = settings()
    cfg.ensure_dirs()
    record = cfg.state_dir / "agent-runs" / f"{name}.jsonl"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    log_file = cfg.logs_dir / f"agent-{name}.log"
    folder = Path(cwd or Path.cwd()).resolve()
    run_id = f"{name}-{uuid.uuid4().hex[:12]}"
    args = ["--agent", spec, "--question", question, "--record", str(record)]
    args += ["--run-id", run_id]
    if point is not None:
        args += ["--kill-at", point.spec()]
    route_model_calls()  # every model call goes through the gateway, which counts it
    # It exits when the kernel or script that started it dies.
    proc = processes.start_python(
        cfg,
        f"agent-{name}",
        "workshop.crash.agent_process",
        args,
        log_file=log_file,
        cwd=folder,
        env=processes.kit_env(cfg, folder),
        header=f"agent run (kill point: {point})",
    )
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise TimeoutError(f"agent process {name!r} still running after {timeout:.0f} s")
        await asyncio.sleep(0.02)
    steps = (
        [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    )
    run = AgentRun(
        question=question,
        returncode=proc.returncode,
        steps=steps,
        kill_point=point,
        model_requests=_model_requests(run_id),
        log_file=log_file,
    )
    if run.answer is None and not run.killed:
        raise RuntimeError(
            f"agent process {name!r} exited with code {proc.returncode} without an answer. "
            f"Its log ({log_file}) ends with:\n{processes.tail(log_file, 20)}"
        )
    return run


# --- the child process ------------------------------------------------------------------


def _recorder(out: TextIO, point: KillPoint | None) -> Any:
    """RunHooks that write one record per completed step and fire the kill point."""
    from agents import RunHooks

    def write(record: dict[str, Any]) -> None:
        # Written and flushed at once: after a SIGKILL the file still holds every line.
        out.write(json.dumps(record, default=str) + "\n")
        out.flush()

    def die(why: str) -> None:
        write({"kind": "crash", "title": "process killed (SIGKILL)", "status": "info"})
        print(f"KILL POINT reached: {why} -> SIGKILL", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    class Recorder(RunHooks):  # type: ignore[type-arg]
        def __init__(self) -> None:
            self.runs: dict[str, int] = {}
            self.done = 0

        async def on_llm_end(self, context: Any, agent: Any, response: Any) -> None:
            calls = [
                getattr(item, "name", "")
                for item in response.output
                if getattr(item, "type", "") == "function_call"
            ]
            usage = response.usage
            write(
                {
                    "kind": "llm",
                    "title": f"LLM call ({agent.name})",
                    "tokens_in": usage.input_tokens,
                    "tokens_out": usage.output_tokens,
                    "detail": ("asks for " + ", ".join(calls)) if calls else "answers",
                }
            )

        async def on_tool_start(self, context: Any, agent: Any, tool: Any) -> None:
            self.runs[tool.name] = run = self.runs.get(tool.name, 0) + 1
            if (
                point
                and point.kind == "start"
                and (point.activity, point.count) == (tool.name, run)
            ):
                die(describe_tool_kill(point))

        async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
            arguments = getattr(context, "tool_arguments", None)
            write(
                {
                    "kind": "tool",
                    "title": f"tool {tool.name}",
                    "tool": tool.name,
                    "arguments": json.loads(arguments) if arguments else None,
                    "detail": str(result)[:120],
                }
            )
            self.done += 1
            if point is None:
                return
            run = self.runs.get(tool.name, 0)
            if point.kind == "mid" and (point.activity, point.count) == (tool.name, run):
                die(describe_tool_kill(point))
            if point.kind == "after" and self.done == point.count:
                die(describe_tool_kill(point))

    return Recorder()


async def _child(args: argparse.Namespace) -> None:
    from agents import RunConfig, Runner

    from ..model import model_config, openai_client
    from ..model.agents import ConfiguredProvider
    from ..runtime.services import RUN_HEADER

    module_name, _, attr = args.agent.partition(":")
    target = getattr(importlib.import_module(module_name), attr)
    agent = target() if callable(target) else target
    point = KillPoint.parse(args.kill_at) if args.kill_at else None
    print(f"agent process pid {os.getpid()}: {agent.name!r}, kill point: {point}", flush=True)
    # The kit's model client, sending this run's id, so the gateway counts its requests apart.
    client = openai_client(timeout=60.0).with_options(default_headers={RUN_HEADER: args.run_id})
    provider = ConfiguredProvider(client, model_config().model)
    with open(args.record, "a", encoding="utf-8") as out:
        result = await Runner.run(
            agent,
            args.question,
            run_config=RunConfig(model_provider=provider, tracing_disabled=True),
            hooks=_recorder(out, point),
        )
        answer = str(result.final_output)
        out.write(
            json.dumps({"kind": "end", "title": "answer", "status": "completed", "detail": answer})
            + "\n"
        )
    print(f"answer: {answer}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Command line of the child process."""
    from ..runtime.script import run_script

    parser = argparse.ArgumentParser(prog="python -m workshop.crash.agent_process")
    parser.add_argument("--agent", required=True, help="module:name of the Agent or its factory")
    parser.add_argument("--question", required=True)
    parser.add_argument("--record", required=True, help="JSON-lines file of completed steps")
    parser.add_argument("--kill-at", help="start:TOOL, mid:TOOL or after:N")
    parser.add_argument("--run-id", required=True, help="sent with each model request")
    args = parser.parse_args(argv)
    processes.exit_with_parent()
    run_script(_child(args))


if __name__ == "__main__":
    main()
