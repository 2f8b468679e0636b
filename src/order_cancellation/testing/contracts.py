"""Contract suites: what every adapter of the storage ports must do.

Subclass a suite in a test module (the name must start with ``Test``) and provide a
``backend`` fixture that yields a fresh, empty store::

    from order_cancellation.testing.contracts import BackendContract

    class TestMyBackend(BackendContract):
        @pytest.fixture
        def backend(self):
            store = MyBackend(...)
            yield store
            store.close()

:class:`BackendContract` gathers the suites that need nothing but ``backend``, one module
per subject: records (:mod:`.order_contracts`), stock (:mod:`.stock_contracts`), the
outbox (:mod:`.outbox_contracts`), real orders (:mod:`.record_contracts`), listing
(:mod:`.listing_contracts`) and webhook endpoints (:mod:`.webhook_contracts`). Two more
need a fixture of their own: :class:`~.outbox_contracts.OutboxFailuresContract`
(``damage_event``) and :class:`~.schema_contracts.SchemaContract`
(``open_after_newer_release``).

The library runs these same suites against its in-memory, SQLite and PostgreSQL backends.
"""

from __future__ import annotations

import pytest

from order_cancellation.ports.backend import Backend
from order_cancellation.testing.listing_contracts import ListingContract
from order_cancellation.testing.order_contracts import OrderRecordsContract
from order_cancellation.testing.outbox_contracts import OutboxContract, OutboxFailuresContract
from order_cancellation.testing.record_contracts import RealOrderRecordsContract
from order_cancellation.testing.samples import (
    OTHER_SHOP,
    SHOP,
    T0,
    sample_message,
    sample_order,
    sample_refund,
    sample_refund_decision_order,
)
from order_cancellation.testing.schema_contracts import SchemaContract
from order_cancellation.testing.stock_contracts import StockLedgerContract
from order_cancellation.testing.token_contracts import ApiTokensContract
from order_cancellation.testing.webhook_contracts import WebhookEndpointsContract


class BackendContract(
    OrderRecordsContract,
    StockLedgerContract,
    OutboxContract,
    RealOrderRecordsContract,
    ListingContract,
    WebhookEndpointsContract,
    ApiTokensContract,
):
    """Provide ``backend``; every test of the suites above runs against it."""

    @pytest.fixture
    def backend(self) -> Backend:
        raise NotImplementedError("provide a 'backend' fixture yielding a fresh, empty store")


__all__ = [
    "OTHER_SHOP",
    "SHOP",
    "T0",
    "ApiTokensContract",
    "BackendContract",
    "ListingContract",
    "OrderRecordsContract",
    "OutboxContract",
    "OutboxFailuresContract",
    "RealOrderRecordsContract",
    "SchemaContract",
    "StockLedgerContract",
    "WebhookEndpointsContract",
    "sample_message",
    "sample_order",
    "sample_refund",
    "sample_refund_decision_order",
]
