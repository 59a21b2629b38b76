"""The offline model on tools and agents no lesson uses: it decides from what it is given.

These tools, agents and questions are invented here; the model has never seen them.
"""

from __future__ import annotations

import json
from typing import Any

from agents import Agent, RunConfig, Runner, function_tool

from workshop.testing import Conversation, OfflineModelProvider, ToolSpec, decide

RUN = RunConfig(model_provider=OfflineModelProvider(), tracing_disabled=True)
CATALOG = {
    "9780441013593": ("Dune", "Frank Herbert", 2),
    "9780345391803": ("Hitchhiker", "Douglas Adams", 0),
}


@function_tool
def search_catalog(query: str) -> list[dict[str, Any]]:
    """Search the library catalog for books by title or author; returns matches with their ISBN."""
    words = query.lower().split()
    return [
        {"isbn": isbn, "title": title, "author": author}
        for isbn, (title, author, _) in CATALOG.items()
        if any(w in f"{title} {author}".lower() for w in words)
    ]


@function_tool
def get_book_availability(isbn: str) -> dict[str, Any]:
    """Check whether a library book, given its ISBN, has copies available to borrow."""
    title, _, copies = CATALOG[isbn]
    return {"isbn": isbn, "title": title, "copies_available": copies}


@function_tool
def convert_currency(amount: float, from_currency: str, to_currency: str) -> dict[str, Any]:
    """Convert an amount of money from one currency to another at today's exchange rate."""
    return {
        "amount": amount,
        "from": from_currency,
        "to": to_currency,
        "result": round(amount * 0.9, 2),
    }


@function_tool
def find_recipes(ingredient: str) -> list[dict[str, str]]:
    """Find recipes that use a given ingredient."""
    return [{"name": f"Roasted {ingredient} salad", "minutes": "25"}]


@function_tool
def book_hotel(city: str, nights: int) -> dict[str, Any]:
    """Book a hotel room in a city for a number of nights."""
    return {"city": city, "nights": nights, "confirmation": "HX-1"}


def calls(result: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        (i.raw_item.name, json.loads(i.raw_item.arguments or "{}"))
        for i in result.new_items
        if i.type == "tool_call_item"
    ]


async def test_chains_search_then_availability_with_the_isbn_from_the_result() -> None:
    librarian = Agent(name="Librarian", tools=[search_catalog, get_book_availability])
    result = await Runner.run(
        librarian, "Is there a copy of Dune by Frank Herbert available to borrow?", run_config=RUN
    )
    made = calls(result)
    assert [name for name, _ in made] == ["search_catalog", "get_book_availability"]
    assert "Dune" in made[0][1]["query"]
    assert made[1][1] == {"isbn": "9780441013593"}
    assert "copies_available: 2" in result.final_output


async def test_fills_number_and_currency_codes_from_the_users_words() -> None:
    teller = Agent(name="Teller", tools=[convert_currency, find_recipes])
    result = await Runner.run(teller, "How much is 250 USD in EUR?", run_config=RUN)
    assert calls(result) == [
        ("convert_currency", {"amount": 250.0, "from_currency": "USD", "to_currency": "EUR"})
    ]
    assert "225.0" in result.final_output


async def test_hands_off_by_description_to_agents_it_never_saw() -> None:
    chef = Agent(
        name="Chef",
        handoff_description="Finds recipes and cooking ideas for dishes and ingredients.",
        tools=[find_recipes],
    )
    travel = Agent(
        name="Travel Planner",
        handoff_description="Plans trips: hotels, nights away and itineraries.",
        tools=[book_hotel],
    )
    front_desk = Agent(name="Front Desk", handoffs=[chef, travel])
    cooking = await Runner.run(
        front_desk, "Can you suggest a recipe with chickpeas?", run_config=RUN
    )
    assert cooking.last_agent.name == "Chef"
    assert calls(cooking) == [("find_recipes", {"ingredient": "chickpeas"})]
    trip = await Runner.run(
        front_desk, "Please book a hotel in Lisbon for 3 nights.", run_config=RUN
    )
    assert trip.last_agent.name == "Travel Planner"
    assert calls(trip) == [("book_hotel", {"city": "Lisbon", "nights": 3})]


async def test_says_what_it_cannot_do_when_no_tool_fits() -> None:
    teller = Agent(name="Teller", tools=[convert_currency])
    result = await Runner.run(teller, "Who painted the Mona Lisa?", run_config=RUN)
    assert calls(result) == []
    assert "cannot" in result.final_output and "convert_currency" in result.final_output


def test_asks_for_an_argument_nothing_can_supply() -> None:
    conv = Conversation(events=[("user", "Book me a hotel room please.")])
    tool = ToolSpec(
        "book_hotel",
        "Book a hotel room in a city for a number of nights.",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}},
            "required": ["city", "nights"],
        },
    )
    decision = decide(conv, [tool])
    assert not decision.calls
    assert decision.text is not None and "city" in decision.text


def test_same_input_same_decision_and_enum_values_respected() -> None:
    tool = ToolSpec(
        "set_thermostat_mode",
        "Set the thermostat to a heating or cooling mode.",
        {
            "type": "object",
            "properties": {"mode": {"type": "string", "enum": ["heat", "cool", "off"]}},
            "required": ["mode"],
        },
    )
    conv = Conversation(events=[("user", "It is too hot, switch the thermostat to cool.")])
    first, second = decide(conv, [tool]), decide(conv, [tool])
    assert first == second
    assert [(name, args) for _, name, args in first.calls] == [
        ("set_thermostat_mode", {"mode": "cool"})
    ]


def _tool(tool_name: str, description: str, **params: str) -> ToolSpec:
    properties = {key: {"type": kind} for key, kind in params.items()}
    schema = {"type": "object", "properties": properties, "required": list(params)}
    return ToolSpec(tool_name, description, schema)


def _first_call(tool: ToolSpec, text: str) -> dict[str, Any]:
    conv = Conversation()
    conv.events.append(("user", text))
    decision = decide(conv, [tool])
    assert decision.calls, decision.text
    return dict(decision.calls[0][2])


def test_arguments_are_the_value_alone_not_the_words_around_it() -> None:
    greet = _tool("greet", "Greet a person by name", name="string")
    assert _first_call(greet, "Please greet my friend Alice warmly") == {"name": "Alice"}
    recipes = _tool("find_recipes", "Find recipes that use a given ingredient", ingredient="string")
    assert _first_call(recipes, "Find me some recipes with chicken for dinner tonight") == {
        "ingredient": "chicken"
    }
    translate = _tool(
        "translate", "Translate text into a language", text="string", language="string"
    )
    assert _first_call(translate, "Translate good morning into Spanish") == {
        "text": "good morning",
        "language": "Spanish",
    }
    search = _tool(
        "search_catalog", "Search the library catalog for books by title or author", query="string"
    )
    assert _first_call(search, "Any books by Frank Herbert in the library?") == {
        "query": "Frank Herbert"
    }
    order = _tool("lookup_order", "Look up an order by its order number", order_number="integer")
    assert _first_call(order, "Where is my order 12345 that I placed last week?") == {
        "order_number": 12345
    }
    # An agent used as a tool takes the request in the user's words: every leftover word.
    specialist = _tool(
        "ask_city_guide", "Ask the city guide about sights in a city", input="string"
    )
    asked = _first_call(specialist, "What sights can I see in Austin today?")["input"]
    assert "Austin" in asked and asked.startswith("see"), asked  # both runs: "see", "Austin"
    user = _tool("get_user", "Get a user's profile by username", username="string")
    assert _first_call(user, "Show me the profile of user jsmith99 please") == {
        "username": "jsmith99"
    }
