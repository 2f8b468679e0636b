"""The report's chart: sales and refunds per day as a server-rendered SVG bar chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

import attrs

from order_cancellation.domain.money import Money

WIDTH, HEIGHT, PAD = 720, 240, 40


@attrs.frozen
class Day:
    day: date
    sales: int  # minor units
    refunds: int  # minor units, positive


def bar_chart(days: Sequence[Day], currency: str) -> str:
    """Two bars a day: sales (dark) and refunds (light), scaled to the largest figure."""
    top = max([1, *(max(day.sales, day.refunds) for day in days)])
    slot = (WIDTH - 2 * PAD) / max(1, len(days))
    bar = max(2.0, slot * 0.38)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">Sales and refunds per day, {escape(currency)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#555"/>',
        f'<text x="{PAD}" y="16" font-size="12">max {escape(str(Money(top, currency)))}</text>',
    ]
    usable = HEIGHT - 2 * PAD
    for index, day in enumerate(days):
        x = PAD + index * slot + slot * 0.1
        for offset, value, colour, what in (
            (0.0, day.sales, "#1f4e79", "sales"),
            (bar, day.refunds, "#e69138", "refunds"),
        ):
            height = usable * value / top
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{HEIGHT - PAD - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" fill="{colour}">'
                f"<title>{day.day.isoformat()} {what}: {escape(str(Money(value, currency)))}"
                "</title></rect>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD + 14}" font-size="10">'
            f"{day.day.strftime('%m-%d')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
