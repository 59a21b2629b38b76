"""The code lines kit widgets show (tooltips, click logs, text forms) as a learner reads them.

A line is right when it compiles as notebook code (top-level `await` allowed) and every name
it uses is one the notebook has: its own variables, the lessons' imports (`workshop.__all__`)
or a builtin. `compile()` alone would accept `lesson-06-b.kill()` (a subtraction).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable

import workshop


def unknown_names(line: str, notebook_names: Iterable[str]) -> set[str]:
    """Names `line` uses that the notebook does not define (SyntaxError: it is not Python)."""
    tree = compile(
        line, "<code line>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    compile(line, "<code line>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    known = set(notebook_names) | set(workshop.__all__) | set(dir(builtins))
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return used - known


def assert_runs_in_notebook(lines: Iterable[str], notebook_names: Iterable[str]) -> None:
    """Every line compiles and names only what the notebook defines."""
    names = set(notebook_names)
    for line in lines:
        try:
            unknown = unknown_names(line, names)
        except SyntaxError as exc:
            raise AssertionError(f"not Python: {line!r} ({exc.msg})") from None
        assert not unknown, f"{line!r} uses {sorted(unknown)}, which the notebook does not define"
