"""The exercise format of the lesson notebooks, in one place: answer regions and headings.

In a solution notebook the answer to an exercise sits in a code cell between `### BEGIN
SOLUTION` and `### END SOLUTION`; the nearest markdown cell above it says "Exercise N: title".
`tools/make_exercises.py` turns each region into a stub, and `load_answer` runs the region's
cell for a learner who is stuck: both read the format here. Cells are plain dicts (as in the
notebook's JSON, or nbformat's nodes). Standard library only, and no imports from the kit:
the generator loads this file by its path, so it runs before the kit is installed.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT_RE = re.compile(r"^\s*#\s*HINT:\s?(.*)$")
EXERCISE_HEADING_RE = re.compile(r"Exercise\s+(\d+)\s*[:.\-—]\s*(.+)")


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (the JSON form may hold a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def has_region(cell: Mapping[str, Any]) -> bool:
    """True for a code cell that holds a solution region."""
    return cell.get("cell_type") == "code" and BEGIN in cell_source(cell)


def exercise_heading(cell: Mapping[str, Any]) -> tuple[int, str] | None:
    """(N, title) when a markdown cell introduces "Exercise N: title"."""
    if cell.get("cell_type") != "markdown":
        return None
    match = EXERCISE_HEADING_RE.search(cell_source(cell))
    if match is None:
        return None
    return int(match.group(1)), match.group(2).strip().rstrip("*#").strip()


def exercise_cells(cells: Iterable[Mapping[str, Any]]) -> list[tuple[int, str, int]]:
    """(N, title, cell index) for each code cell with a region, numbered by the heading above.

    A region with no heading above it gets number 0 (the generator refuses such a notebook).
    """
    found: list[tuple[int, str, int]] = []
    heading: tuple[int, str] = (0, "")
    for index, cell in enumerate(cells):
        heading = exercise_heading(cell) or heading
        if has_region(cell):
            found.append((heading[0], heading[1], index))
    return found


def region_code(source: str) -> str:
    """The code of a cell's solution regions, without markers and `# HINT:` lines, dedented."""
    lines: list[str] = []
    inside = False
    for line in source.split("\n"):
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside and not HINT_RE.match(line):
            lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip("\n")
