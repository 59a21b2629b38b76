"""Native Windows gets one clear line (WSL2 or a Codespace); Linux, WSL and macOS run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.everywhere.repo_files import ROOT, load_tasks


@pytest.mark.parametrize(("platform", "os_name"), [("win32", "nt"), ("cygwin", "posix")])
def test_windows_is_told_to_use_wsl2_or_a_codespace(platform: str, os_name: str) -> None:
    message = load_tasks().platform_problem(platform, os_name)
    assert message is not None and "\n" not in message
    assert "WSL2" in message and "wsl --install" in message and "Codespace" in message


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_linux_wsl_and_macos_are_fine(platform: str) -> None:
    assert load_tasks().platform_problem(platform, "posix") is None


def test_tasks_on_native_windows_prints_one_line_and_exits_2() -> None:
    # Pretend to be Windows, then run tasks.py as a script with a command that would install.
    # (Only sys.platform: setting os.name too would break the imports tasks.py needs.)
    pretend = (
        "import runpy, sys; sys.platform = 'win32'; "
        "sys.argv = ['tasks.py', 'setup']; runpy.run_path('tasks.py', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", pretend], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert done.stdout.strip() == load_tasks().WINDOWS_HINT
    assert "Creating" not in done.stdout + done.stderr


def test_readme_says_the_same() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "WSL2" in readme and "wsl --install" in readme
