"""Command line: ``order-cancellation`` or ``python -m order_cancellation`` (see docs/cli.md)."""

from __future__ import annotations

import sys

from order_cancellation.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
