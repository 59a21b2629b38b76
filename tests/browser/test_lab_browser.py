"""Real-browser check: JupyterLab in headless Debian Chromium runs the history-view demo notebook
and the parts of lessons 07 and 08 that draw their widgets.

What a learner sees: the history rows of a crashed-and-resumed run (with the crash and the
resume marked) and the control panel's buttons, whose code lines name the notebook's variable;
clicking "Kill worker" really kills it. The comparison of that run with an uncrashed one (as
lesson 03 draws it) is readable from a 1000 px to a 1600 px window: its columns do not overlap
and no text is cut. Lessons 07 and 08 run from the top to the last cell whose widgets are
checked: the chat window and the history meter, the MCP steps and the crash. (Their exercises,
and that every cell of every lesson runs, are nbval's: the browser looks at what a person sees.)
One JupyterLab and one Chromium serve every test; each test opens its own page. All Jupyter
and Chromium state lives in a temp folder. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import free_port
from tests.support.code_lines import assert_runs_in_notebook

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(__file__).with_name("history_demo.ipynb")
LESSON_07 = REPO_ROOT / "solutions" / "07-a-conversation-that-lives-for-weeks.ipynb"
LESSON_08 = REPO_ROOT / "solutions" / "08-tools-guardrails-and-tests.ipynb"
ARTIFACTS = REPO_ROOT / "test-artifacts"
TOKEN = "workshop-browser-test"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium binary (never a Playwright download)."""
    path = shutil.which("chromium")
    if path is None:
        # tasks.py says why it could not install one; otherwise, say how to.
        reason = os.environ.get("WORKSHOP_BROWSER_SKIP") or "`apt-get install -y chromium`"
        pytest.skip(f"no chromium installed ({reason}): the browser check needs it")
    pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    return path


def _copy_up_to(lesson: Path, last_cell: str, folder: Path) -> None:
    """The lesson, from its first cell to `last_cell` (by id), as a notebook in `folder`."""
    nb = nbformat.read(lesson, as_version=4)
    ids = [cell.id for cell in nb.cells]
    nb.cells = nb.cells[: ids.index(last_cell) + 1]
    nbformat.write(nb, folder / lesson.name)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab on 127.0.0.1, fixed token, all its state in a temp folder; yields its URL."""
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    work.mkdir()
    # Copies: Lab autosaves, and a lesson writes its modules beside itself; never in the repo.
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    _copy_up_to(LESSON_07, "l07-29", work)  # the long chat that continued as new
    _copy_up_to(LESSON_08, "e84ae37c", work)  # the crash in the middle of an MCP call
    env = dict(os.environ)
    for name, sub in {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "IPYTHONDIR": "ipython",
        "XDG_CONFIG_HOME": "xdg-config",
        "XDG_CACHE_HOME": "xdg-cache",
    }.items():
        env[name] = str(home / sub)
        (home / sub).mkdir()
    settings = home / "config/lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    # The kernel must be this venv's python (it has the kit installed).
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--user", "--name", "python3"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = open(home / "lab.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={work}",
            *(["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root.
        ],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.fail("JupyterLab did not start:\n" + (home / "lab.log").read_text()[-3000:])
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    """One headless Chromium for every test of the module (each test opens its own page)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open_alone(lab: str, notebook: str) -> str:
    """URL opening `notebook` in a fresh Lab workspace: the only tab, whatever ran before."""
    workspace = re.sub(r"[^a-z0-9]+", "-", notebook.lower())
    return f"{lab}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={TOKEN}"


def _run_all_cells(page: Any) -> None:
    """Run > Run All Cells, once the kernel is really there (retried if the run was dropped)."""
    from playwright.sync_api import expect

    page.get_by_text("| Idle").first.wait_for(timeout=60_000)
    first_prompt = page.locator(".jp-CodeCell .jp-InputPrompt").first
    for _ in range(3):
        # Lab may ask which kernel to use before the kernelspecs load: take the default.
        dialog = page.locator(".jp-Dialog").filter(has_text="Select Kernel")
        if dialog.count():
            dialog.locator(".jp-mod-accept").click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            # An execution prompt of [*] or [1] shows the kernel took the cells.
            expect(first_prompt).to_have_text(re.compile(r"\[[*0-9]+\]"), timeout=15_000)
            return
        except AssertionError:
            continue
    raise AssertionError("Run All Cells did not start the notebook's cells")


@contextmanager
def _notebook_ran(browser: Any, lab: str, notebook: Path, failure: str) -> Iterator[Any]:
    """A fresh page with `notebook` alone in Lab, after Run All Cells; on any failure, a
    full-page screenshot named `failure` goes to test-artifacts/."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    try:
        page.goto(_open_alone(lab, notebook.name))
        page.wait_for_selector(
            '.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000
        )
        # The notebook is open and rendered (its title) before its cells are run.
        page.locator(".jp-RenderedMarkdown h1").first.wait_for(timeout=30_000)
        _run_all_cells(page)
        yield page
    except BaseException:
        page.screenshot(path=str(ARTIFACTS / failure), full_page=True)
        raise
    finally:
        page.close()


def _all_cells_ended(page: Any, timeout_ms: int) -> None:
    """Wait until the last cell has its execution count, and no output is a traceback."""
    from playwright.sync_api import expect

    last_prompt = page.locator(".jp-CodeCell .jp-InputPrompt").last
    expect(last_prompt).to_have_text(re.compile(r"\[[0-9]+\]"), timeout=timeout_ms)
    expect(page.locator(".jp-OutputArea-output").filter(has_text="Traceback")).to_have_count(0)


def _exercises_passed(page: Any, *numbers: int) -> None:
    from playwright.sync_api import expect

    for number in numbers:
        passed = page.get_by_text(re.compile(rf"✓ Exercise {number}\b.*passed"))
        expect(passed).to_have_count(1)


# Geometry of the comparison, read from the page: each box as [left, right], plus what
# scrolls (content wider than its box is cut by the output area or hidden under a neighbour).
_COMPARE_GEOMETRY = """(compare) => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; };
  const cut = (e) => e.scrollWidth > e.clientWidth + 1;
  const output = compare.closest('.jp-OutputArea-output');
  const columns = [...compare.querySelectorAll('.workshop-compare-run')];
  return {
    compare: box(compare), output: box(output), outputCut: cut(output) || cut(compare),
    columns: columns.map((c) => ({
      box: box(c), cut: cut(c),
      rows: [...c.querySelectorAll('.workshop-step-row')].map((r) => ({
        box: box(r), cut: cut(r), text: r.textContent.slice(0, 50)})),
    })),
  };
}"""

# True once the window has this width and the comparison's width held for three frames.
_LAYOUT_SETTLED = """([compare, width]) => {
  if (window.innerWidth !== width) return false;
  const now = compare.getBoundingClientRect().width;
  window.__workshopFrames = now === window.__workshopWidth ? (window.__workshopFrames || 0) + 1 : 0;
  window.__workshopWidth = now;
  return window.__workshopFrames >= 3;
}"""


def _check_comparison_fits(page: Any, width: int) -> None:
    """At this window width the two runs sit side by side, and every row's text is in view."""
    compare = page.locator(".workshop-compare").first
    page.set_viewport_size({"width": width, "height": 1600})
    compare.scroll_into_view_if_needed()
    page.wait_for_function(_LAYOUT_SETTLED, arg=[compare.element_handle(), width], polling="raf")
    compare.screenshot(path=str(ARTIFACTS / f"compare-{width}.png"))
    geometry = compare.evaluate(_COMPARE_GEOMETRY)
    left, right = geometry["columns"]
    assert left["box"][1] <= right["box"][0], f"{width} px: the columns overlap: {geometry}"
    assert not geometry["outputCut"], f"{width} px: the comparison is wider than its output"
    outer = geometry["output"]
    for column in (left, right):
        assert outer[0] - 1 <= column["box"][0] and column["box"][1] <= outer[1] + 1, (
            f"{width} px: a column reaches out of the output area: {geometry}"
        )
        assert not column["cut"] and column["rows"], f"{width} px: a column scrolls: {column}"
        for row in column["rows"]:
            inside = column["box"][0] - 1 <= row["box"][0] and row["box"][1] <= column["box"][1] + 1
            assert inside and not row["cut"], f"{width} px: row cut: {row} in {column['box']}"


def test_history_view_and_panel_render_in_lab(browser: Any, lab: str) -> None:
    from playwright.sync_api import expect

    with _notebook_ran(browser, lab, NOTEBOOK, "browser-failure.png") as page:
        history = page.locator(".workshop-history").first
        expect(history).to_be_visible(timeout=60_000)
        # The run ends with a crash row, a resume row, and the workflow's end row.
        expect(page.locator(".workshop-step-end").first).to_be_visible(timeout=90_000)
        expect(page.locator(".workshop-step-crash")).to_have_count(1)
        expect(page.locator(".workshop-step-resume")).to_have_count(1)
        expect(page.locator(".workshop-step-llm")).to_have_count(4)
        expect(page.locator(".workshop-step-tool")).to_have_count(3)
        expect(history).to_contain_text("worker lost")
        expect(history).to_contain_text("A non-durable loop would have paid")

        panel = page.locator(".workshop-panel")
        expect(panel).to_be_visible(timeout=60_000)
        for name in ("start", "kill", "restart", "health"):
            expect(panel.locator(f".workshop-panel-{name}")).to_be_visible()
        # Each button's tooltip is a line the notebook can run, with its variable's name.
        buttons = panel.locator("button.workshop-panel-button")
        tooltips = [buttons.nth(i).get_attribute("title") or "" for i in range(buttons.count())]
        assert "demo_worker.kill()" in tooltips, tooltips
        assert_runs_in_notebook(tooltips, {"demo_worker"})
        status = panel.locator(".workshop-worker-status")
        expect(status).to_contain_text("running", timeout=10_000)
        page.locator(".workshop-step-crash").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "history-view.png"), full_page=True)

        # A click runs the Python handler: the worker process really dies.
        panel.locator(".workshop-panel-kill").click()
        expect(status).to_contain_text("killed (SIGKILL)", timeout=10_000)
        log = panel.locator(".workshop-panel-log code")
        expect(log).to_have_text("demo_worker.kill()")
        page.screenshot(path=str(ARTIFACTS / "control-panel-after-kill.png"), full_page=True)

        # The crashed run beside the uncrashed one, as lesson 03 compares them.
        expect(page.locator(".workshop-compare").first).to_be_visible(timeout=90_000)
        for width in (1000, 1600):
            _check_comparison_fits(page, width)


def test_lesson_07_shows_the_chat_window_and_the_meter(browser: Any, lab: str) -> None:
    """Lesson 07 in Lab, to its long chat: every cell ends, the chat windows and the history
    meter render."""
    from playwright.sync_api import expect

    with _notebook_ran(browser, lab, LESSON_07, "lesson-07-failure.png") as page:
        _all_cells_ended(page, 240_000)
        chat = page.locator(".workshop-chat").first
        expect(chat).to_be_visible()
        expect(chat.locator(".workshop-chat-input input")).to_be_visible()
        expect(chat.locator(".workshop-chat-send")).to_be_visible()
        # The conversation so far: the CI path's three messages and their replies.
        expect(chat.locator(".workshop-chat-you")).to_have_count(3)
        expect(chat.locator(".workshop-chat-agent").first).to_contain_text("state=FL")
        # The small chat that continued as new marks where a new run took over.
        expect(page.locator(".workshop-chat-run").first).to_be_visible()

        meter = page.locator(".workshop-meter").first
        expect(meter).to_be_visible()
        # Two lines: the growing conversation and the saw-tooth.
        expect(meter.locator("svg polyline")).to_have_count(4)  # bytes + events, 2 series
        expect(meter.locator(".workshop-meter-summary")).to_contain_text("continue-as-new")
        _exercises_passed(page, 1, 2)
        # Element screenshots: Lab scrolls its own panel, not the page.
        meter.scroll_into_view_if_needed()
        meter.screenshot(path=str(ARTIFACTS / "lesson-07-meter.png"))
        chat.scroll_into_view_if_needed()
        chat.screenshot(path=str(ARTIFACTS / "lesson-07-chat.png"))


def test_lesson_08_runs_in_lab_with_its_mcp_steps_and_crash(browser: Any, lab: str) -> None:
    """Lesson 08 in Lab, to its crash in the middle of an MCP call: every cell ends, and the
    history view names the MCP steps and shows the crash."""
    from playwright.sync_api import expect

    with _notebook_ran(browser, lab, LESSON_08, "lesson-08-failure.png") as page:
        _all_cells_ended(page, 300_000)
        mcp_step = page.locator(".workshop-step-tool").filter(has_text="MCP tool").first
        expect(mcp_step).to_be_visible()
        expect(page.locator(".workshop-step-crash").first).to_be_visible()
        mcp_step.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lesson-08-mcp.png"))
