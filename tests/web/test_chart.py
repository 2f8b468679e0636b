"""The report's SVG chart: two bars a day, scaled to the largest figure of the period."""

from __future__ import annotations

import re
from datetime import date

from order_cancellation.web.admin.chart import Day, bar_chart


def heights(svg: str) -> list[float]:
    return [float(value) for value in re.findall(r'height="([\d.]+)" fill', svg)]


def test_the_largest_figure_fills_the_chart_and_the_others_scale() -> None:
    svg = bar_chart([Day(date(2026, 1, 5), 4000, 1000), Day(date(2026, 1, 6), 2000, 0)], "EUR")
    assert heights(svg) == [160.0, 40.0, 80.0, 0.0]


def test_amounts_are_written_in_the_currencys_own_units() -> None:
    svg = bar_chart([Day(date(2026, 1, 5), 1500, 0)], "JPY")
    assert "max 1500 JPY" in svg
    assert "2026-01-05 sales: 1500 JPY" in svg


def test_a_period_without_sales_draws_empty_bars() -> None:
    assert set(heights(bar_chart([Day(date(2026, 1, 5), 0, 0)], "EUR"))) == {0.0}
