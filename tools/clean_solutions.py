"""Clean the hand-written solution notebooks before committing them.

A committed notebook carries no execution counts, no widget state and no outputs. A cell
marked `# NBVAL_CHECK_OUTPUT` keeps its reference output (what nbval compares a fresh run
against, after tests/nbval_sanitize.cfg masks ids and times) in its metadata, under
`workshop.reference_outputs`, not as an output: a learner opening the notebook sees a clean
notebook, and the root conftest.py hands the reference back to nbval when it reads the file.

    python tools/clean_solutions.py                 # clean every solutions/*.ipynb in place
    python tools/clean_solutions.py --record FILE   # run FILE in a fresh kernel first, so the
                                                    # NBVAL_CHECK_OUTPUT cells get fresh outputs
    python tools/clean_solutions.py --check         # exit 1 and name the files not clean

Standard library, nbformat and (for --record) nbclient only.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
CHECK_OUTPUT = "NBVAL_CHECK_OUTPUT"
_VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def keeps_output(cell: NotebookNode) -> bool:
    """True for a code cell whose output is the reference nbval checks."""
    if cell.cell_type != "code":
        return False
    return any(line.strip().lstrip("#").strip() == CHECK_OUTPUT for line in cell.source.split("\n"))


REFERENCE_KEY = "reference_outputs"


def reference_outputs(cell: NotebookNode) -> list[NotebookNode]:
    """The stored reference outputs of a `# NBVAL_CHECK_OUTPUT` cell (empty if none)."""
    return list(cell.metadata.get("workshop", {}).get(REFERENCE_KEY, []))


def with_reference_outputs(nb: NotebookNode) -> NotebookNode:
    """The notebook as nbval must see it: reference outputs back in place, count 1 on them.

    nbval compares a fresh run with a cell's outputs, and skips (errors on) a reference
    cell without an execution count, so both are restored here, in memory only.
    """
    for cell in nb.cells:
        stored = reference_outputs(cell) if cell.cell_type == "code" else []
        if stored:
            cell.outputs = [nbformat.from_dict(o) for o in stored]
            cell.execution_count = 1
    return nb


def clean(nb: NotebookNode) -> NotebookNode:
    """A copy of the notebook with no outputs; check cells' references moved to metadata."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if not keeps_output(cell):
            cell.outputs = []
            continue
        kept = []
        for output in cell.outputs:
            # Widgets and rich displays have no stable reference form; text does.
            if output.output_type in ("display_data", "execute_result"):
                output.data.pop("application/vnd.jupyter.widget-view+json", None)
                if not output.data:
                    continue
                output.metadata = {}
                if output.output_type == "execute_result":
                    output.execution_count = None
            kept.append(output)
        cell.outputs = []
        if kept:
            cell.metadata.setdefault("workshop", {})[REFERENCE_KEY] = kept
    return nb


def record(path: Path, timeout: int = 600) -> NotebookNode:
    """Run the notebook in a fresh kernel (cwd = its folder) and return it with outputs.

    The kernel is a kit kernel, as in JupyterLab and nbval: it runs the kit's start-up file.
    """
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT))
    from tasks import kit_kernel_env

    os.environ.update(kit_kernel_env(os.environ))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def render(nb: NotebookNode) -> str:
    """The notebook as the exact text written to disk."""
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="default: solutions/*.ipynb")
    parser.add_argument("--record", action="store_true", help="execute before cleaning")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if unclean")
    args = parser.parse_args(argv)
    files = args.files or sorted(SOLUTIONS.glob("*.ipynb"))
    unclean = []
    for path in files:
        original = path.read_text(encoding="utf-8")
        nb = record(path) if args.record else nbformat.read(path, as_version=4)
        text = render(clean(nb))
        if text == original:
            continue
        unclean.append(str(path))
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"cleaned {path}")
    if args.check and unclean:
        print("Not clean (run `python tools/clean_solutions.py`):")
        print("\n".join(f"  {name}" for name in unclean))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
