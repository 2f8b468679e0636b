"""Timing and the table: medians of repeated runs, ratios against a baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import attrs


@attrs.frozen(kw_only=True)
class Row:
    name: str
    figure: float
    baseline: float | None
    unit: str
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.figure / self.baseline  # type: ignore[operator]


def rate(operations: int, run: Callable[[], object], *, repeats: int) -> float:
    """Median operations per second over ``repeats`` runs of ``run`` (which does
    ``operations`` operations and sets up nothing it times)."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        rates.append(operations / (time.perf_counter() - started))
    return statistics.median(rates)


def render(rows: list[Row]) -> str:
    header = f"{'benchmark':58} {'figure':>12} {'baseline':>12} {'ratio':>7}  unit / target"
    lines = [header, "-" * len(header)]
    for row in rows:
        baseline = f"{row.baseline:12.1f}" if row.baseline is not None else f"{'-':>12}"
        ratio = f"{row.ratio:7.2f}" if row.ratio is not None else f"{'-':>7}"
        target = f"  (target {row.target})" if row.target else ""
        note = f"  {row.note}" if row.note else ""
        lines.append(f"{row.name:58} {row.figure:12.1f} {baseline} {ratio}  {row.unit}{target}{note}")
    return "\n".join(lines)
