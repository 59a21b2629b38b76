"""The offline model writes and reviews when there is nothing to call, on texts no lesson uses.

A writer agent restates its material within a word limit and reworks its previous reply when
told to; a reviewer with a yes/no output field checks the word limit in its instructions.
Both in-process (OfflineModel) and over HTTP (the endpoint with `text.format` json_schema).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from agents import Agent, RunConfig, Runner

from workshop.model.compose import fit, word_limit
from workshop.testing import Conversation, OfflineModelProvider, decide, get_model_provider

STORY = (
    "The library opens a new reading room on Monday. It has forty seats and free coffee; "
    "students may book a desk online. The old room closes for repairs until spring."
)


@dataclass
class Review:
    ok: bool
    comment: str
    words: int


def test_word_limits_are_read_from_ordinary_phrasings() -> None:
    assert word_limit("Keep it to at most 12 words, please.") == 12
    assert word_limit("no more than 30 words") == 30
    assert word_limit("under 10 words") == 9
    assert word_limit("20 words or fewer; at most 15 words") == 15
    assert word_limit("Write a long essay.") is None


def test_fit_keeps_whole_sentences_within_the_limit() -> None:
    assert fit(STORY, 100) == STORY
    assert fit(STORY, 12) == "The library opens a new reading room on Monday."
    assert fit("one two three four five", 3) == "one two three…"


def test_no_tools_and_no_writing_task_still_says_it_cannot_look_things_up() -> None:
    conv = Conversation(events=[("user", "How tall is the tallest tree in Oregon?")])
    text = decide(conv, []).text or ""
    assert "cannot" in text


@pytest.mark.parametrize("provider", ["in-process", "http"])
async def test_writer_and_reviewer_loop_until_approved(provider: str) -> None:
    run = RunConfig(
        model_provider=OfflineModelProvider() if provider == "in-process" else get_model_provider(),
        tracing_disabled=True,
    )
    writer = Agent(
        name="Editor",
        instructions="Summarize the announcement you are given for a newsletter; revise it "
        "when you get comments.",
    )
    reviewer = Agent(
        name="Reviewer",
        instructions="Accept a summary only if it has no more than 20 words.",
        output_type=Review,
    )
    result = await Runner.run(writer, STORY, run_config=run)
    verdicts = []
    for _ in range(3):
        verdict = (await Runner.run(reviewer, result.final_output, run_config=run)).final_output
        verdicts.append(verdict)
        if verdict.ok:
            break
        follow_up = {"role": "user", "content": verdict.comment}
        result = await Runner.run(writer, [*result.to_input_list(), follow_up], run_config=run)
    assert [v.ok for v in verdicts] == [False, True]
    assert verdicts[0].words == len(STORY.split()) and "at most 20 words" in verdicts[0].comment
    # Whole sentences and clauses, cut where the next one would pass 20 words.
    assert result.final_output == (
        "The library opens a new reading room on Monday. It has forty seats and free coffee."
    )
    assert verdicts[1].words == 16


async def test_structured_output_after_tool_calls_fills_text_fields() -> None:
    from agents import function_tool

    @function_tool
    def lookup_opening_hours(branch: str) -> str:
        """Look up the opening hours of a library branch."""
        return f"{branch}: 9 to 17"

    @dataclass
    class Answer:
        text: str

    agent = Agent(
        name="Desk",
        instructions="Answer questions about the library.",
        tools=[lookup_opening_hours],
        output_type=Answer,
    )
    run = RunConfig(model_provider=OfflineModelProvider(), tracing_disabled=True)
    result = await Runner.run(
        agent, 'What are the opening hours of the "Central" branch?', run_config=run
    )
    assert "Central: 9 to 17" in result.final_output.text
