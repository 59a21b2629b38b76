"""Offline means offline, and an API key never leaks into outputs, logs or histories."""

from __future__ import annotations

import json
import socket
import uuid

import pytest
from agents import Agent, RunConfig, Runner, function_tool
from temporalio.client import Client

import workshop
import workshop.errors
import workshop.testing
from tests.conftest import REPO_ROOT
from tests.support.netguard import NetGuard


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
            run_config=RunConfig(model_provider=workshop.get_model_provider()),
        )
        response = await workshop.create_response("Hello there")
        # The guard itself works: a connection to a public address is refused and recorded.
        with pytest.raises(OSError):
            socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert "Heat Advisory" in result.final_output
    assert response["model"] == workshop.testing.MODEL_NAME
    assert guard.attempts == ["192.0.2.1"]
    status = workshop.services_status()
    assert status is not None and status["blocked_connections"] == []


def test_model_switch_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key = f"sk-test-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    cfg = workshop.testing.model_config()
    assert (cfg.mode, cfg.base_url, cfg.key) == ("openai", None, "set")
    assert key not in workshop.describe_model() and "set" in workshop.describe_model()
    monkeypatch.setenv("WORKSHOP_MODEL", "offline")
    assert workshop.testing.model_config().offline
    monkeypatch.delenv("WORKSHOP_MODEL")
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    cfg = workshop.testing.model_config()
    assert (cfg.mode, cfg.base_url, cfg.key) == ("openai", "http://127.0.0.1:11434/v1", "not set")
    monkeypatch.setenv("WORKSHOP_MODEL", "bogus")
    with pytest.raises(workshop.errors.WorkshopError, match="WORKSHOP_MODEL"):
        workshop.testing.model_config()


async def test_a_key_never_reaches_history_or_logs(
    client: Client,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = f"sk-workshop-FAKE-{uuid.uuid4().hex}"
    endpoint = workshop.testing.ensure_services().model_base_url
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint)
    print(workshop.describe_model())
    proc = workshop.WorkerProcess(
        ["tests.support.model_calls"], task_queue=task_queue, cwd=REPO_ROOT
    )
    await proc.start()
    workflow_id = f"wf-key-{uuid.uuid4().hex[:8]}"
    try:
        result = await client.execute_workflow(
            "AskModelWorkflow", "Hello", id=workflow_id, task_queue=task_queue
        )
    finally:
        proc.stop()
    assert result["text"]  # the call really went through the OpenAI-compatible path
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    assert key not in json.dumps(history.to_json_dict())
    logs = {
        p.name: p.read_text(errors="replace") for p in workshop.settings().logs_dir.glob("*.log")
    }
    assert "services.log" in logs and f"worker-{task_queue}.log" in logs
    assert [name for name, text in logs.items() if key in text] == []
    assert key not in capsys.readouterr().out
