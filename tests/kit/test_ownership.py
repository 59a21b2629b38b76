"""The kit owns what it starts and stops all of it; it never touches what it did not start."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

import workshop
import workshop.testing
from tests.conftest import REPO_ROOT
from tests.support.kernels import execute, unexpected_errors
from workshop.testing import Settings, processes


def of_state_dir(state_dir: Path) -> list[str]:
    """Every live process that belongs to this state folder (by command line or environment)."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            line = " ".join(proc.info["cmdline"] or [])
            env = proc.environ()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if str(state_dir) in line or env.get("WORKSHOP_STATE_DIR") == str(state_dir):
            found.append(f"{proc.info['pid']}: {line[:160]}")
    return found


def kit(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m workshop ARGS` for this state folder, on the default ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_TEMPORAL_")}
    env["WORKSHOP_STATE_DIR"] = str(state_dir)
    return subprocess.run(
        [sys.executable, "-m", "workshop", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_a_notebook_a_kernel_shutdown_and_stop_leave_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    done = kit(state, "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pid " in done.stdout and str(state) in done.stdout, "doctor names its server"
    assert of_state_dir(state) == [], "doctor left what it started running"

    try:
        # A notebook starts the server, the services and a worker process, then its kernel dies.
        monkeypatch.setenv("WORKSHOP_STATE_DIR", str(state))
        for name in ("WORKSHOP_TEMPORAL_PORT", "WORKSHOP_TEMPORAL_UI_PORT"):
            monkeypatch.delenv(name)  # the session's server holds those: this kernel picks its own
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(
                "from workshop import WorkerProcess, clear_faults, connect, services_status\n"
                "client = await connect()\n"
                "worker = WorkerProcess(['tests.support.steps'], task_queue='own-q', cwd=ROOT)\n"
                "await worker.start()\nclear_faults()  # starts the services\n"
                "print(worker.alive, services_status()['ok'])"
            )
        ]
        nb.cells.insert(0, nbformat.v4.new_code_cell(f"ROOT = {str(REPO_ROOT)!r}"))
        execute(nb, REPO_ROOT, timeout=120)
        assert not unexpected_errors(nb), unexpected_errors(nb)
        printed = "".join(out.get("text", "") for out in nb.cells[1].outputs)
        assert "True True" in printed, printed
        cfg = Settings(state_dir=state)
        assert processes.find(cfg, "services") and processes.find(cfg, "temporal-server")
        # The kernel is gone (nbclient shut it down); its worker process followed it.
        assert not any("workers.main" in p for p in of_state_dir(state)), of_state_dir(state)
    finally:
        stopped = kit(state, "stop")  # also when an assertion above failed: leave nothing behind
    assert stopped.returncode == 0, stopped.stderr
    assert "temporal-server" in stopped.stdout and "services" in stopped.stdout
    assert of_state_dir(state) == []


async def test_two_checkouts_on_default_ports_each_get_their_own_server(tmp_path: Path) -> None:
    defaults = {"temporal_port": 7233, "temporal_ui_port": 8233, "temporal_port_fixed": False}
    first = Settings(state_dir=tmp_path / "a", **defaults)  # type: ignore[arg-type]
    second = Settings(state_dir=tmp_path / "b", **defaults)  # type: ignore[arg-type]
    try:
        one = await workshop.testing.ensure_server(first)
        two = await workshop.testing.ensure_server(second)
        assert one.pid != two.pid and one.target != two.target
        assert (one.state_dir, two.state_dir) == (first.state_dir, second.state_dir)
        # A workflow started on the first is unknown to the second.
        client_one = await workshop.connect(first)
        client_two = await workshop.connect(second)
        workflow_id = f"owned-{uuid.uuid4().hex[:8]}"
        await client_one.start_workflow("Anything", id=workflow_id, task_queue="nobody")
        assert (await client_one.get_workflow_handle(workflow_id).describe()).id == workflow_id
        with pytest.raises(Exception, match="not found"):
            await client_two.get_workflow_handle(workflow_id).describe()
        # Each reuses its own server, never the other's.
        assert (await workshop.testing.ensure_server(second)).pid == two.pid
    finally:
        workshop.shutdown_all(first)
        workshop.shutdown_all(second)
    assert of_state_dir(first.state_dir) == [] and of_state_dir(second.state_dir) == []


def test_a_process_the_kit_did_not_start_is_never_signalled(tmp_path: Path) -> None:
    cfg = Settings(state_dir=tmp_path)
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # A record naming the stranger's pid, but not its start time, is not the kit's.
        records = tmp_path / "procs"
        records.mkdir(parents=True)
        (records / "services.json").write_text(
            f'{{"name": "services", "pid": {stranger.pid}, "created": 1.0, "info": {{}}}}'
        )
        assert processes.find(cfg, "services") is None
        assert workshop.shutdown_all(cfg) == []
        assert stranger.poll() is None, "the kit signalled a process it did not start"
    finally:
        stranger.kill()
        stranger.wait()
