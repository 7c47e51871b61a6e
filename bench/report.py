"""Medians with min/max over interleaved rounds, a printed table, a JSON record."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Arm:
    """One measured thing: items per second, once per round."""

    name: str
    description: str
    rates: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates)

    def summary(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "per_second": {"median": self.median, "min": min(self.rates), "max": max(self.rates)},
            "rounds": self.rates,
        }


@dataclass
class Target:
    name: str
    ratio: float
    threshold: float

    @property
    def met(self) -> bool:
        return self.ratio >= self.threshold


def show(
    title: str,
    settings: dict[str, Any],
    arms: list[Arm],
    derived: dict[str, float],
    targets: list[Target],
) -> None:
    console = Console(width=120)
    console.print(f"[bold]{title}[/]")
    for key, value in settings.items():
        console.print(f"  {key}: {value}")
    table = Table()
    for column in ("arm", "median /s", "min /s", "max /s", "what"):
        table.add_column(column)
    for arm in arms:
        table.add_row(
            arm.name,
            f"{arm.median:,.0f}",
            f"{min(arm.rates):,.0f}",
            f"{max(arm.rates):,.0f}",
            arm.description,
        )
    console.print(table)
    for key, value in derived.items():
        console.print(f"  {key}: {value:,.1f}")
    for target in targets:
        verdict = "[green]met[/]" if target.met else "[red]NOT met[/]"
        console.print(
            f"  {target.name}: {target.ratio:.2f} (target ≥ {target.threshold}) {verdict}"
        )


def write(
    name: str,
    settings: dict[str, Any],
    arms: list[Arm],
    derived: dict[str, float],
    targets: list[Target],
) -> Path:
    folder = Path(__file__).parent / "results"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{name}-{stamp}.json"
    document = {
        "benchmark": name,
        "at": stamp,
        "settings": settings,
        "arms": {arm.name: arm.summary() for arm in arms},
        "derived": derived,
        "targets": {
            t.name: {"ratio": t.ratio, "threshold": t.threshold, "met": t.met} for t in targets
        },
    }
    path.write_text(json.dumps(document, indent=2))
    return path
