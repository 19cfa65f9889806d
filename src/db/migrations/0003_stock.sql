-- 0003_stock.sql: places, the stock ledger, booth sales.
-- Owned by: stk (locations, booth_producers, booth_staff, stock_moves,
-- stock_on_hand, stock_shortfalls, stock_levels, transfers,
-- transfer_lines, stocktakes, stocktake_lines), pos (sales, sale_lines,
-- sale_events, idempotency).

-- Where stock is: a producer's warehouse, a display-and-sales point, a
-- fair and its booths, a marketplace channel.
CREATE TABLE locations (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL
                   CHECK (kind IN ('warehouse', 'point', 'fair', 'booth',
                                   'channel')),
    name           TEXT NOT NULL,
    parent_id      INTEGER REFERENCES locations (id), -- a booth's fair
    producer_id    INTEGER REFERENCES producers (id), -- a warehouse's owner
    venue          TEXT NOT NULL DEFAULT '',
    organiser      TEXT NOT NULL DEFAULT '',
    starts_on      TEXT,
    ends_on        TEXT,
    channel        TEXT,                 -- marketplace, for kind channel
    commission_pct REAL NOT NULL DEFAULT 0
                   CHECK (commission_pct >= 0 AND commission_pct <= 100),
    is_sample      INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;
CREATE INDEX locations_parent ON locations (parent_id);

-- Which producers' goods a booth or point sells (consignment), with an
-- optional commission of its own.
CREATE TABLE booth_producers (
    location_id    INTEGER NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    producer_id    INTEGER NOT NULL REFERENCES producers (id),
    commission_pct REAL CHECK (commission_pct IS NULL OR
                               (commission_pct >= 0 AND commission_pct <= 100)),
    PRIMARY KEY (location_id, producer_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE booth_staff (
    location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (location_id, user_id)
) STRICT, WITHOUT ROWID;

-- The ledger: every movement is an immutable row; qty is signed.
CREATE TABLE stock_moves (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    occurred_at    TEXT NOT NULL,   -- when it happened (an offline sale)
    variant_id     INTEGER NOT NULL REFERENCES variants (id),
    location_id    INTEGER NOT NULL REFERENCES locations (id),
    qty            INTEGER NOT NULL CHECK (qty <> 0),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('receive', 'transfer_out', 'transfer_in',
                                   'sale', 'return', 'void', 'adjust',
                                   'count', 'dispatch')),
    reason         TEXT NOT NULL DEFAULT '',
    ref            TEXT NOT NULL DEFAULT '',   -- sale:12, transfer:3 ...
    unit_price_vnd INTEGER,
    actor          TEXT NOT NULL,
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX stock_moves_place ON stock_moves (location_id, variant_id, id);
CREATE INDEX stock_moves_ref ON stock_moves (ref);

-- On hand per variant and place, kept equal to the ledger's sum in the
-- same transaction as each movement.
CREATE TABLE stock_on_hand (
    variant_id  INTEGER NOT NULL REFERENCES variants (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    qty         INTEGER NOT NULL,
    PRIMARY KEY (variant_id, location_id)
) STRICT, WITHOUT ROWID;

-- A sale made offline may take stock below zero; the gap is recorded and
-- shown to the organiser, never dropped.
CREATE TABLE stock_shortfalls (
    id          INTEGER PRIMARY KEY,
    move_id     INTEGER NOT NULL REFERENCES stock_moves (id),
    variant_id  INTEGER NOT NULL REFERENCES variants (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    qty_short   INTEGER NOT NULL CHECK (qty_short > 0),
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    resolved_at TEXT
) STRICT;
CREATE INDEX stock_shortfalls_move ON stock_shortfalls (move_id);

-- Low-stock warning levels per variant and place.
CREATE TABLE stock_levels (
    variant_id  INTEGER NOT NULL REFERENCES variants (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    min_qty     INTEGER NOT NULL CHECK (min_qty >= 0),
    PRIMARY KEY (variant_id, location_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    from_id     INTEGER NOT NULL REFERENCES locations (id),
    to_id       INTEGER NOT NULL REFERENCES locations (id),
    status      TEXT NOT NULL CHECK (status IN ('sent', 'received')),
    note        TEXT NOT NULL DEFAULT '',
    sent_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    received_at TEXT,
    actor       TEXT NOT NULL
) STRICT;

CREATE TABLE transfer_lines (
    transfer_id  INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    variant_id   INTEGER NOT NULL REFERENCES variants (id),
    qty_sent     INTEGER NOT NULL CHECK (qty_sent > 0),
    qty_received INTEGER CHECK (qty_received IS NULL OR qty_received >= 0),
    PRIMARY KEY (transfer_id, variant_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE stocktakes (
    id          INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    closed_at   TEXT,
    actor       TEXT NOT NULL
) STRICT;

CREATE TABLE stocktake_lines (
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes (id) ON DELETE CASCADE,
    variant_id   INTEGER NOT NULL REFERENCES variants (id),
    expected     INTEGER NOT NULL,
    counted      INTEGER CHECK (counted IS NULL OR counted >= 0),
    PRIMARY KEY (stocktake_id, variant_id)
) STRICT, WITHOUT ROWID;

-- Booth sales. uuid is the client's idempotency key; request_hash the
-- hash of the body it came with.
CREATE TABLE sales (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    request_hash   BLOB NOT NULL,
    booth_id       INTEGER NOT NULL REFERENCES locations (id),
    staff          TEXT NOT NULL,          -- who sold (user or key name)
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    sold_at        TEXT NOT NULL,          -- on the tablet
    received_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    subtotal_vnd   INTEGER NOT NULL,
    discount_vnd   INTEGER NOT NULL DEFAULT 0,
    total_vnd      INTEGER NOT NULL,
    payment_method TEXT NOT NULL
                   CHECK (payment_method IN ('cash', 'vietqr', 'card', 'other')),
    payment        TEXT NOT NULL DEFAULT '{}', -- JSON: tendered, change, ref
    status         TEXT NOT NULL DEFAULT 'completed'
                   CHECK (status IN ('completed', 'voided')),
    receipt_token  TEXT NOT NULL UNIQUE,   -- the e-receipt's link
    is_sample      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sales_booth ON sales (booth_id, sold_at);

CREATE TABLE sale_lines (
    sale_id        INTEGER NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
    variant_id     INTEGER NOT NULL REFERENCES variants (id),
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    qty            INTEGER NOT NULL CHECK (qty > 0),
    unit_price_vnd INTEGER NOT NULL CHECK (unit_price_vnd >= 0),
    discount_vnd   INTEGER NOT NULL DEFAULT 0 CHECK (discount_vnd >= 0),
    total_vnd      INTEGER NOT NULL,
    returned_qty   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sale_id, line_no)
) STRICT, WITHOUT ROWID;

-- Voids and returns, with their reasons.
CREATE TABLE sale_events (
    id       INTEGER PRIMARY KEY,
    sale_id  INTEGER NOT NULL REFERENCES sales (id),
    kind     TEXT NOT NULL CHECK (kind IN ('void', 'return')),
    reason   TEXT NOT NULL,
    lines    TEXT NOT NULL DEFAULT '[]',  -- JSON: [{sku, qty}]
    amount_vnd INTEGER NOT NULL DEFAULT 0,
    at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    actor    TEXT NOT NULL
) STRICT;
