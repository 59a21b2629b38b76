"""What a kit widget shows where widgets cannot: a readable text form, and code lines.

A notebook reopened without widget state, nbval, nbconvert and a terminal all show the
`text/plain` form, so every kit widget offers one beside the live widget. Widgets that show
the code equivalent of a button name the caller's own variable in it (`variable_name`), so
each line runs as written in the notebook.
"""

from __future__ import annotations

import ast
from typing import Any


class TextForm:
    """Mixin for kit widgets: the ipywidget in Lab, `text()` everywhere else."""

    widget: Any
    """The ipywidgets object shown in Lab."""

    def text(self) -> str:
        """The plain-text form."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.text()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.text()
        return bundle


def variable_name(variable: str | None, default: str, what: str) -> str:
    """The name a widget's code lines use for the object it drives: the caller's own.

    A widget cannot know which notebook variable holds its object, so the caller says it
    (`control_panel(worker_b, variable="worker_b")`); without one the lines use `default`.

    Raises:
        ValueError: `variable` is not a Python expression, so the lines would not run.
    """
    if variable is None:
        return default
    if not is_python(str(variable), mode="eval"):
        raise ValueError(
            f"variable={variable!r} is not a Python name: give the notebook variable that "
            f"holds the {what}, e.g. variable={default!r}"
        )
    return str(variable).strip()


def is_python(code: str, mode: str = "exec") -> bool:
    """True when `code` compiles as notebook code (top-level `await` allowed)."""
    try:
        compile(code, "<code line>", mode, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError:
        return False
    return True
