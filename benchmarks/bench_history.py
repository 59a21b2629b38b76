"""Benchmark: a 1,000-event history becomes steps and renders (text + widgets) in < 200 ms.

The history is a recorded crashed-and-resumed agent run, its activity events repeated (with
fresh event ids) until it holds 1,000 events. Run: `.venv/bin/python benchmarks/bench_history.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from workshop import history_text  # noqa: E402
from workshop.testing import HistoryView, as_events, history_steps  # noqa: E402

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "histories" / "crash_llm.json"
BUDGET_MS = 200.0


def big_history(target: int = 1000) -> list[HistoryEvent]:
    """The fixture's events with its middle (activities and workflow tasks) repeated."""
    events = as_events(FIXTURE.read_text())
    head, middle, tail = events[:3], events[3:-2], events[-2:]
    out = list(head)
    while len(out) + len(middle) + len(tail) <= target:
        offset = len(out) - 3
        for event in middle:
            copy = HistoryEvent()
            copy.CopyFrom(event)
            copy.event_id += offset
            # Keep the references between events consistent in the copies.
            for field in (
                "activity_task_started_event_attributes",
                "activity_task_completed_event_attributes",
            ):
                if copy.HasField(field):
                    getattr(copy, field).scheduled_event_id += offset
            out.append(copy)
    while len(out) < target - len(tail):
        filler = HistoryEvent(event_id=len(out) + 1)
        filler.event_type = EventType.EVENT_TYPE_MARKER_RECORDED
        out.append(filler)
    return out + tail


def main() -> float:
    """Time one full conversion + render; print and return milliseconds."""
    events = big_history()
    view = HistoryView("bench-workflow", client=None)
    start = time.perf_counter()
    steps = history_steps(events)
    view.set_steps(steps)
    text = history_text(steps)
    elapsed = (time.perf_counter() - start) * 1000
    print(
        f"{len(events)} events -> {len(steps)} steps, {len(view.widget.children[2].children)} "
        f"widget rows, {len(text.splitlines())} text lines in {elapsed:.1f} ms "
        f"(budget {BUDGET_MS:.0f} ms): {'OK' if elapsed < BUDGET_MS else 'TOO SLOW'}"
    )
    return elapsed


if __name__ == "__main__":
    sys.exit(0 if main() < BUDGET_MS else 1)
