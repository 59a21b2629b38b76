"""Forks' CI: the GitHub workflow runs the README's test command and keeps the screenshots."""

from __future__ import annotations

from typing import Any

import yaml

from tests.everywhere.repo_files import ROOT, readme_commands

WORKFLOW = ROOT / ".github" / "workflows" / "test.yml"


def _workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict[str, Any]]:
    (job,) = _workflow()["jobs"].values()
    return list(job["steps"])


def _uses(prefix: str) -> list[dict[str, Any]]:
    return [s for s in _steps() if str(s.get("uses", "")).startswith(prefix)]


def test_runs_on_push_and_pull_request_on_ubuntu() -> None:
    workflow = _workflow()
    # YAML 1.1 reads the bare key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request"} <= set(triggers)
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"


def test_sets_up_python_3_11() -> None:
    (setup,) = _uses("actions/setup-python@")
    assert str(setup["with"]["python-version"]) == "3.11"


def test_a_step_runs_exactly_the_readme_test_command() -> None:
    test_command = readme_commands()[1]
    assert [s["run"] for s in _steps() if "run" in s] == [test_command]


def test_the_venv_is_cached_on_pyproject() -> None:
    (cache,) = _uses("actions/cache@")
    assert cache["with"]["path"] == ".venv"
    assert "hashFiles('pyproject.toml')" in cache["with"]["key"]
    steps = _steps()
    assert steps.index(cache) < next(i for i, s in enumerate(steps) if "run" in s)


def test_browser_screenshots_are_uploaded_even_when_tests_fail() -> None:
    (upload,) = _uses("actions/upload-artifact@")
    assert upload["if"] == "always()"
    assert upload["with"]["path"].rstrip("/") == "test-artifacts"
    # The folder the browser test writes its screenshots to.
    writers = [p for p in (ROOT / "tests").rglob("*.py") if '"test-artifacts"' in p.read_text()]
    assert writers, "no test writes to test-artifacts/ any more; update the upload step"
