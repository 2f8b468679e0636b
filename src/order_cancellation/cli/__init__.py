"""The ``order-cancellation`` command line (also ``python -m order_cancellation``).

One module per group of commands; each exposes ``register(commands)``. :mod:`.app` builds
the parser, opens the store and turns errors into exit codes (:class:`.exits.ExitCode`).
"""

from order_cancellation.cli.app import main
from order_cancellation.cli.exits import ExitCode

__all__ = ["ExitCode", "main"]
