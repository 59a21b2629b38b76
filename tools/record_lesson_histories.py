"""Record every lesson workflow's history, for the replay tests (tests/replay/).

Runs each solution notebook top to bottom in a fresh kernel against a fresh embedded Temporal
server (its own state folder and ports), so the workflows run with exactly the inputs, faults
and crashes the lessons teach. Then, for every workflow class of every lesson module (the
`%%workflow_module` cells, via tests/support/lessons.py), it takes the runs of that workflow
type from the server (closed runs first, then open ones: a conversation that lives for weeks is
still open when its notebook ends, and its history so far is what a restarted worker replays),
keeps those that replay with the class (up to two, the longest first: crashes and retries make
long histories) and saves them under
tests/fixtures/lesson_histories/<module>/ with a manifest.json that the replay test reads.

A module in EXPECTED_NONDETERMINISTIC is a lesson's deliberately broken change: for it the
recorder keeps a history that must FAIL to replay with a NondeterminismError.

Usage, from the repo root (all lessons, or the numbered ones):

    .venv/bin/python tools/record_lesson_histories.py [06 ...]
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

OUT = REPO_ROOT / "tests" / "fixtures" / "lesson_histories"
MANIFEST = OUT / "manifest.json"
PER_WORKFLOW = 2
MAX_TRIES = 12
EXPECTED_NONDETERMINISTIC = {"lesson06_budget"}
"""Lesson modules that show a breaking change: their replay of the older runs must fail."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _isolate() -> None:
    """A fresh state folder and ports, offline, for this process and the kernels it starts."""
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "TEMPORAL_TLS"):
        os.environ.pop(name, None)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WORKSHOP_MODEL", "WORKSHOP_WEATHER"):
        os.environ.pop(name, None)
    os.environ["WORKSHOP_STATE_DIR"] = tempfile.mkdtemp(prefix="lesson-histories-state-")
    os.environ["WORKSHOP_TEMPORAL_PORT"] = str(_free_port())
    os.environ["WORKSHOP_TEMPORAL_UI_PORT"] = str(_free_port())
    os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"


def run_notebook(path: Path) -> int:
    """Execute one solution notebook in a fresh kernel (cwd: a temp folder); returns error count."""
    import nbformat

    from tests.support.kernels import execute, unexpected_errors

    nb = nbformat.read(path, as_version=4)
    cwd = Path(tempfile.mkdtemp(prefix=f"record-{path.stem}-"))
    started = time.monotonic()
    execute(nb, cwd)
    errors = [(i, o.ename) for i, o in unexpected_errors(nb)]
    took = time.monotonic() - started
    print(
        f"  ran {path.name} in {took:.0f} s" + (f"; cells with errors: {errors}" if errors else "")
    )
    return len(errors)


def workflow_classes(module: Any) -> list[type]:
    """Workflow classes defined in the module itself (not imported into it)."""
    from workshop.testing import discover

    return discover([module])[0]


def workflow_type(cls: type) -> str:
    """The workflow type name Temporal records for the class."""
    return str(getattr(cls, "__temporal_workflow_definition").name)


async def replay(cls: type, plugins: list[Any], history: Any) -> Exception | None:
    """Replay one history with one workflow class; the failure, or None when it replays."""
    from temporalio.worker import Replayer

    from workshop.testing import sandbox_runner

    result = await Replayer(
        workflows=[cls], plugins=plugins, workflow_runner=sandbox_runner()
    ).replay_workflow(history, raise_on_replay_failure=False)
    return result.replay_failure


async def lesson_histories(client: Any) -> dict[str, list[Any]]:
    """Histories of every workflow run on the server, by workflow type: closed runs first,
    then open ones, the longest first in each."""
    from temporalio.client import WorkflowExecutionStatus

    found: dict[str, list[tuple[bool, Any]]] = {}
    async for execution in client.list_workflows():
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        is_open = execution.status == WorkflowExecutionStatus.RUNNING
        found.setdefault(execution.workflow_type, []).append(
            (is_open, await handle.fetch_history())
        )
    return {
        kind: [h for _, h in sorted(runs, key=lambda run: (run[0], -len(run[1].events)))]
        for kind, runs in found.items()
    }


async def record(lessons: list[str]) -> int:
    """Run the lessons, then save replayable histories; returns how many workflows have none."""
    from temporalio.workflow import NondeterminismError

    import workshop
    import workshop.testing
    from tests.support.lessons import SOLUTIONS, lesson_modules_dir, module_cells, plugins_of

    notebooks = sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))
    if lessons:
        notebooks = [nb for nb in notebooks if nb.name[:2] in lessons]
    for notebook in notebooks:
        run_notebook(notebook)

    client = await workshop.connect()
    by_type = await lesson_histories(client)
    lesson_modules_dir()
    manifest: dict[str, Any] = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    missing = 0
    for notebook in notebooks:
        for name in module_cells(notebook):
            module = importlib.import_module(f"lesson_modules.{name}")
            plugins = plugins_of(module)
            expect = "nondeterministic" if name in EXPECTED_NONDETERMINISTIC else "replays"
            folder = OUT / name
            shutil.rmtree(folder, ignore_errors=True)
            entry: dict[str, Any] = {"notebook": notebook.name, "workflows": {}}
            for cls in workflow_classes(module):
                kept: list[dict[str, str]] = []
                for history in by_type.get(workflow_type(cls), [])[:MAX_TRIES]:
                    failure = await replay(cls, plugins, history)
                    wanted = (
                        failure is None
                        if expect == "replays"
                        else isinstance(failure, NondeterminismError)
                    )
                    if not wanted:
                        continue
                    folder.mkdir(parents=True, exist_ok=True)
                    path = folder / f"{cls.__name__}-{len(kept) + 1}.json"
                    path.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
                    kept.append(
                        {"file": str(path.relative_to(OUT)), "workflow_id": history.workflow_id}
                    )
                    if len(kept) == PER_WORKFLOW:
                        break
                entry["workflows"][cls.__name__] = {
                    "type": workflow_type(cls),
                    "expect": expect,
                    "histories": kept,
                }
                status = f"{len(kept)} saved" if kept else "NONE FOUND"
                print(f"  {name}.{cls.__name__} ({expect}): {status}")
                missing += not kept
            if entry["workflows"]:
                manifest[name] = entry
            else:
                manifest.pop(name, None)
    # Forget modules no solution notebook writes any more (renamed or removed).
    current = {name for nb in SOLUTIONS.glob("[0-9][0-9]-*.ipynb") for name in module_cells(nb)}
    for stale in set(manifest) - current:
        manifest.pop(stale)
        shutil.rmtree(OUT / stale, ignore_errors=True)
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    print(f"manifest: {MANIFEST.relative_to(REPO_ROOT)} ({len(manifest)} modules)")
    return missing


def main() -> None:
    """Record the lessons named on the command line (all when none are named)."""
    _isolate()
    import workshop
    import workshop.testing

    try:
        missing = workshop.testing.run_script(record(sys.argv[1:]))
    finally:
        workshop.shutdown_all()
    if missing:
        print(f"{missing} workflow(s) have no replayable history: does the notebook run them?")
        sys.exit(1)


if __name__ == "__main__":
    main()
