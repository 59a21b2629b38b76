"""The weather world: real HTTP to local services shaped like ipify, ip-api and the NWS API."""

from __future__ import annotations

import httpx
import pytest
from temporalio.exceptions import ApplicationError

import workshop
import workshop.testing
from workshop import WEATHER_TOOLS, call_tool


def test_services_answer_in_the_shape_of_the_real_apis() -> None:
    base = workshop.testing.ensure_services().base_url
    assert httpx.get(f"{base}/ipify?format=json").json() == {"ip": "203.0.113.42"}
    geo = httpx.get(f"{base}/ip-api/json/198.51.100.7").json()
    assert geo["status"] == "success" and (geo["city"], geo["region"]) == ("Sacramento", "CA")
    alerts = httpx.get(f"{base}/nws/alerts/active", params={"area": "CA"}).json()
    assert alerts["type"] == "FeatureCollection"
    props = alerts["features"][0]["properties"]
    assert {"event", "headline", "severity", "areaDesc", "description"} <= set(props)
    assert httpx.get(f"{base}/nws/alerts/active", params={"area": "NY"}).json()["features"] == []
    assert httpx.get(f"{base}/nws/alerts/active", params={"area": "ZZ"}).status_code == 400


def test_a_second_ensure_reuses_the_running_process() -> None:
    first = workshop.testing.ensure_services()
    again = workshop.testing.ensure_services()
    assert again.pid == first.pid and again.base_url == first.base_url


async def test_registry_schemas_and_dispatcher_agree() -> None:
    assert [t["name"] for t in WEATHER_TOOLS] == [
        "get_ip_address",
        "get_location_from_ip",
        "get_weather_alerts",
    ]
    location = await call_tool("get_location_from_ip", {"ip": "192.0.2.15"})
    assert location["regionName"] == "Florida"
    alerts = await call_tool("get_weather_alerts", {"state": location["region"]})
    assert [a["event"] for a in alerts["alerts"]] == [
        "Rip Current Statement",
        "Coastal Flood Advisory",
    ]
    with pytest.raises(ApplicationError) as err:
        await call_tool("get_stock_price", {})
    assert err.value.non_retryable
    with pytest.raises(ApplicationError) as err:
        await call_tool("get_weather_alerts", {"state": "ZZ"})
    assert err.value.non_retryable and "HTTP 400" in str(err.value)
