"""Print the branch-coverage figure of the last test run and enforce the bar on it.

coverage.py's own ``fail_under`` checks statements and branches counted together; the
branches alone are the stricter figure, so both must reach the bar.
Usage: ``python .ci/coverage_figure.py [bar]`` after ``pytest --cov``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import coverage


def main() -> int:
    bar = float(sys.argv[1]) if len(sys.argv) > 1 else 95.0
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        measured = coverage.Coverage()
        measured.load()
        measured.json_report(outfile=str(report))
        totals = json.loads(report.read_text())["totals"]
    branches = 100 * totals["covered_branches"] / totals["num_branches"]
    statements = 100 * totals["covered_lines"] / totals["num_statements"]
    combined = totals["percent_covered"]
    print(
        f"RELIABILITY COVERAGE src=order_cancellation combined={combined:.2f} "
        f"statements={statements:.2f} branches={branches:.2f} "
        f"covered_branches={totals['covered_branches']}/{totals['num_branches']} bar={bar:g}"
    )
    if min(combined, branches) < bar:
        print(f"coverage below {bar:g} %: see the report above for the missing lines.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
