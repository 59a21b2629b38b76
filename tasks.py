#!/usr/bin/env python3
"""The kit's two commands (stdlib only, so they run on a fresh machine):

    python3 tasks.py lab     set up, then open JupyterLab on 127.0.0.1 with everything embedded
    python3 tasks.py test    set up, then run lint and the whole test suite (notebooks, browser)

Both are idempotent: the venv in .venv is created once and reinstalled only when
pyproject.toml changes. `python3 tasks.py setup` does the set-up alone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".workshop-installed"


def run(*args: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    """Run a command from the repo root, echoing it; stop on failure when `check`."""
    print("+", " ".join(str(a) for a in args), flush=True)
    code = subprocess.run([str(a) for a in args], cwd=ROOT, env=env).returncode
    if check and code != 0:
        sys.exit(code)
    return code


def setup() -> None:
    """Create .venv and install the pinned kit with its test tools (skipped when up to date)."""
    if not PY.exists():
        print(f"Creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def ensure_chromium() -> str | None:
    """Install Debian's chromium for the browser test if missing; returns a skip reason or None."""
    if shutil.which("chromium"):
        return None
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return "chromium is not installed and apt-get as root is not available to install it"
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if (
        run(apt, "update", "-qq", env=quiet, check=False) == 0
        and run(
            apt,
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            env=quiet,
            check=False,
        )
        == 0
        and shutil.which("chromium")
    ):
        return None
    return "apt-get could not install chromium on this machine"


def lab() -> None:
    """Start the embedded services, then JupyterLab on 127.0.0.1 in notebooks/."""
    setup()
    run(PY, "-m", "workshop", "server", "start")
    args = [
        "jupyter",
        "lab",
        "--ip=127.0.0.1",
        f"--notebook-dir={ROOT}",
        "--ServerApp.default_url=/lab/tree/notebooks/00-setup.ipynb",
    ]
    if os.geteuid() == 0:
        # Jupyter refuses root unless told; containers and CI machines often are root.
        args.append("--allow-root")
    os.execv(str(BIN / "jupyter"), args)


def test() -> None:
    """Lint, then every test: unit, crash, notebooks (nbval), browser."""
    setup()
    env = dict(os.environ)
    reason = ensure_chromium()
    if reason:
        env["WORKSHOP_BROWSER_SKIP"] = reason
        print(f"NOTE: the browser test will be skipped: {reason}", flush=True)
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy")
    # One session: the unit, crash, replay and browser tests in tests/, and every solution
    # notebook executed from a fresh kernel by nbval (output checks on NBVAL_CHECK_OUTPUT cells).
    run(
        PY,
        "-m",
        "pytest",
        "-q",
        "-ra",
        "tests",
        "solutions",
        "--nbval-lax",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        env=env,
    )


COMMANDS = {"setup": setup, "lab": lab, "test": test}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]]()
