"""Writing and reviewing for the offline model: tasks with no tool to call.

A stand-in cannot write prose, so it does what it can do honestly and deterministically:

- compose: asked to write (or revise) with no tools, it restates its material (the user's
  message, or its own previous reply when told to revise it) and keeps to a word limit it
  was given anywhere in its instructions or the latest message ("at most 40 words");
- review: asked for structured output with a yes/no field, it checks the text it is given
  against the criteria it can verify in its instructions (word limits) and fills the fields:
  the yes/no field with the verdict, text fields with the reason, number fields with the count;
- structured output in general: a text answer goes into the schema's text fields.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .text import stem, words

WRITING_VERBS = frozenset(
    stem(w)
    for w in "write draft rewrite revise summarize summarise compose edit shorten condense "
    "rephrase polish improve redraft".split()
)
"""Words that ask for writing: with no tools, the model composes instead of giving up."""

_LIMIT_BEFORE = re.compile(
    r"\b(at most|no more than|not more than|up to|within|maximum of|max\.?|"
    r"under|fewer than|less than)\s+(\d+)\s+words?\b",
    re.IGNORECASE,
)
_LIMIT_AFTER = re.compile(r"\b(\d+)\s+words?\s+or\s+(?:fewer|less)\b", re.IGNORECASE)
_STRICT = ("under", "fewer than", "less than")


def word_limit(text: str) -> int | None:
    """The tightest word limit a text states ("at most 40 words", "30 words or fewer")."""
    limits = [
        int(n) - (1 if how.lower() in _STRICT else 0) for how, n in _LIMIT_BEFORE.findall(text)
    ]
    limits += [int(n) for n in _LIMIT_AFTER.findall(text)]
    return min(limits) if limits else None


def count_words(text: str) -> int:
    """Words as a person counts them: runs of non-space characters."""
    return len(text.split())


def fit(text: str, limit: int) -> str:
    """The longest run of whole sentences or clauses from the start within `limit` words."""
    if count_words(text) <= limit:
        return text
    kept: list[str] = []
    for unit in re.split(r"(?<=[.;!?])\s+", text.strip()):
        if count_words(" ".join([*kept, unit])) > limit:
            break
        kept.append(unit)
    if not kept:
        return " ".join(text.split()[:limit]).rstrip(",;:") + "…"
    return re.sub(r"[;,:]$", ".", " ".join(kept))


def material(message: str) -> str:
    """A message's content on one line, without a leading "Here is the text:" line."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):
        lines = lines[1:]
    return " ".join(lines)


def wants_writing(*texts: str) -> bool:
    """True when the instructions or request ask for writing (write, revise, summarize...)."""
    return any(stem(w) in WRITING_VERBS for text in texts for w in words(text))


REVISING_VERBS = frozenset(
    stem(w) for w in "revise rewrite redraft edit shorten condense rephrase polish improve".split()
)
"""Words in a follow-up message that ask to rework the previous reply rather than start anew."""


def compose(instructions: str, request: str, previous: str | None) -> str:
    """A written reply: the previous reply reworked to the latest limits, or the material."""
    limit = word_limit(request) or word_limit(instructions)
    revising = any(stem(w) in REVISING_VERBS for w in words(request)) or word_limit(request)
    base = previous if previous and revising else material(request)
    return fit(base, limit) if limit else base


def _resolve(prop: Any, root: dict[str, Any]) -> dict[str, Any]:
    """A schema node with a local `$ref` ("#/$defs/Name") followed."""
    for _ in range(5):
        if not isinstance(prop, dict) or "$ref" not in prop:
            break
        node: Any = root
        for part in str(prop["$ref"]).removeprefix("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        prop = node
    return prop if isinstance(prop, dict) else {}


def _type(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    for option in prop.get("anyOf") or []:
        if kind is None and isinstance(option, dict) and option.get("type") != "null":
            kind = option.get("type")
    if kind is None and "properties" in prop:
        kind = "object"
    return str(kind or "string")


def _has_boolean(prop: dict[str, Any], root: dict[str, Any], depth: int = 0) -> bool:
    prop = _resolve(prop, root)
    if _type(prop) == "boolean":
        return True
    children = (prop.get("properties") or {}).values() if depth < 4 else ()
    return any(_has_boolean(child, root, depth + 1) for child in children)


def asks_verdict(schema: dict[str, Any] | None) -> bool:
    """True when a structured output schema has a yes/no field (approved, ok, pass...)."""
    return bool(schema) and _has_boolean(schema or {}, schema or {})


def review(instructions: str, text: str) -> tuple[bool, str, int]:
    """(verdict, reason, word count) of `text` against the word limit in `instructions`."""
    n = count_words(text)
    limit = word_limit(instructions)
    if limit is None:
        return (
            True,
            "Approved: the only criterion I can check is a word limit, and none is given.",
            n,
        )
    if n <= limit:
        return True, f"Approved: {n} words, within the limit of {limit} words.", n
    return False, f"The text has {n} words; shorten it to at most {limit} words.", n


def fill(schema: dict[str, Any], text: str, verdict: bool | None = None, count: int = 0) -> str:
    """JSON for a structured output schema: text fields get `text`, yes/no fields `verdict`."""

    def value(prop: Any, depth: int) -> Any:
        prop = _resolve(prop, schema)
        kind = _type(prop)
        if prop.get("enum"):
            return prop["enum"][0]
        if kind == "boolean":
            return True if verdict is None else verdict
        if kind in ("integer", "number"):
            return count
        if kind == "array":
            return [text] if _type(_resolve(prop.get("items") or {}, schema)) == "string" else []
        if kind == "object":
            props = prop.get("properties") or {}
            return {k: value(v, depth + 1) for k, v in props.items()} if depth < 4 else {}
        if kind == "null":
            return None
        return text

    return json.dumps(value(schema, 0))
