"""A way on for a learner who is stuck: `await load_answer("02", 1)` runs the reference answer.

The answer comes from the solution notebook itself (`solutions/NN-*.ipynb`, the single source,
never a copy): the exercise's whole cell runs in this kernel as if the learner had run it (a
`%%workflow_module` cell writes and imports its module), after its answer's code is shown.
The check cell of that exercise then says the reference answer was loaded, for as long as what
it loaded is still in place (the file it wrote, the objects under the names it defined): run
your own version of the exercise cell and the check checks yours again. (Objects are compared
by identity, so an answer of the very same small number or short string as the reference's
still reads as the reference's.)
"""

from __future__ import annotations

import ast
import inspect
import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MissingSetup, WorkshopError
from .exercise_format import cell_source, exercise_cells, region_code
from .magics import MODULES_DIR

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
"""The hand-written lessons, with the answers (the folder beside the learners' notebooks/)."""


@dataclass
class _Loaded:
    """What one `load_answer` call put in place: files with their text, names with objects."""

    files: dict[Path, str]
    names: dict[str, Any]

    def in_place(self, namespace: Mapping[str, Any]) -> bool:
        for path, text in self.files.items():
            try:
                if path.read_text(encoding="utf-8") != text:
                    return False
            except OSError:
                return False
        return all(namespace.get(name) is value for name, value in self.names.items())


_loaded: dict[int, _Loaded] = {}


def solution_notebook(lesson: str | int) -> Path:
    """The solution notebook of a lesson, given as "02", 2 or "02-temporal-foundations"."""
    text = str(lesson).strip()
    key = f"{int(text):02d}" if text.isdigit() else text.removesuffix(".ipynb")[:2]
    found = sorted(SOLUTIONS.glob(f"{key}-*.ipynb"))
    if not found:
        raise WorkshopError(
            f"no lesson {lesson!r} in {SOLUTIONS}: name it by its number, as in "
            '`await load_answer("02", 1)`'
        )
    return found[0]


def reference_answer(lesson: str | int, exercise: int) -> tuple[str, str, Path]:
    """(title, the exercise cell's source, notebook) of an exercise in the solution notebook."""
    path = solution_notebook(lesson)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = exercise_cells(cells)
    for number, title, index in found:
        if number == exercise:
            return title, cell_source(cells[index]), path
    numbers = ", ".join(str(n) for n, _, _ in found) or "none"
    raise WorkshopError(f"{path.name} has no Exercise {exercise} (its exercises: {numbers})")


def _files_written(source: str) -> list[Path]:
    """The file a `%%workflow_module NAME` or `%%writefile PATH` cell writes, if any."""
    first = source.split("\n", 1)[0].strip()
    if first.startswith("%%workflow_module"):
        name = first.removeprefix("%%workflow_module").strip()
        return [Path.cwd() / MODULES_DIR / f"{name}.py"]
    if first.startswith("%%writefile"):
        args = [a for a in shlex.split(first.removeprefix("%%writefile")) if not a.startswith("-")]
        return [Path.cwd() / args[0]] if args else []
    return []


def _as_python(source: str) -> str:
    """The cell as Python, magics turned into calls the way IPython runs them."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the kit always has IPython
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        return str(shell.transform_cell(source))
    if source.lstrip().startswith("%"):
        raise WorkshopError("this answer is a cell magic: load it in a Jupyter kernel")
    return source


def _show(exercise: int, title: str, notebook: Path, code: str) -> None:
    """The answer's code, as highlighted Markdown in Jupyter and as plain text elsewhere."""
    intro = (
        f"Exercise {exercise} ({title}): the reference answer from solutions/{notebook.name}, "
        "now run in this kernel. Its code:"
    )
    plain = intro + "\n\n" + "\n".join(f"    {line}" for line in code.split("\n"))
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - the kit always has IPython
        print(plain)
        return
    markdown = f"{intro}\n\n```python\n{code}\n```"
    display({"text/plain": plain, "text/markdown": markdown}, raw=True)


async def load_answer(lesson: str | int, exercise: int) -> None:
    """Run the reference answer of an exercise in this kernel, for a learner who is stuck.

    Args:
        lesson: the lesson's number, as in its file name ("02").
        exercise: the exercise's number in that lesson.

    The answer's code is shown first; then the solution notebook's cell for the exercise
    runs here, so the check cell passes (and says the reference answer was loaded) and the
    rest of the lesson can go on.
    """
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    # The cell's names: a notebook cell's globals (the kernel's namespace).
    namespace: dict[str, Any] = caller.f_globals if caller is not None else {}
    del frame, caller
    title, source, notebook = reference_answer(lesson, exercise)
    _show(exercise, title, notebook, region_code(source))
    before = dict(namespace)
    code = compile(
        _as_python(source),
        f"<reference answer of Exercise {exercise}>",
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
    )
    try:
        result = eval(code, namespace)  # noqa: S307 - the solution notebook's own cell
        if inspect.iscoroutine(result):
            await result
    except NameError as exc:
        raise MissingSetup(
            f"the reference answer of Exercise {exercise} needs {exc.name or exc!s} from a "
            "cell above it: run the cells above the exercise first, then load_answer again."
        ) from None
    names = {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and (name not in before or before[name] is not value)
    }
    files = {path: path.read_text(encoding="utf-8") for path in _files_written(source)}
    _loaded[exercise] = _Loaded(files, names)
    print(f"Now run the check cell of Exercise {exercise}.")


def reference_in_place(exercise: int, namespace: Mapping[str, Any]) -> bool:
    """True while what `load_answer` loaded for this exercise is still what the notebook has."""
    loaded = _loaded.get(exercise)
    return loaded is not None and loaded.in_place(namespace)
