"""The dev container (Codespaces, VS Code) runs the README's commands and forwards the ports."""

from __future__ import annotations

import json

from tests.everywhere.repo_files import ROOT, load_tasks, readme_commands

DEVCONTAINER = ROOT / ".devcontainer" / "devcontainer.json"


def _config() -> dict:
    # Plain JSON on purpose (no comments), so any tool, and this test, can read it.
    return json.loads(DEVCONTAINER.read_text(encoding="utf-8"))


def test_readme_lists_the_commands() -> None:
    assert readme_commands()[:2] == ["python3 tasks.py lab", "python3 tasks.py test"]


def test_image_has_the_python_the_kit_needs() -> None:
    image = _config()["image"]
    assert image.startswith("mcr.microsoft.com/devcontainers/python:")
    version = tuple(int(p) for p in image.split(":")[1].split("-")[0].split("."))
    assert version >= load_tasks().MIN_PYTHON


def test_it_sets_up_on_create_and_opens_lab_with_the_readme_command() -> None:
    config = _config()
    tasks = load_tasks()
    # Set-up happens once, when the container is created; the same command the README names.
    assert config["postCreateCommand"] == "python3 tasks.py setup"
    assert "`python3 tasks.py setup`" in (ROOT / "README.md").read_text(encoding="utf-8")
    # Each attach opens Lab with the README's first command, word for word.
    assert config["postAttachCommand"] == readme_commands()[0]
    for command in (config["postCreateCommand"], config["postAttachCommand"]):
        assert command.split()[-1] in tasks.COMMANDS


def test_lab_and_temporal_ui_are_forwarded_with_labels() -> None:
    config = _config()
    ui_port = load_tasks().PORT_VARIABLES["WORKSHOP_TEMPORAL_UI_PORT"]
    assert {8888, ui_port} <= set(config["forwardPorts"])
    for port in (8888, ui_port):
        assert config["portsAttributes"][str(port)]["label"]


def test_lab_opens_the_first_lesson_on_loopback() -> None:
    tasks = load_tasks()
    args = tasks.lab_args({}, is_root=False)
    assert "--ip=127.0.0.1" in args
    (default_url,) = [a for a in args if a.startswith("--ServerApp.default_url=")]
    lesson = default_url.split("/lab/tree/", 1)[1]
    assert (ROOT / lesson) == tasks.FIRST_LESSON and tasks.FIRST_LESSON.exists()


def test_in_a_codespace_lab_accepts_the_forwarded_origin_but_still_binds_loopback() -> None:
    tasks = load_tasks()
    plain = tasks.lab_args({}, is_root=False)
    codespace = tasks.lab_args({"CODESPACES": "true"}, is_root=False)
    assert "--ip=127.0.0.1" in codespace
    assert not any("0.0.0.0" in a for a in codespace)
    extra = [a for a in codespace if a not in plain]
    assert any("allow_origin_pat" in a and "github" in a for a in extra), extra
