"""The browser test's chromium: apt as root, `sudo -n` where CI is not root, else a reason."""

from __future__ import annotations

import subprocess
from types import ModuleType

import pytest

from tests.everywhere.repo_files import load_tasks


def _machine(monkeypatch: pytest.MonkeyPatch, *, uid: int, sudo_works: bool | None) -> ModuleType:
    """tasks.py on a pretend machine: apt-get present, chromium absent, this uid and sudo."""
    tasks = load_tasks()
    tools = {"apt-get": "/usr/bin/apt-get"}
    if sudo_works is not None:
        tools["sudo"] = "/usr/bin/sudo"
    monkeypatch.setattr(tasks.shutil, "which", tools.get)
    monkeypatch.setattr(tasks.os, "geteuid", lambda: uid)
    monkeypatch.setattr(
        tasks.subprocess,
        "run",
        lambda args, **kw: subprocess.CompletedProcess(args, 0 if sudo_works else 1),
    )
    return tasks


def test_root_runs_apt_get_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _machine(monkeypatch, uid=0, sudo_works=None)._apt_prefix() == ["/usr/bin/apt-get"]


def test_a_ci_runner_uses_passwordless_sudo(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = _machine(monkeypatch, uid=1001, sudo_works=True)._apt_prefix()
    assert prefix[:2] == ["/usr/bin/sudo", "-n"] and prefix[-1] == "/usr/bin/apt-get"


@pytest.mark.parametrize("sudo_works", [False, None], ids=["sudo-asks-a-password", "no-sudo"])
def test_otherwise_the_browser_test_is_skipped_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, sudo_works: bool | None
) -> None:
    tasks = _machine(monkeypatch, uid=1000, sudo_works=sudo_works)
    assert tasks._apt_prefix() is None
    assert "sudo -n" in tasks.ensure_chromium()
