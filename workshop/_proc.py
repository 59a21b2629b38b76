"""Background processes the kit starts: spawn with output to a log, check, and read logs.

Every such process (dev server, services, worker, agent run) gets its own session, so it
outlives a kernel restart and a Ctrl+C in the notebook does not reach it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ._settings import REPO_ROOT, Settings


def kit_env(cfg: Settings, *import_roots: Path, drop: Sequence[str] = ()) -> dict[str, str]:
    """The environment for a kit child process: the kit and `import_roots` importable,
    the same state folder, unbuffered output; variables in `drop` left out."""
    env = {k: v for k, v in os.environ.items() if k not in drop}
    roots = [str(p) for p in (*import_roots, REPO_ROOT)] + [env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in roots if p)
    env["WORKSHOP_STATE_DIR"] = str(cfg.state_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def spawn_logged(
    args: Sequence[str],
    log_file: Path,
    *,
    cwd: Path,
    env: Mapping[str, str],
    header: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start `args` in its own session with stdout and stderr appended to `log_file`."""
    with open(log_file, "ab") as log:
        if header:
            log.write(f"\n=== {header} ===\n".encode())
            log.flush()
        return subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )


def tail(path: Path, lines: int = 15) -> str:
    """The last `lines` lines of a log file, or "(no log)"."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def pid_alive(pid: int) -> bool:
    """True while process `pid` runs (a zombie child of ours counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True
