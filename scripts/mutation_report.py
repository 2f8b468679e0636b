"""Report the mutation score of the last ``mutmut run`` and check every survivor is explained.

Run after ``HYPOTHESIS_PROFILE=mutation mutmut run`` (see docs/reliability.md):

    .venv/bin/python scripts/mutation_report.py [--bar 90]

Prints one ``RELIABILITY MUTATION ...`` line, then every surviving mutant that
docs/reliability.md does not list as equivalent. Exits 1 when the score is below the bar or a
survivor is unexplained, so a new survivor cannot slip in unnoticed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
# Mutant names in the doc's equivalent-mutant table, e.g. `domain.money.x_foo__mutmut_3`.
_LISTED = re.compile(r"`(?:order_cancellation\.)?([\w.ǁ]+__mutmut_\d+)`")
_UNDETECTED = ("survived", "no tests", "suspicious")


def mutmut(*arguments: str) -> str:
    mutmut_command = Path(sys.executable).with_name("mutmut")
    return subprocess.run(  # noqa: S603 (a fixed command of this venv, no user input)
        [str(mutmut_command), *arguments], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bar", type=float, default=90.0, help="the lowest acceptable score")
    bar = parser.parse_args().bar

    mutmut("export-cicd-stats")
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    undetected: dict[str, str] = {}
    for line in mutmut("results").splitlines():
        name, _, status = line.strip().rpartition(": ")
        if status in _UNDETECTED:
            undetected[name.removeprefix("order_cancellation.")] = status
    equivalent = set(_LISTED.findall(DOC.read_text()))

    counted = stats["total"] - stats["skipped"]
    detected = stats["killed"] + stats["timeout"] + stats["segfault"]
    score = 100 * detected / counted if counted else 0.0
    # Equivalent mutants behave exactly like the original, so no test can tell them apart.
    explained = sorted(set(undetected) & equivalent)
    unexplained = sorted(set(undetected) - equivalent)
    adjusted = 100 * detected / (counted - len(explained)) if counted > len(explained) else 0.0
    print(
        f"RELIABILITY MUTATION packages=domain,application mutants={counted} "
        f"killed={detected} survived={stats['survived']} no_tests={stats['no_tests']} "
        f"suspicious={stats['suspicious']} equivalent={len(explained)} "
        f"unexplained={len(unexplained)} score={score:.1f} "
        f"score_without_equivalent={adjusted:.1f} bar={bar:g}"
    )
    for name in unexplained:
        print(f"  {undetected[name]}: {name}   (see: mutmut show order_cancellation.{name})")
    return 0 if score >= bar and not unexplained else 1


if __name__ == "__main__":
    raise SystemExit(main())
