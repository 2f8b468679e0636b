"""Identifiers: random ids for new records, and name-based UUIDs for payment keys.

Both are on the path of every command and effect, so they avoid :class:`uuid.UUID`, whose
constructor and formatting cost several times the random bytes or the hash themselves.
The values are the same as before: 32 random hex digits, and exactly ``uuid.uuid5``'s text.
"""

from __future__ import annotations

import hashlib
import os
import uuid


def new_id(prefix: str) -> str:
    """``prefix_`` and 128 random bits in hex (as ``uuid4().hex``, without its fixed bits)."""
    return f"{prefix}_{os.urandom(16).hex()}"


def uuid5_text(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))``, computed without building a UUID object."""
    digest = bytearray(hashlib.sha1(namespace.bytes + name.encode()).digest()[:16])  # noqa: S324 - RFC 4122 version 5 is defined on SHA-1
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
