"""The repo's own files, read as a user would: tasks.py as a module, the README's commands."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_tasks() -> ModuleType:
    """tasks.py as a module (it is a script at the repo root, not a package)."""
    spec = importlib.util.spec_from_file_location("workshop_tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["workshop_tasks"] = module
    spec.loader.exec_module(module)
    return module


def readme_commands() -> list[str]:
    """The `python3 tasks.py ...` commands of the README's first fenced bash block, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README.md has no ```bash block with the commands"
    return re.findall(r"^(python3 tasks\.py \w+)", block.group(1), re.M)
