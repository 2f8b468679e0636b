"""Identifiers: payment keys are exactly ``uuid.uuid5`` of the intent, so a retry, another
process or another version of the library sends the provider the same key; record ids are
a prefix and 128 random bits."""

from __future__ import annotations

import re
import uuid

from hypothesis import given
from hypothesis import strategies as st

from order_cancellation.application.effects import KEY_NAMESPACE, settlement_key
from order_cancellation.application.ids import new_id, uuid5_text


@given(namespace=st.uuids(), name=st.text())
def test_a_name_based_key_is_exactly_uuid5(namespace: uuid.UUID, name: str) -> None:
    assert uuid5_text(namespace, name) == str(uuid.uuid5(namespace, name))


def test_a_known_name_gives_the_rfc_4122_key() -> None:
    # The example of RFC 4122 / Python's documentation: uuid5(NAMESPACE_DNS, "python.org").
    assert uuid5_text(uuid.NAMESPACE_DNS, "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d"


def test_a_refund_orders_settlement_key_is_the_same_on_every_retry_and_unique_per_shop() -> None:
    key = settlement_key("acme", "ref_1")

    assert key == str(uuid.uuid5(KEY_NAMESPACE, "acme\x1fref_1\x1fsettle"))
    assert settlement_key("acme", "ref_1") == key
    assert settlement_key("globex", "ref_1") != key
    assert settlement_key("acme", "ref_2") != key


def test_a_new_id_is_its_prefix_and_32_random_hex_digits() -> None:
    ids = {new_id("ord") for _ in range(100)}

    assert len(ids) == 100
    assert all(re.fullmatch(r"ord_[0-9a-f]{32}", id_) for id_ in ids)
