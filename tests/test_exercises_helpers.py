"""Check cells and cell-order helpers: what a learner reads when something is missing or wrong."""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import os
import sys
from pathlib import Path

import nbformat
import pytest
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from tasks import KERNEL_STARTUP, kit_kernel_env
from tests.support.kernels import execute
from workshop import Checks, load_answer, require, unique_id
from workshop.errors import ExerciseIncomplete, MissingSetup, WorkshopError
from workshop.notebook import answers
from workshop.notebook.cells import order_hint
from workshop.notebook.failures import explain
from workshop.testing import ExpectedFailureFilter


def test_all_checks_pass_prints_ticks(capsys: pytest.CaptureFixture[str]) -> None:
    answer = 42
    with Checks(1, "the answer") as check:
        value = check.defined("answer", int)
        check.equal(value, 42, "the answer is 42")
    out = capsys.readouterr().out
    assert answer == 42
    assert "✓ `answer` is defined" in out
    assert "✓ the answer is 42" in out
    assert out.rstrip().endswith("✓ Exercise 1 (the answer) passed.")


def test_wrong_value_says_what_is_wrong_and_keeps_checking(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = 41
    with pytest.raises(ExerciseIncomplete) as info:
        with Checks(2) as check:
            check.equal(answer, 42, "the answer is 42")
            check.that(True, "a later check still runs")
    out = capsys.readouterr().out
    assert "✗ the answer is 42: expected 42, got 41" in out
    assert "✓ a later check still runs" in out
    assert "Exercise 2 is not done yet" in str(info.value)
    assert isinstance(info.value, AssertionError)


def test_missing_name_points_to_the_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ExerciseIncomplete) as info:
        with Checks(3, "define it") as check:
            check.defined("name_nobody_defined")
            check.that(True, "never reached")
    out = capsys.readouterr().out
    assert "run (and finish) Exercise 3 first" in out
    assert "never reached" not in out
    assert "name_nobody_defined" in str(info.value)


def test_wrong_type_is_named() -> None:
    answer = "42"
    assert answer
    with pytest.raises(ExerciseIncomplete, match="should be a int, but it is a str"):
        with Checks(4) as check:
            check.defined("answer", int)


def test_stub_code_raising_not_implemented_reads_as_unfinished() -> None:
    def learner_function() -> int:
        raise NotImplementedError("Exercise 5: replace this line")

    with pytest.raises(ExerciseIncomplete, match="still raises NotImplementedError"):
        with Checks(5) as check:
            check.equal(learner_function(), 1, "returns 1")


def test_stub_error_from_a_workflow_reads_as_unfinished() -> None:
    def run_workflow() -> None:
        stub = ApplicationError("Exercise 6: replace this line", type="NotImplementedError")
        raise RuntimeError("Workflow execution failed") from stub

    with pytest.raises(ExerciseIncomplete, match="Exercise 6 still raises NotImplementedError"):
        with Checks(6):
            run_workflow()


def test_other_errors_are_reported_with_their_cause() -> None:
    def broken() -> None:
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("workflow failed") from exc

    with pytest.raises(ExerciseIncomplete, match=r"RuntimeError: workflow failed \(caused by "):
        with Checks(6):
            broken()


def test_keyboard_interrupt_is_not_swallowed() -> None:
    with pytest.raises(KeyboardInterrupt):
        with Checks(7):
            raise KeyboardInterrupt


async def test_async_with_works() -> None:
    async with Checks(8) as check:
        check.that(True, "fine")


def test_module_missing_or_stubbed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "lesson_modules"
    folder.mkdir()
    (folder / "__init__.py").touch()
    (folder / "stubbed_h5.py").write_text("raise NotImplementedError('Exercise 9: ...')\n")
    (folder / "done_h5.py").write_text("ANSWER = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lesson_modules", raising=False)
    with pytest.raises(ExerciseIncomplete, match="does not exist yet: run"):
        with Checks(9) as check:
            check.module("never_written_h5")
    with pytest.raises(ExerciseIncomplete, match="still raises NotImplementedError"):
        with Checks(9) as check:
            check.module("stubbed_h5")
    with Checks(9) as check:
        assert check.module("done_h5").ANSWER == 3


def test_require_returns_values_or_names_the_cell() -> None:
    client, worker = 1, 2
    assert require("client", run="the setup cell") == client
    assert require("client", "worker", run="the setup cell") == (client, worker)
    with pytest.raises(MissingSetup, match=r"`nothing_here` is not defined yet: run the setup"):
        require("nothing_here", run="the setup cell")
    with pytest.raises(NameError):  # still a NameError for code that catches those
        require("nothing_here", run="the setup cell")


def test_unique_id_is_fresh() -> None:
    ids = {unique_id("hello") for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("hello-") and len(i) == len("hello-") + 8 for i in ids)


def test_expected_activity_failures_are_quiet() -> None:
    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            return logging.LogRecord(
                "temporalio.activity",
                logging.WARNING,
                __file__,
                1,
                "Completing activity as failed ({'activity_id': '1'})",
                None,
                sys.exc_info(),
            )

    keep = ExpectedFailureFilter().filter
    assert not keep(record(ApplicationError("HTTP 500", type="ServiceError")))
    assert keep(record(ZeroDivisionError("a bug in the learner's activity")))


LESSON_03 = Path(__file__).resolve().parent.parent / "solutions" / "03-durable-agent-loop.ipynb"


def test_order_hints_name_the_cell_to_run() -> None:
    assert order_hint(NameError("x", name="require")) == (
        "Hint: `require` comes from the kit: run the setup cell at the top (the one with "
        "`from workshop import ...`) first."
    )
    hint = order_hint(NameError("x", name="crash_view"), LESSON_03)
    assert hint is not None and "the cell under “5. Kill the worker mid-run”" in hint
    assert "made by the setup cell at the top" in str(
        order_hint(NameError(name="QUESTION"), LESSON_03)
    )
    unknown = order_hint(NameError("x", name="nobody_defines_this"), LESSON_03)
    assert unknown is not None and "is made by an earlier cell" in unknown
    assert order_hint(MissingSetup("`x` is not defined yet: run ...")) is None
    try:  # a name missing inside a lesson module is a bug there, not a cell run out of order
        exec(compile("workflow.now()", "/nb/lesson_modules/lesson03_agent_loop.py", "exec"), {})
    except NameError as typo:
        assert order_hint(typo, LESSON_03) is None


def test_a_lesson_module_imported_too_early_names_its_cell() -> None:
    try:
        exec("from lesson_modules.lesson99_nowhere import Thing", {})  # the folder is missing
    except ModuleNotFoundError as missing:
        hint = order_hint(missing)
    assert hint == (
        "Hint: `lesson_modules.lesson99_nowhere` is written by the cell that starts with "
        "`%%workflow_module lesson99_nowhere`: run it first (or Run > Run All Above Selected Cell)."
    )
    assert order_hint(ModuleNotFoundError("No module named 'numpyy'", name="numpyy")) is None
    exercise = order_hint(ModuleNotFoundError(name="lesson_modules.lesson03_agent_loop"), LESSON_03)
    assert exercise is not None and "under “Exercise 2: the tool-call branch”" in exercise


def test_a_failure_shows_the_learners_own_lines_and_the_cell_to_fix(tmp_path: Path) -> None:
    # A traceback as a worker sends it (Temporal carries it as text), around the learner's file.
    stack = (
        '  File "/venv/temporalio/worker/_workflow_instance.py", line 1175, in run_workflow\n'
        "    result = await self._inbound.execute_workflow(input)\n\n"
        f'  File "{tmp_path}/lesson_modules/lesson03_agent_loop.py", line 89, in run\n'
        '    "output": json.dumps(result),\n'
        "              ^^^^^^^^^^^^^^^^^^\n\n"
        '  File "/usr/lib/python3.11/json/__init__.py", line 231, in dumps\n'
        "    return _default_encoder.encode(obj)\n"
    )
    failure = Failure(
        message="Object of type coroutine is not JSON serializable", stack_trace=stack
    )
    failure.application_failure_info.type = "TypeError"
    error = ApplicationError(failure.message, type="TypeError")
    error._failure = failure  # what the SDK's failure converter sets
    assert explain(RuntimeError("Workflow execution failed")) is None  # nothing of the learner's
    try:
        raise RuntimeError("Workflow execution failed") from error
    except RuntimeError as failed:
        shown = explain(failed)
    assert shown is not None
    assert shown.lines("run this one again") == [
        "TypeError: Object of type coroutine is not JSON serializable (a coroutine was used as a "
        "value: is an `await` missing?)",
        '  File "lesson_modules/lesson03_agent_loop.py", line 89, in run',
        '    "output": json.dumps(result),',
        "Fix it in the cell that starts with `%%workflow_module lesson03_agent_loop`, run that "
        "cell, then run this one again.",
    ]


@pytest.mark.notebooks
def test_a_fresh_kit_kernel_explains_out_of_order_cells_from_the_first_one(tmp_path: Path) -> None:
    # A later lesson-03 cell first, an agent cell before its module cell, a later section's
    # name: no `import workshop` has run. The kernel knows its notebook, as in JupyterLab.
    # Then `require` itself, and a name no cell defines.
    cells = {cell.id: cell for cell in nbformat.read(LESSON_03, as_version=4).cells}
    own = tmp_path / "my_startup.py"
    own.write_text("my_own_startup_ran = True\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cells["c15"],
        cells["c14"],
        nbformat.v4.new_code_cell("print(crash_view)"),
        nbformat.v4.new_code_cell("print('own start-up file ran:', my_own_startup_ran)"),
        nbformat.v4.new_code_cell("from workshop import require"),
        nbformat.v4.new_code_cell('client = require("client", run="the setup cell at the top")'),
        nbformat.v4.new_code_cell("print(undefined_variable_h5)"),
    ]
    env = kit_kernel_env({**os.environ, "PYTHONSTARTUP": str(own)})
    execute(nb, tmp_path, timeout=120, env={**env, "JPY_SESSION_NAME": str(LESSON_03)})
    hints = [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in nb.cells
    ]
    assert [o.ename for cell in nb.cells for o in cell.outputs if o.output_type == "error"] == [
        "NameError",
        "ModuleNotFoundError",
        "NameError",
        "MissingSetup",
        "NameError",
    ]
    assert "Hint: `require` comes from the kit: run the setup cell at the top" in hints[0]
    assert (
        "Hint: `lesson_modules.lesson03_agent_loop` is written by the cell under “Exercise 2: "
        "the tool-call branch” that starts with `%%workflow_module lesson03_agent_loop`"
    ) in hints[1]
    assert "`crash_view` is made by the cell under “5. Kill the worker mid-run”" in hints[2]
    assert hints[3] == "own start-up file ran: True\n"  # a learner's PYTHONSTARTUP still runs
    # require() names the cell itself, shown as the message alone (no traceback, no hint).
    missing = [o for o in nb.cells[5].outputs if o.output_type == "error"][0]
    assert "run the setup cell at the top first" in missing.evalue
    assert all("cells.py" not in line for line in missing.traceback) and not hints[5]
    assert "`undefined_variable_h5` is made by an earlier cell" in hints[6]


def test_only_what_the_kit_launches_runs_its_start_up_file() -> None:
    plain = {"PATH": "/usr/bin", "HOME": "/home/learner"}
    assert kit_kernel_env(plain) == {**plain, "PYTHONSTARTUP": str(KERNEL_STARTUP)}
    assert KERNEL_STARTUP.is_file()
    theirs = kit_kernel_env({**plain, "PYTHONSTARTUP": "/home/learner/.pythonrc.py"})
    assert theirs["WORKSHOP_USER_PYTHONSTARTUP"] == "/home/learner/.pythonrc.py"
    assert kit_kernel_env(theirs) == theirs  # applied again (a test worker), nothing is lost


# --- The reference answer for a learner who is stuck (load_answer) ------------------------


def _fake_lesson(folder: Path) -> None:
    """A one-exercise solution notebook, 98-fake.ipynb, whose answer needs top-level await."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("### Exercise 1: wait for it"),
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\n# HINT: await\nanswer = await asyncio.sleep(0, result=[42])\n"
            "### END SOLUTION"
        ),
        nbformat.v4.new_code_cell('with Checks(1, "wait for it") as check:\n    pass'),
    ]
    nbformat.write(nb, folder / "98-fake.ipynb")


async def _run_cell(source: str, namespace: dict[str, object]) -> None:
    """Run `source` as a notebook cell would, with `namespace` as its globals."""
    code = compile(source, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)  # noqa: S307 - the test's own cell
    if inspect.iscoroutine(result):
        await result


async def test_load_answer_runs_the_solution_and_the_check_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_lesson(tmp_path)
    monkeypatch.setattr(answers, "SOLUTIONS", tmp_path)
    cell: dict[str, object] = {"asyncio": asyncio, "Checks": Checks, "load_answer": load_answer}
    await _run_cell('await load_answer("98", 1)', cell)
    shown = capsys.readouterr().out
    assert "Exercise 1 (wait for it): the reference answer from solutions/98-fake.ipynb" in shown
    assert "answer = await asyncio.sleep(0, result=[42])" in shown and "HINT" not in shown
    assert cell["answer"] == [42]
    check = 'with Checks(1, "wait for it") as check:\n    check.defined("answer", list)'
    await _run_cell(check, cell)
    assert "passed, with the reference answer that load_answer loaded" in capsys.readouterr().out
    # The learner's own code replaces the reference: the check checks theirs, and says nothing.
    await _run_cell("answer = [6 * 7]", cell)
    await _run_cell(check, cell)
    assert capsys.readouterr().out.rstrip().endswith("✓ Exercise 1 (wait for it) passed.")


def test_load_answer_names_what_it_cannot_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_lesson(tmp_path)
    monkeypatch.setattr(answers, "SOLUTIONS", tmp_path)
    with pytest.raises(
        WorkshopError, match=r"98-fake.ipynb has no Exercise 2 \(its exercises: 1\)"
    ):
        answers.reference_answer("98", 2)
    with pytest.raises(WorkshopError, match=r"no lesson '97'.*load_answer\(\"02\", 1\)"):
        answers.reference_answer("97", 1)


async def test_load_answer_says_which_cells_to_run_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_lesson(tmp_path)
    monkeypatch.setattr(answers, "SOLUTIONS", tmp_path)
    cell: dict[str, object] = {"load_answer": load_answer}  # no `asyncio`: a cell above is missing
    with pytest.raises(MissingSetup, match="needs asyncio from a cell above it"):
        await _run_cell('await load_answer("98", 1)', cell)


def test_every_exercise_loads_its_own_solution_cell() -> None:
    # The reference is the solution notebook's cell itself, for every exercise of every lesson.
    for path in sorted(answers.SOLUTIONS.glob("[0-9][0-9]-*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        regions = [c.source for c in cells if c.cell_type == "code" and "BEGIN SOLUTION" in c]
        loaded = []
        for number in range(1, len(regions) + 1):
            title, source, notebook = answers.reference_answer(path.name[:2], number)
            assert notebook == path and title
            loaded.append(source)
        assert loaded == regions, path.name


def test_a_check_quotes_the_learners_last_error_not_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusal = ValueError("nothing to decide: the agent is working")
    monkeypatch.setattr(sys, "last_value", refusal, raising=False)
    with pytest.raises(ExerciseIncomplete):
        with Checks(10) as check:
            check.that(check.last_error(ValueError) is refusal, "the learner's error is kept")
            check.that(check.last_error(KeyError) is None, "only an error of the kind asked for")
            check.failed("not done")
    # IPython now holds the check's own ExerciseIncomplete: the learner's error stays.
    monkeypatch.setattr(sys, "last_value", ExerciseIncomplete("Exercise 10 is not done"))
    with Checks(10) as check:
        check.that(check.last_error() is refusal, "a second run says the same")
