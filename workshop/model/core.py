"""The offline model's decision core: one function from a conversation to a reply.

It reads the request (the last user message), the tools and handoffs it is offered and the
tool results so far, and decides generically:

1. Score every tool and handoff by how well its name and description match the request
   (shared word stems, long shared prefixes, a small table of generic synonyms).
2. Hand off when another agent's description fits better than any own tool.
3. Otherwise take the best-fitting tools as goals. A goal whose required arguments can be
   filled (from the user's words or earlier tool results) is called; when an argument is
   missing, a not-yet-called tool that produces it is called first (backward chaining:
   alerts need a state, a location tool gives a state, it needs an ip, an ip tool needs nothing).
4. When every goal has run, answer in plain words from the results; when nothing fits,
   say so; when an argument can be found nowhere, ask for it.
5. With nothing to call, write or review when asked to, and fill a structured output schema
   (see `_compose`).

It is deterministic (same input, same output) and honest about being a stand-in.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .compose import asks_verdict, compose, fill, material, review, wants_writing
from .text import (
    LOCATION_PARAMS,
    STOPWORDS,
    content_stems,
    find_us_state,
    same_value,
    similarity,
    split_identifier,
    state_code,
    stem,
    words,
)

MODEL_NAME = "offline-stand-in-v1"
"""The model name the stand-in reports everywhere it shows."""

_IDENTIFIER_PARAMS = frozenset("ip id isbn zip code url email phone sku uuid key number".split())
# Parameters whose value is a proper name: the capitalized words are the value.
_NAME_PARAMS = frozenset(
    "name person who user author artist owner recipient friend customer language country "
    "company team".split()
)
# Parameters that take what the user asked for, in their own words (an agent used as a tool
# takes `input`): every leftover run, not just the first.
_FREE_TEXT_PARAMS = frozenset("input query question request prompt task".split())
_MIN_SCORE = 0.5
_GOAL_RATIO = 0.75
_HANDOFF_PREAMBLE = re.compile(r"^Handoff to the .*? agent to handle the request\.\s*", re.S)


@dataclass(frozen=True)
class ToolSpec:
    """A function tool or a handoff offered to the model."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    """JSON schema of the arguments."""
    handoff_to: str | None = None
    """The agent this tool transfers to, for a handoff."""


@dataclass
class ToolCall:
    """A tool call in the conversation, with its output once it has one."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    output: Any = None
    has_output: bool = False


@dataclass
class Conversation:
    """What the model is given, in a form independent of the API that carried it."""

    instructions: str = ""
    events: list[tuple[str, Any]] = field(default_factory=list)
    """In order: ("user", text), ("assistant", text) or ("call", ToolCall)."""

    def add_call(self, call_id: str, name: str, arguments: Any) -> None:
        """Record a tool call the model made earlier."""
        self.events.append(("call", ToolCall(call_id, name, parse_arguments(arguments))))

    def add_output(self, call_id: str, output: Any) -> None:
        """Attach a tool's output to its call."""
        for kind, value in reversed(self.events):
            if kind == "call" and value.call_id == call_id:
                value.output, value.has_output = parse_output(output), True
                return


@dataclass(frozen=True)
class Decision:
    """The model's reply: tool calls to make, or a text answer."""

    calls: tuple[tuple[str, str, dict[str, Any]], ...] = ()
    """(call_id, tool name, arguments) for each call."""
    text: str | None = None


def parse_arguments(arguments: Any) -> dict[str, Any]:
    """Tool-call arguments as a dict, whatever form they came in."""
    if isinstance(arguments, dict):
        return arguments
    try:
        value = json.loads(arguments or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def parse_output(output: Any) -> Any:
    """A tool's output as data: JSON, a Python literal (the SDK's `str(dict)`), or text."""
    if isinstance(output, list):  # Responses "input_text" content parts
        texts = [p.get("text", "") for p in output if isinstance(p, dict)]
        output = "\n".join(texts) if texts else output
    if not isinstance(output, str):
        return output
    text = output.strip()
    if (
        text[:1] in '[{"'
        or text in ("true", "false", "null")
        or re.fullmatch(r"-?\d+(\.\d+)?", text)
    ):
        try:
            return json.loads(text)
        except ValueError:
            pass
    if text[:1] in "[{('":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    return text


def estimate_tokens(*parts: Any) -> int:
    """About one token per four characters, as tokenizers give for English and JSON."""
    chars = sum(len(p if isinstance(p, str) else json.dumps(p, default=str)) for p in parts)
    return max(1, math.ceil(chars / 4))


def decide(
    conv: Conversation,
    tools: list[ToolSpec],
    *,
    tool_choice: Any = "auto",
    output_schema: dict[str, Any] | None = None,
) -> Decision:
    """Decide the next step of the conversation (see the module docstring).

    Args:
        conv: what the model is given.
        tools: the function tools and handoffs offered.
        tool_choice: "auto", "required", "none" (or a tool name, treated as "auto").
        output_schema: JSON schema of a structured answer, if the caller asks for one.
    """
    if not tools or tool_choice == "none":
        # Nothing to call: review or write (see _compose) when that is what is asked.
        request = _last_user_text(conv)
        if asks_verdict(output_schema):
            ok, reason, count = review(conv.instructions, material(request))
            return Decision(text=fill(output_schema or {}, reason, ok, count))
        if wants_writing(conv.instructions, request):
            text = compose(conv.instructions, request, _last_assistant_text(conv))
            return Decision(text=fill(output_schema, text) if output_schema else text)
    decision = _next_step(conv, tools, tool_choice)
    if output_schema and decision.text is not None:
        return Decision(text=fill(output_schema, decision.text))
    return decision


def _next_step(conv: Conversation, tools: list[ToolSpec], tool_choice: Any) -> Decision:
    """The tool call, handoff or answer that comes next (steps 1-4 of the module docstring)."""
    request = _last_user_text(conv)
    turn = _turn_calls(conv)
    funcs = [t for t in tools if t.handoff_to is None]
    handoffs = [t for t in tools if t.handoff_to is not None]
    if tool_choice == "none" or not tools:
        return Decision(text=_answer(request, turn, funcs))
    req = content_stems(request)
    scores = _scores(req, tools)
    own_called = [c for c in turn if c.name in {t.name for t in funcs}]

    best_tool = max((scores[t.name] for t in funcs), default=0.0)
    transferred = {c.name for c in turn if c.name.startswith("transfer_to_")}
    best_handoff = max(
        (t for t in handoffs if t.name not in transferred),
        key=lambda t: scores[t.name],
        default=None,
    )
    if (
        best_handoff is not None
        and not own_called
        and scores[best_handoff.name] >= _MIN_SCORE
        and scores[best_handoff.name] > best_tool
    ):
        return _calls(conv, [(best_handoff.name, {})])

    goals = [
        t
        for t in sorted(funcs, key=lambda t: -scores[t.name])
        if scores[t.name] >= max(_MIN_SCORE, _GOAL_RATIO * best_tool)
    ]
    if not goals and tool_choice == "required" and funcs:
        goals = [max(funcs, key=lambda t: scores[t.name])]
    called = {c.name for c in turn}
    missing: list[tuple[ToolSpec, list[str]]] = []
    for goal in goals:
        if goal.name in called:
            continue
        step = _plan(goal, funcs, request, turn, called, depth=0, visiting=set())
        if isinstance(step, tuple):
            return _calls(conv, [step])
        missing.append((goal, step))
    if missing and not any(g.name in called for g in goals):
        goal, params = missing[0]
        return Decision(text=_ask(goal, params))
    if not goals:
        return Decision(text=_cannot(request, funcs, handoffs, turn))
    return Decision(text=_answer(request, turn, funcs, goals))


# --- reading the conversation -------------------------------------------------------------


def _last_user_text(conv: Conversation) -> str:
    for kind, value in reversed(conv.events):
        if kind == "user":
            return str(value)
    return ""


def _last_assistant_text(conv: Conversation) -> str | None:
    for kind, value in reversed(conv.events):
        if kind == "assistant" and str(value).strip():
            return str(value)
    return None


def _turn_calls(conv: Conversation) -> list[ToolCall]:
    """Tool calls since the last user message, with outputs."""
    calls: list[ToolCall] = []
    for kind, value in reversed(conv.events):
        if kind == "user":
            break
        if kind == "call":
            calls.append(value)
    return list(reversed(calls))


# --- scoring ------------------------------------------------------------------------------


def _tool_words(tool: ToolSpec) -> tuple[list[str], list[str]]:
    """(name stems, description stems) of a tool; a handoff's stems come from its agent."""
    if tool.handoff_to is not None:
        name = tool.handoff_to
        desc = _HANDOFF_PREAMBLE.sub("", tool.description)
    else:
        name, desc = tool.name, tool.description
        props = tool.parameters.get("properties") or {}
        desc = desc + " " + " ".join(props)
    name_stems = [stem(w) for w in split_identifier(name) if w not in STOPWORDS]
    return name_stems, content_stems(desc)


def _scores(req: list[str], tools: list[ToolSpec]) -> dict[str, float]:
    """Relevance of each tool to the request; words many tools share count for less."""
    vocab = {t.name: _tool_words(t) for t in tools}
    df: dict[str, int] = {}
    for name_stems, desc_stems in vocab.values():
        for s in set(name_stems) | set(desc_stems):
            df[s] = df.get(s, 0) + 1
    out: dict[str, float] = {}
    for tool in tools:
        name_stems, desc_stems = vocab[tool.name]
        total = 0.0
        for r in req:
            best = 0.0
            for weight, stems in ((2.0, name_stems), (1.0, desc_stems)):
                for s in stems:
                    sim = similarity(r, s)
                    if sim:
                        best = max(best, weight * sim / df.get(s, 1) ** 0.5)
            total += best
        out[tool.name] = total
    return out


# --- planning and argument filling ----------------------------------------------------------


def _plan(
    tool: ToolSpec,
    funcs: list[ToolSpec],
    request: str,
    turn: list[ToolCall],
    called: set[str],
    depth: int,
    visiting: set[str],
) -> tuple[str, dict[str, Any]] | list[str]:
    """The call to make next towards `tool`, or the parameters nothing can supply."""
    args, missing = _fill(tool, request, turn, funcs, free_text=True)
    if not missing:
        return (tool.name, args)
    if depth >= 3:
        return missing
    visiting = visiting | {tool.name}
    for param in missing:
        producers = sorted(
            (t for t in funcs if t.name not in called and t.name not in visiting),
            key=lambda t: -_produces(t, param),
        )
        for producer in producers:
            if _produces(producer, param) <= 0:
                break
            step = _plan(producer, funcs, request, turn, called, depth + 1, visiting)
            if isinstance(step, tuple):
                return step
    return missing


def _produces(tool: ToolSpec, param: str) -> float:
    """How likely a tool's result holds a value for `param` (by its name and description)."""
    name_stems, desc_stems = _tool_words(tool)
    score = 0.0
    for p in (stem(w) for w in split_identifier(param)):
        for weight, stems in ((2.0, name_stems), (1.0, desc_stems)):
            for s in stems:
                if s == p or same_value(p, s):
                    score = max(score, weight)
                elif similarity(p, s) >= 0.6:
                    score = max(score, weight * 0.5)
    return score


def _fill(
    tool: ToolSpec, request: str, turn: list[ToolCall], funcs: list[ToolSpec], free_text: bool
) -> tuple[dict[str, Any], list[str]]:
    """Arguments for `tool` and the required parameters that could not be filled."""
    props: dict[str, Any] = tool.parameters.get("properties") or {}
    required = set(tool.parameters.get("required") or [])
    args: dict[str, Any] = {}
    missing: list[str] = []
    used: set[str] = set()
    # Words that describe any offered tool are about actions, not values to pass.
    tool_stems: set[str] | None = None
    if free_text:
        tool_stems = set()
        for t in funcs:
            name_stems, desc_stems = _tool_words(t)
            tool_stems |= set(name_stems) | set(desc_stems)
    numbers = _numbers(request)
    for name, schema in props.items():
        schema = schema if isinstance(schema, dict) else {}
        value = _value_for(name, schema, request, turn, used, numbers, tool_stems)
        if value is None:
            if "default" in schema:
                args[name] = schema["default"]
            elif name in required and not _nullable(schema):
                missing.append(name)
            elif name in required:
                args[name] = None
            continue
        used.add(str(value).lower())
        args[name] = value
    return args, missing


def _nullable(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    if isinstance(types, list):
        return "null" in types
    return any(isinstance(s, dict) and s.get("type") == "null" for s in schema.get("anyOf", []))


def _base_type(schema: dict[str, Any]) -> str:
    types = schema.get("type")
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), "string")
    if types is None:
        for option in schema.get("anyOf", []):
            if isinstance(option, dict) and option.get("type") not in (None, "null"):
                return str(option["type"])
        return "string"
    return str(types)


def _numbers(text: str) -> list[tuple[int, float, list[str]]]:
    """(position, value, nearby words) of each number in the text."""
    tokens = words(text)
    out = []
    for i, tok in enumerate(tokens):
        try:
            value = float(tok)
        except ValueError:
            continue
        near = [stem(w) for w in tokens[max(0, i - 2) : i + 3] if w != tok]
        out.append((i, value, near))
    return out


def _value_for(
    name: str,
    schema: dict[str, Any],
    request: str,
    turn: list[ToolCall],
    used: set[str],
    numbers: list[tuple[int, float, list[str]]],
    tool_stems: set[str] | None,
) -> Any:
    """A value for one parameter: from the user's words first, then from earlier results."""
    kind = _base_type(schema)
    pwords = [stem(w) for w in split_identifier(name)]
    if "enum" in schema:
        lowered = request.lower()
        for option in schema["enum"]:
            if str(option).lower() in lowered or stem(str(option)) in content_stems(request):
                return option
        from_results = _from_results(name, turn, schema)
        return from_results if from_results in schema["enum"] else schema["enum"][0]
    if kind in ("number", "integer"):
        if numbers:
            best = max(
                (n for n in numbers if str(n[1]) not in used),
                key=lambda n: (sum(1 for w in pwords if w in n[2]), -n[0]),
                default=None,
            )
            if best is not None:
                used.add(str(best[1]))
                return int(best[1]) if kind == "integer" else best[1]
        value = _from_results(name, turn, schema)
        return value if isinstance(value, (int, float)) else None
    if kind == "boolean":
        return True if set(pwords) & set(content_stems(request)) else None
    if kind != "string":
        return None
    quoted = [q for q in re.findall(r"[\"“]([^\"”]+)[\"”]", request) if q.lower() not in used]
    if quoted:
        return quoted[0]
    directional = _directional(pwords, request, used)
    if directional:
        return directional
    is_place = bool(set(pwords) & LOCATION_PARAMS)
    if is_place:
        place = _place_from_text(pwords, request, schema)
        if place:
            return place
    from_results = _from_results(name, turn, schema)
    if from_results is not None:
        return from_results
    if is_place or tool_stems is None:
        return None
    if set(pwords) & _IDENTIFIER_PARAMS:
        # An ip, id or isbn is never plain words: take a token that looks like one, or nothing.
        runs = _leftover_runs(request, tool_stems, pwords)
        return next((t for run in runs for t in run if re.search(r"\d", t)), None)
    return _leftover_phrase(request, tool_stems, pwords, used)


def _directional(pwords: list[str], request: str, used: set[str]) -> str | None:
    """For from_x / to_x parameters: the word after "from" / "to" / "into" / "in"."""
    preps = {"from": ("from",), "source": ("from",), "base": ("from",), "origin": ("from",),
             "to": ("to", "into", "in"), "target": ("to", "into", "in"),
             "destination": ("to", "into")}  # fmt: skip
    wanted = next((preps[w] for w in pwords if w in preps), None)
    if wanted is None:
        return None
    tokens = re.findall(r"[A-Za-z][A-Za-z'-]*", request)
    for i, tok in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if tok.lower() in wanted and nxt.lower() not in STOPWORDS and nxt.lower() not in used:
            return nxt
    codes = [t for t in re.findall(r"\b[A-Z]{2,5}\b", request) if t.lower() not in used]
    if codes:
        return codes[0] if "from" in wanted else codes[-1]
    return None


def _place_from_text(pwords: list[str], request: str, schema: dict[str, Any]) -> str | None:
    if {"state", "region", "province"} & set(pwords):
        code = find_us_state(request)
        if code:
            return code
    if {"city", "town", "place", "location", "locality"} & set(pwords):
        spans = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)", request.strip())
        for span in spans:
            if span.lower() not in STOPWORDS and span.split()[0].lower() not in STOPWORDS:
                return span
    return None


def _flatten(value: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """(key path, scalar) pairs of a result, shallow keys first."""
    if depth > 4:
        return []
    pairs: list[tuple[str, Any]] = []
    nested: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                nested.append((str(key), item))
            else:
                pairs.append((str(key), item))
    elif isinstance(value, list):
        nested = [(prefix, item) for item in value[:3]]
    for key, item in nested:
        pairs += _flatten(item, key, depth + 1)
    return pairs


def _from_results(name: str, turn: list[ToolCall], schema: dict[str, Any]) -> Any:
    """A value for `name` from earlier tool results of this turn (latest first)."""
    pwords = [stem(w) for w in split_identifier(name)]
    for call in reversed(turn):
        if not call.has_output or call.output is None:
            continue
        if not isinstance(call.output, (dict, list)):
            # A bare value (an ip string) fits when the tool's name says what it returns.
            producer_words = {stem(w) for w in split_identifier(call.name)}
            if set(pwords) & producer_words and len(str(call.output)) < 200:
                return _coerce(name, call.output, schema)
            continue
        best: tuple[int, Any] | None = None
        for key, value in _flatten(call.output):
            kwords = [stem(w) for w in split_identifier(key)]
            if not kwords:
                continue
            if kwords == pwords:
                rank = 3
            elif set(kwords) == set(pwords) or (len(kwords) == 1 and kwords[0] in pwords):
                rank = 2
            elif len(kwords) == 1 and any(same_value(p, kwords[0]) for p in pwords):
                rank = 1
            else:
                continue
            if best is None or rank > best[0]:
                best = (rank, value)
        if best is not None and best[1] not in (None, ""):
            return _coerce(name, best[1], schema)
    return None


def _coerce(name: str, value: Any, schema: dict[str, Any]) -> Any:
    if isinstance(value, str) and "state" in split_identifier(name):
        return state_code(value)
    if _base_type(schema) == "string" and not isinstance(value, str):
        return str(value)
    return value


def _leftover_runs(request: str, tool_stems: set[str], pwords: list[str]) -> list[list[str]]:
    """Runs of the request's words that are not about the tool itself, split wherever a
    stopword or a tool word stands: "recipes with chicken for dinner" gives [chicken],
    [dinner]. Each run is a candidate value (a name, a thing, a title)."""
    tokens = re.findall(r"[A-Za-z0-9](?:[A-Za-z0-9'&.-]*[A-Za-z0-9])?|[,;:!?]", request)
    runs: list[list[str]] = [[]]
    for token in tokens:
        keep = (
            token[0].isalnum()
            and token.lower() not in STOPWORDS
            and not any(similarity(stem(token), s) >= 0.8 for s in tool_stems | set(pwords))
        )
        if keep:
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _leftover_phrase(
    request: str, tool_stems: set[str], pwords: list[str], used: set[str]
) -> str | None:
    """The value the user gave for a parameter: the first run of leftover words not used
    yet; for a name-like parameter, the proper name in the runs (capitalized, not the
    sentence's first word), so "greet my friend Alice warmly" gives "Alice"."""
    runs = [run for run in _leftover_runs(request, tool_stems, pwords)
            if " ".join(run).lower() not in used]  # fmt: skip
    if not runs:
        return None
    if set(pwords) & _FREE_TEXT_PARAMS:
        return " ".join(word for run in runs for word in run)
    if set(pwords) & _NAME_PARAMS:
        first = re.match(r"\W*([A-Za-z0-9']+)", request)
        opening = first.group(1) if first else ""
        for run in runs:
            names: list[str] = []
            for word in run:
                if word[0].isupper() and not (word == opening and not names):
                    names.append(word)
                elif names:
                    break
            if names and " ".join(names).lower() not in used:
                return " ".join(names)
    return " ".join(runs[0])


# --- replies ------------------------------------------------------------------------------


def _calls(conv: Conversation, calls: list[tuple[str, dict[str, Any]]]) -> Decision:
    out = []
    for name, args in calls:
        seed = json.dumps([len(conv.events), _last_user_text(conv), name, args], sort_keys=True)
        call_id = "call_" + hashlib.sha1(seed.encode()).hexdigest()[:24]
        out.append((call_id, name, args))
    return Decision(calls=tuple(out))


def _humanize(tool_name: str) -> str:
    parts = [
        w
        for w in split_identifier(tool_name)
        if w not in {"get", "fetch", "find", "lookup", "search", "list"}
    ]
    return " ".join(parts) or tool_name


_TITLE_KEYS = ("headline", "title", "name", "event", "summary", "label", "text", "description")


def _records(value: Any, depth: int = 0) -> list[Any] | None:
    """The main list of records inside a result (a GeoJSON `features` list, say)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and depth < 3:
        lists = [v for v in value.values() if isinstance(v, list)]
        if lists:
            return max(lists, key=len)
        for v in value.values():
            found = _records(v, depth + 1) if isinstance(v, dict) else None
            if found is not None:
                return found
    return None


def _describe_record(record: Any) -> str:
    if not isinstance(record, dict):
        return str(record)
    flat = dict(record)
    for v in record.values():
        if isinstance(v, dict):
            flat = {**v, **{k: x for k, x in flat.items() if not isinstance(x, dict)}}
    title = next((str(flat[k]) for k in _TITLE_KEYS if flat.get(k)), None)
    extras = [
        f"{k}: {v}"
        for k, v in flat.items()
        if isinstance(v, (str, int, float))
        and not isinstance(v, bool)
        and str(v) != title
        and len(str(v)) <= 40
        and k not in _TITLE_KEYS
        and not k.startswith("@")
        and k not in {"id", "type", "url", "uri"}
    ][:2]
    head = title or ", ".join(f"{k}: {v}" for k, v in list(flat.items())[:3])
    return head + (f" ({'; '.join(extras)})" if extras else "")


def _summarize(value: Any) -> str:
    if value is None:
        return "no result"
    records = _records(value)
    if records is not None:
        if not records:
            return "none found"
        shown = "; ".join(_describe_record(r) for r in records[:5])
        more = f" and {len(records) - 5} more" if len(records) > 5 else ""
        return f"{len(records)} found: {shown}{more}"
    if isinstance(value, dict):
        scalars = [(k, v) for k, v in value.items() if isinstance(v, (str, int, float))][:8]
        return ", ".join(f"{k}: {v}" for k, v in scalars) or json.dumps(value)[:300]
    text = str(value)
    return text if len(text) <= 400 else text[:400] + "..."


def _answer(
    request: str,
    turn: list[ToolCall],
    funcs: list[ToolSpec],
    goals: list[ToolSpec] | None = None,
) -> str:
    done = [c for c in turn if c.has_output and not c.name.startswith("transfer_to_")]
    if not done:
        if not request:
            return "Hello. I am an offline stand-in model: give me a request and some tools."
        return _cannot(request, funcs, [], turn)
    goal_names = {g.name for g in goals or []}
    final = [c for c in done if c.name in goal_names] or done[-1:]
    lines = []
    for call in final:
        args = ", ".join(f"{k}={v}" for k, v in call.arguments.items() if v not in (None, ""))
        lines.append(
            f"{_humanize(call.name).capitalize()}"
            + (f" for {args}" if args else "")
            + f": {_summarize(call.output)}."
        )
    context = [c for c in done if c not in final]
    if context:
        steps = " -> ".join(c.name for c in done)
        lines.append(f"(Steps: {steps}.)")
    return " ".join(lines)


def _ask(goal: ToolSpec, params: list[str]) -> str:
    what = " and ".join(p.replace("_", " ") for p in params)
    return f"To {_humanize(goal.name)} I need the {what}. Could you tell me the {what}?"


def _cannot(
    request: str, funcs: list[ToolSpec], handoffs: list[ToolSpec], turn: list[ToolCall]
) -> str:
    offered = [t.name for t in funcs] + [t.name for t in handoffs]
    if not offered:
        return (
            "I am an offline stand-in model with no tools here, so I cannot look that up. "
            f"You asked: {request.strip()[:200]!r}."
        )
    return (
        f"I cannot help with that: none of my tools fit the request (I have: {', '.join(offered)})."
    )
