"""Code that transfers: each lesson's modules run on a plain Temporal Worker, with a slow model.

The test builds `temporalio.worker.Worker` itself, with Temporal's defaults: no kit worker
function, no interceptor, no tuning. The model answers only after 3 s, as real LLMs do. Every
run must complete with no activity timed out and at most one attempt retried: nothing in a
lesson may lean on the kit to keep a slow call alive. (Without heartbeats every attempt of a
3 s call would time out against the lessons' 2 s heartbeat timeout. With them, one attempt in
a run can still be timed out on a machine this busy: the SDK sends a heartbeat at most every
80% of the timeout, and a stalled event loop can hold one back past it. The run then goes on,
as it would in production.)

No run may fail a workflow task either: a failed task is workflow code the worker could not
run (an import Temporal's sandbox refused, a lesson leaning on something only the kit
provides). Temporal retries such a task, so a run can still complete with one in its history;
a task that keeps failing ends that lesson's wait at once, with the failure, instead of at
the timeout.

The modules' imports are read too: from the kit only the weather world, and no library's
private module or name (a learner copies what a lesson shows).
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from tests.support.lessons import SOLUTIONS, lesson_modules_dir, module_cells, plugins_of
from workshop import clear_faults, connect, inject_fault, start_city_guide
from workshop.notebook.failures import DEADLOCK_DETECTED, watch
from workshop.testing import route_model_calls

QUESTION = "Are there any weather alerts where I am?"
MODEL_SECONDS = 3.0

# lesson: (modules, workflow class, workflow arguments, text the answer must hold)
LESSONS: dict[str, tuple[list[str], str, list[Any], str]] = {
    "02": (["lesson02_weather_report"], "WeatherReport", [], ""),
    "03": (
        ["lesson03_llm", "lesson03_tools", "lesson03_agent_loop"],
        "DurableAgent",
        [QUESTION],
        "Heat Advisory",
    ),
    "04": (["lesson04_weather_agent"], "WeatherAgent", [QUESTION], "Heat Advisory"),
    "05": (["lesson05_agents"], "Triage", [QUESTION], "Heat Advisory"),
    "06": (["lesson06_approval"], "AskAgent", [QUESTION], "Heat Advisory"),
    "07": (
        ["lesson07_big_output", "lesson07_claim_check"],
        "StationReportClaimCheck",
        ["KSEA"],
        "readings",
    ),
    "08": (
        ["lesson08_city_guide"],
        "CityGuideAgent",
        ["What sights can I see in Austin?"],
        "Texas State Capitol",
    ),
}


def decorated(modules: list[ModuleType]) -> tuple[list[Any], list[Callable[..., Any]]]:
    """Workflows and activities defined in `modules`, found by Temporal's own decorators."""
    workflows, activities = [], []
    for module in modules:
        for value in vars(module).values():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if hasattr(value, "__temporal_workflow_definition"):
                workflows.append(value)
            elif hasattr(value, "__temporal_activity_definition"):
                activities.append(value)
    return workflows, activities


async def run_lesson(lesson: str, server: Client) -> tuple[WorkflowHandle[Any, Any], Any]:
    """Run one lesson's workflow on a plain Worker of the test's own; return handle and result."""
    names, workflow_name, args, _ = LESSONS[lesson]
    modules = [importlib.import_module(f"lesson_modules.{name}") for name in names]
    workflows, activities = decorated(modules)
    for module in modules:  # activities the module registers from elsewhere (the weather tools)
        tools = getattr(module, "TOOLS", getattr(module, "ACTIVITIES", []))
        activities += [tool for tool in tools if tool not in activities]
    plugins = [plugin for module in modules for plugin in plugins_of(module)]
    client = await Client.connect(
        server.service_client.config.target_host, namespace=server.namespace, plugins=plugins
    )
    queue = f"transfer-{lesson}-{uuid.uuid4().hex[:6]}"
    workflow = next(w for w in workflows if w.__name__ == workflow_name)
    async with Worker(client, task_queue=queue, workflows=workflows, activities=activities):
        handle = await client.start_workflow(
            workflow.run,
            args=args,
            id=f"transfer-{lesson}-{uuid.uuid4().hex[:8]}",
            task_queue=queue,
        )
        return handle, await watch(
            handle.result(), handle, timeout=120, what=f"the result of {workflow_name}"
        )


async def run_conversation(server: Client) -> tuple[WorkflowHandle[Any, Any], Any]:
    """Lesson 07's conversation: one update (a message) answered on a plain Worker."""
    chat = importlib.import_module("lesson_modules.lesson07_chat")
    client = await Client.connect(
        server.service_client.config.target_host,
        namespace=server.namespace,
        plugins=plugins_of(chat),
    )
    queue = f"transfer-07-chat-{uuid.uuid4().hex[:6]}"
    async with Worker(
        client, task_queue=queue, workflows=[chat.Conversation], activities=chat.ACTIVITIES
    ):
        handle = await client.start_workflow(
            chat.Conversation.run, chat.ChatState(), id=queue, task_queue=queue
        )
        reply = await watch(
            handle.execute_update(chat.Conversation.send, "Any weather alerts in Texas?"),
            handle,
            timeout=120,
            what="the reply to Conversation.send",
        )
        await handle.terminate("transfer test done")
    return handle, reply


async def history_problems(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """What a finished run's history shows going wrong: failed workflow tasks, activities
    timed out or retried more than once, or no activity at all."""
    attempts, timed_out, failed_tasks = [], 0, []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attempts.append(event.activity_task_started_event_attributes.attempt)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            timed_out += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            message = event.workflow_task_failed_event_attributes.failure.message
            # A busy machine can trip the 2 s deadlock detector on a cold worker's first
            # task (then retried): that is load, not the lesson's code.
            if DEADLOCK_DETECTED not in message:
                failed_tasks.append(message)
    problems = []
    if failed_tasks:
        problems.append(f"{len(failed_tasks)} failed workflow task(s), first: {failed_tasks[0]}")
    if timed_out or sum(a - 1 for a in attempts) > 1 or not attempts:
        problems.append(f"activity attempts {attempts}, activity timeouts {timed_out}")
    return problems


async def test_every_lesson_runs_on_a_plain_worker_with_a_slow_model() -> None:
    lesson_modules_dir()
    # This process stands in for a worker process: the standard OpenAI variables point at the
    # kit's model gateway, as they would at any OpenAI-compatible endpoint in production.
    route_model_calls()
    start_city_guide()  # lesson 08's MCP server, part of the kit's world
    server = await connect()
    inject_fault("model", "slow", delay=MODEL_SECONDS)
    try:
        runs = await asyncio.gather(
            *(run_lesson(lesson, server) for lesson in LESSONS),
            run_conversation(server),
            return_exceptions=True,  # every lesson is reported, not only the first to fail
        )
    finally:
        clear_faults("model")
    problems: list[str] = []
    expected = {lesson: spec[3] for lesson, spec in LESSONS.items()} | {"07 chat": "TX"}
    for lesson, run in zip(expected, runs, strict=True):
        if isinstance(run, BaseException):
            problems.append(f"lesson {lesson}: {type(run).__name__}: {run}")
            continue
        handle, result = run
        problems += [f"lesson {lesson}: {problem}" for problem in await history_problems(handle)]
        if expected[lesson] not in str(result):
            problems.append(f"lesson {lesson}: unexpected answer {result!r}")
    assert not problems, "\n".join(problems)


WEATHER_WORLD = {
    "WEATHER_TOOLS",
    "call_tool",
    "get_ip_address",
    "get_location_from_ip",
    "get_weather_alerts",
    "get_things_to_do",
    "get_local_news",
    "city_guide_url",
    "put_blob",
    "get_blob",
}
"""What lesson modules may take from the kit: the weather world's tools, the city guide's address
and the local blob store (lesson 07's stand-in for S3 or GCS), nothing else."""


def lesson_module_imports() -> Iterator[tuple[str, ast.Import | ast.ImportFrom]]:
    """(module name, import statement) for every import in every solution's lesson modules."""
    for notebook in sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb")):
        for name, source in module_cells(notebook).items():
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield name, node


def test_lesson_modules_import_only_the_weather_world_from_the_kit() -> None:
    found: dict[str, set[str]] = {}
    for name, node in lesson_module_imports():
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workshop"):
            names = {alias.name for alias in node.names}
            if node.module != "workshop" or names - WEATHER_WORLD:
                found[name] = names - WEATHER_WORLD or {node.module or ""}
        elif isinstance(node, ast.Import):
            if any(alias.name.startswith("workshop") for alias in node.names):
                found[name] = {"import workshop"}
    assert not found, f"lesson modules that lean on the kit: {found}"


def test_lesson_modules_import_no_private_module() -> None:
    """A learner copies what a lesson shows: only the libraries' public modules and names."""
    found: dict[str, set[str]] = {}
    for name, node in lesson_module_imports():
        if isinstance(node, ast.ImportFrom):
            dotted = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            dotted = [alias.name for alias in node.names]
        private = {
            path
            for path in dotted
            if any(part.startswith("_") and not part.startswith("__") for part in path.split("."))
        }
        if private:
            found.setdefault(name, set()).update(private)
    assert not found, f"lesson modules that import private modules or names: {found}"
