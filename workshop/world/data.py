"""The weather world's data, served in the shape of the real public APIs.

ipify (`{"ip": ...}`), ip-api.com (`/json/{ip}`), the US National Weather Service
(`/alerts/active?area=XX`, GeoJSON) and a small local-info API for the handoff lesson.
Addresses are from the documentation ranges (RFC 5737), so none is anyone's real address.
"""

# ruff: noqa: E501  (one place per line reads better than wrapped tuples)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Place:
    """Where an IP address is, as ip-api.com reports it."""

    ip: str
    city: str
    region: str
    region_name: str
    zip: str
    lat: float
    lon: float
    timezone: str


PLACES = {
    p.ip: p
    for p in (
        Place("203.0.113.42", "Austin", "TX", "Texas", "78701", 30.2672, -97.7431, "America/Chicago"),
        Place("198.51.100.7", "Sacramento", "CA", "California", "95814", 38.5816, -121.4944, "America/Los_Angeles"),
        Place("192.0.2.15", "Miami", "FL", "Florida", "33130", 25.7617, -80.1918, "America/New_York"),
        Place("198.51.100.23", "Seattle", "WA", "Washington", "98101", 47.6062, -122.3321, "America/Los_Angeles"),
        Place("203.0.113.99", "Denver", "CO", "Colorado", "80202", 39.7392, -104.9903, "America/Denver"),
        Place("192.0.2.200", "New York", "NY", "New York", "10007", 40.7128, -74.006, "America/New_York"),
    )
}  # fmt: skip
"""Known addresses; the first is where "you" are unless the world is told otherwise."""

DEFAULT_IP = "203.0.113.42"

# (event, severity, certainty, urgency, headline tail, description) per state; others have none.
ALERTS: dict[str, list[tuple[str, str, str, str, str, str]]] = {
    "TX": [
        ("Heat Advisory", "Moderate", "Likely", "Expected", "until 8:00 PM CDT",
         "Heat index values up to 110 expected. Drink plenty of fluids and stay out of the sun."),
        ("Flood Watch", "Severe", "Possible", "Future", "through Thursday morning",
         "Excessive runoff may result in flooding of rivers, creeks and low-lying areas."),
    ],
    "CA": [
        ("Red Flag Warning", "Severe", "Likely", "Expected", "until 6:00 PM PDT",
         "Gusty winds and low humidity will create critical fire weather conditions."),
    ],
    "FL": [
        ("Rip Current Statement", "Moderate", "Likely", "Expected", "through this evening",
         "Dangerous rip currents. Swim near a lifeguard."),
        ("Coastal Flood Advisory", "Minor", "Likely", "Expected", "until 2:00 PM EDT",
         "Up to one foot of inundation above ground level in low-lying coastal areas."),
    ],
}  # fmt: skip

STATE_NAMES = {p.region: p.region_name for p in PLACES.values()}

THINGS_TO_DO: dict[str, list[tuple[str, str, str]]] = {
    "austin": [
        ("Barton Springs Pool", "outdoors", "Spring-fed pool at 68 F all year."),
        ("Congress Avenue Bridge bats", "nature", "1.5 million bats fly out at dusk."),
        ("Live music on Sixth Street", "music", "Dozens of venues, most nights of the week."),
    ],
    "sacramento": [
        ("Old Sacramento", "history", "Gold Rush era streets by the river."),
        ("California State Railroad Museum", "museum", "Restored locomotives and cars."),
    ],
    "miami": [
        ("Wynwood Walls", "art", "Outdoor street-art museum."),
        ("South Beach", "beach", "Art Deco district and the Atlantic."),
    ],
    "seattle": [
        ("Pike Place Market", "food", "Fish throwing, flowers and the first Starbucks."),
        ("Space Needle", "landmark", "Views of Mount Rainier on a clear day."),
    ],
    "denver": [
        ("Red Rocks Amphitheatre", "music", "Concerts between sandstone monoliths."),
        ("Denver Art Museum", "museum", "Indigenous arts and a titanium-clad wing."),
    ],
    "new york": [
        ("Central Park", "outdoors", "843 acres in the middle of Manhattan."),
        ("The Met", "museum", "Five thousand years of art."),
    ],
}  # fmt: skip

NEWS: dict[str, list[tuple[str, str]]] = {
    "austin": [
        ("City council approves new bike lanes downtown", "Austin Local"),
        ("Heat keeps pools busy as advisory continues", "Austin Local"),
    ],
    "sacramento": [("Farmers market returns to Capitol Mall", "Sacramento Daily")],
    "miami": [("King tides expected along the bay this week", "Miami Herald-ish")],
    "seattle": [("Ferry schedule changes start Monday", "Seattle Times-ish")],
    "denver": [("First snow of the season dusts the foothills", "Denver Post-ish")],
    "new york": [("Subway line reopens after weekend works", "NY Local")],
}


def ipify(current_ip: str) -> dict[str, Any]:
    """`GET https://api.ipify.org?format=json`."""
    return {"ip": current_ip}


def ip_api(ip: str) -> dict[str, Any]:
    """`GET http://ip-api.com/json/{ip}`: success for known addresses, `fail` otherwise."""
    place = PLACES.get(ip)
    if place is None:
        return {"status": "fail", "message": "reserved range", "query": ip}
    return {
        "status": "success",
        "country": "United States",
        "countryCode": "US",
        "region": place.region,
        "regionName": place.region_name,
        "city": place.city,
        "zip": place.zip,
        "lat": place.lat,
        "lon": place.lon,
        "timezone": place.timezone,
        "isp": "Workshop Offline Networks",
        "org": "Workshop Offline Networks",
        "as": "AS64500 Workshop Offline Networks",
        "query": ip,
    }


US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "district of columbia": "DC",
}  # fmt: skip
"""US state names to their two-letter codes: the areas the NWS alerts API accepts."""


def nws_alerts(area: str) -> tuple[int, dict[str, Any]]:
    """`GET https://api.weather.gov/alerts/active?area=XX`: (status, GeoJSON or problem)."""
    code = area.strip().upper()
    if code not in set(US_STATES.values()):
        return 400, {
            "type": "https://api.weather.gov/problems/BadRequest",
            "title": "Bad Request",
            "status": 400,
            "detail": f'Parameter "area" is invalid: {area!r} is not a valid US state code',
        }
    features = []
    for n, (event, severity, certainty, urgency, tail, description) in enumerate(
        ALERTS.get(code, []), start=1
    ):
        alert_id = f"urn:oid:2.49.0.1.840.0.workshop.{code}.{n}"
        features.append(
            {
                "id": f"https://api.weather.gov/alerts/{alert_id}",
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "@id": f"https://api.weather.gov/alerts/{alert_id}",
                    "@type": "wx:Alert",
                    "id": alert_id,
                    "areaDesc": f"Counties of {STATE_NAMES.get(code, code)}",
                    "sent": "2025-07-01T10:00:00-05:00",
                    "effective": "2025-07-01T10:00:00-05:00",
                    "expires": "2025-07-02T20:00:00-05:00",
                    "status": "Actual",
                    "messageType": "Alert",
                    "category": "Met",
                    "severity": severity,
                    "certainty": certainty,
                    "urgency": urgency,
                    "event": event,
                    "senderName": "NWS (workshop offline copy)",
                    "headline": f"{event} issued {tail} by NWS",
                    "description": description,
                    "instruction": None,
                    "response": "Prepare" if severity != "Minor" else "Monitor",
                },
            }
        )
    return 200, {
        "@context": ["https://geojson.org/geojson-ld/geojson-context.jsonld"],
        "type": "FeatureCollection",
        "features": features,
        "title": f"Current watches, warnings, and advisories for {STATE_NAMES.get(code, code)}",
        "updated": "2025-07-01T10:00:00+00:00",
    }


def things_to_do(city: str) -> dict[str, Any]:
    """`GET /local/things-to-do?city=...`: attractions in a city (empty for unknown cities)."""
    items = THINGS_TO_DO.get(city.strip().lower(), [])
    return {
        "city": city,
        "things_to_do": [{"name": n, "category": c, "description": d} for n, c, d in items],
    }


def local_news(city: str) -> dict[str, Any]:
    """`GET /local/news?city=...`: recent local headlines for a city."""
    items = NEWS.get(city.strip().lower(), [])
    return {
        "city": city,
        "articles": [
            {"title": t, "source": s, "published": "2025-07-01T08:00:00Z"} for t, s in items
        ],
    }
