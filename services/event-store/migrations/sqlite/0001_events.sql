-- The event log. `position` is the global order: assigned by the single
-- writer as max+1 inside a BEGIN IMMEDIATE transaction, so it is dense and in
-- commit order. Event ids are unique: idempotency is durable.
CREATE TABLE IF NOT EXISTS es_events (
    position       INTEGER PRIMARY KEY,
    stream         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    event_id       BLOB    NOT NULL UNIQUE,
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        BLOB    NOT NULL,
    metadata       BLOB    NOT NULL,
    recorded_at    INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    UNIQUE (stream, version)
);
