"""The talk's weather tools (and local-info tools), as plain functions and Temporal activities.

Each tool makes a real HTTP request: to the kit's local services by default, to the real
public APIs with WORKSHOP_WEATHER=online. Errors map onto Temporal's retry rules: 429, 5xx
and timeouts are retryable (429 honours Retry-After), 400 and 401 are not.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from ..runtime.services import ensure_services

TOOL_TIMEOUT_S = 10.0
"""Seconds a tool waits for its service before the call counts as timed out."""

_ONLINE = {
    "ip": "https://api.ipify.org?format=json",
    "geo": "http://ip-api.com/json/{ip}",
    "alerts": "https://api.weather.gov/alerts/active?area={state}",
}
_HEADERS = {"User-Agent": "durable-agents-workshop (offline kit)", "Accept": "application/json"}


def weather_online() -> bool:
    """True when WORKSHOP_WEATHER=online sends the tools to the real public APIs."""
    return os.environ.get("WORKSHOP_WEATHER", "").strip().lower() == "online"


def _offline_base() -> str:

    return ensure_services().base_url


def retry_delay(headers: Any) -> timedelta | None:
    """The wait a 429 asks for (retry-after-ms or Retry-After seconds), if any."""
    if headers.get("retry-after-ms"):
        return timedelta(milliseconds=float(headers["retry-after-ms"]))
    if headers.get("retry-after"):
        try:
            return timedelta(seconds=float(headers["retry-after"]))
        except ValueError:
            return None
    return None


def raise_for_service(resp: httpx.Response, service: str) -> None:
    """Raise the ApplicationError Temporal should see for a failed service reply."""
    if resp.status_code < 400:
        return
    try:
        detail = resp.json()
        detail = (detail.get("error") or {}).get("message") or detail.get("detail") or detail
    except ValueError:
        detail = resp.text[:200]
    status = resp.status_code
    if status == 429:
        delay = retry_delay(resp.headers)
        raise ApplicationError(
            f"{service} is rate limited (HTTP 429), retry after "
            f"{delay.total_seconds() if delay else '?'} s: {detail}",
            type="RateLimited",
            next_retry_delay=delay,
        )
    if status in (400, 401, 403, 404, 422):
        cause = {400: "bad request", 401: "unauthorized", 403: "forbidden"}.get(status, "rejected")
        raise ApplicationError(
            f"{service} refused the call: {cause} (HTTP {status}): {detail}. "
            "Retrying cannot fix this.",
            type="Unauthorized" if status in (401, 403) else "BadRequest",
            non_retryable=True,
        )
    raise ApplicationError(f"{service} failed with HTTP {status}: {detail}", type="ServiceError")


async def _get(service: str, offline_path: str, online_url: str | None) -> Any:
    url = online_url if (weather_online() and online_url) else _offline_base() + offline_path
    try:
        async with httpx.AsyncClient(timeout=TOOL_TIMEOUT_S, headers=_HEADERS) as client:
            resp = await client.get(url)
    except httpx.TimeoutException as exc:
        raise ApplicationError(
            f"{service} did not answer within {TOOL_TIMEOUT_S:g} s", type="Timeout"
        ) from exc
    except httpx.TransportError as exc:
        raise ApplicationError(f"{service} is unreachable: {exc}", type="Unreachable") from exc
    raise_for_service(resp, service)
    return resp.json()


@activity.defn
async def get_ip_address() -> str:
    """Get the public IP address of the machine this agent runs on."""
    data = await _get("the IP service (ipify)", "/ipify?format=json", _ONLINE["ip"])
    return str(data["ip"])


@activity.defn
async def get_location_from_ip(ip: str) -> dict[str, Any]:
    """Get the geographic location (city, state or region, country, coordinates) of an IP
    address."""
    data = await _get(
        "the geolocation service (ip-api)", f"/ip-api/json/{ip}", _ONLINE["geo"].format(ip=ip)
    )
    if data.get("status") == "fail":
        raise ApplicationError(
            f"the geolocation service cannot place IP {ip!r}: {data.get('message')}",
            type="BadRequest",
            non_retryable=True,
        )
    keep = ("city", "region", "regionName", "country", "countryCode", "zip", "lat", "lon")
    return {"ip": ip, **{k: data[k] for k in keep if k in data}}


@activity.defn
async def get_weather_alerts(state: str) -> dict[str, Any]:
    """Get the active weather alerts (warnings, watches, advisories) from the US National Weather
    Service for a US state, given its two-letter code such as CA or TX."""
    code = state.strip().upper()
    data = await _get(
        "the weather alerts service (NWS)",
        f"/nws/alerts/active?area={code}",
        _ONLINE["alerts"].format(state=code),
    )
    alerts = [
        {
            "event": p.get("event"),
            "severity": p.get("severity"),
            "headline": p.get("headline"),
            "area": p.get("areaDesc"),
        }
        for p in (f.get("properties", {}) for f in data.get("features", []))
    ]
    return {"state": code, "alerts": alerts}


@activity.defn
async def get_things_to_do(city: str) -> dict[str, Any]:
    """Get things to do in a city: attractions, activities and places to visit."""
    # No free public API fits; the local-info service stays local even with WORKSHOP_WEATHER=online.
    return dict(await _get("the local info service", f"/local/things-to-do?city={city}", None))


@activity.defn
async def get_local_news(city: str) -> dict[str, Any]:
    """Get the latest local news headlines for a city."""
    return dict(await _get("the local news service", f"/local/news?city={city}", None))


def _schema(fn: Callable[..., Any], params: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "function",
        "name": fn.__name__,
        "description": " ".join((fn.__doc__ or "").split()),
        "parameters": {
            "type": "object",
            "properties": {
                name: {"type": "string", "description": d} for name, d in params.items()
            },
            "required": list(params),
            "additionalProperties": False,
        },
        "strict": True,
    }


TOOL_FUNCTIONS: dict[str, Callable[..., Awaitable[Any]]] = {
    fn.__name__: fn
    for fn in (
        get_ip_address,
        get_location_from_ip,
        get_weather_alerts,
        get_things_to_do,
        get_local_news,
    )
}
"""Every weather-world tool by name."""

WEATHER_TOOLS: list[dict[str, Any]] = [
    _schema(get_ip_address, {}),
    _schema(get_location_from_ip, {"ip": "The IP address to locate, for example 203.0.113.42."}),
    _schema(get_weather_alerts, {"state": "Two-letter US state code, for example CA."}),
]
"""The talk's three tools as Responses-API function-tool schemas (for a hand-written loop)."""

LOCAL_TOOLS: list[dict[str, Any]] = [
    _schema(get_things_to_do, {"city": "The city name, for example Austin."}),
    _schema(get_local_news, {"city": "The city name, for example Austin."}),
]
"""The local-info agent's tools as Responses-API function-tool schemas."""


def chat_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Responses-API tool schemas in Chat Completions form (`{"type", "function": {...}}`)."""
    return [
        {"type": "function", "function": {k: v for k, v in t.items() if k != "type"}} for t in tools
    ]


async def call_tool(name: str, args: dict[str, Any] | None = None) -> Any:
    """Call a weather-world tool by name with JSON arguments (for a dynamic tool activity).

    Raises:
        ApplicationError: non-retryable for an unknown tool or bad arguments.
    """
    fn = TOOL_FUNCTIONS.get(name)
    if fn is None:
        raise ApplicationError(
            f"unknown tool {name!r}; known: {sorted(TOOL_FUNCTIONS)}",
            type="UnknownTool",
            non_retryable=True,
        )
    try:
        return await fn(**(args or {}))
    except TypeError as exc:
        raise ApplicationError(
            f"bad arguments for {name}: {exc}", type="BadArguments", non_retryable=True
        ) from exc


def set_location(ip: str | None = None) -> dict[str, Any]:
    """Move "you" to another known IP address of the offline world (None: back to the default).

    Returns the current address and the known ones (some states have alerts, some none).
    """

    resp = httpx.post(f"{ensure_services().base_url}/admin/world", json={"ip": ip}, timeout=5)
    if resp.status_code >= 400:
        raise ValueError(resp.json()["error"]["message"])
    return dict(resp.json())
