"""The weather world: the talk's tools over real HTTP to local copies of public APIs."""

from .tools import (
    LOCAL_TOOLS,
    TOOL_FUNCTIONS,
    WEATHER_TOOLS,
    call_tool,
    chat_tools,
    get_ip_address,
    get_local_news,
    get_location_from_ip,
    get_things_to_do,
    get_weather_alerts,
    raise_for_service,
    set_location,
    weather_online,
)

__all__ = [
    "LOCAL_TOOLS",
    "TOOL_FUNCTIONS",
    "WEATHER_TOOLS",
    "call_tool",
    "chat_tools",
    "get_ip_address",
    "get_local_news",
    "get_location_from_ip",
    "get_things_to_do",
    "get_weather_alerts",
    "raise_for_service",
    "set_location",
    "weather_online",
]
