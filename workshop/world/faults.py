"""Fault injection: make the model endpoint or a tool service fail on purpose, across processes.

The rules live in the shared services process, so a notebook cell, the control panel and
every worker process see the same faults. "A share of calls" is deterministic (every
1/ratio-th call), so a demo or a test never depends on luck.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from ..runtime.services import ensure_services

TOOL_TARGETS = ("ip", "geo", "alerts", "local")
"""The weather world's services; "tools" means all of them."""
TARGETS = ("model", "tools", *TOOL_TARGETS)
KINDS = ("rate_limit", "server_error", "slow", "timeout", "unauthorized", "bad_request")

_DEFAULT_DELAY = {"slow": 2.0, "timeout": 60.0}


@dataclass
class FaultRule:
    """One injected fault: what fails, how, and for how many calls."""

    target: str
    kind: str
    count: int | None = None
    """Fail the next `count` calls, then the rule is gone (None: no limit)."""
    ratio: float | None = None
    """Fail this share of calls (0.5: every second call)."""
    retry_after: float = 1.0
    """Seconds sent in the Retry-After header of a 429."""
    delay: float = 0.0
    """Seconds a `slow` answer waits, or a `timeout` holds the connection."""
    fired: int = 0
    """Calls failed so far."""
    _acc: float = 0.0

    def public(self) -> dict[str, Any]:
        """The rule as JSON-friendly data (without internal counters)."""
        data = asdict(self)
        data.pop("_acc")
        return data


class FaultBook:
    """Thread-safe fault rules held by the services process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, FaultRule] = {}

    def add(self, rule: FaultRule) -> None:
        """Add or replace the rule for its target."""
        if rule.target not in TARGETS:
            raise ValueError(f"unknown fault target {rule.target!r}; use one of {TARGETS}")
        if rule.kind not in KINDS:
            raise ValueError(f"unknown fault kind {rule.kind!r}; use one of {KINDS}")
        if rule.ratio is not None and not 0 < rule.ratio <= 1:
            raise ValueError("ratio must be in (0, 1]")
        if not rule.delay:
            rule.delay = _DEFAULT_DELAY.get(rule.kind, 0.0)
        with self._lock:
            self._rules[rule.target] = rule

    def clear(self, target: str | None = None) -> None:
        """Remove the rule for one target, or all rules."""
        with self._lock:
            if target is None:
                self._rules.clear()
            elif target == "tools":
                for name in ("tools", *TOOL_TARGETS):
                    self._rules.pop(name, None)
            else:
                self._rules.pop(target, None)

    def status(self) -> list[dict[str, Any]]:
        """The active rules."""
        with self._lock:
            return [r.public() for r in self._rules.values()]

    def check(self, service: str) -> FaultRule | None:
        """The rule to apply to this call of `service`, if one fires now."""
        with self._lock:
            keys = [service, "tools"] if service in TOOL_TARGETS else [service]
            for key in keys:
                rule = self._rules.get(key)
                if rule is None:
                    continue
                fire = True
                if rule.count is not None:
                    fire = rule.count > 0
                    rule.count -= 1
                elif rule.ratio is not None:
                    rule._acc += rule.ratio
                    fire = rule._acc >= 1 - 1e-9
                    if fire:
                        rule._acc -= 1
                if rule.count is not None and rule.count <= 0:
                    del self._rules[key]
                if fire:
                    rule.fired += 1
                    return rule
            return None


def _admin(method: str, path: str, **kwargs: Any) -> Any:

    info = ensure_services()
    resp = httpx.request(method, f"{info.base_url}{path}", timeout=10.0, **kwargs)
    if resp.status_code >= 400:
        raise ValueError(resp.json().get("error", resp.text))
    return resp.json()


def inject_fault(
    target: str,
    kind: str,
    *,
    count: int | None = None,
    ratio: float | None = None,
    retry_after: float = 1.0,
    delay: float | None = None,
) -> dict[str, Any]:
    """Make `target` fail with `kind` for the next `count` calls or a `ratio` of calls.

    Args:
        target: "model", one tool service ("ip", "geo", "alerts", "local") or "tools" (all).
        kind: "rate_limit" (429 + Retry-After), "server_error" (500), "slow" (answers after
            `delay`), "timeout" (holds the call for `delay`, 60 s by default), "unauthorized"
            (401) or "bad_request" (400).
        count: fail this many calls, then stop (neither count nor ratio: every call until cleared).
        ratio: fail this share of calls, deterministically (0.5: every second call).
        retry_after: seconds in the Retry-After header of a 429.
        delay: seconds for "slow" (default 2) and "timeout" (default 60).

    Returns:
        The rule now in force.
    """
    rule = FaultRule(target, kind, count, ratio, retry_after, delay or 0.0)
    return dict(_admin("POST", "/admin/faults", json=rule.public()))


def clear_faults(target: str | None = None) -> list[dict[str, Any]]:
    """Remove the faults on `target` ("tools": every tool service) or all; returns the rest."""
    params = {"target": target} if target else {}
    return list(_admin("DELETE", "/admin/faults", params=params)["faults"])


def fault_status() -> list[dict[str, Any]]:
    """The faults in force, with how many calls each has failed so far."""
    return list(_admin("GET", "/admin/faults")["faults"])
