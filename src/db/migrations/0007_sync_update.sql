-- 0007_sync_update.sql: listings follow content changes too (name,
-- description, size, weight, photos, the category mapping), as 'update'
-- jobs. Owned by: sync.
-- SQLite cannot change a CHECK constraint in place: sync_jobs is rebuilt.
-- The outbox triggers name sync_jobs, so they are dropped first and made
-- again after (a rename checks every trigger in the schema).
DROP TRIGGER sync_listing_created;
DROP TRIGGER sync_listing_wanted;
DROP TRIGGER sync_price_changed;
DROP TRIGGER sync_stock_inserted;
DROP TRIGGER sync_stock_updated;
DROP TRIGGER sync_product_visibility;

CREATE TABLE sync_jobs_next (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES sync_listings (id)
                ON DELETE CASCADE,
    kind        TEXT NOT NULL
                CHECK (kind IN ('create', 'price', 'stock', 'unlist',
                                'relist', 'update')),
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'failed',
                                 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_ms      INTEGER NOT NULL DEFAULT 0,
    queued_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    finished_at TEXT,
    http_status INTEGER,
    error_code  TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO sync_jobs_next SELECT id, listing_id, kind, state, attempts,
    due_ms, queued_at, finished_at, http_status, error_code, message
    FROM sync_jobs;
DROP TABLE sync_jobs;
ALTER TABLE sync_jobs_next RENAME TO sync_jobs;
CREATE UNIQUE INDEX sync_jobs_pending ON sync_jobs (listing_id, kind)
    WHERE state = 'pending';
CREATE INDEX sync_jobs_state ON sync_jobs (state, due_ms);
CREATE INDEX sync_jobs_listing ON sync_jobs (listing_id, id);

-- The outbox triggers of 0006, as they were.
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

-- Content: what a buyer reads and sees on the marketplace.
CREATE TRIGGER sync_product_content AFTER UPDATE OF name, description
ON products
WHEN NEW.name IS NOT OLD.name OR NEW.description IS NOT OLD.description
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'update'
      FROM sync_listings l JOIN variants v ON v.id = l.variant_id
     WHERE v.product_id = NEW.id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'update' AND j.state = 'pending');
END;

CREATE TRIGGER sync_variant_content AFTER UPDATE OF size, weight_g
ON variants
WHEN NEW.size IS NOT OLD.size OR NEW.weight_g IS NOT OLD.weight_g
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'update' FROM sync_listings l
     WHERE l.variant_id = NEW.id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'update' AND j.state = 'pending');
END;

CREATE TRIGGER sync_photo_added AFTER INSERT ON photos
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'update'
      FROM sync_listings l JOIN variants v ON v.id = l.variant_id
     WHERE v.product_id = NEW.product_id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'update' AND j.state = 'pending');
END;

CREATE TRIGGER sync_photo_removed AFTER DELETE ON photos
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'update'
      FROM sync_listings l JOIN variants v ON v.id = l.variant_id
     WHERE v.product_id = OLD.product_id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'update' AND j.state = 'pending');
END;

CREATE TRIGGER sync_photo_moved AFTER UPDATE OF position ON photos
WHEN NEW.position IS NOT OLD.position
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'update'
      FROM sync_listings l JOIN variants v ON v.id = l.variant_id
     WHERE v.product_id = NEW.product_id
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'update' AND j.state = 'pending');
END;

-- The office changes a mapping: its listings carry the new category and
-- attributes.
CREATE TRIGGER sync_mapping_changed AFTER UPDATE ON sync_categories
WHEN NEW.category_id IS NOT OLD.category_id
  OR NEW.attributes IS NOT OLD.attributes
BEGIN
    INSERT INTO sync_jobs (listing_id, kind)
    SELECT l.id, 'update'
      FROM sync_listings l JOIN sync_shops s ON s.id = l.shop_id
      JOIN variants v ON v.id = l.variant_id
      JOIN products p ON p.id = v.product_id
     WHERE s.market = NEW.market AND p.group_code = NEW.group_code
       AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.listing_id = l.id
                       AND j.kind = 'update' AND j.state = 'pending');
END;
