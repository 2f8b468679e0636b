"""The SQL core shared by the SQLite and PostgreSQL adapters.

The rules a SQL store follows exist once, here: how a record maps to its row and back
(:mod:`.rows`), the statements and logic of orders, refund orders, labels, keys, stock
levels, listing and webhook endpoints (:mod:`.records`, :mod:`.stock`, :mod:`.queries`,
:mod:`.webhooks`) and the vocabulary of migrations (:mod:`.migrations`). A statement is
written once, in the SQLite form, and each dialect (:mod:`.dialect`) renders it: its
parameter marks, where its tables live, how it casts JSON and stores times. The dialect
packages keep only what really differs: connections, transactions and error translation,
the schema's DDL, and the statements tuned to one engine (stock locking, outbox claims).
"""
