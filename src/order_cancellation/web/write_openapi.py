"""Write the API's OpenAPI document: ``python -m order_cancellation.web.write_openapi PATH``
(the repository keeps it as ``docs/openapi.json``; a test fails when it is stale)."""

from __future__ import annotations

import sys

from order_cancellation.web.api.openapi import text
from order_cancellation.web.api.routes import OPERATIONS

if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write(text(OPERATIONS))
