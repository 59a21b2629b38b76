"""A shared classroom server: two Unix users, each with their own kit, never each other's.

Runs when the test runs as root and can create a user (as CI does here); otherwise it skips
and says why. The second user runs the kit with the system's Python 3.11 and this checkout's
packages, because the venv's own interpreter lives under /root, which other users cannot read
(a real classroom gives each user their own clone and venv).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import workshop
import workshop.testing
from tests.conftest import REPO_ROOT
from workshop.testing import Settings

SYSTEM_PYTHON = Path("/usr/bin/python3")
PEER_SCRIPT = """
import asyncio, json, workshop, workshop.testing
async def main():
    client = await workshop.connect()
    server = workshop.testing.find_server()
    await client.start_workflow("Anything", id="peer-workflow", task_queue="nobody")
    for _ in range(100):  # the list (visibility) catches up with a start a moment later
        ids = [w.id async for w in client.list_workflows()]
        if ids:
            break
        await asyncio.sleep(0.1)
    print(json.dumps({"target": server.target, "pid": server.pid, "ids": ids}))
workshop.testing.run_script(main())
"""


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "not root: cannot create a second Unix user"
    if not shutil.which("useradd") or not shutil.which("runuser"):
        return "useradd/runuser are not installed"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing"
    version = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if version != str(sys.version_info[:2]):
        return f"the system Python is {version}, the venv's packages are for {sys.version_info[:2]}"
    return None


@pytest.fixture
def peer(tmp_path: Path):  # type: ignore[no-untyped-def]
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    name = f"wspeer{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "-m", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        subprocess.run(["userdel", "-r", name], capture_output=True)


def as_peer(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    home = Path(f"/home/{name}")
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    env = {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONPATH": f"{REPO_ROOT}:{site / 'site-packages'}",
        "WORKSHOP_STATE_DIR": str(home / "state"),
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
    }
    return subprocess.run(
        ["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_two_users_each_get_their_own_server_and_workflows(peer: str, tmp_path: Path) -> None:
    mine = Settings(
        state_dir=tmp_path / "mine",
        temporal_port=7233,
        temporal_ui_port=8233,
        temporal_port_fixed=False,
    )
    try:
        my_server = await workshop.testing.ensure_server(mine)
        client = await workshop.connect(mine)
        await client.start_workflow("Anything", id="my-workflow", task_queue="nobody")

        done = as_peer(peer, str(SYSTEM_PYTHON), "-c", PEER_SCRIPT)
        assert done.returncode == 0, done.stdout + done.stderr
        theirs = json.loads(done.stdout.strip().splitlines()[-1])
        assert theirs["target"] != my_server.target and theirs["pid"] != my_server.pid
        assert theirs["ids"] == ["peer-workflow"], "the peer sees only its own workflows"
        mine_ids = [w.id async for w in client.list_workflows()]
        assert mine_ids == ["my-workflow"], "I see only mine"

        stopped = as_peer(peer, str(SYSTEM_PYTHON), "-m", "workshop", "stop")
        assert stopped.returncode == 0, stopped.stderr
        assert "temporal-server" in stopped.stdout
        assert await client.service_client.check_health(), "the peer's stop left mine running"
    finally:
        workshop.shutdown_all(mine)
