-- es_append_batch's statements run from plans that each connection caches. A
-- plan made while the table was small picked a sequential scan for the
-- event-id probe and kept it while the table grew, until the next ANALYZE,
-- so every append read the whole table (measured: 1 ms per append at 8,000
-- events, growing linearly). Every statement of the function has an index
-- path, so sequential scans are switched off inside it.
--
-- (A lone request is now first tried as one INSERT statement from the
-- adapter, postgres.rs FAST_APPEND; the function decides whatever that
-- statement leaves, and every group of requests.)
ALTER FUNCTION es_append_batch(text[], bigint[], integer[], uuid[], text[], integer[], bytea[], bytea[], timestamptz)
    SET enable_seqscan = off;
