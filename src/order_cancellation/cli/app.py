"""The parser, and the one place where failures become exit codes and one-line messages."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from order_cancellation.application.errors import error_code
from order_cancellation.cli import (
    database,
    demo,
    effects,
    labels,
    orders,
    refunds,
    reports,
    serve,
    stock,
    tokens,
    webhooks,
    worker,
)
from order_cancellation.cli.console import Console
from order_cancellation.cli.exits import ExitCode, UsageError, classify, one_line
from order_cancellation.cli.options import store_options

EPILOG = """\
exit codes:
  0  done
  1  the command was refused: invalid input, unknown id, a state that does not allow it,
     a conflict with another change (nothing was changed)
  2  the command line cannot be parsed (see --help)
  3  the store cannot be opened or used: no such SQLite file, server unreachable (a worker:
     still failing after --give-up-after seconds)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="order-cancellation",
        description="Cancel and return orders, keeping stock, payments and reports right.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[store_options(top_level=True)],
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    modules = (
        demo,
        database,
        orders,
        refunds,
        effects,
        stock,
        labels,
        reports,
        webhooks,
        worker,
        tokens,
        serve,
    )
    for module in modules:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (see ``EPILOG``) rather than exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage error or the help
        return stop.code if isinstance(stop.code, int) else int(ExitCode.USAGE)
    console = Console(as_json=bool(args.json))
    try:
        args.run(args, console)
        # Flush here: a reader gone before the interpreter's final flush would make that fail.
        sys.stdout.flush()
    except UsageError as error:
        command: argparse.ArgumentParser = args.parser
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        Console.error("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``| head``); the command itself completed.
        _silence_stdout()
        return int(ExitCode.OK)
    except Exception as error:
        code = classify(error)
        if code is None:
            raise  # a bug: keep the traceback
        if console.as_json:
            console.refusal(error_code(error), one_line(error), type(error).__name__)
        else:
            Console.error(one_line(error))
        return int(code)
    return int(ExitCode.OK)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail too."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
