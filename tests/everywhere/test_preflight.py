"""The attendee pre-flight: one last line, READY or NOT READY with what to fix."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.everywhere.repo_files import ROOT, load_tasks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check(tmp_path: Path, **env: str) -> tuple[int, list[str]]:
    """Run `python3 tasks.py check` as an attendee would; (exit code, output lines)."""
    # Fresh explicit ports: the session's own dev server may hold the ones conftest picked.
    full = {
        **os.environ,
        "WORKSHOP_STATE_DIR": str(tmp_path / "state"),
        "WORKSHOP_TEMPORAL_PORT": str(_free_port()),
        "WORKSHOP_TEMPORAL_UI_PORT": str(_free_port()),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "tasks.py", "check"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done.returncode, done.stdout.strip().splitlines()


@pytest.fixture
def squatter() -> Iterator[int]:
    """A port on 127.0.0.1 that something else already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.preflight
def test_a_working_machine_is_ready(tmp_path: Path) -> None:
    code, lines = _check(tmp_path)
    assert code == 0, "\n".join(lines)
    assert not any("still running" in line for line in lines), "the pre-flight left processes"
    assert lines[-1].startswith("READY: ")
    assert any(line.startswith("lesson 00 ran headless") for line in lines)
    assert not list((ROOT / "notebooks").glob("*.nbconvert.ipynb"))


@pytest.mark.parametrize("variable", ["WORKSHOP_TEMPORAL_PORT", "WORKSHOP_TEMPORAL_UI_PORT"])
def test_a_squatted_explicit_port_names_the_variable_before_the_lesson_runs(
    tmp_path: Path, squatter: int, variable: str
) -> None:
    code, lines = _check(tmp_path, **{variable: str(squatter)})
    assert code == 1
    assert lines[-1].startswith("NOT READY: ")
    assert variable in lines[-1] and str(squatter) in lines[-1]
    assert not any("lesson 00" in line for line in lines)


def test_a_short_disk_is_not_ready(tmp_path: Path) -> None:
    code, lines = _check(tmp_path, WORKSHOP_CHECK_FREE_MB="10")
    assert code == 1
    assert lines[-1].startswith("NOT READY: disk space")


def test_busy_default_ports_are_only_a_note(squatter: int, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = load_tasks()
    monkeypatch.setattr(tasks, "PORT_VARIABLES", {"WORKSHOP_TEMPORAL_PORT": squatter})
    notes = tasks.check_ports({})
    assert any(f"default port {squatter}" in note and "free port" in note for note in notes)


def test_old_python_is_not_ready() -> None:
    tasks = load_tasks()
    with pytest.raises(tasks.NotReady, match="3.11 or newer"):
        tasks.check_python((3, 10, 12))
