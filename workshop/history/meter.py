"""A history-size meter: events and bytes of a workflow's current run, turn by turn.

After each turn, `await meter.record(handle)` asks Temporal (`describe`) for the current
run's history length and size, and draws them against Temporal's limits: 51,200 events and
50 MB per run (the run is terminated beyond them; warnings start at 10,240 events / 10 MB),
and 2 MB per payload. Several series (with and without continue-as-new) share one chart; a
continue-as-new shows as a drop back to a small history: the saw-tooth.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
from temporalio.client import WorkflowHandle

from ..notebook.display import TextForm

MAX_EVENTS = 51_200
"""Events per run before Temporal terminates it (default `limit.historyCount.error`)."""
MAX_HISTORY_BYTES = 50 * 1024 * 1024
"""Bytes per run before Temporal terminates it (default `limit.historySize.error`)."""
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024
"""Bytes per payload: an activity input or result, an update argument (`limit.blobSize.error`)."""

_COLORS = ["#c62828", "#1565c0", "#2e7d32", "#6a1b9a"]


@dataclass
class Sample:
    """The size of a run's history after one turn."""

    turn: int
    """Turns recorded in this series so far (1-based)."""
    run: int
    """Which run of the workflow (1 = the first; more after continue-as-new)."""
    events: int
    """Events in the current run's history."""
    bytes: int
    """Size of the current run's history in bytes, as the server counts it."""


@dataclass
class Series:
    """The samples of one workflow (one line of the chart)."""

    name: str
    workflow_id: str = ""
    samples: list[Sample] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)

    @property
    def peak_events(self) -> int:
        return max((s.events for s in self.samples), default=0)

    @property
    def peak_bytes(self) -> int:
        return max((s.bytes for s in self.samples), default=0)

    def per_turn_bytes(self) -> float:
        """Average history bytes added per turn, over every run (what the turns cost)."""
        if not self.samples:
            return 0.0
        total, last_run, last_bytes = 0, 0, 0
        for s in self.samples:
            if s.run != last_run:
                last_run, last_bytes = s.run, 0
            total += s.bytes - last_bytes
            last_bytes = s.bytes
        return total / len(self.samples)


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:.2f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"


class HistoryMeter(TextForm):
    """A live chart of history events and bytes per turn, against Temporal's limits.

    Args:
        title: the chart's heading.
        redraw_every: redraw the chart after this many samples (drawing each of hundreds of
            fast turns would cost more than the turns).
    """

    def __init__(self, title: str = "History size per turn", *, redraw_every: int = 5) -> None:
        self.title = title
        self.redraw_every = redraw_every
        self.series: dict[str, Series] = {}
        self._last_draw = 0.0
        self.chart = widgets.HTML()
        self.chart.add_class("workshop-meter-chart")
        self.summary = widgets.HTML()
        self.summary.add_class("workshop-meter-summary")
        self.widget = widgets.VBox(
            [widgets.HTML(f"<b>{html.escape(title)}</b>"), self.chart, self.summary]
        )
        self.widget.add_class("workshop-meter")
        self.draw()

    async def record(self, handle: WorkflowHandle[Any, Any], series: str | None = None) -> Sample:
        """Measure the workflow's current run now and add a sample (redraws now and then).

        Args:
            handle: the workflow (by id: the latest run is measured).
            series: the line to add to (default: the workflow id). A line shows one
                conversation: another workflow recorded under the same name (a cell run
                again) starts the line afresh.
        """
        latest = handle._client.get_workflow_handle(handle.id)
        desc = await latest.describe()
        info = desc.raw_description.workflow_execution_info
        name = series or handle.id
        line = self.series.get(name)
        if line is None or line.workflow_id != handle.id:
            line = self.series[name] = Series(name, handle.id)
        if desc.run_id not in line.run_ids:
            line.run_ids.append(desc.run_id)
        sample = Sample(
            turn=len(line.samples) + 1,
            run=line.run_ids.index(desc.run_id) + 1,
            events=int(info.history_length),
            bytes=int(info.history_size_bytes),
        )
        line.samples.append(sample)
        if len(line.samples) % self.redraw_every == 0 or time.monotonic() - self._last_draw > 1:
            self.draw()
        return sample

    def draw(self) -> None:
        """Redraw the chart and the summary."""
        self._last_draw = time.monotonic()
        self.chart.value = self._svg("bytes", "history bytes") + self._svg("events", "events")
        self.summary.value = "<pre style='margin:0'>" + html.escape(self._summary()) + "</pre>"

    def _svg(self, attr: str, label: str) -> str:
        width, height, pad = 640, 150, 36
        turns = max((len(s.samples) for s in self.series.values()), default=0) or 1
        top = max((getattr(x, attr) for s in self.series.values() for x in s.samples), default=1)
        top = max(top, 1)
        limit = MAX_HISTORY_BYTES if attr == "bytes" else MAX_EVENTS
        peak = _mb(top) if attr == "bytes" else f"{top:,}"
        parts = [
            f"<svg width='{width}' height='{height}' style='font:11px sans-serif'>",
            f"<line x1='{pad}' y1='{height - 18}' x2='{width}' y2='{height - 18}' stroke='#999'/>",
            f"<text x='2' y='12'>{label}</text>",
            f"<text x='2' y='26' fill='#555'>max {peak}</text>",
            f"<text x='{width - 250}' y='12' fill='#555'>limit per run: "
            f"{'50 MB' if attr == 'bytes' else '51,200'} ({top / limit:.1%} reached)</text>",
            f"<text x='{pad}' y='{height - 4}' fill='#555'>turn 1</text>",
            f"<text x='{width - 60}' y='{height - 4}' fill='#555'>turn {turns}</text>",
        ]
        for i, line in enumerate(self.series.values()):
            color = _COLORS[i % len(_COLORS)]
            points = " ".join(
                f"{pad + (s.turn - 1) * (width - pad - 4) / max(turns - 1, 1):.1f},"
                f"{height - 18 - getattr(s, attr) * (height - 40) / top:.1f}"
                for s in line.samples
            )
            parts.append(
                f"<polyline fill='none' stroke='{color}' stroke-width='1.5' points='{points}'/>"
            )
            parts.append(
                f"<text x='{pad + 150 * i}' y='40' fill='{color}'>{html.escape(line.name)}</text>"
            )
        parts.append("</svg>")
        return "".join(parts)

    def _summary(self) -> str:
        if not self.series:
            return "No turns recorded yet."
        lines = []
        for line in self.series.values():
            last = line.samples[-1] if line.samples else Sample(0, 0, 0, 0)
            lines.append(
                f"{line.name}: {len(line.samples)} turns, {len(line.run_ids)} run(s); "
                f"largest run {line.peak_events:,} events / {_mb(line.peak_bytes)} "
                f"({line.peak_events / MAX_EVENTS:.1%} / {line.peak_bytes / MAX_HISTORY_BYTES:.1%} "
                f"of the limits); now {last.events:,} events / {_mb(last.bytes)}; "
                f"about {_mb(line.per_turn_bytes())} per turn"
            )
        lines.append("Limits per run: 51,200 events, 50 MB; per payload: 2 MB.")
        return "\n".join(lines)

    def text(self) -> str:
        """The summary, and each series' samples every few turns."""
        out = [self.title, self._summary()]
        for line in self.series.values():
            step = max(len(line.samples) // 8, 1)
            shown = line.samples[::step]
            if line.samples and shown[-1] is not line.samples[-1]:
                shown.append(line.samples[-1])
            out.append(f"  {line.name}: turn (run) events bytes")
            out += [f"    {s.turn:4} ({s.run}) {s.events:7,} {_mb(s.bytes):>10}" for s in shown]
        return "\n".join(out)


def history_meter(title: str = "History size per turn", *, redraw_every: int = 5) -> HistoryMeter:
    """A live chart of history events and bytes per turn (show it as a cell's result).

    Args:
        title: the chart's heading.
        redraw_every: redraw after this many samples.
    """
    return HistoryMeter(title, redraw_every=redraw_every)
