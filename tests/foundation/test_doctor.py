"""`python -m workshop doctor`: facts when all is well, each problem with its fix when not."""

from __future__ import annotations

import os
import subprocess
import sys

from temporalio.client import Client

from tests.conftest import REPO_ROOT, free_port


def doctor(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workshop", "doctor"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_all_good_embedded_and_offline(client: Client) -> None:
    done = doctor()
    assert done.returncode == 0, done.stdout + done.stderr
    facts = dict(line.split(None, 1) for line in done.stdout.splitlines() if "  " in line)
    assert "embedded" in done.stdout and "healthy at 127.0.0.1:" in done.stdout
    assert facts["temporalio"].strip() == "1.35.0"
    assert "offline stand-in" in done.stdout and "not an LLM" in done.stdout
    assert done.stdout.rstrip().endswith("All good.")


def test_unreachable_cluster_is_a_problem_with_a_fix() -> None:
    address = f"127.0.0.1:{free_port()}"
    done = doctor(TEMPORAL_ADDRESS=address)
    assert done.returncode == 1
    assert f"remote ({address})" in done.stdout
    problems = done.stdout.split("Problems:", 1)[1]
    assert address in problems and "unset TEMPORAL_ADDRESS" in problems


def test_key_is_never_printed() -> None:
    secret = "sk-test-doctor-must-not-print-this"
    done = doctor(OPENAI_API_KEY=secret, WORKSHOP_MODEL="offline")
    assert secret not in done.stdout + done.stderr
