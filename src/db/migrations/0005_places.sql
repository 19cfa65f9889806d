-- 0005_places.sql: what places, transfers, stocktakes and the fair's live
-- view need beyond 0003.
-- Owned by: stk (booth_queue, and the new columns and triggers below).

-- The sync queue a booth's tablet last reported. The server cannot see
-- the tablets' queues; the POS tells it (POST /api/v1/booths/{id}/queue)
-- so the organiser sees which booths hold sales not yet sent.
CREATE TABLE booth_queue (
    location_id INTEGER PRIMARY KEY
                REFERENCES locations (id) ON DELETE CASCADE,
    waiting     INTEGER NOT NULL CHECK (waiting >= 0),
    reported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    reported_by TEXT NOT NULL
) STRICT;

-- The ledger is append-only: a mistake is corrected by another movement,
-- never by editing one. (user_id may still be set to NULL when an account
-- is deleted: that is the foreign key's ON DELETE SET NULL.)
CREATE TRIGGER stock_moves_append_only
BEFORE UPDATE OF id, at, occurred_at, variant_id, location_id, qty, kind,
                 reason, ref, unit_price_vnd, actor ON stock_moves
BEGIN
    SELECT RAISE(ABORT, 'stock_moves is append-only');
END;
CREATE TRIGGER stock_moves_no_delete BEFORE DELETE ON stock_moves
BEGIN
    SELECT RAISE(ABORT, 'stock_moves is append-only');
END;

-- Who received a transfer (the sender is transfers.actor).
ALTER TABLE transfers ADD COLUMN received_by TEXT;
CREATE INDEX transfers_from ON transfers (from_id, id);
CREATE INDEX transfers_to ON transfers (to_id, id);

-- At most one open count sheet per place.
CREATE UNIQUE INDEX stocktakes_open ON stocktakes (location_id)
    WHERE closed_at IS NULL;

-- A shortfall is closed by the organiser with a note, never deleted.
ALTER TABLE stock_shortfalls ADD COLUMN resolved_by TEXT;
ALTER TABLE stock_shortfalls ADD COLUMN resolve_note TEXT;
CREATE INDEX stock_shortfalls_place ON stock_shortfalls (location_id, id);
