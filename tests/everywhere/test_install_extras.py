"""Each command installs what it needs: lab the runtime, test the test tools too, never twice."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType

import pytest

from tests.everywhere.repo_files import ROOT, load_tasks


class PipRecorder:
    """Stands in for tasks.run: records each `pip install` target instead of installing."""

    def __init__(self) -> None:
        self.targets: list[str] = []

    def __call__(self, *args: object, **kwargs: object) -> int:
        words = [str(a) for a in args]
        if "install" in words and "-e" in words:
            self.targets.append(words[words.index("-e") + 1])
        return 0


@pytest.fixture
def tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, PipRecorder]:
    """tasks.py with a pretend venv in tmp_path and pip replaced by a recorder."""
    module = load_tasks()
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    pip = PipRecorder()
    monkeypatch.setattr(module, "VENV", venv)
    monkeypatch.setattr(module, "PY", venv / "bin" / "python")
    monkeypatch.setattr(module, "STAMP", venv / ".workshop-installed")
    monkeypatch.setattr(module, "run", pip)
    return module, pip


def test_lab_installs_the_runtime_only(tasks: tuple[ModuleType, PipRecorder]) -> None:
    module, pip = tasks
    module.setup()
    assert pip.targets == ["."]


def test_test_after_lab_adds_the_test_extras(tasks: tuple[ModuleType, PipRecorder]) -> None:
    module, pip = tasks
    module.setup()
    module.setup(["test"])
    assert pip.targets == [".", ".[test]"]


def test_lab_after_test_reinstalls_nothing(tasks: tuple[ModuleType, PipRecorder]) -> None:
    module, pip = tasks
    module.setup(["test"])
    module.setup()
    module.setup(["test"])
    assert pip.targets == [".[test]"]


def test_an_edited_pyproject_reinstalls_and_keeps_the_extras(
    tasks: tuple[ModuleType, PipRecorder],
) -> None:
    module, pip = tasks
    module.setup(["test"])
    module.STAMP.write_text(module.STAMP.read_text().replace('"pyproject": "', '"pyproject": "x'))
    module.setup()
    assert pip.targets == [".[test]", ".[test]"]


def test_a_stamp_from_before_extras_were_recorded_counts_as_test(
    tasks: tuple[ModuleType, PipRecorder],
) -> None:
    module, pip = tasks
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    module.STAMP.write_text(digest)
    module.setup(["test"])
    assert pip.targets == []


def test_the_test_extras_hold_the_test_tools() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {d.split("==")[0] for d in project["optional-dependencies"]["test"]}
    assert {"pytest-asyncio", "ruff", "mypy", "playwright"} <= names
    runtime = {d.split("==")[0] for d in project["dependencies"]}
    assert not runtime & {"ruff", "mypy", "playwright"}
