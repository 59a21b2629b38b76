"""The model-calling lessons as a learner with a key runs them: same checked outputs.

Each solution notebook that calls a model (01, 03-08) runs under nbval with OPENAI_BASE_URL
pointing at a test upstream (a separate stand-in process that wants its own secret key) and
OPENAI_API_KEY set to that secret, in a state folder of its own. The checked cells (retries
after a 429, the 401 failure, the crash counts, the requests served, the streamed replies)
must give what they give offline, and the upstream must have answered exactly the requests
the gateway forwarded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.support.upstream import TestUpstream, upstream_env

pytestmark = pytest.mark.notebooks

LESSONS = [
    "01-agents-sdk-loop.ipynb",
    "03-durable-agent-loop.ipynb",
    "04-agents-sdk-on-temporal.ipynb",
    "05-micro-agents-and-handoffs.ipynb",
    "06-humans-and-production.ipynb",
    "07-a-conversation-that-lives-for-weeks.ipynb",
    "08-tools-guardrails-and-tests.ipynb",
]
_SERVED = re.compile(r'"POST /v1/(?:responses|chat/completions) HTTP/1\.1" 200 ')


def _served(log: Path) -> int:
    return len(_SERVED.findall(log.read_text(errors="replace")))


def test_every_model_lesson_is_in_the_list() -> None:
    calls_a_model = re.compile(r"\b(Runner\.run|AsyncOpenAI\(|OpenAIAgentsPlugin\()")
    found = [
        path.name
        for path in sorted((REPO_ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
        if calls_a_model.search(path.read_text())
        or any(
            calls_a_model.search(module.read_text())
            for module in (REPO_ROOT / "solutions" / "lesson_modules").glob(
                f"lesson{path.name[:2]}_*.py"
            )
        )
    ]
    assert found == LESSONS


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_passes_unchanged_through_the_gateway_to_an_upstream(
    lesson: str, upstream: TestUpstream, tmp_path: Path
) -> None:
    state = tmp_path / "learner-state"
    env = upstream_env(upstream)
    env.update(WORKSHOP_TEST_UPSTREAM="1", WORKSHOP_TEST_STATE_DIR=str(state))
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]
    args += [str(REPO_ROOT / "solutions" / lesson)]
    args += ["--nbval-lax", "--nbval-current-env"]
    args += ["--nbval-sanitize-with", str(REPO_ROOT / "tests" / "nbval_sanitize.cfg")]
    started = time.monotonic()
    run = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    print(f"{lesson} in upstream mode: {took:.0f} s")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # Every model call went to the gateway, and every one it forwarded reached the upstream.
    forwarded = _served(state / "logs" / "services.log")
    answered = _served(upstream.cfg.logs_dir / "upstream.log")
    assert forwarded > 0 and answered == forwarded == upstream.model_requests()
    # The key stayed in the gateway: not in the learner's state folder, logs or db.
    leaked = [
        str(p)
        for p in state.rglob("*")
        if p.is_file() and upstream.api_key in p.read_text(errors="replace")
    ]
    assert leaked == []
    assert upstream.api_key not in run.stdout + run.stderr
    assert os.environ.get("OPENAI_API_KEY") != upstream.api_key
