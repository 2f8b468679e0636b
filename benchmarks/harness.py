"""Timing and the table: medians of runs measured side by side, ratios against a baseline.

The machine these figures come from is shared and noisy, so a figure is never compared
with one taken at another time: each row's figure and baseline are measured in the same
run, interleaved, and each is the median of its repeats.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Literal

import attrs

Direction = Literal["at least", "at most"]


@attrs.frozen(kw_only=True)
class Target:
    """What the ratio should be: ``at least 0.33`` (throughput) or ``at most 1.2`` (cost)."""

    direction: Direction
    ratio: float

    def met(self, ratio: float) -> bool:
        return ratio >= self.ratio if self.direction == "at least" else ratio <= self.ratio

    def __str__(self) -> str:
        sign = ">=" if self.direction == "at least" else "<="
        return f"{sign} {self.ratio:.3g}x"


@attrs.frozen(kw_only=True)
class Row:
    name: str
    figure: float
    baseline: float | None
    unit: str
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.figure / self.baseline

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return ""
        return "met" if self.target.met(self.ratio) else "MISSED"


Mode = Literal["smoke", "quick", "full"]


@attrs.frozen
class Sizes:
    """The mode's sizes; each benchmark picks what it needs. ``smoke`` is for the test that
    proves every benchmark runs: tiny sizes, figures meaningless."""

    mode: Mode = "quick"

    @property
    def quick(self) -> bool:
        return self.mode != "full"

    @property
    def smoke(self) -> bool:
        return self.mode == "smoke"

    def pick(self, quick: int, full: int, *, smoke: int = 2) -> int:
        if self.mode == "smoke":
            return min(quick, smoke)
        return quick if self.mode == "quick" else full


def interleaved(runs: dict[str, Callable[[], float]], *, repeats: int) -> dict[str, float]:
    """Run each measurement ``repeats`` times, taking turns, and return each one's median.

    Taking turns spreads the machine's load over every contender alike.
    """
    results: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            results[name].append(run())
    return {name: statistics.median(values) for name, values in results.items()}


def per_second(operations: int, run: Callable[[], object]) -> float:
    """Operations per second of one call of ``run`` (which does ``operations`` of them)."""
    started = time.perf_counter()
    run()
    return operations / (time.perf_counter() - started)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.5 is the median, 0.99 the p99)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def peak_rss_mib() -> float:
    """The peak resident set size of this process so far, in MiB.

    Linux's ``VmHWM`` first: ``ru_maxrss`` survives ``exec``, so a child started from a
    large parent would report the parent's size as its own peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource  # noqa: PLC0415 - POSIX only, and only the memory row needs it

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_count() -> int:
    return os.cpu_count() or 1


def render(rows: list[Row]) -> str:
    header = (
        f"{'benchmark':62} {'figure':>11} {'baseline':>11} {'ratio':>7} {'target':>8}"
        "  verdict  unit / note"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        baseline = f"{row.baseline:11.1f}" if row.baseline is not None else f"{'-':>11}"
        ratio = f"{row.ratio:7.2f}" if row.ratio is not None else f"{'-':>7}"
        target = str(row.target) if row.target else "-"
        note = f"; {row.note}" if row.note else ""
        lines.append(
            f"{row.name:62} {row.figure:11.1f} {baseline} {ratio} {target:>8}"
            f"  {row.verdict or '-':7}  {row.unit}{note}"
        )
    return "\n".join(lines)
