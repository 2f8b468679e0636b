"""Signed webhooks (Standard Webhooks): an EventPublisher that POSTs a shop's events to its
endpoints. Needs the ``webhooks`` extra (``standardwebhooks``, ``httpx``)."""

from order_cancellation.adapters.webhooks.publisher import (
    WebhookDeliveryFailed,
    WebhookPublisher,
    payload,
)

__all__ = ["WebhookDeliveryFailed", "WebhookPublisher", "payload"]
