"""Lesson notebooks: naming, single source, clean commits, lesson shape, and working exercises.

solutions/ is hand-written; notebooks/ is generated from it by tools/make_exercises.py. Every
exercise, with its solution pasted into the generated stub, passes its check cell (proved by
code equality plus the nbval run of solutions/). The generated notebooks are worked in a real
kernel by a stuck learner in tests/lessons/test_stuck_learner.py. Hints come in two
levels (a concept, then the code behind a `<details>` block), and check cells bind no name a
learner could have used.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat import NotebookNode

from tests.support.notebooks import check_cell_number
from tests.support.tools import load_tool

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"


make_exercises = load_tool("make_exercises")
clean_solutions = load_tool("clean_solutions")

SOLUTION_FILES = sorted(SOLUTIONS.glob("*.ipynb"))
LESSON_NAMES = [p.name for p in SOLUTION_FILES]


def _read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_are_lessons() -> None:
    assert SOLUTION_FILES, "solutions/ holds no notebooks"


@pytest.mark.parametrize("folder", [SOLUTIONS, NOTEBOOKS], ids=["solutions", "notebooks"])
def test_file_names_follow_the_rule(folder: Path) -> None:
    bad = [p.name for p in folder.glob("*.ipynb") if not make_exercises.NAME_RE.match(p.name)]
    assert not bad, f"names must match {make_exercises.NAME_RE.pattern}: {bad}"


def test_generated_notebooks_are_in_sync() -> None:
    result = subprocess.run(
        [sys.executable, "tools/make_exercises.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == set(LESSON_NAMES)


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=LESSON_NAMES)
def test_the_banner_speaks_to_the_learner_and_the_metadata_to_maintainers(path: Path) -> None:
    """Learners work in notebooks/: its banner never tells them not to edit it."""
    generated = _read(NOTEBOOKS / path.name)
    banner = generated.cells[0].source
    assert "write your answers right here" in banner and f"solutions/{path.name}" in banner
    assert "not this file" not in banner and "make_exercises" not in banner
    note = generated.metadata["workshop"]
    assert note["generated_from"] == f"solutions/{path.name}"
    assert "edit the solution" in note["maintainers"]


def test_check_mode_names_a_stale_notebook(tmp_path: Path) -> None:
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    shutil.copy(SOLUTION_FILES[0], solutions / SOLUTION_FILES[0].name)
    assert make_exercises.generate(False, solutions, notebooks) == [
        f"notebooks/{SOLUTION_FILES[0].name}"
    ]
    assert make_exercises.generate(True, solutions, notebooks) == []
    nb = _read(solutions / SOLUTION_FILES[0].name)
    nb.cells.append(nbformat.v4.new_markdown_cell("an edit to the solution"))
    nbformat.write(nb, solutions / SOLUTION_FILES[0].name)
    assert make_exercises.generate(True, solutions, notebooks) == [
        f"notebooks/{SOLUTION_FILES[0].name}"
    ]


def test_stub_replaces_region_with_hint_and_raise() -> None:
    source = (
        "x = 1\n    ### BEGIN SOLUTION\n    # HINT: add one\n    y = x + 1\n    ### END SOLUTION"
    )
    stub = make_exercises.strip_regions(source, 3, "add one")
    assert "y = x + 1" not in stub and "SOLUTION" not in stub
    assert "    # Hint: add one" in stub
    assert "    raise NotImplementedError('Exercise 3: " in stub
    assert stub.startswith("x = 1\n")
    assert "load_answer" not in stub
    named = make_exercises.strip_regions(source, 3, "add one", lesson="02")
    stuck = "# Stuck? Read the hints above this cell; then, in a new cell, "
    assert f'    {stuck}`await load_answer("02", 3)` runs the reference answer.' in named


@pytest.mark.parametrize("path", [*SOLUTION_FILES, *sorted(NOTEBOOKS.glob("*.ipynb"))])
def test_committed_notebook_is_clean(path: Path) -> None:
    nb = _read(path)
    assert "widgets" not in nb.metadata, "widget state is committed"
    generated = path.parent == NOTEBOOKS
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"cell {index} has outputs committed"
        assert cell.execution_count is None, f"cell {index} has an execution count"
        stored = clean_solutions.reference_outputs(cell)
        if generated or not clean_solutions.keeps_output(cell):
            assert stored == [], f"cell {index} carries reference outputs"
        for output in stored:
            assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {})
            # stderr is log noise (warnings, retries): a checked answer never depends on it.
            assert output.get("name") != "stderr", f"cell {index} checks a stderr stream"
    if not generated:
        assert clean_solutions.render(clean_solutions.clean(nb)) == path.read_text(), (
            f"run `python tools/clean_solutions.py {path.relative_to(ROOT)}`"
        )


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=LESSON_NAMES)
def test_lesson_has_the_standard_shape(path: Path) -> None:
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(r"# \d\d · \S", first.source), (
        "the first cell must be the title: '# NN · Title'"
    )
    assert "**Time:**" in first.source, "the first cell must give a time estimate"
    assert "**Question:**" in first.source, "the first cell must name the question answered"
    assert "What you will learn" in first.source
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Key points")

    code = [c for c in nb.cells if c.cell_type == "code"]
    # Module cells (%%workflow_module) and files a lesson writes (%%writefile, e.g. a test)
    # import the kit too: they are lesson code, not setup.
    setup = [
        c
        for c in code
        if "from workshop import" in c.source
        and not c.source.startswith(("%%workflow_module", "%%writefile"))
    ]
    assert len(setup) == 1, "exactly one setup cell imports from workshop"
    assert code[0] is setup[0], "the setup cell is the first code cell"
    assert "*" not in setup[0].source, "the setup cell imports names explicitly"
    for cell in code:
        assert not re.search(r"\bworkshop\.\w", cell.source), (
            "notebooks use only `workshop`'s names"
        )
        assert not re.search(r"^\s*(import workshop|from workshop\.)", cell.source, re.M)


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=LESSON_NAMES)
def test_exercises_are_numbered_and_checked(path: Path) -> None:
    nb = _read(path)
    numbers: list[int] = []
    heading: int | None = None
    for index, cell in enumerate(nb.cells):
        found = make_exercises.exercise_heading(cell)
        heading = found[0] if found else heading
        if not make_exercises.has_region(cell):
            continue
        assert heading is not None, f"cell {index}: region without an 'Exercise N:' heading"
        assert "exercise" in cell.metadata.get("tags", []), f"cell {index}: tag it 'exercise'"
        numbers.append(heading)
        following = [c for c in nb.cells[index + 1 :] if c.cell_type == "code"]
        assert following and check_cell_number(following[0]) == heading, (
            f"cell {index}: the next code cell must be `with Checks({heading}, ...)`"
        )
    assert numbers == list(range(1, len(numbers) + 1)), f"exercise numbers {numbers}"

    generated = _read(NOTEBOOKS / path.name)
    assert "generated-banner" in generated.cells[0].metadata.get("tags", [])
    stubs = [c for c in generated.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(stubs) == len(numbers)
    for stub in stubs:
        assert "raises-exception" in stub.metadata["tags"]
        assert "raise NotImplementedError(" in stub.source
    assert "BEGIN SOLUTION" not in nbformat.writes(generated)


EXERCISE_LESSONS = [
    p for p in SOLUTION_FILES if any(make_exercises.has_region(c) for c in _read(p).cells)
]


def _pasted(path: Path) -> NotebookNode:
    """The generated notebook with each stub cell replaced by the solution cell's source."""
    solution = [c for c in _read(path).cells if make_exercises.has_region(c)]
    generated = _read(NOTEBOOKS / path.name)
    stubs = [c for c in generated.cells if "exercise" in c.metadata.get("tags", [])]
    for stub, answer in zip(stubs, solution, strict=True):
        stub.source = answer.source
        stub.metadata["tags"].remove("raises-exception")
    return generated


def _check_cells(nb: NotebookNode) -> list[tuple[int, NotebookNode]]:
    return [(n, c) for c in nb.cells if (n := check_cell_number(c)) is not None]


@pytest.mark.parametrize("path", EXERCISE_LESSONS, ids=[p.name for p in EXERCISE_LESSONS])
def test_pasted_solutions_pass_their_check_cells(path: Path) -> None:
    """Pasting the answers back makes the exercise notebook run exactly the solution's code,
    and the nbval run executes that code and compares every check cell with a stored
    "✓ Exercise N ... passed." (no ✗). Together: every pasted solution passes its check,
    without a second kernel run of each lesson here."""
    pasted = [c.source for c in _pasted(path).cells if c.cell_type == "code"]
    solution = _read(path)
    assert pasted == [c.source for c in solution.cells if c.cell_type == "code"], (
        "the generated notebook differs from the solution outside the SOLUTION regions"
    )
    checks = _check_cells(solution)
    assert checks
    for number, cell in checks:
        assert clean_solutions.keeps_output(cell), (
            f"the check cell of exercise {number} needs `# NBVAL_CHECK_OUTPUT` so that "
            "nbval compares its ✓ lines"
        )
        stored = clean_solutions.reference_outputs(cell)
        text = "".join(o.get("text", "") for o in stored if o["output_type"] == "stream")
        assert re.search(rf"^✓ Exercise {number}\b.* passed\.$", text, re.M), (
            f"exercise {number}: the stored check output must end in a pass "
            f"(run `python tools/clean_solutions.py --record {path.relative_to(ROOT)}`): {text}"
        )
        assert "✗" not in text, text


def _exercise_markdown(nb: NotebookNode, index: int) -> str:
    """The markdown from the exercise's heading down to its code cell."""
    start = max(i for i in range(index) if make_exercises.exercise_heading(nb.cells[i]))
    return "\n".join(c.source for c in nb.cells[start:index] if c.cell_type == "markdown")


@pytest.mark.parametrize("path", EXERCISE_LESSONS, ids=[p.name for p in EXERCISE_LESSONS])
def test_hints_come_in_two_levels(path: Path) -> None:
    """A concept first, in words; then the code, behind a collapsed <details> block, taken
    from the answer itself (every line of it is a line of the solution's region). The stub
    hands over no code: its region carries no `# HINT:` line."""
    from workshop.notebook.exercise_format import HINT_RE, exercise_cells

    nb = _read(path)
    for number, _, index in exercise_cells(nb.cells):
        handed_over = [line for line in nb.cells[index].source.split("\n") if HINT_RE.match(line)]
        assert not handed_over, f"exercise {number}: the stub would show {handed_over}"
        text = _exercise_markdown(nb, index)
        concept, found, rest = text.partition("**Hint.**")
        assert found, f"exercise {number}: no '**Hint.**' paragraph (the concept, in words)"
        concept, found, details = rest.partition("<details>")
        assert found and "```" not in concept, (
            f"exercise {number}: the concept comes first, no code"
        )
        assert re.match(r"<summary>[^<]+</summary>\n", details), f"exercise {number}: <summary>"
        code = re.search(r"```python\n(.*?)\n```\n</details>", details, re.S)
        assert code, f"exercise {number}: the code, in a python block closing the <details>"
        region = {line.strip() for line in nb.cells[index].source.split("\n")}
        strays = [
            line
            for line in code.group(1).split("\n")
            if line.strip() and line.strip() not in region
        ]
        assert not strays, f"exercise {number}: hint lines that are not in the answer: {strays}"


def _bound_names(source: str) -> set[str]:
    """Names a cell binds in the notebook's namespace (not those local to a comprehension)."""
    tree = compile(source, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    local = {
        id(target)
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension)
        for target in ast.walk(node.target)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and id(node) not in local:
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def test_bound_names_sees_every_binding() -> None:
    source = (
        "import a.b\nfrom c import d as e\nx = [y for y in z]\nfor f, g in h: pass\n"
        "with i as j: pass\ntry: pass\nexcept K as k: pass\nif (w := 1): pass\nawait q()"
    )
    assert _bound_names(source) == {"a", "e", "x", "f", "g", "j", "k", "w"}


@pytest.mark.parametrize("path", EXERCISE_LESSONS, ids=[p.name for p in EXERCISE_LESSONS])
def test_check_cells_never_overwrite_learner_names(path: Path) -> None:
    """A check binds only names private to it (`_name`) and its own `check`."""
    for number, cell in _check_cells(_read(path)):
        public = sorted(n for n in _bound_names(cell.source) if n != "check" and n[0] != "_")
        assert not public, f"the check cell of exercise {number} binds {public}: prefix them with _"


@pytest.mark.parametrize("path", SOLUTION_FILES, ids=LESSON_NAMES)
def test_workflow_modules_are_named_after_their_lesson(path: Path) -> None:
    """`lessonNN_...`: unique across lessons, so tests can load every lesson's modules at once."""
    from tests.support.lessons import module_cells

    for name in module_cells(path):
        assert name.startswith(f"lesson{path.name[:2]}_"), (
            f"%%workflow_module {name} in {path.name} must be named lesson{path.name[:2]}_..."
        )


async def test_a_refused_decision_is_reported_in_the_validators_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lesson 06, "say no, in code": a learner who sends `decide` before the agent waits gets a
    refusal from the validator (and no `my_outcome`); the check quotes that refusal instead of
    saying "`my_outcome` is not defined". Runs the lesson's own check cell, with no server."""
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError

    from workshop import Checks
    from workshop.errors import ExerciseIncomplete

    cells = dict(_check_cells(_read(SOLUTIONS / "06-humans-and-production.ipynb")))
    refusal = ApplicationError("nothing to decide: the agent is working", type="ValueError")
    monkeypatch.setattr(sys, "last_value", WorkflowUpdateFailedError(refusal), raising=False)

    async def no_update_in_the_history(handle: object) -> list[object]:
        return []

    namespace = {
        "Checks": Checks,
        "WorkflowUpdateFailedError": WorkflowUpdateFailedError,
        "fetch_steps": no_update_in_the_history,
        "request": SimpleNamespace(id="approval-1"),
        "my_request": SimpleNamespace(id="my-approval-2"),
    }
    code = compile(cells[2].source, "<check>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    with pytest.raises(ExerciseIncomplete) as info:
        await eval(code, namespace)  # noqa: S307 - the lesson's own check cell
    assert (
        "the workflow refused your decision, saying: nothing to decide: the agent is working"
        in str(info.value)
    )
    assert "my_outcome" not in str(info.value)
