"""Shipped for users' own test suites.

- :mod:`order_cancellation.testing.contracts`: the contract suites every adapter of a port
  must pass (needs pytest), one module per subject (``order_contracts``,
  ``stock_contracts``, ``outbox_contracts``, ``schema_contracts`` ...), with the sample
  records they share in :mod:`order_cancellation.testing.samples`.
- :mod:`order_cancellation.testing.strategies`: Hypothesis strategies for money, orders,
  returns, reasons and every kind of invalid input (needs hypothesis: install the
  ``testing`` extra).
- :mod:`order_cancellation.testing.klarna_simulator`: a Klarna Order Management server on
  loopback.

Nothing is imported here, so each part pulls in only what it needs.
"""
