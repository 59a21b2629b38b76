"""Offline means offline, and an API key never leaks into outputs, logs or histories."""

from __future__ import annotations

import json
import os
import socket
import uuid

import psutil
import pytest
from agents import Agent, RunConfig, Runner, function_tool
from temporalio.client import Client

import workshop
import workshop.errors
import workshop.testing
from tests.conftest import REPO_ROOT
from tests.support.netguard import NetGuard
from tests.support.upstream import TestUpstream
from workshop.runtime import services


async def test_no_key_no_network_nothing_reaches_beyond_loopback() -> None:
    assert workshop.testing.model_config().offline
    agent = Agent(
        name="Weather Agent",
        tools=[
            function_tool(f)
            for f in (
                workshop.get_ip_address,
                workshop.get_location_from_ip,
                workshop.get_weather_alerts,
            )
        ],
    )
    guard = NetGuard()
    with guard.active():
        result = await Runner.run(
            agent,
            "Are there any weather alerts where I am?",
            run_config=RunConfig(model_provider=workshop.testing.get_model_provider()),
        )
        response = await workshop.testing.create_response("Hello there")
        # The guard itself works: a connection to a public address is refused and recorded.
        with pytest.raises(OSError):
            socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert "Heat Advisory" in result.final_output
    assert response["model"] == workshop.testing.MODEL_NAME
    assert guard.attempts == ["192.0.2.1"]
    status = workshop.services_status()
    assert status is not None and status["blocked_connections"] == []


def test_model_switch_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # start=False: read the switch without routing this test process to another upstream.
    key = f"sk-test-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    cfg = workshop.testing.model_config(start=False)
    assert (cfg.mode, cfg.upstream, cfg.key) == ("openai", "api.openai.com", "set")
    assert key not in workshop.describe_model() and "set" in workshop.describe_model()
    assert "api.openai.com" in workshop.describe_model()
    monkeypatch.setenv("WORKSHOP_MODEL", "offline")
    assert workshop.testing.model_config(start=False).offline
    monkeypatch.delenv("WORKSHOP_MODEL")
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    cfg = workshop.testing.model_config(start=False)
    assert (cfg.mode, cfg.upstream, cfg.key) == ("openai", "127.0.0.1:11434", "not set")
    monkeypatch.setenv("WORKSHOP_MODEL", "bogus")
    with pytest.raises(workshop.errors.WorkshopError, match="WORKSHOP_MODEL"):
        workshop.testing.model_config(start=False)


async def test_a_key_never_reaches_history_logs_state_or_workers(
    forwarding: TestUpstream,
    client: Client,
    task_queue: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A learner with a key (the test upstream's secret): only the gateway holds it."""
    key = forwarding.api_key
    # A worker started with `python -m`: /proc shows the environment a process was exec'd
    # with, and a child of the fork server gets its environment after the fork.
    monkeypatch.setenv("WORKSHOP_FORKSERVER", "0")
    print(workshop.describe_model())
    proc = workshop.WorkerProcess(
        ["tests.support.model_calls"], task_queue=task_queue, cwd=REPO_ROOT
    )
    await proc.start()
    workflow_id = f"wf-key-{uuid.uuid4().hex[:8]}"
    try:
        assert proc._proc is not None
        worker_env = psutil.Process(proc._proc.pid).environ()
        result = await client.execute_workflow(
            "AskModelWorkflow", "Hello", id=workflow_id, task_queue=task_queue
        )
    finally:
        proc.stop()
    assert result["text"]  # the call really went through the gateway to the upstream
    assert forwarding.model_requests() == 1
    # Kernels and workers hold the standard variables pointing at the gateway, not the key.
    assert key not in json.dumps(worker_env) and key not in json.dumps(dict(os.environ))
    assert worker_env["OPENAI_API_KEY"] == services.PLACEHOLDER_KEY
    assert worker_env["OPENAI_BASE_URL"] == workshop.testing.ensure_services().model_base_url
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    assert key not in json.dumps(history.to_json_dict())
    state = workshop.settings().state_dir
    files = [p for p in state.rglob("*") if p.is_file()]  # the db file too
    assert [str(p) for p in files if key in p.read_text(errors="replace")] == []
    logs = {p.name for p in workshop.settings().logs_dir.glob("*.log")}
    assert "services.log" in logs and f"worker-{task_queue}.log" in logs
    assert key not in capsys.readouterr().out
