"""Word handling for the offline model: tokens, light stemming, generic synonyms, US states.

Everything here is general English knowledge, not tied to any lesson's wording: the model
compares the words of a request with the words of tool names and descriptions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..world.data import US_STATES

STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from into onto about as
    is are was were be been being am do does did doing have has had having can could would
    should will shall may might must i me my mine we us our you your he she it its they them
    their this that these those there here what which who whom whose when where why how
    any some all each every no not yes please tell show give let lets get gets fetch find
    need want like know just also so very much many more most really now today currently
    current right s t up out over under again there's what's i'm it's let's via per using use
    returns return given call calls called tool tools function agent agents handoff handle
    handles request requests user users question questions answer answers help suggest
    suggestion recommend recommendation some something anything ok okay thanks thank""".split()
)
"""Words that carry no topic (kept out of matching)."""

# Small groups of words that mean nearly the same thing in requests and tool descriptions.
SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "where location locat place here nearby around local area whereabout",
        "weather forecast storm rain snow wind temperature climate",
        "alert warning advisory watch emergency hazard",
        "news headline story article happen",
        "thing activity attraction event fun visit see sightsee entertainment do",
        "find search look lookup query",
        "price cost cheap expensive how_much",
        "convert conversion exchange change",
        "money currency cash",
        "time clock hour date",
        "make cook prepare",
        "buy purchase order",
        "book reserve reservation",
    )
)

# Parameter names and result keys that name the same value (ip-api says "region" for a state).
SAME_VALUE: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "state region province",
        "city town locality",
        "country nation",
        "zip postal postcode zipcode",
        "ip address",
        "lat latitude",
        "lon lng longitude",
        "name title",
    )
)

# Words that name an instance of a broader concept a tool description would use.
CONCEPTS = {
    **{code: "currency" for code in "usd eur gbp jpy chf cad aud cny inr mxn brl sek".split()},
    **{w: "money" for w in "dollar dollars euro euros pound pounds yen".split()},
}

LOCATION_PARAMS = frozenset(
    "city town state region province country location place locality".split()
)
"""Parameter words that want a place name, never a leftover phrase of the request."""

_NO_STEM = frozenset("news us is was this has gas bus status its yes always".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*|\d+(?:\.\d+)?")


def split_identifier(name: str) -> list[str]:
    """Words of an identifier: `getWeatherAlerts`, `get_weather_alerts` -> get, weather, alerts."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A light suffix-stripping stem (alerts -> alert, cities -> city, converting -> convert)."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in _NO_STEM or len(w) <= 3:
        return w
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 6),
        ("s", "", 4),
    ):
        if w.endswith(suffix) and len(w) >= min_len and not w.endswith("ss"):
            base = w[: len(w) - len(suffix)] + repl
            # "matches" -> "match" but "recipes" -> "recipe": keep the e unless a sibilant precedes.
            if suffix == "es" and not re.search(r"(ch|sh|x|z|ss)$", base):
                base = w[:-1]
            return base
    return w


def words(text: str) -> list[str]:
    """The raw words of a text, in order (identifiers split)."""
    out: list[str] = []
    for match in _WORD.finditer(text):
        token = match.group(0)
        out.extend(
            split_identifier(token)
            if ("_" in token or token[1:].lower() != token[1:])
            else [token.lower()]
        )
    return out


def content_stems(text: str) -> list[str]:
    """Stems of the topic words of a text (stopwords dropped), in order, without repeats."""
    seen: dict[str, None] = {}
    for w in words(text.replace("_", " ")):
        if w in STOPWORDS or w.isdigit():
            continue
        seen.setdefault(stem(w), None)
        if w in CONCEPTS:
            seen.setdefault(CONCEPTS[w], None)
    return list(seen)


def similarity(a: str, b: str) -> float:
    """How well two stems match: 1 equal, 0.8 shared long prefix, 0.6 synonyms, else 0."""
    if a == b:
        return 1.0
    if len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]:
        return 0.8
    for group in SYNONYMS:
        if a in group and b in group:
            return 0.6
    return 0.0


def same_value(param_word: str, key_word: str) -> bool:
    """True when a parameter word and a result key word name the same value (state ~ region)."""
    if param_word == key_word:
        return True
    return any(param_word in g and key_word in g for g in SAME_VALUE)


def find_us_state(text: str) -> str | None:
    """The two-letter code of a US state named (or abbreviated in capitals) in the text."""
    lowered = " " + re.sub(r"[^a-z ]", " ", text.lower()) + " "
    for name in sorted(US_STATES, key=len, reverse=True):
        if f" {name} " in lowered:
            return US_STATES[name]
    codes = set(US_STATES.values())
    for token in re.findall(r"\b[A-Z]{2}\b", text):
        if token in codes and token not in {"IN", "OR", "ME", "OK", "HI"}:
            return token
    return None


def state_code(value: str) -> str:
    """A US state name turned into its code; anything else unchanged."""
    return US_STATES.get(value.strip().lower(), value)
