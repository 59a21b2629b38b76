"""Turn a workflow's event history into steps a person understands (no display code here).

One pass over the events. Activities become LLM calls, tool calls or plain activity steps;
retries, timeouts and worker loss become their own rows. Temporal writes an activity's
Started event only when the activity closes, so retries are read from the `attempt` and
`last_failure` of that event, and a dead worker is read from a timeout followed by a
different worker `identity`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType, TimeoutType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.converter import DataConverter

# Kinds of step; the view gives each a CSS class `workshop-step-<kind>`.
KINDS = (
    "start",
    "llm",
    "tool",
    "activity",
    "retry",
    "timeout",
    "crash",
    "resume",
    "timer",
    "signal",
    "update",
    "child",
    "handoff",
    "workflow_task",
    "end",
)

LLM_HINTS = ("llm", "model", "openai", "chat", "completion")

# The OpenAI Agents integration's MCP activity types, e.g. `<server>-stateless-call-tool-v2`.
MCP_ACTIVITY = re.compile(
    r"^(?P<server>.+)-(?:stateless|stateful)-"
    r"(?P<op>list-tools|call-tool|list-prompts|get-prompt|server-session)(?:-v2)?$"
)


@dataclass
class Step:
    """One thing that happened in a workflow, in words."""

    kind: str
    """One of `KINDS`: llm, tool, activity, retry, crash, resume, timer, signal, ..."""
    title: str
    """Short headline, e.g. `LLM call gpt-4o` or `tool get_ip_address`."""
    status: str = "done"
    """running, done, failed, timed out, cancelled, or info."""
    detail: str = ""
    """One line of detail: arguments and result, a failure message, a gap."""
    started: datetime | None = None
    ended: datetime | None = None
    attempt: int = 1
    """Attempt that produced the result (1 = first try)."""
    model: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    tool: str | None = None
    arguments: Any = None
    result: Any = None
    error: str | None = None
    identity: str | None = None
    """Worker identity that ran it (where known)."""
    agent: str | None = None
    """Active agent (Agents SDK runs), where known."""
    event_id: int = 0
    """First history event of the step (0 for steps not from a history)."""

    @property
    def tokens(self) -> int:
        """Tokens in + out."""
        return self.tokens_in + self.tokens_out

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, when both are known."""
        if self.started is None or self.ended is None:
            return None
        return (self.ended - self.started).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (datetimes as ISO strings)."""
        out = asdict(self)
        for key in ("started", "ended"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        """Build a step from a dict, e.g. a bare loop's record `{"kind": "llm", "tokens_in": 9}`."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values.setdefault("title", str(values.get("model") or values.get("tool") or data["kind"]))
        for key in ("started", "ended"):
            if isinstance(values.get(key), str):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


@dataclass
class Totals:
    """What a run cost and survived."""

    llm_calls: int = 0
    llm_attempts: int = 0
    """LLM call attempts, retries included: the model requests a run made (an attempt killed
    after the model answered was paid, though its result was lost)."""
    tokens: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tool_calls: int = 0
    retries: int = 0
    """Extra activity attempts (429s, errors, and re-runs after a crash)."""
    crashes: int = 0
    """Workers lost while the workflow ran."""
    tokens_saved: int = 0
    """Tokens of LLM calls completed before a crash: a non-durable loop pays them again."""
    llm_calls_saved: int = 0
    """LLM calls completed before a crash (not re-run by Temporal)."""
    activities: int = 0
    """Activities that are neither LLM calls nor tool calls (lesson 02's `find_ip`, ...)."""
    done_before_crash: int = 0
    """Activities of any kind completed before the last crash: none of them ran again."""
    status: str = "unknown"
    """Workflow status: running, completed, failed, ..."""


@dataclass
class _Pending:
    step: Step
    activity_id: str
    timeouts: dict[str, float]
    """Configured timeouts in seconds, by kind (heartbeat, start-to-close, ...)."""


_converter = DataConverter.default.payload_converter


def decode_payloads(payloads: Payloads | Sequence[Payload] | None) -> Any:
    """Decode payloads with the default converter: one value, a list, or None."""
    items = list(payloads.payloads if isinstance(payloads, Payloads) else payloads or [])
    values = [decode_payload(p) for p in items]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def decode_payload(payload: Payload) -> Any:
    """One payload as a Python value; undecodable ones as `<encoding>`."""
    try:
        return _converter.from_payloads([payload])[0]
    except Exception:
        encoding = payload.metadata.get("encoding", b"?").decode(errors="replace")
        return f"<{encoding} payload, {len(payload.data)} bytes>"


def short(value: Any, limit: int = 80) -> str:
    """A compact one-line rendering of a value, cut at `limit` characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_text(failure: Failure) -> str:
    """A failure's message with its type or timeout kind, and its cause."""
    parts = []
    if failure.HasField("timeout_failure_info"):
        parts.append(f"{timeout_name(failure.timeout_failure_info.timeout_type)} timeout")
    elif failure.HasField("application_failure_info") and failure.application_failure_info.type:
        parts.append(f"{failure.application_failure_info.type}: {failure.message}")
    else:
        parts.append(failure.message or "failure")
    if failure.HasField("cause"):
        parts.append(f"(cause: {failure_text(failure.cause)})")
    return " ".join(parts)


def timeout_name(value: int) -> str:
    """`TIMEOUT_TYPE_HEARTBEAT` -> `heartbeat`."""
    return TimeoutType.Name(value).removeprefix("TIMEOUT_TYPE_").lower().replace("_", "-")  # type: ignore[arg-type]


def is_timeout(failure: Failure) -> bool:
    """True when a failure (or its cause) is a timeout."""
    while True:
        if failure.HasField("timeout_failure_info"):
            return True
        if not failure.HasField("cause"):
            return False
        failure = failure.cause


def _timeout_type(failure: Failure) -> int:
    while not failure.HasField("timeout_failure_info") and failure.HasField("cause"):
        failure = failure.cause
    return int(failure.timeout_failure_info.timeout_type)


def is_llm_activity(name: str) -> bool:
    """True for activity types that look like a model call (llm/model/openai in the name)."""
    lowered = name.lower()
    return any(hint in lowered for hint in LLM_HINTS)


def mcp_operation(name: str) -> tuple[str, str] | None:
    """(server, operation) for an MCP activity type such as `guide-stateless-call-tool-v2`."""
    match = MCP_ACTIVITY.match(name)
    return (match["server"], match["op"]) if match else None


def mcp_result_text(result: Any) -> Any:
    """The text of an MCP `CallToolResult` (its text content joined); other values unchanged."""
    if not isinstance(result, dict) or not isinstance(result.get("content"), list):
        return result
    texts = [str(c.get("text")) for c in result["content"] if isinstance(c, dict) and "text" in c]
    text = " ".join(texts)
    return f"error: {text}" if result.get("isError") or result.get("is_error") else text


def llm_usage(result: Any) -> tuple[int, int]:
    """Tokens in and out from a Responses, Chat Completions or Agents SDK ModelResponse result."""
    usage = result.get("usage") if isinstance(result, dict) else None
    if not isinstance(usage, dict):
        return 0, 0
    tin = usage.get("input_tokens", usage.get("prompt_tokens", 0)) or 0
    tout = usage.get("output_tokens", usage.get("completion_tokens", 0)) or 0
    return int(tin), int(tout)


def llm_calls_requested(result: Any) -> list[tuple[str, Any]]:
    """Tool calls (name, arguments) a model result asks for, in any of the known shapes."""
    if not isinstance(result, dict):
        return []
    calls: list[tuple[str, Any]] = []
    for item in result.get("output") or []:
        if isinstance(item, dict) and item.get("type") == "function_call":
            calls.append((str(item.get("name")), item.get("arguments")))
    for choice in result.get("choices") or []:
        message = choice.get("message") or {} if isinstance(choice, dict) else {}
        for call in message.get("tool_calls") or []:
            fn = call.get("function") or {}
            calls.append((str(fn.get("name")), fn.get("arguments")))
    return calls


def llm_text(result: Any) -> str:
    """The text answer in a model result, if any."""
    if not isinstance(result, dict):
        return ""
    if isinstance(result.get("output_text"), str):
        return str(result["output_text"])
    for item in result.get("output") or []:
        if isinstance(item, dict) and item.get("type") == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict) and part.get("text"):
                    return str(part["text"])
    for choice in result.get("choices") or []:
        content = (choice.get("message") or {}).get("content") if isinstance(choice, dict) else None
        if content:
            return str(content)
    return ""


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime()


def _seconds(duration: Any) -> float:
    return float(duration.seconds) + duration.nanos / 1e9


def _fmt_seconds(value: float) -> str:
    # Durable timers can run for days (lesson 06): say "2.0 days", not "2880.0 min".
    if value < 100:
        return f"{value:.1f} s"
    if value < 2 * 3600:
        return f"{value / 60:.1f} min"
    if value < 2 * 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} days"


def as_events(history: Any) -> list[HistoryEvent]:
    """Events from a WorkflowHistory, a list of events, or history JSON (str or dict)."""
    if isinstance(history, WorkflowHistory):
        return list(history.events)
    if isinstance(history, (str, bytes)):
        history = json.loads(history)
    if isinstance(history, dict):
        if "history" in history and "events" not in history:
            history = history["history"]
        return list(WorkflowHistory.from_json("unknown", history).events)
    return list(history)


class _Builder:
    """State of the single pass over the events."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.pending: dict[int, _Pending] = {}
        self.timers: dict[int, Step] = {}
        self.children: dict[int, Step] = {}
        self.updates: dict[str, Step] = {}
        self.identity: str | None = None
        self.identity_seen: datetime | None = None
        self.timeout_seen: str | None = None
        self.offered_tools: set[str] = set()
        self.requested: list[str] = []
        self.handoffs: dict[str, str] = {}
        self.agent: str | None = None
        self.status = "running"

    def add(self, step: Step, at: int | None = None) -> Step:
        if at is None:
            self.steps.append(step)
        else:
            self.steps.insert(at, step)
        return step

    def worker_seen(self, identity: str, when: datetime, insert_at: int | None = None) -> None:
        """Note a worker identity; a change after a timeout means the old worker died."""
        if not identity:
            return
        if self.identity and identity != self.identity and self.timeout_seen:
            gap = (when - self.identity_seen).total_seconds() if self.identity_seen else None
            gap_text = f" after a gap of {_fmt_seconds(gap)}" if gap is not None else ""
            crash = Step(
                "crash",
                "worker lost",
                status="info",
                detail=f"{self.identity}; revealed by a {self.timeout_seen}; "
                "nothing it completed runs again",
                ended=when,
                identity=self.identity,
            )
            resume = Step(
                "resume",
                "new worker resumed",
                status="info",
                detail=f"{identity}; picked up the workflow{gap_text}",
                started=when,
                identity=identity,
            )
            at = len(self.steps) if insert_at is None else insert_at
            self.add(crash, at)
            self.add(resume, at + 1)
            self.timeout_seen = None
        elif self.identity is None or identity == self.identity:
            pass
        self.identity = identity
        self.identity_seen = when

    def feed(self, event: HistoryEvent) -> None:
        kind = event.event_type
        when = _time(event)
        handler = getattr(
            self, "on_" + EventType.Name(kind).removeprefix("EVENT_TYPE_").lower(), None
        )
        if handler is not None:
            handler(event, when)

    # Workflow start and end.
    def on_workflow_execution_started(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_execution_started_event_attributes
        args = decode_payloads(attrs.input)
        self.add(
            Step(
                "start",
                f"workflow {attrs.workflow_type.name} started",
                status="info",
                detail=f"input {short(args)}" if args is not None else "",
                started=when,
                arguments=args,
                event_id=event.event_id,
            )
        )

    def _end(self, event: HistoryEvent, when: datetime, status: str, detail: str) -> None:
        self.status = status
        self.add(
            Step(
                "end",
                f"workflow {status}",
                status=status,
                detail=detail,
                ended=when,
                event_id=event.event_id,
            )
        )

    def on_workflow_execution_completed(self, event: HistoryEvent, when: datetime) -> None:
        result = decode_payloads(event.workflow_execution_completed_event_attributes.result)
        self._end(event, when, "completed", f"result {short(result, 120)}")
        self.steps[-1].result = result

    def on_workflow_execution_failed(self, event: HistoryEvent, when: datetime) -> None:
        failure = event.workflow_execution_failed_event_attributes.failure
        self._end(event, when, "failed", failure_text(failure))
        self.steps[-1].error = failure_text(failure)

    def on_workflow_execution_timed_out(self, event: HistoryEvent, when: datetime) -> None:
        self._end(event, when, "timed out", "workflow execution timeout")

    def on_workflow_execution_canceled(self, event: HistoryEvent, when: datetime) -> None:
        self._end(event, when, "cancelled", "")

    def on_workflow_execution_terminated(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_execution_terminated_event_attributes
        self._end(event, when, "terminated", f"{attrs.reason} (by {attrs.identity})".strip())

    def on_workflow_execution_continued_as_new(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_execution_continued_as_new_event_attributes
        self._end(event, when, "continued as new", f"new run {attrs.new_execution_run_id}")

    # Workflow tasks: who runs the workflow code.
    def on_workflow_task_started(self, event: HistoryEvent, when: datetime) -> None:
        self.worker_seen(event.workflow_task_started_event_attributes.identity, when)

    def on_workflow_task_completed(self, event: HistoryEvent, when: datetime) -> None:
        self.worker_seen(event.workflow_task_completed_event_attributes.identity, when)

    def on_workflow_task_timed_out(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_task_timed_out_event_attributes
        self.timeout_seen = f"workflow task {timeout_name(attrs.timeout_type)} timeout"

    def on_workflow_task_failed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_task_failed_event_attributes
        self.add(
            Step(
                "workflow_task",
                "workflow task failed",
                status="failed",
                detail=failure_text(attrs.failure),
                error=failure_text(attrs.failure),
                ended=when,
                identity=attrs.identity,
                event_id=event.event_id,
            )
        )

    # Activities.
    def on_activity_task_scheduled(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.activity_task_scheduled_event_attributes
        name = attrs.activity_type.name
        args = decode_payloads(attrs.input)
        summary = ""
        if event.HasField("user_metadata") and event.user_metadata.HasField("summary"):
            summary = str(decode_payload(event.user_metadata.summary) or "")
        mcp = mcp_operation(name)
        if mcp is not None:
            step = self._mcp_scheduled(*mcp, args)
        elif name == "invoke_model_activity" or is_llm_activity(name):
            step = self._llm_scheduled(name, args, summary)
        elif name in self.requested or name in self.offered_tools:
            step = Step(
                "tool", f"tool {name}", tool=name, arguments=args, detail=f"args {short(args)}"
            )
            if name in self.requested:
                self.requested.remove(name)
        else:
            step = Step(
                "activity",
                f"activity {name}",
                arguments=args,
                detail=f"input {short(args)}" if args is not None else "",
            )
        step.status = "running"
        step.started = when
        step.event_id = event.event_id
        step.agent = step.agent or self.agent
        timeouts = {
            "heartbeat": _seconds(attrs.heartbeat_timeout),
            "start-to-close": _seconds(attrs.start_to_close_timeout),
            "schedule-to-close": _seconds(attrs.schedule_to_close_timeout),
            "schedule-to-start": _seconds(attrs.schedule_to_start_timeout),
        }
        self.pending[event.event_id] = _Pending(step, attrs.activity_id, timeouts)
        self.add(step)

    def _mcp_scheduled(self, server: str, op: str, args: Any) -> Step:
        """An MCP operation: a tool call reads as the tool; the rest as `MCP <op> [server]`."""
        if op == "call-tool":
            # v2 passes one dataclass {"tool_name", "arguments"}; v1 two arguments.
            if isinstance(args, dict):
                tool, arguments = str(args.get("tool_name")), args.get("arguments")
            else:
                tool, arguments = str(args[0]), args[1] if len(args) > 1 else None
            if tool in self.requested:
                self.requested.remove(tool)
            return Step(
                "tool",
                f"MCP tool {tool} [{server}]",
                tool=tool,
                arguments=arguments,
                detail=f"args {short(arguments)}",
            )
        return Step("activity", f"MCP {op.replace('-', ' ')} [{server}]", arguments=args)

    def _llm_scheduled(self, name: str, args: Any, summary: str) -> Step:
        model = None
        if isinstance(args, dict):
            model = args.get("model_name") or args.get("model")
            for tool in args.get("tools") or []:
                if isinstance(tool, dict) and tool.get("name"):
                    self.offered_tools.add(str(tool["name"]))
                elif isinstance(tool, dict) and isinstance(tool.get("function"), dict):
                    self.offered_tools.add(str(tool["function"].get("name")))
            for handoff in args.get("handoffs") or []:
                if isinstance(handoff, dict) and handoff.get("tool_name"):
                    self.handoffs[str(handoff["tool_name"])] = str(handoff.get("agent_name"))
        if summary:
            self.agent = summary
        title = "LLM call" + (f" {model}" if model else "") + (f" [{summary}]" if summary else "")
        return Step("llm", title, model=model, arguments=args, agent=summary or None)

    def on_activity_task_started(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.activity_task_started_event_attributes
        pend = self.pending.get(attrs.scheduled_event_id)
        if pend is None:
            return
        step = pend.step
        step.attempt = attrs.attempt
        step.identity = attrs.identity
        failure = attrs.last_failure if attrs.HasField("last_failure") else None
        if failure is not None and is_timeout(failure):
            limit = pend.timeouts.get(timeout_name(_timeout_type(failure)))
            limit_text = f" ({_fmt_seconds(limit)})" if limit else ""
            self.timeout_seen = f"{failure_text(failure)}{limit_text} of {step.title}"
        at = self.steps.index(step)
        before = len(self.steps)
        self.worker_seen(attrs.identity, when, insert_at=at)
        at += len(self.steps) - before
        if attrs.attempt > 1:
            tries = attrs.attempt - 1
            self.add(
                Step(
                    "retry",
                    f"{step.title}: {tries} failed attempt{'s' if tries > 1 else ''}, retried",
                    status="info",
                    detail=f"last failure: {failure_text(failure)}" if failure else "",
                    error=failure_text(failure) if failure else None,
                    attempt=attrs.attempt,
                    event_id=event.event_id,
                ),
                at,
            )
        step.started = when

    def on_activity_task_completed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.activity_task_completed_event_attributes
        pend = self.pending.pop(attrs.scheduled_event_id, None)
        if pend is None:
            return
        step = pend.step
        step.status = "done"
        step.ended = when
        result = decode_payloads(attrs.result)
        step.result = result
        if step.kind == "llm":
            self._llm_done(step, result)
        elif step.title.startswith("MCP list tools") and isinstance(result, list):
            names = [str(t.get("name")) for t in result if isinstance(t, dict)]
            step.detail = f"{len(names)} tools: {', '.join(names)}"
        elif step.title.startswith("MCP tool"):
            step.result = mcp_result_text(result)
            step.detail = " -> ".join(x for x in (step.detail, short(step.result, 60)) if x)
        else:
            step.detail = " -> ".join(x for x in (step.detail, short(result, 60)) if x)

    def _llm_done(self, step: Step, result: Any) -> None:
        step.tokens_in, step.tokens_out = llm_usage(result)
        if isinstance(result, dict) and result.get("model") and not step.model:
            step.model = str(result["model"])
            step.title = step.title.replace("LLM call", f"LLM call {step.model}", 1)
        calls = llm_calls_requested(result)
        handoff_to = [self.handoffs[n] for n, _ in calls if n in self.handoffs]
        tools = [n for n, _ in calls if n not in self.handoffs]
        self.requested.extend(tools)
        said = llm_text(result)
        parts = [f"{step.tokens_in} in / {step.tokens_out} out tokens"]
        if tools:
            parts.append("asks for " + ", ".join(tools))
        if said:
            parts.append(f"says {short(said, 50)!r}")
        step.detail = "; ".join(parts)
        for agent in handoff_to:
            self.add(
                Step(
                    "handoff",
                    f"handoff: {step.agent or 'agent'} -> {agent}",
                    status="info",
                    detail=f"{agent} is now the active agent",
                    agent=agent,
                    started=step.ended,
                )
            )
            self.agent = agent

    def on_activity_task_failed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.activity_task_failed_event_attributes
        self._activity_closed(attrs.scheduled_event_id, when, "failed", failure_text(attrs.failure))

    def on_activity_task_timed_out(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.activity_task_timed_out_event_attributes
        text = failure_text(attrs.failure)
        pend = self.pending.get(attrs.scheduled_event_id)
        self.timeout_seen = f"{text} of {pend.step.title if pend else 'an activity'}"
        self._activity_closed(attrs.scheduled_event_id, when, "timed out", text)
        self.add(
            Step(
                "timeout",
                f"{pend.step.title if pend else 'activity'} timed out",
                status="failed",
                detail=text,
                error=text,
                ended=when,
                event_id=event.event_id,
            )
        )

    def on_activity_task_canceled(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.activity_task_canceled_event_attributes
        self._activity_closed(attrs.scheduled_event_id, when, "cancelled", "cancelled")

    def _activity_closed(self, scheduled: int, when: datetime, status: str, error: str) -> None:
        pend = self.pending.pop(scheduled, None)
        if pend is None:
            return
        pend.step.status = status
        pend.step.ended = when
        pend.step.error = error
        pend.step.detail = " -> ".join(x for x in (pend.step.detail, error) if x)

    # Timers, signals, updates, child workflows.
    def on_timer_started(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.timer_started_event_attributes
        secs = _seconds(attrs.start_to_fire_timeout)
        step = Step(
            "timer",
            f"timer {_fmt_seconds(secs)}",
            status="running",
            started=when,
            event_id=event.event_id,
        )
        self.timers[event.event_id] = self.add(step)

    def on_timer_fired(self, event: HistoryEvent, when: datetime) -> None:
        step = self.timers.pop(event.timer_fired_event_attributes.started_event_id, None)
        if step:
            step.status, step.ended, step.detail = "done", when, "fired"

    def on_timer_canceled(self, event: HistoryEvent, when: datetime) -> None:
        step = self.timers.pop(event.timer_canceled_event_attributes.started_event_id, None)
        if step:
            step.status, step.ended, step.detail = "cancelled", when, "cancelled"

    def on_workflow_execution_signaled(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_execution_signaled_event_attributes
        args = decode_payloads(attrs.input)
        who = f" from {attrs.identity}" if attrs.identity else ""
        self.add(
            Step(
                "signal",
                f"signal {attrs.signal_name}{who}",
                status="info",
                detail=f"args {short(args)}" if args is not None else "",
                arguments=args,
                started=when,
                identity=attrs.identity or None,
                event_id=event.event_id,
            )
        )

    def on_workflow_execution_update_accepted(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_execution_update_accepted_event_attributes
        req = attrs.accepted_request
        args = decode_payloads(req.input.args)
        who = f" from {req.meta.identity}" if req.meta.identity else ""
        step = Step(
            "update",
            f"update {req.input.name}{who}",
            status="running",
            detail=f"args {short(args)}" if args is not None else "",
            arguments=args,
            started=when,
            identity=req.meta.identity or None,
            event_id=event.event_id,
        )
        self.updates[attrs.protocol_instance_id] = self.add(step)

    def on_workflow_execution_update_completed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.workflow_execution_update_completed_event_attributes
        step = self.updates.pop(attrs.meta.update_id, None)
        if step is None:
            return
        step.ended = when
        if attrs.outcome.HasField("failure"):
            step.status, step.error = "failed", failure_text(attrs.outcome.failure)
            step.detail = " -> ".join(x for x in (step.detail, step.error) if x)
        else:
            step.status = "done"
            step.result = decode_payloads(attrs.outcome.success)
            step.detail = " -> ".join(x for x in (step.detail, short(step.result, 60)) if x)

    def on_start_child_workflow_execution_initiated(
        self, event: HistoryEvent, when: datetime
    ) -> None:
        attrs = event.start_child_workflow_execution_initiated_event_attributes
        step = Step(
            "child",
            f"child workflow {attrs.workflow_type.name}",
            status="running",
            detail=f"id {attrs.workflow_id}",
            started=when,
            event_id=event.event_id,
            arguments=decode_payloads(attrs.input),
        )
        self.children[event.event_id] = self.add(step)

    def _child_closed(self, initiated: int, when: datetime, status: str, detail: str) -> None:
        step = self.children.pop(initiated, None)
        if step:
            step.status, step.ended = status, when
            step.detail = " -> ".join(x for x in (step.detail, detail) if x)

    def on_child_workflow_execution_completed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.child_workflow_execution_completed_event_attributes
        result = decode_payloads(attrs.result)
        self._child_closed(attrs.initiated_event_id, when, "done", short(result, 60))

    def on_child_workflow_execution_failed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.child_workflow_execution_failed_event_attributes
        self._child_closed(attrs.initiated_event_id, when, "failed", failure_text(attrs.failure))

    def on_child_workflow_execution_timed_out(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.child_workflow_execution_timed_out_event_attributes
        self._child_closed(attrs.initiated_event_id, when, "timed out", "")

    def on_start_child_workflow_execution_failed(self, event: HistoryEvent, when: datetime) -> None:
        attrs = event.start_child_workflow_execution_failed_event_attributes
        self._child_closed(attrs.initiated_event_id, when, "failed", "could not start")


def history_steps(history: Any, *, pending: Iterable[Any] = ()) -> list[Step]:
    """Steps of a workflow history.

    Args:
        history: a `WorkflowHistory`, a list of `HistoryEvent`, or the history as JSON
            (`WorkflowHistory.to_json()` output, str or dict).
        pending: `PendingActivityInfo` protos from `describe()`, to show the attempt and last
            failure of activities still running (the history learns them only at the end).
    """
    builder = _Builder()
    for event in as_events(history):
        builder.feed(event)
    by_activity_id = {p.activity_id: p for p in pending}
    for pend in builder.pending.values():
        info = by_activity_id.get(pend.activity_id)
        if info is not None and info.attempt > 1:
            pend.step.attempt = info.attempt
            last = failure_text(info.last_failure) if info.HasField("last_failure") else ""
            pend.step.detail = f"attempt {info.attempt}" + (
                f"; last failure: {last}" if last else ""
            )
    return builder.steps


def workflow_status(steps: Sequence[Step]) -> str:
    """running until an end step says otherwise."""
    for step in reversed(steps):
        if step.kind == "end":
            return step.status
    return "running" if steps else "unknown"


def summarize(steps: Sequence[Step]) -> Totals:
    """Totals of a run: LLM calls, tokens, tool calls, other activities, retries, crashes, and
    what completed before a crash."""
    totals = Totals(status=workflow_status(steps))
    done_llm_tokens = 0
    done_llm_calls = 0
    done = 0
    for step in steps:
        if step.kind in ("llm", "tool", "activity") and step.status == "done":
            done += 1
        if step.kind == "llm":
            totals.llm_calls += 1
            totals.llm_attempts += max(step.attempt, 1)
            totals.tokens_in += step.tokens_in
            totals.tokens_out += step.tokens_out
            if step.status == "done":
                done_llm_tokens += step.tokens
                done_llm_calls += 1
        elif step.kind == "tool":
            totals.tool_calls += 1
        elif step.kind == "activity":
            totals.activities += 1
        elif step.kind == "crash":
            totals.crashes += 1
            totals.done_before_crash = done
            totals.tokens_saved += done_llm_tokens
            totals.llm_calls_saved += done_llm_calls
        if step.kind in ("llm", "tool", "activity"):
            totals.retries += max(step.attempt - 1, 0)
    totals.tokens = totals.tokens_in + totals.tokens_out
    return totals


async def fetch_steps(
    handle_or_id: WorkflowHandle[Any, Any] | str, client: Client | None = None
) -> list[Step]:
    """Fetch a workflow's history (and its pending activities while it runs) as steps."""
    handle = await resolve_handle(handle_or_id, client)
    history = await handle.fetch_history()
    steps = history_steps(history)
    if workflow_status(steps) == "running":
        try:
            desc = await handle.describe()
            steps = history_steps(history, pending=desc.raw_description.pending_activities)
        except Exception:
            pass  # The history alone still tells the story.
    return steps


async def resolve_handle(
    handle_or_id: WorkflowHandle[Any, Any] | str, client: Client | None = None
) -> WorkflowHandle[Any, Any]:
    """A workflow handle from a handle or a workflow id (connecting the kit's client)."""
    if isinstance(handle_or_id, WorkflowHandle):
        return handle_or_id
    if client is None:
        from ..runtime.server import connect

        client = await connect()
    return client.get_workflow_handle(str(handle_or_id))
