"""Generate the exercise notebooks in notebooks/ from the hand-written solutions/.

Only solutions/*.ipynb are edited by hand. In a solution, the answer to an exercise sits in a
code cell between `### BEGIN SOLUTION` and `### END SOLUTION`; the nearest markdown cell above
it says "Exercise N: title" (the format is `workshop/notebook/exercise_format.py`, loaded here by
its path). The generated notebook has the same file name; each region becomes its `# HINT: ...`
lines (if any), a line naming the call that loads the reference answer
(`await load_answer("NN", N)`), and `raise NotImplementedError("Exercise N: ...")`. Outputs,
execution counts and widget state are stripped, and a banner says the file is generated.

    python tools/make_exercises.py            # (re)write notebooks/
    python tools/make_exercises.py --check    # exit 1 and name the stale files; write nothing

Only the standard library and nbformat, so it runs before the kit is installed.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"


def _load_format() -> ModuleType:
    """The kit's exercise format module, by its path (no kit import, so no kit install needed)."""
    path = ROOT / "workshop" / "notebook" / "exercise_format.py"
    spec = importlib.util.spec_from_file_location("_exercise_format", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_format = _load_format()
BEGIN: str = _format.BEGIN
END: str = _format.END
HINT_RE: re.Pattern[str] = _format.HINT_RE
EXERCISE_HEADING_RE: re.Pattern[str] = _format.EXERCISE_HEADING_RE
has_region = _format.has_region
"""True for a code cell that holds a solution region."""
exercise_heading = _format.exercise_heading
"""(N, title) when a markdown cell introduces "Exercise N: title"."""

NAME_RE = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")

EXERCISE_TAG = "exercise"
"""Tag on a code cell holding an exercise (in solutions and in generated notebooks)."""
RAISES_TAG = "raises-exception"
"""nbval's tag for a cell that is expected to raise: every generated stub cell gets it."""
BANNER_TAG = "generated-banner"
"""Tag on the generated notebook's first cell."""

# Cell metadata that is execution state, never content.
_VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "jupyter", "ExecuteTime")


class AuthoringError(Exception):
    """A solution notebook breaks the authoring rules (see docs/authoring-lessons.md)."""


def solution_files(folder: Path = SOLUTIONS) -> list[Path]:
    """The solution notebooks, sorted; raises when a file name breaks the naming rule."""
    files = sorted(folder.glob("*.ipynb"))
    bad = [f.name for f in files if not NAME_RE.match(f.name)]
    if bad:
        raise AuthoringError(
            f"Notebook names must match {NAME_RE.pattern} (like 02-temporal-foundations.ipynb): "
            + ", ".join(bad)
        )
    return files


def stub_region(lines: list[str], number: int, title: str, lesson: str | None = None) -> list[str]:
    """The stub that replaces one region's lines (BEGIN and END markers included)."""
    indent = re.match(r"\s*", lines[0]).group(0)  # type: ignore[union-attr]
    hints = [m.group(1) for line in lines if (m := HINT_RE.match(line))]
    out = [f"{indent}# Exercise {number}: {title}"]
    out += [f"{indent}# Hint: {hint}" for hint in hints] or [f"{indent}# Your code here."]
    if lesson is not None:
        out.append(
            f"{indent}# Stuck? Read the hints above this cell; then, in a new cell, "
            f'`await load_answer("{lesson}", {number})` runs the reference answer.'
        )
    message = f"Exercise {number}: replace this line with your code ({title})"
    out.append(f"{indent}raise NotImplementedError({message!r})")
    return out


def strip_regions(source: str, number: int, title: str, lesson: str | None = None) -> str:
    """The source with every BEGIN/END SOLUTION region replaced by its stub.

    Args:
        lesson: the lesson's number ("02"): the stub then names the `load_answer` call.
    """
    lines = source.split("\n")
    out: list[str] = []
    region: list[str] | None = None
    for line in lines:
        if line.strip() == BEGIN:
            if region is not None:
                raise AuthoringError(f"Nested {BEGIN} in exercise {number}")
            region = [line]
        elif line.strip() == END:
            if region is None:
                raise AuthoringError(f"{END} without {BEGIN} in exercise {number}")
            out += stub_region(region, number, title, lesson)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise AuthoringError(f"{BEGIN} without {END} in exercise {number}")
    return "\n".join(out)


def clean_cell(cell: NotebookNode) -> NotebookNode:
    """A copy of the cell without outputs, execution count or volatile metadata."""
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    for key in _VOLATILE_CELL_METADATA:
        cell.metadata.pop(key, None)
    # The nbval reference outputs of check cells: for the solutions' CI run, not for learners.
    cell.metadata.pop("workshop", None)
    cell.pop("attachments", None) if cell.cell_type != "markdown" else None
    return cell


def add_tags(cell: NotebookNode, *tags: str) -> None:
    """Add tags to a cell's metadata (once each)."""
    existing = list(cell.metadata.get("tags", []))
    cell.metadata["tags"] = existing + [t for t in tags if t not in existing]


def banner(solution: Path) -> NotebookNode:
    """The markdown cell that opens every generated notebook."""
    text = (
        f"> **Exercise notebook** generated from `solutions/{solution.name}` by "
        "`tools/make_exercises.py` — edit the solution, not this file. "
        "Work through it top to bottom; each exercise cell raises `NotImplementedError` "
        "until you fill it in, and the check cell after it tells you what is still missing."
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [BANNER_TAG]
    return cell


def make_exercise_notebook(solution: Path) -> NotebookNode:
    """Build the exercise notebook for one solution notebook (nothing is written)."""
    nb = nbformat.read(solution, as_version=4)
    out = nbformat.v4.new_notebook()
    out.metadata = copy.deepcopy(nb.metadata)
    out.metadata.pop("widgets", None)
    out.cells.append(banner(solution))
    heading: tuple[int, str] | None = None
    for cell in nb.cells:
        found = exercise_heading(cell)
        heading = found or heading
        new = clean_cell(cell)
        if has_region(cell):
            if heading is None:
                raise AuthoringError(
                    f"{solution.name}: a {BEGIN} region has no 'Exercise N: title' markdown "
                    "cell above it."
                )
            number, title = heading
            new.source = strip_regions(cell.source, number, title, solution.name[:2])
            add_tags(new, EXERCISE_TAG, RAISES_TAG)
        new.pop("id", None)
        out.cells.append(new)
    # Stable cell ids keep the generated file byte-identical from run to run.
    for index, cell in enumerate(out.cells):
        cell["id"] = f"cell-{index:03d}"
    nbformat.validate(out)
    return out


def render(nb: NotebookNode) -> str:
    """The notebook as the exact text written to disk."""
    return nbformat.writes(nb) + "\n"


def generate(check: bool, solutions: Path = SOLUTIONS, notebooks: Path = NOTEBOOKS) -> list[str]:
    """Write (or, with check, only compare) every generated notebook; returns stale names."""
    stale: list[str] = []
    sources = solution_files(solutions)
    wanted = {s.name for s in sources}
    for solution in sources:
        target = notebooks / solution.name
        text = render(make_exercise_notebook(solution))
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(f"notebooks/{solution.name}")
        if not check:
            notebooks.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for orphan in sorted(notebooks.glob("*.ipynb")):
        if orphan.name not in wanted:
            stale.append(f"notebooks/{orphan.name} (no solutions/{orphan.name})")
            if not check:
                orphan.unlink()
    return stale


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if notebooks/ is stale"
    )
    args = parser.parse_args(argv)
    try:
        stale = generate(check=args.check)
    except AuthoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if stale:
            print("Stale generated notebooks (run `python tools/make_exercises.py`):")
            print("\n".join(f"  {name}" for name in stale))
            return 1
        print("notebooks/ is in sync with solutions/.")
        return 0
    print("\n".join(f"wrote {name}" for name in stale) or "notebooks/ already up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
