"""How the test command shares the suite among its side-by-side processes."""

from __future__ import annotations

from tests.conftest import REPO_ROOT
from tests.support.units import ONE_PROCESS_MODULES, unit_of_work


def test_a_notebooks_cells_and_a_shared_module_stay_together() -> None:
    unit = unit_of_work
    lesson = "solutions/07-a-conversation-that-lives-for-weeks.ipynb"
    assert unit(f"{lesson}::Cell 0") == unit(f"{lesson}::Cell 35") == lesson
    browser = "tests/browser/test_lab_browser.py"
    assert unit(f"{browser}::test_lesson_07_shows_the_chat_window_and_the_meter") == browser
    assert unit(f"{browser}::test_history_view_and_panel_render_in_lab") == browser
    other = "tests/test_faults.py::test_rate_limit_then_success[1]"
    assert unit(other) == other  # any other test goes wherever a process is free


def test_every_module_kept_together_exists() -> None:
    # A renamed module would silently be split again, one JupyterLab per process.
    for module in ONE_PROCESS_MODULES:
        assert (REPO_ROOT / module).is_file(), module
