-- 0004_pos.sql: the booth POS: where a booth's bank transfers go (VietQR),
-- staff shifts opened with a PIN on a registered device, closing counts.
-- Owned by: pos (the bank_* columns of locations, pos_shifts, pos_counts).
-- users.pin_hash (0002) is written by pos_device.c only.

-- The account a booth's VietQR codes pay into: bank BIN (6 digits),
-- account number, and the holder's name as the bank shows it.
ALTER TABLE locations ADD COLUMN bank_bin TEXT;
ALTER TABLE locations ADD COLUMN bank_account TEXT;
ALTER TABLE locations ADD COLUMN bank_name TEXT;

-- A staff member signed in with a PIN on a device (a booth API key). The
-- token is sent as X-Staff-Token with the device's key; only its hash is
-- stored. Sales queued offline keep the token of who made them, so a
-- shift stays valid for days, not minutes: the device key is the secret,
-- the shift only says who is selling.
CREATE TABLE pos_shifts (
    id          INTEGER PRIMARY KEY,
    token_hash  BLOB NOT NULL UNIQUE,
    api_key_id  INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    booth_id    INTEGER NOT NULL REFERENCES locations (id),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,  -- unix seconds
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX pos_shifts_user ON pos_shifts (user_id);

-- A closing count at a booth: what staff counted against what the books
-- said; each difference is a stock move of kind 'count' with ref count:ID.
CREATE TABLE pos_counts (
    id          INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    actor       TEXT NOT NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL DEFAULT '',
    lines       TEXT NOT NULL DEFAULT '[]' -- [{sku, name, expected, counted}]
) STRICT;
CREATE INDEX pos_counts_place ON pos_counts (location_id, at);
