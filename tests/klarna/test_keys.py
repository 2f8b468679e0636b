"""Idempotency keys are a function of the intent: stable on retry, never shared (P2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from order_cancellation.adapters.klarna import intent_key

INTENTS = st.sampled_from(
    ["cancel_authorization", "refund", "release_remaining", "capture", "extend_authorization"]
)
REQUEST_KEYS = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
INTENT = st.tuples(REQUEST_KEYS, INTENTS, st.integers(0, 50))


@settings(max_examples=300)
@given(INTENT, INTENT)
def test_two_intents_share_a_key_only_if_they_are_the_same_intent(
    one: tuple[str, str, int], other: tuple[str, str, int]
) -> None:
    assert (intent_key(*one) == intent_key(*other)) == (one == other)


@settings(max_examples=100)
@given(INTENT)
def test_a_key_is_a_uuid_and_the_same_every_time(intent: tuple[str, str, int]) -> None:
    key = intent_key(*intent)

    assert uuid.UUID(key).version == 5
    assert intent_key(*intent) == key


def test_every_distinct_intent_of_a_large_grid_gets_a_key_of_its_own(
    reliability: Callable[[str], None],
) -> None:
    # Equal amounts are the trap: two refunds of 10.00 for one order are two intents (told
    # apart by their sequence number) and must never share a key.
    intents = [
        (f"ref_{order:04d}", intent, sequence)
        for order in range(200)
        for intent in ("cancel_authorization", "refund", "release_remaining", "capture")
        for sequence in range(25)
    ]
    keys = [intent_key(*intent) for intent in intents]
    again = [intent_key(*intent) for intent in intents]
    shared = len(keys) - len(set(keys))
    changed_on_retry = sum(first != second for first, second in zip(keys, again, strict=True))
    reliability(
        f"RELIABILITY P2 intents={len(intents)} shared_keys={shared} "
        f"keys_changed_on_retry={changed_on_retry}"
    )
    assert shared == 0
    assert changed_on_retry == 0
