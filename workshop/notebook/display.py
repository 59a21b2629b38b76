"""What a kit widget shows where widgets cannot: a readable text form.

A notebook reopened without widget state, nbval, nbconvert and a terminal all show the
`text/plain` form, so every kit widget offers one beside the live widget.
"""

from __future__ import annotations

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
