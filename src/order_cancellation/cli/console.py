"""Where results go: text for people, one JSON document for scripts (``--json``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TypeAlias

JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | bool | None
JSONObject: TypeAlias = dict[str, JSON]


class Console:
    """Prints a command's result on stdout, in the form the caller asked for.

    Streams are looked up at print time so that a test's captured stdout is honoured.
    """

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json

    def result(self, document: JSONObject, text: Iterable[str]) -> None:
        if self.as_json:
            print(json.dumps(document, indent=2, ensure_ascii=False), file=sys.stdout)
            return
        for line in text:
            print(line, file=sys.stdout)

    def progress(self, text: str) -> None:
        """A note for a person watching (the worker starting); never part of the JSON."""
        if not self.as_json:
            print(text, file=sys.stdout, flush=True)

    @staticmethod
    def error(message: str) -> None:
        print(f"order-cancellation: {message}", file=sys.stderr)

    @staticmethod
    def refusal(code: str, message: str, kind: str) -> None:
        """A refusal under ``--json``: one JSON object on stderr with a stable ``code``
        (``not_found``, ``already_canceled``, ``conflict``, ``bad_input``, ...)."""
        document = {"error": {"code": code, "message": message, "type": kind}}
        print(json.dumps(document, ensure_ascii=False), file=sys.stderr)
