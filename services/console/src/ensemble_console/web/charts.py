"""Chart geometry for server-rendered SVG (the CSP allows no script, so no JS chart library):
lines of two periods on one day axis, and horizontal bars. Templates draw the shapes; this
module only turns numbers into coordinates inside a fixed view box."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class Lines:
    """Two series on one axis: `current` and `previous` as SVG polyline points."""

    current: str
    previous: str
    ticks: tuple[Tick, ...]
    end_x: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM
    count: int = 2
    """Points on the day axis (at least 2)."""

    def x_of(self, index: int) -> float:
        """Where the `index`-th day of the axis is drawn."""
        return LEFT + (WIDTH - LEFT - RIGHT) * index / (self.count - 1)


def nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 times 10^n at least `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def lines(current: Sequence[float | None], previous: Sequence[float | None]) -> Lines:
    top = nice_top(max([v or 0 for v in [*current, *previous]], default=0))
    count = max(len(current), len(previous), 2)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def polyline(values: Sequence[float | None]) -> str:
        return " ".join(
            f"{LEFT + inner_w * i / (count - 1):.1f},{TOP + inner_h * (1 - (v or 0) / top):.1f}"
            for i, v in enumerate(values)
        )

    steps = int(top) if 1 <= top < 4 else 4  # whole numbers on a small axis: 0, 1, 2
    ticks = tuple(Tick(top * k / steps, TOP + inner_h * (1 - k / steps)) for k in range(steps + 1))
    end_x = LEFT + inner_w * (max(len(current), 1) - 1) / (count - 1)
    return Lines(polyline(current), polyline(previous), ticks, end_x, count=count)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    previous: float
    y: float
    width: float
    previous_width: float


@dataclass(frozen=True)
class Bars:
    bars: tuple[Bar, ...]
    height: int
    left: int = 120
    width: int = WIDTH
    bar: int = 14


def bars(rows: Sequence[tuple[str, float, float]]) -> Bars:
    """Horizontal bars, this period above the previous one, for (label, value, previous)."""
    top = nice_top(max([max(v, p) for _, v, p in rows], default=0))
    left, usable, step = 120, WIDTH - 120 - 60, 40
    found = tuple(
        Bar(label, value, before, TOP + i * step, usable * value / top, usable * before / top)
        for i, (label, value, before) in enumerate(rows)
    )
    return Bars(found, height=TOP + step * max(len(rows), 1) + 8, left=left)
