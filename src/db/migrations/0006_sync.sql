-- 0006_sync.sql: marketplace shops, category mapping, listings, the
-- outbox of sync jobs, imported orders.
-- Owned by: sync (every table here). The triggers below write the outbox
-- in the same transaction as the change that causes it, whichever module
-- makes the change (ADR 0007).

-- A seller's shop on a marketplace, connected by the producer or office.
-- secrets is a libsodium secretbox (nonce || box) of the JSON
-- {"app_secret","access_token","refresh_token"}; the key lives outside
-- the database (OCOP_SECRET_KEY or var/secret.key).
CREATE TABLE sync_shops (
    id                 INTEGER PRIMARY KEY,
    market             TEXT NOT NULL,
    name               TEXT NOT NULL,
    producer_id        INTEGER NOT NULL REFERENCES producers (id),
    location_id        INTEGER NOT NULL REFERENCES locations (id),
    api_base           TEXT NOT NULL,
    auth_base          TEXT NOT NULL,
    web_base           TEXT NOT NULL,
    app_key            TEXT NOT NULL,
    shop_ref           TEXT NOT NULL DEFAULT '',
    warehouse          TEXT NOT NULL DEFAULT '',
    secrets            BLOB,
    access_expires_at  INTEGER NOT NULL DEFAULT 0,  -- Unix seconds
    refresh_expires_at INTEGER NOT NULL DEFAULT 0,
    state              TEXT NOT NULL DEFAULT 'new'
                       CHECK (state IN ('new', 'active', 'revoked',
                                        'paused')),
    state_message      TEXT NOT NULL DEFAULT '',
    rate_per_s         REAL NOT NULL DEFAULT 0 CHECK (rate_per_s >= 0),
    orders_since       INTEGER NOT NULL DEFAULT 0,  -- imported up to
    auth_nonce         TEXT,
    is_demo            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;
CREATE INDEX sync_shops_location ON sync_shops (location_id);
CREATE INDEX sync_shops_producer ON sync_shops (producer_id);

-- The category and attributes each catalog group maps to, per
-- marketplace, and what that marketplace requires before a listing is
-- sent. Seeded from integrations/NAME/categories.json, edited by the
-- office.
CREATE TABLE sync_categories (
    market        TEXT NOT NULL,
    group_code    INTEGER NOT NULL REFERENCES product_groups (code),
    category_id   TEXT NOT NULL DEFAULT '',
    category_name TEXT NOT NULL DEFAULT '',
    attributes    TEXT NOT NULL DEFAULT '{}',  -- JSON: name -> value
    required      TEXT NOT NULL DEFAULT '[]',  -- JSON: field names
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    PRIMARY KEY (market, group_code)
) STRICT, WITHOUT ROWID;

-- Package weight, which every marketplace needs for shipping.
ALTER TABLE variants ADD COLUMN weight_g INTEGER
    CHECK (weight_g IS NULL OR weight_g > 0);

-- One variant on one shop.
CREATE TABLE sync_listings (
    id           INTEGER PRIMARY KEY,
    shop_id      INTEGER NOT NULL REFERENCES sync_shops (id) ON DELETE CASCADE,
    variant_id   INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    wanted       INTEGER NOT NULL DEFAULT 1,  -- 0: the producer unlisted it
    ext_item_id  TEXT NOT NULL DEFAULT '',
    ext_sku_id   TEXT NOT NULL DEFAULT '',
    images       TEXT NOT NULL DEFAULT '{}',  -- JSON: photo id -> marketplace ref
    create_sent  INTEGER NOT NULL DEFAULT 0,  -- a create went out unanswered
    status       TEXT NOT NULL DEFAULT 'waiting'
                 CHECK (status IN ('waiting', 'synced', 'failed',
                                   'unlisted')),
    message      TEXT NOT NULL DEFAULT '',    -- why it failed, marketplace words
    sent_price   INTEGER,                      -- what the marketplace holds
    sent_stock   INTEGER,
    synced_at    TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    UNIQUE (shop_id, variant_id)
) STRICT;
CREATE INDEX sync_listings_variant ON sync_listings (variant_id);

-- The outbox. At most one pending job per listing and kind: a newer
-- change finds the pending job and is carried by it, because a job sends
-- the catalog's value at the time it runs, not at the time it was queued.
CREATE TABLE sync_jobs (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES sync_listings (id)
                ON DELETE CASCADE,
    kind        TEXT NOT NULL
                CHECK (kind IN ('create', 'price', 'stock', 'unlist',
                                'relist')),
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'failed',
                                 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_ms      INTEGER NOT NULL DEFAULT 0,   -- Unix ms; 0 = now
    queued_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    finished_at TEXT,
    http_status INTEGER,
    error_code  TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX sync_jobs_pending ON sync_jobs (listing_id, kind)
    WHERE state = 'pending';
CREATE INDEX sync_jobs_state ON sync_jobs (state, due_ms);
CREATE INDEX sync_jobs_listing ON sync_jobs (listing_id, id);

-- Orders brought back from the marketplaces, each applied once.
CREATE TABLE sync_orders (
    shop_id     INTEGER NOT NULL REFERENCES sync_shops (id) ON DELETE CASCADE,
    ext_id      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT '',
    cancelled   INTEGER NOT NULL DEFAULT 0,
    lines       TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL DEFAULT 0,   -- on the marketplace
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    PRIMARY KEY (shop_id, ext_id)
) STRICT, WITHOUT ROWID;

-- The outbox triggers. "OR IGNORE" would not do here: the conflict
-- clause of the statement that fires a trigger overrides the trigger's
-- own, so each insert says itself when a pending job already exists.
CREATE TRIGGER sync_listing_created AFTER INSERT ON sync_listings
BEGIN
    INSERT INTO sync_jobs (listing_id, kind) VALUES (NEW.id, 'create');
END;

CREATE TRIGGER sync_listing_wanted AFTER UPDATE OF wanted ON sync_listings
WHEN NEW.wanted <> OLD.wanted
 AND NOT EXISTS (SELECT 1 FROM sync_jobs WHERE listing_id = NEW.id
                 AND kind = CASE NEW.wanted WHEN 0 THEN 'unlist' ELSE 'relist' END
                 AND state = 'pending')
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    VALUES (NEW.id, CASE NEW.wanted WHEN 0 THEN 'unlist' ELSE 'relist' END);
END;

CREATE TRIGGER sync_price_changed AFTER UPDATE OF price_vnd ON variants
WHEN NEW.price_vnd IS NOT OLD.price_vnd
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'price' FROM sync_listings l
     WHERE l.variant_id = NEW.id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'price' AND j.state = 'pending');
END;

CREATE TRIGGER sync_stock_inserted AFTER INSERT ON stock_on_hand
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'stock'
      FROM sync_listings l JOIN sync_shops s ON s.id = l.shop_id
     WHERE l.variant_id = NEW.variant_id AND s.location_id = NEW.location_id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'stock' AND j.state = 'pending');
END;

CREATE TRIGGER sync_stock_updated AFTER UPDATE OF qty ON stock_on_hand
WHEN NEW.qty IS NOT OLD.qty
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'stock'
      FROM sync_listings l JOIN sync_shops s ON s.id = l.shop_id
     WHERE l.variant_id = NEW.variant_id AND s.location_id = NEW.location_id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'stock' AND j.state = 'pending');
END;

-- A product hidden by the office or withdrawn comes off every shop; shown
-- again, it goes back on (the worker sends whichever the catalog wants
-- when the job runs).
CREATE TRIGGER sync_product_visibility
AFTER UPDATE OF hidden_at, status ON products
WHEN (NEW.hidden_at IS NULL) <> (OLD.hidden_at IS NULL)
  OR (NEW.status = 'certified') <> (OLD.status = 'certified')
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'unlist'
      FROM sync_listings l JOIN variants v ON v.id = l.variant_id
     WHERE v.product_id = NEW.id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind IN ('unlist', 'relist')
                       AND j.state = 'pending');
END;
