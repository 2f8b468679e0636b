"""The documentation site builds with ``mkdocs build --strict``: every page in the nav
exists, every link and anchor resolves, every API reference page renders."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")


def _missing_tools() -> list[str]:
    missing = []
    for module in TOOLS:
        try:
            found = find_spec(module) is not None
        except ModuleNotFoundError:  # a dotted name whose parent is missing
            found = False
        if not found:
            missing.append(module)
    return missing


def test_the_documentation_site_builds_strictly(tmp_path: Path) -> None:
    missing = _missing_tools()
    if missing:
        reason = (
            f"the documentation tools are not installed ({', '.join(missing)}); "
            "install them with: pip install --group docs"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must build the documentation, but {reason}")
        pytest.skip(reason)

    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,  # the changelog snippet is included relative to the repository root
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    problems = [line for line in completed.stderr.splitlines() if "WARNING" in line]
    assert completed.returncode == 0, "\n".join(problems) or completed.stderr
    assert (tmp_path / "site" / "reference" / "sales" / "index.html").is_file()
