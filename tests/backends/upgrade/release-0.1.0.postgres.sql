--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: release_0_1_0; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA release_0_1_0;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: idempotency_keys; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.idempotency_keys (
    shop text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    result_id text NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: orders; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.orders (
    shop text NOT NULL,
    id text NOT NULL,
    seq bigint NOT NULL,
    state text NOT NULL,
    status text NOT NULL,
    version integer NOT NULL,
    placed_at timestamp with time zone NOT NULL,
    currency text NOT NULL,
    data jsonb NOT NULL
);


--
-- Name: orders_seq_seq; Type: SEQUENCE; Schema: release_0_1_0; Owner: -
--

ALTER TABLE release_0_1_0.orders ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME release_0_1_0.orders_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: outbox; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.outbox (
    shop text NOT NULL,
    id text NOT NULL,
    seq bigint NOT NULL,
    handler text NOT NULL,
    refund_order_id text,
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    available_at timestamp with time zone NOT NULL,
    lease_until timestamp with time zone,
    leased_by text,
    first_attempt_at timestamp with time zone,
    last_error text,
    event jsonb NOT NULL
);


--
-- Name: outbox_seq_seq; Type: SEQUENCE; Schema: release_0_1_0; Owner: -
--

ALTER TABLE release_0_1_0.outbox ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME release_0_1_0.outbox_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: refund_orders; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.refund_orders (
    shop text NOT NULL,
    id text NOT NULL,
    seq bigint NOT NULL,
    order_id text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    version integer NOT NULL,
    payment_status text NOT NULL,
    stock_status text NOT NULL,
    data jsonb NOT NULL
);


--
-- Name: refund_orders_seq_seq; Type: SEQUENCE; Schema: release_0_1_0; Owner: -
--

ALTER TABLE release_0_1_0.refund_orders ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME release_0_1_0.refund_orders_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_migrations; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: status_labels; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.status_labels (
    shop text NOT NULL,
    label text NOT NULL,
    seq bigint NOT NULL,
    means text NOT NULL
);


--
-- Name: status_labels_seq_seq; Type: SEQUENCE; Schema: release_0_1_0; Owner: -
--

ALTER TABLE release_0_1_0.status_labels ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME release_0_1_0.status_labels_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: stock_levels; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.stock_levels (
    shop text NOT NULL,
    sku text NOT NULL,
    level bigint NOT NULL
);


--
-- Name: stock_movements; Type: TABLE; Schema: release_0_1_0; Owner: -
--

CREATE TABLE release_0_1_0.stock_movements (
    shop text NOT NULL,
    order_id text NOT NULL,
    line_id text NOT NULL,
    kind text NOT NULL,
    reference text NOT NULL,
    sku text NOT NULL,
    delta bigint NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--



--
-- Data for Name: orders; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.orders OVERRIDING SYSTEM VALUE VALUES ('acme', 'open-1', 1, 'open', 'Open', 1, '2026-11-02 10:00:00+00', 'EUR', '{"id": "open-1", "shop": "acme", "lines": [{"id": "L1", "sku": "SHIRT", "quantity": 1, "returned": 0, "fulfilled": 0, "unit_price": {"minor": 1990, "currency": "EUR"}}], "state": "open", "status": "Open", "payment": {"provider": "paypal", "reference": "PAY-OPEN", "auto_capture": false, "authorization_expires_at": null}, "version": 1, "currency": "EUR", "placed_at": "2026-11-02T10:00:00+00:00", "cancellation": null}');
INSERT INTO release_0_1_0.orders OVERRIDING SYSTEM VALUE VALUES ('acme', 'shipped-1', 4, 'fulfilled', 'Fulfilled', 2, '2026-11-02 10:00:00+00', 'EUR', '{"id": "shipped-1", "shop": "acme", "lines": [{"id": "L1", "sku": "SHIRT", "quantity": 1, "returned": 0, "fulfilled": 1, "unit_price": {"minor": 1990, "currency": "EUR"}}], "state": "fulfilled", "status": "Fulfilled", "payment": null, "version": 2, "currency": "EUR", "placed_at": "2026-11-02T10:00:00+00:00", "cancellation": null}');
INSERT INTO release_0_1_0.orders OVERRIDING SYSTEM VALUE VALUES ('acme', 'canceled-1', 2, 'canceled', 'Canceled - out of stock', 2, '2026-11-02 10:00:00+00', 'EUR', '{"id": "canceled-1", "shop": "acme", "lines": [{"id": "L1", "sku": "SHIRT", "quantity": 2, "returned": 0, "fulfilled": 0, "unit_price": {"minor": 1990, "currency": "EUR"}}, {"id": "L2", "sku": "MUG", "quantity": 1, "returned": 0, "fulfilled": 0, "unit_price": {"minor": 950, "currency": "EUR"}}], "state": "canceled", "status": "Canceled - out of stock", "payment": {"provider": "paypal", "reference": "PAY-CANCEL", "auto_capture": false, "authorization_expires_at": null}, "version": 2, "currency": "EUR", "placed_at": "2026-11-02T10:00:00+00:00", "cancellation": {"at": "2026-11-03T09:00:00+00:00", "actor": null, "reason": "no stock", "status": "Canceled - out of stock", "reason_code": null, "refund_order_id": "ref_d168df39e28b28899317672bc69cf069"}}');
INSERT INTO release_0_1_0.orders OVERRIDING SYSTEM VALUE VALUES ('acme', 'returned-1', 3, 'fulfilled', 'Fulfilled', 3, '2026-11-02 10:00:00+00', 'EUR', '{"id": "returned-1", "shop": "acme", "lines": [{"id": "L1", "sku": "MUG", "quantity": 3, "returned": 2, "fulfilled": 3, "unit_price": {"minor": 950, "currency": "EUR"}}], "state": "fulfilled", "status": "Fulfilled", "payment": null, "version": 3, "currency": "EUR", "placed_at": "2026-11-02T10:00:00+00:00", "cancellation": null}');


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.outbox OVERRIDING SYSTEM VALUE VALUES ('acme', 'msg_620235a166949244fe07e4fe3a687d03', 4, 'settle_payment', 'ref_0dd1b8d4f5b29caade8e185732f695a4', 'done', 0, '2026-11-03 09:00:00+00', '2026-11-03 09:00:00+00', NULL, 'relay-c0a6ca789125', '2026-11-03 09:00:00+00', NULL, '{"data": {"shop": "acme", "lines": [{"sku": "MUG", "line_id": "L1", "quantity": 2, "unit_price": {"minor": 950, "currency": "EUR"}}], "amount": {"minor": 1900, "currency": "EUR"}, "reason": "chipped", "payment": null, "restock": true, "order_id": "returned-1", "occurred_at": "2026-11-03T09:00:00+00:00", "order_state": "fulfilled", "refund_order_id": "ref_0dd1b8d4f5b29caade8e185732f695a4"}, "type": "ReturnCreated"}');
INSERT INTO release_0_1_0.outbox OVERRIDING SYSTEM VALUE VALUES ('acme', 'msg_7ffc6b6fe86ca0bc1a619a76bb39b908', 1, 'restock', 'ref_d168df39e28b28899317672bc69cf069', 'done', 0, '2026-11-03 09:00:00+00', '2026-11-03 09:00:00+00', NULL, 'relay-c0a6ca789125', '2026-11-03 09:00:00+00', NULL, '{"data": {"shop": "acme", "actor": null, "lines": [{"sku": "SHIRT", "line_id": "L1", "quantity": 2, "unit_price": {"minor": 1990, "currency": "EUR"}}, {"sku": "MUG", "line_id": "L2", "quantity": 1, "unit_price": {"minor": 950, "currency": "EUR"}}], "amount": {"minor": 4930, "currency": "EUR"}, "reason": "no stock", "status": "Canceled - out of stock", "payment": {"provider": "paypal", "reference": "PAY-CANCEL", "auto_capture": false, "authorization_expires_at": null}, "restock": true, "order_id": "canceled-1", "occurred_at": "2026-11-03T09:00:00+00:00", "reason_code": null, "refund_order_id": "ref_d168df39e28b28899317672bc69cf069"}, "type": "OrderCanceled"}');
INSERT INTO release_0_1_0.outbox OVERRIDING SYSTEM VALUE VALUES ('acme', 'msg_116ebaab47e3ab1f7b25b041bec27112', 2, 'settle_payment', 'ref_d168df39e28b28899317672bc69cf069', 'done', 0, '2026-11-03 09:00:00+00', '2026-11-03 09:00:00+00', NULL, 'relay-c0a6ca789125', '2026-11-03 09:00:00+00', NULL, '{"data": {"shop": "acme", "actor": null, "lines": [{"sku": "SHIRT", "line_id": "L1", "quantity": 2, "unit_price": {"minor": 1990, "currency": "EUR"}}, {"sku": "MUG", "line_id": "L2", "quantity": 1, "unit_price": {"minor": 950, "currency": "EUR"}}], "amount": {"minor": 4930, "currency": "EUR"}, "reason": "no stock", "status": "Canceled - out of stock", "payment": {"provider": "paypal", "reference": "PAY-CANCEL", "auto_capture": false, "authorization_expires_at": null}, "restock": true, "order_id": "canceled-1", "occurred_at": "2026-11-03T09:00:00+00:00", "reason_code": null, "refund_order_id": "ref_d168df39e28b28899317672bc69cf069"}, "type": "OrderCanceled"}');
INSERT INTO release_0_1_0.outbox OVERRIDING SYSTEM VALUE VALUES ('acme', 'msg_9a38787cb4836ca1a11a27cf54833f95', 3, 'restock', 'ref_0dd1b8d4f5b29caade8e185732f695a4', 'done', 0, '2026-11-03 09:00:00+00', '2026-11-03 09:00:00+00', NULL, 'relay-c0a6ca789125', '2026-11-03 09:00:00+00', NULL, '{"data": {"shop": "acme", "lines": [{"sku": "MUG", "line_id": "L1", "quantity": 2, "unit_price": {"minor": 950, "currency": "EUR"}}], "amount": {"minor": 1900, "currency": "EUR"}, "reason": "chipped", "payment": null, "restock": true, "order_id": "returned-1", "occurred_at": "2026-11-03T09:00:00+00:00", "order_state": "fulfilled", "refund_order_id": "ref_0dd1b8d4f5b29caade8e185732f695a4"}, "type": "ReturnCreated"}');


--
-- Data for Name: refund_orders; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.refund_orders OVERRIDING SYSTEM VALUE VALUES ('acme', 'ref_d168df39e28b28899317672bc69cf069', 1, 'canceled-1', '2026-11-03 09:00:00+00', 3, 'manual_refund_required', 'done', '{"id": "ref_d168df39e28b28899317672bc69cf069", "kind": "cancellation", "shop": "acme", "lines": [{"sku": "SHIRT", "line_id": "L1", "quantity": 2, "unit_price": {"minor": 1990, "currency": "EUR"}}, {"sku": "MUG", "line_id": "L2", "quantity": 1, "unit_price": {"minor": 950, "currency": "EUR"}}], "amount": {"minor": 4930, "currency": "EUR"}, "reason": "no stock", "restock": true, "version": 3, "order_id": "canceled-1", "refunded": {"minor": 0, "currency": "EUR"}, "released": {"minor": 0, "currency": "EUR"}, "created_at": "2026-11-03T09:00:00+00:00", "last_error": null, "reason_code": null, "stock_status": "done", "manual_amount": {"minor": 4930, "currency": "EUR"}, "payment_detail": "paypal is not connected: refund 49.30 EUR to the customer in paypal''s own tools (payment PAY-CANCEL), then mark it done.", "payment_status": "manual_refund_required", "payment_attempts": 1, "manual_refund_note": null, "provider_reference": null}');
INSERT INTO release_0_1_0.refund_orders OVERRIDING SYSTEM VALUE VALUES ('acme', 'ref_0dd1b8d4f5b29caade8e185732f695a4', 2, 'returned-1', '2026-11-03 09:00:00+00', 3, 'not_required', 'done', '{"id": "ref_0dd1b8d4f5b29caade8e185732f695a4", "kind": "return", "shop": "acme", "lines": [{"sku": "MUG", "line_id": "L1", "quantity": 2, "unit_price": {"minor": 950, "currency": "EUR"}}], "amount": {"minor": 1900, "currency": "EUR"}, "reason": "chipped", "restock": true, "version": 3, "order_id": "returned-1", "refunded": {"minor": 0, "currency": "EUR"}, "released": {"minor": 0, "currency": "EUR"}, "created_at": "2026-11-03T09:00:00+00:00", "last_error": null, "reason_code": null, "stock_status": "done", "manual_amount": {"minor": 0, "currency": "EUR"}, "payment_detail": "nothing was paid", "payment_status": "not_required", "payment_attempts": 1, "manual_refund_note": null, "provider_reference": null}');


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.schema_migrations VALUES (1, 'orders, refund orders, labels, idempotency keys, outbox, stock', '2026-12-03 17:03:32.122759+00');


--
-- Data for Name: status_labels; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.status_labels OVERRIDING SYSTEM VALUE VALUES ('acme', 'Canceled - out of stock', 1, 'canceled');


--
-- Data for Name: stock_levels; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.stock_levels VALUES ('acme', 'SHIRT', 8);
INSERT INTO release_0_1_0.stock_levels VALUES ('acme', 'MUG', 4);


--
-- Data for Name: stock_movements; Type: TABLE DATA; Schema: release_0_1_0; Owner: -
--

INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'open-1', 'L1', 'sale', '', 'SHIRT', -1, '2026-12-03 17:03:32.332864+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'canceled-1', 'L1', 'sale', '', 'SHIRT', -2, '2026-12-03 17:03:32.363456+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'canceled-1', 'L2', 'sale', '', 'MUG', -1, '2026-12-03 17:03:32.363456+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'returned-1', 'L1', 'sale', '', 'MUG', -3, '2026-12-03 17:03:32.38306+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'shipped-1', 'L1', 'sale', '', 'SHIRT', -1, '2026-12-03 17:03:32.424828+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'canceled-1', 'L1', 'cancel_restock', '', 'SHIRT', 2, '2026-12-03 17:03:32.470775+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'canceled-1', 'L2', 'cancel_restock', '', 'MUG', 1, '2026-12-03 17:03:32.470775+00');
INSERT INTO release_0_1_0.stock_movements VALUES ('acme', 'returned-1', 'L1', 'return_restock', 'ref_0dd1b8d4f5b29caade8e185732f695a4', 'MUG', 2, '2026-12-03 17:03:32.564922+00');


--
-- Name: orders_seq_seq; Type: SEQUENCE SET; Schema: release_0_1_0; Owner: -
--

SELECT pg_catalog.setval('release_0_1_0.orders_seq_seq', 4, true);


--
-- Name: outbox_seq_seq; Type: SEQUENCE SET; Schema: release_0_1_0; Owner: -
--

SELECT pg_catalog.setval('release_0_1_0.outbox_seq_seq', 4, true);


--
-- Name: refund_orders_seq_seq; Type: SEQUENCE SET; Schema: release_0_1_0; Owner: -
--

SELECT pg_catalog.setval('release_0_1_0.refund_orders_seq_seq', 2, true);


--
-- Name: status_labels_seq_seq; Type: SEQUENCE SET; Schema: release_0_1_0; Owner: -
--

SELECT pg_catalog.setval('release_0_1_0.status_labels_seq_seq', 1, true);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (shop, key);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (shop, id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (shop, id);


--
-- Name: refund_orders refund_orders_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.refund_orders
    ADD CONSTRAINT refund_orders_pkey PRIMARY KEY (shop, id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: status_labels status_labels_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.status_labels
    ADD CONSTRAINT status_labels_pkey PRIMARY KEY (shop, label);


--
-- Name: stock_levels stock_levels_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.stock_levels
    ADD CONSTRAINT stock_levels_pkey PRIMARY KEY (shop, sku);


--
-- Name: stock_movements stock_movements_pkey; Type: CONSTRAINT; Schema: release_0_1_0; Owner: -
--

ALTER TABLE ONLY release_0_1_0.stock_movements
    ADD CONSTRAINT stock_movements_pkey PRIMARY KEY (shop, order_id, line_id, kind, reference);


--
-- Name: orders_by_placed_at; Type: INDEX; Schema: release_0_1_0; Owner: -
--

CREATE INDEX orders_by_placed_at ON release_0_1_0.orders USING btree (shop, placed_at, seq);


--
-- Name: outbox_by_refund_order; Type: INDEX; Schema: release_0_1_0; Owner: -
--

CREATE INDEX outbox_by_refund_order ON release_0_1_0.outbox USING btree (shop, refund_order_id, seq) WHERE (refund_order_id IS NOT NULL);


--
-- Name: outbox_claim; Type: INDEX; Schema: release_0_1_0; Owner: -
--

CREATE INDEX outbox_claim ON release_0_1_0.outbox USING btree (shop, seq) WHERE (status = 'pending'::text);


--
-- Name: refund_orders_by_created_at; Type: INDEX; Schema: release_0_1_0; Owner: -
--

CREATE INDEX refund_orders_by_created_at ON release_0_1_0.refund_orders USING btree (shop, created_at, seq);


--
-- Name: refund_orders_by_order; Type: INDEX; Schema: release_0_1_0; Owner: -
--

CREATE INDEX refund_orders_by_order ON release_0_1_0.refund_orders USING btree (shop, order_id);


--
-- PostgreSQL database dump complete
--


