"""`python -m workshop doctor --model`: one tiny real request through the gateway."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT, free_port
from tests.support.upstream import TestUpstream, upstream_env
from workshop.testing import Settings, processes


def _doctor(env: dict[str, str], state: Path) -> subprocess.CompletedProcess[str]:
    env = {**env, "WORKSHOP_STATE_DIR": str(state)}
    env["WORKSHOP_TEMPORAL_PORT"] = str(free_port())
    env["WORKSHOP_TEMPORAL_UI_PORT"] = str(free_port())
    args = [sys.executable, "-m", "workshop", "doctor", "--model"]
    return subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True)


def test_doctor_model_through_the_gateway(upstream: TestUpstream, tmp_path: Path) -> None:
    good = _doctor(upstream_env(upstream), tmp_path / "good")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "model request" in good.stdout and "OK: " in good.stdout
    assert upstream.base_url.split("/")[2] in good.stdout  # forwarded to which host
    assert upstream.api_key not in good.stdout + good.stderr
    assert upstream.model_requests() == 1
    assert processes.owned(Settings(state_dir=tmp_path / "good")) == []  # it stopped all

    wrong = {**upstream_env(upstream), "OPENAI_API_KEY": "sk-not-the-right-one"}
    bad = _doctor(wrong, tmp_path / "bad")
    assert bad.returncode == 1
    assert "HTTP 401" in bad.stdout and "OPENAI_API_KEY" in bad.stdout
    assert "sk-not-the-right-one" not in bad.stdout
