"""Idempotency keys are a function of the intent: stable on retry, never shared (P2)."""

from __future__ import annotations

import uuid

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
