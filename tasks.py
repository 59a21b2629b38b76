#!/usr/bin/env python3
"""The kit's commands (stdlib only, so they run on a fresh machine):

    python3 tasks.py lab     set up, then open JupyterLab on 127.0.0.1 with everything embedded
    python3 tasks.py test    set up with the test tools, then run lint and the whole test suite
    python3 tasks.py check   attendee pre-flight: Python, disk, ports, install, lesson 00 headless
    python3 tasks.py setup   set up .venv with the runtime only

All are idempotent: the venv in .venv is created once; packages are reinstalled only when
pyproject.toml changes or a command needs extras that are not installed yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".workshop-installed"

MIN_PYTHON = (3, 11)
# The runtime venv measured 637 MB here (895 MB with the test tools); the margin covers pip's
# cache, the Temporal db and logs.
MIN_FREE_MB = 1000
# With a venv already in place only the state folder and logs grow.
MIN_FREE_MB_WITH_VENV = 250
# For tests only: pretend the disk has this many MB free (simulates a short disk).
FREE_MB_OVERRIDE = "WORKSHOP_CHECK_FREE_MB"
# The ports the kit's embedded Temporal uses, and their defaults (see workshop/_settings.py).
PORT_VARIABLES = {"WORKSHOP_TEMPORAL_PORT": 7233, "WORKSHOP_TEMPORAL_UI_PORT": 8233}
FIRST_LESSON = ROOT / "notebooks" / "00-setup.ipynb"
# IPython runs this file as each kernel the kit launches starts (PYTHONSTARTUP): out-of-order
# cells get a hint from the very first cell (see the file's docstring).
KERNEL_STARTUP = ROOT / "workshop" / "notebook" / "kernel_startup.py"
STOP_HINT = (
    "To stop everything: Ctrl+C stops JupyterLab, then `.venv/bin/python -m workshop stop` "
    "stops the Temporal server, services and worker processes the kit started."
)
WINDOWS_HINT = (
    "This kit needs Linux or macOS: on Windows use WSL2 (run `wsl --install` in an "
    "administrator PowerShell, restart, then clone and run it inside WSL) or a GitHub Codespace."
)


def platform_problem(platform: str, os_name: str) -> str | None:
    """The one line to print when the kit cannot run on this platform, else None.

    Args:
        platform: `sys.platform` ("linux", "darwin", "win32", ...).
        os_name: `os.name` ("posix" or "nt").
    """
    # The kit relies on POSIX processes and signals (SIGKILLed workers are the lesson), and
    # the venv layout it uses is bin/, not Scripts/; WSL2 reports "linux" and is fine.
    if os_name == "nt" or platform in ("win32", "cygwin"):
        return WINDOWS_HINT
    return None


def run(*args: str | Path, env: Mapping[str, str] | None = None, check: bool = True) -> int:
    """Run a command from the repo root, echoing it; stop on failure when `check`."""
    print("+", " ".join(str(a) for a in args), flush=True)
    code = subprocess.run([str(a) for a in args], cwd=ROOT, env=env).returncode
    if check and code != 0:
        sys.exit(code)
    return code


def _installed() -> tuple[str, frozenset[str]]:
    """(pyproject hash, extras) that the stamp says are installed; ("", {}) when unknown."""
    try:
        text = STAMP.read_text().strip()
    except OSError:
        return "", frozenset()
    if len(text) == 64 and not text.startswith("{"):
        # Stamps written before extras were recorded hold only the hash; those installs
        # always included the test tools.
        return text, frozenset({"test"})
    try:
        stamp = json.loads(text)
        return str(stamp["pyproject"]), frozenset(stamp["extras"])
    except (ValueError, KeyError, TypeError):
        return "", frozenset()


_COMPILE_ON_EVERY_CORE = (
    "import compileall, sysconfig; "
    "compileall.compile_dir(sysconfig.get_paths()['purelib'], quiet=2, workers=0)"
)


def setup(extras: Iterable[str] = ()) -> None:
    """Create .venv and install the pinned kit plus `extras` (skipped when already there)."""
    if not PY.exists():
        print(f"Creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted_hash = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    done_hash, done_extras = _installed()
    wanted = frozenset(extras)
    if done_hash == wanted_hash and wanted <= done_extras:
        return
    # Keep what is there: a `lab` after `test` (or an edited pyproject.toml) must not leave
    # the test tools at stale versions while the stamp forgets them.
    if done_hash:
        wanted |= done_extras
    target = f".[{','.join(sorted(wanted))}]" if wanted else "."
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    # The bytecode is compiled afterwards on every core at once, not file by file by pip
    # (about 16 s of CPU here).
    run(PY, "-m", "pip", "install", "--quiet", "--no-compile", "-e", target)
    # check=False: a package may ship files that are not Python 3 (test data); pip skips them.
    run(PY, "-c", _COMPILE_ON_EVERY_CORE, check=False)
    STAMP.write_text(json.dumps({"pyproject": wanted_hash, "extras": sorted(wanted)}))


def _apt_prefix() -> list[str] | None:
    """How to run apt-get as root here (root itself, or passwordless sudo), else None."""
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    if os.geteuid() == 0:
        return [apt]
    sudo = shutil.which("sudo")
    # -n: never prompt; GitHub's runners have passwordless sudo, a laptop usually does not.
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n", "env", "DEBIAN_FRONTEND=noninteractive", apt]
    return None


def ensure_chromium() -> str | None:
    """Install Debian's chromium for the browser test if missing; returns a skip reason or None."""
    if shutil.which("chromium"):
        return None
    apt = _apt_prefix()
    if apt is None:
        return "chromium is not installed and apt-get as root (or via sudo -n) is not available"
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if (
        run(*apt, "update", "-qq", env=quiet, check=False) == 0
        and run(
            *apt,
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


def kit_kernel_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` for a process whose Jupyter kernels are the kit's: they run KERNEL_STARTUP.

    A PYTHONSTARTUP the user had is kept in WORKSHOP_USER_PYTHONSTARTUP (the start-up file
    runs it too); nothing outside what the kit launches changes.
    """
    env = dict(environ)
    own = env.get("PYTHONSTARTUP", "")
    if own and Path(own) != KERNEL_STARTUP:
        env["WORKSHOP_USER_PYTHONSTARTUP"] = own
    env["PYTHONSTARTUP"] = str(KERNEL_STARTUP)
    return env


def lab_args(environ: Mapping[str, str], is_root: bool) -> list[str]:
    """The `jupyter lab` command line for this environment (loopback only, first lesson open)."""
    args = [
        "jupyter",
        "lab",
        "--ip=127.0.0.1",
        f"--notebook-dir={ROOT}",
        "--ServerApp.default_url=/lab/tree/notebooks/00-setup.ipynb",
    ]
    if is_root:
        # Jupyter refuses root unless told; containers and CI machines often are root.
        args.append("--allow-root")
    if environ.get("CODESPACES") == "true":
        # Codespaces' port forwarding reaches Lab from https://<name>-8888.app.github.dev, so
        # Lab must accept that host and origin. It still listens on 127.0.0.1 only, and the
        # token is still required; the forwarded port is private to the Codespace's owner.
        args += [
            "--ServerApp.allow_remote_access=True",
            r"--ServerApp.allow_origin_pat=https://.*\.app\.github\.dev",
        ]
    return args


def lab() -> None:
    """Start the embedded services, then JupyterLab on 127.0.0.1 with the first lesson open."""
    setup()
    run(PY, "-m", "workshop", "server", "start")
    print(STOP_HINT, flush=True)
    os.execve(
        str(BIN / "jupyter"), lab_args(os.environ, os.geteuid() == 0), kit_kernel_env(os.environ)
    )


def test() -> None:
    """Lint, then every test: unit, crash, notebooks (nbval), browser."""
    setup(["test"])
    # mypy (about 40 s of CPU from a cold cache) checks the types while chromium installs and
    # the tests run; its report is printed after them, and a type error fails the command as a
    # test does.
    print(f"+ {BIN / 'mypy'} (alongside the rest)", flush=True)
    mypy = subprocess.Popen(
        [str(BIN / "mypy")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    env = dict(os.environ)
    reason = ensure_chromium()
    if reason:
        env["WORKSHOP_BROWSER_SKIP"] = reason
        print(f"NOTE: the browser test will be skipped: {reason}", flush=True)
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    # One pytest session, three pytest-xdist processes (they keep two cores busy: each test also
    # waits on servers, timers and kernels): tests/ (unit, crash, replay, kernels, browser),
    # each test wherever a process is free, and every solution notebook under nbval, a whole
    # notebook per process (the scopes of `loadscope`: see conftest.py), from a fresh kernel,
    # each code cell twice in a row (output checks on NBVAL_CHECK_OUTPUT cells). The longest
    # go first.
    failed = run(
        PY,
        *("-m", "pytest", "-q", "-ra", "-n", "3", "--durations=15"),
        *("--dist", "loadscope", "--no-loadscope-reorder"),
        *("tests", "solutions", "--nbval-lax", "--nbval-current-env"),
        *("--nbval-sanitize-with", "tests/nbval_sanitize.cfg"),
        env=env,
        check=False,
    )
    report, _ = mypy.communicate()
    print(f"+ {BIN / 'mypy'}\n{report}", end="", flush=True)
    if failed or mypy.returncode:
        sys.exit(1)


# --- The attendee pre-flight -------------------------------------------------------------


class NotReady(Exception):
    """A pre-flight check failed; the message says what to fix."""


def _port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port and we could bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def check_python(version: tuple[int, ...]) -> str:
    """Fails when Python is older than the kit needs."""
    if tuple(version[:2]) < MIN_PYTHON:
        raise NotReady(
            f"Python {'.'.join(map(str, version[:3]))} is too old: install Python "
            f"{'.'.join(map(str, MIN_PYTHON))} or newer and run `python3 tasks.py check` with it"
        )
    return f"Python {'.'.join(map(str, version[:3]))}"


def check_disk(environ: Mapping[str, str]) -> str:
    """Fails when the disk holding the checkout has less room than a venv needs."""
    override = environ.get(FREE_MB_OVERRIDE, "").strip()
    free_mb = int(override) if override else shutil.disk_usage(ROOT).free // 2**20
    needed = MIN_FREE_MB_WITH_VENV if PY.exists() else MIN_FREE_MB
    if free_mb < needed:
        raise NotReady(
            f"disk space: {free_mb} MB free where the kit lives ({ROOT}), it needs about "
            f"{needed} MB: free some space or clone the kit onto a bigger disk"
        )
    return f"disk: {free_mb} MB free (needs {needed} MB)"


def check_ports(environ: Mapping[str, str]) -> list[str]:
    """Ports set explicitly must be free; busy default ports are only a note, because the kit
    then takes free ports itself (and never uses a server it did not start)."""
    notes: list[str] = []
    for name, default in PORT_VARIABLES.items():
        raw = environ.get(name, "").strip()
        if raw:
            if not raw.isdigit() or not _port_free(int(raw)):
                raise NotReady(
                    f"port {raw} ({name}) on 127.0.0.1 is already in use: stop the program "
                    f"using it, or set {name} to a free port (or unset it)"
                )
            notes.append(f"{name}={raw} is free")
        elif not _port_free(default):
            notes.append(
                f"note: default port {default} ({name}) is in use by another program; "
                "the kit will take a free port and say which"
            )
    return notes


def _stop_kit(env: Mapping[str, str]) -> None:
    """Stop what the headless run started for its state folder, and nothing else."""
    subprocess.run(
        [str(PY), "-m", "workshop", "stop"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def _still_running(state_dir: Path) -> list[str]:
    """The kit's processes recorded in `state_dir` that are still alive, as "name pid N"."""
    alive = []
    for record in sorted((state_dir / "procs").glob("*.json")):
        try:
            pid = int(json.loads(record.read_text())["pid"])
            os.kill(pid, 0)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        alive.append(f"{record.stem} pid {pid}")
    return alive


def check_lesson(env: Mapping[str, str]) -> str:
    """Run lesson 00 headless in the venv; its outputs stay in memory, never in the repo."""
    done = subprocess.run(
        [str(PY), str(Path(__file__).resolve()), "_run-notebook", str(FIRST_LESSON)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # The runner's verdict is its last stdout line; stderr carries kernel chatter.
    lines = done.stdout.strip().splitlines() or done.stderr.strip().splitlines()
    last = lines[-1] if lines else "no output"
    if done.returncode != 0:
        raise NotReady(
            f"lesson 00 failed headless: {last} "
            "(run `.venv/bin/python -m workshop doctor` for details)"
        )
    return last


def run_notebook(path: str) -> int:
    """(Runs inside the venv.) Execute a lesson; fail on any error a learner would not expect.

    Exercise stubs raise NotImplementedError (their cells are tagged `raises-exception`) and
    the check cell after each unsolved exercise raises ExerciseIncomplete: both are what a
    fresh learner sees. Anything else (no server, an import error) is a real problem.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # The kernel works in the notebook's own folder, as in Lab; nothing is written back.
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(Path(path).parent)}},
    ).execute()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error" and output.ename != "ExerciseIncomplete":
                # The kit's errors end with "Fix: ..."; keep that part whole, shorten the rest.
                what, _, fix = " ".join(output.evalue.split()).partition("Fix:")
                fix_part = f" Fix:{fix}" if fix else ""
                what = what.strip() if len(what) <= 200 else what[:200] + "..."
                print(f"cell {index}: {output.ename}: {what}{fix_part}")
                return 1
    print(f"lesson 00 ran headless ({len(nb.cells)} cells, only the unsolved exercises failed)")
    return 0


def check() -> None:
    """Attendee pre-flight: ends with one line, `READY: ...` or `NOT READY: <what to fix>`."""
    state = Path(tempfile.mkdtemp(prefix="workshop-check-"))
    env = {**kit_kernel_env(os.environ), "WORKSHOP_STATE_DIR": str(state)}
    problem: NotReady | None = None
    try:
        print(check_python(sys.version_info[:3]), flush=True)
        print(check_disk(os.environ), flush=True)
        print("\n".join(check_ports(os.environ)) or "ports: defaults are free", flush=True)
        try:
            setup()
        except SystemExit as exc:
            raise NotReady(
                "the install failed (see pip's message above): check your network or proxy, "
                "then run `python3 tasks.py setup` again"
            ) from exc
        try:
            print(check_lesson(env), flush=True)
        finally:
            _stop_kit(env)
    except NotReady as failed:
        problem = failed
    left = _still_running(state)
    if left:
        # Kill nothing by hand: say what the kit's stop command left, and keep its folder.
        print(f"note: still running after the kit's stop: {', '.join(left)}", flush=True)
    else:
        shutil.rmtree(state, ignore_errors=True)
    if problem is not None:
        print(f"NOT READY: {problem}", flush=True)
        sys.exit(1)
    print("READY: Python, disk, ports, install and lesson 00 all work; see you at the workshop")


COMMANDS = {"setup": setup, "lab": lab, "test": test, "check": check}

if __name__ == "__main__":
    problem = platform_problem(sys.platform, os.name)
    if problem:
        print(problem)
        sys.exit(2)
    if len(sys.argv) == 3 and sys.argv[1] == "_run-notebook":
        sys.exit(run_notebook(sys.argv[2]))
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]]()
