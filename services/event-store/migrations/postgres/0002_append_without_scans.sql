-- es_append_batch again, with two changes:
--
-- 1. Sequential scans are off inside it. Its statements run from plans that
--    each connection caches; a plan made while the table was small picked a
--    sequential scan for the event-id probe and kept it while the table grew,
--    until the next ANALYZE, so every append read the whole table (measured:
--    1 ms per append at 8,000 events, growing linearly). Every statement here
--    has an index path.
-- 2. Its one-request fast path is gone: a lone request is now written by one
--    INSERT statement from the adapter (postgres.rs, FAST_APPEND), which falls
--    back to this function whenever it cannot decide alone.
--
-- Contract unchanged (see 0001).
CREATE OR REPLACE FUNCTION es_append_batch(
    p_streams  text[],
    p_expected bigint[],
    p_req      integer[],
    p_ids      uuid[],
    p_types    text[],
    p_schemas  integer[],
    p_payloads bytea[],
    p_metas    bytea[],
    p_at       timestamptz
) RETURNS TABLE (
    req            integer,
    outcome        integer,
    first_version  bigint,
    last_version   bigint,
    first_position bigint,
    last_position  bigint,
    actual         bigint,
    conflict_id    uuid,
    detail         text
) LANGUAGE plpgsql
  SET enable_seqscan = off
AS $$
DECLARE
    v_head   bigint;
    v_nreq   integer := coalesce(array_length(p_streams, 1), 0);
    v_nev    integer := coalesce(array_length(p_req, 1), 0);
    v_known  boolean;
    v_sn     text[];     -- streams named, and
    v_sv     bigint[];   -- their last versions (NULL: no events), kept current
    v_si     integer;
    v_r      integer;
    v_lo     integer := 1;
    v_hi     integer;
    v_n      integer;
    v_cur    bigint;
    v_exp    bigint;
    v_found  integer;
    v_ok     boolean;
    v_row    es_events%ROWTYPE;
    v_prev   bigint;
    v_bad    uuid;
    k        integer;
    -- accepted requests: their event range, first position, first version, stream
    acc_lo   integer[] := '{}';
    acc_hi   integer[] := '{}';
    acc_pos  bigint[]  := '{}';
    acc_ver  bigint[]  := '{}';
    acc_s    text[]    := '{}';
BEGIN
    -- The one lock every appender in every process takes, held to commit: a
    -- transaction-scoped advisory lock (no row, no WAL; safe behind poolers).
    PERFORM pg_advisory_xact_lock(7596147392418080001);

    -- One probe, in a snapshot taken after the lock: the head, whether any id
    -- was stored before, and each stream's last version (one backward index
    -- step per stream, however long the stream).
    SELECT (SELECT coalesce(max(e.position), 0) FROM es_events e),
           EXISTS (SELECT 1 FROM es_events e WHERE e.event_id = ANY (p_ids)),
           coalesce(array_agg(s.stream), '{}'), coalesce(array_agg(v.last), '{}')
      INTO v_head, v_known, v_sn, v_sv
      FROM (SELECT DISTINCT u AS stream FROM unnest(p_streams) AS u) s
      CROSS JOIN LATERAL (SELECT max(e.version) AS last FROM es_events e
                           WHERE e.stream = s.stream) v;

    FOR v_r IN 1 .. v_nreq LOOP
        -- events of request v_r are p_req[v_lo .. v_hi]
        v_hi := v_lo - 1;
        WHILE v_hi < v_nev AND p_req[v_hi + 1] = v_r LOOP
            v_hi := v_hi + 1;
        END LOOP;
        v_n := v_hi - v_lo + 1;
        req := v_r; first_version := NULL; last_version := NULL; first_position := NULL;
        last_position := NULL; actual := NULL; conflict_id := NULL; detail := NULL;

        v_found := 0;
        IF v_known THEN
            SELECT count(*) INTO v_found FROM es_events e WHERE e.event_id = ANY (p_ids[v_lo:v_hi]);
        END IF;
        IF v_found > 0 THEN
            IF v_found <> v_n THEN
                SELECT i INTO v_bad FROM unnest(p_ids[v_lo:v_hi]) AS i
                  WHERE NOT EXISTS (SELECT 1 FROM es_events e WHERE e.event_id = i) LIMIT 1;
                outcome := 3; conflict_id := v_bad;
                detail := 'only part of this batch was stored before';
            ELSE
                -- all stored: same stream, contiguous, in this order, same content?
                v_ok := true;
                v_prev := NULL;
                FOR k IN v_lo .. v_hi LOOP
                    SELECT * INTO v_row FROM es_events e WHERE e.event_id = p_ids[k];
                    IF v_row.stream <> p_streams[v_r]
                       OR v_row.event_type <> p_types[k]
                       OR v_row.schema_version <> p_schemas[k]
                       OR v_row.payload <> p_payloads[k]
                       OR v_row.metadata <> p_metas[k]
                       OR (v_prev IS NOT NULL AND v_row.version <> v_prev + 1) THEN
                        v_ok := false;
                        v_bad := p_ids[k];
                        EXIT;
                    END IF;
                    IF k = v_lo THEN
                        first_version := v_row.version;
                        first_position := v_row.position;
                    END IF;
                    last_version := v_row.version;
                    last_position := v_row.position;
                    v_prev := v_row.version;
                END LOOP;
                IF v_ok THEN
                    outcome := 1;
                ELSE
                    outcome := 3; conflict_id := v_bad;
                    first_version := NULL; last_version := NULL;
                    first_position := NULL; last_position := NULL;
                    detail := 'stored before with different content or in another place';
                END IF;
            END IF;
        ELSE
            v_si := array_position(v_sn, p_streams[v_r]);
            v_cur := CASE WHEN v_si IS NULL THEN NULL ELSE v_sv[v_si] END;
            v_exp := p_expected[v_r];
            IF (v_exp = -2 AND v_cur IS NOT NULL)
               OR (v_exp = -3 AND v_cur IS NULL)
               OR (v_exp >= 0 AND v_cur IS DISTINCT FROM v_exp) THEN
                outcome := 2; actual := coalesce(v_cur, -1);
            ELSE
                acc_lo := acc_lo || v_lo;
                acc_hi := acc_hi || v_hi;
                acc_pos := acc_pos || (v_head + 1);
                acc_ver := acc_ver || (coalesce(v_cur, -1) + 1);
                acc_s := acc_s || p_streams[v_r];
                outcome := 0;
                first_version := coalesce(v_cur, -1) + 1;
                last_version := coalesce(v_cur, -1) + v_n;
                first_position := v_head + 1;
                last_position := v_head + v_n;
                v_head := v_head + v_n;
                IF v_si IS NULL THEN
                    v_sn := v_sn || p_streams[v_r];
                    v_sv := v_sv || last_version;
                ELSE
                    v_sv[v_si] := last_version;
                END IF;
            END IF;
        END IF;
        RETURN NEXT;
        v_lo := v_hi + 1;
    END LOOP;

    IF array_length(acc_lo, 1) > 0 THEN
        INSERT INTO es_events (position, stream, version, event_id, event_type,
                               schema_version, payload, metadata, recorded_at)
        SELECT a.pos + (g - a.lo), a.st, a.ver + (g - a.lo), p_ids[g], p_types[g],
               p_schemas[g], p_payloads[g], p_metas[g], p_at
          FROM unnest(acc_lo, acc_hi, acc_pos, acc_ver, acc_s) AS a(lo, hi, pos, ver, st)
         CROSS JOIN LATERAL generate_series(a.lo, a.hi) AS g;
    END IF;
END;
$$;
