"""The weather agent on the Agents SDK + Temporal plugin, weather activities as its tools."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agents import Agent, Runner
    from temporalio.contrib.openai_agents.workflow import activity_as_tool

    from workshop.world.tools import (
        get_ip_address,
        get_location_from_ip,
        get_weather_alerts,
    )


@workflow.defn
class WeatherAgentWorkflow:
    """Runs the weather agent; every model call and tool call is an activity."""

    @workflow.run
    async def run(self, question: str) -> str:
        tools = [
            activity_as_tool(fn, start_to_close_timeout=timedelta(seconds=10))
            for fn in (get_ip_address, get_location_from_ip, get_weather_alerts)
        ]
        agent = Agent(
            name="Weather Agent",
            instructions="Answer questions about weather alerts where the user is.",
            tools=tools,
        )
        result = await Runner.run(agent, question)
        return str(result.final_output)
