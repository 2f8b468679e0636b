"""``replace``: how orders and refund orders make their next version.

Each test defines its own record class, so that the copy is checked on a class it has not
seen before as well as on one it has.
"""

from __future__ import annotations

import attrs
import pytest

from order_cancellation.domain.records import replace


def record_class() -> type:
    @attrs.frozen
    class Parcel:
        sku: str
        _weight: int = attrs.field(validator=attrs.validators.ge(0))
        label: str = attrs.field(init=False, default="fragile")

    return Parcel


def test_a_copy_has_the_changes_and_keeps_every_other_field() -> None:
    parcel_class = record_class()
    parcel = parcel_class("MUG", 3)

    copies = [replace(parcel, sku="TEE"), replace(parcel, sku="TEE")]  # first and later copies

    assert copies == [parcel_class("TEE", 3), parcel_class("TEE", 3)]
    assert parcel == parcel_class("MUG", 3)


def test_a_private_field_is_changed_by_its_argument_name() -> None:
    parcel_class = record_class()

    copy = replace(parcel_class("MUG", 3), weight=5)

    assert copy == parcel_class("MUG", 5)


def test_a_copy_runs_the_record_s_validators() -> None:
    parcel = record_class()("MUG", 3)

    with pytest.raises(ValueError, match="weight"):
        replace(parcel, weight=-1)
