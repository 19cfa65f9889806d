-- 0001_init.sql: the catalog, certificates and search index.
-- Owned by: catalog (groups, producers, products, variants, photos),
-- cert (certificates), srch (product_fts), db (meta).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('catalog_version', '1');

CREATE TABLE product_groups (
    code           INTEGER PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    name_vi        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_vi TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE producers (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL
                       CHECK (kind IN ('company', 'cooperative', 'household')),
    address            TEXT,
    province           TEXT,
    province_slug      TEXT,
    province_as_stated TEXT,
    commune            TEXT,
    commune_slug       TEXT,
    representative     TEXT,
    phone              TEXT,
    email              TEXT,
    website            TEXT,
    source             TEXT,
    is_sample          INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;
CREATE INDEX producers_province ON producers (province_slug, commune_slug);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    name_key     BLOB NOT NULL,          -- Vietnamese collation key (srch)
    producer_id  INTEGER NOT NULL REFERENCES producers (id),
    group_code   INTEGER NOT NULL REFERENCES product_groups (code),
    status       TEXT NOT NULL
                 CHECK (status IN ('registered', 'certified', 'withdrawn')),
    target_stars INTEGER,
    description  TEXT NOT NULL DEFAULT '',
    source       TEXT,
    note         TEXT,
    price_vnd    INTEGER,                -- lowest variant price, kept by catalog
    is_sample    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;
CREATE INDEX products_producer ON products (producer_id);
CREATE INDEX products_group ON products (group_code, name_key);
CREATE INDEX products_name ON products (name_key);
CREATE INDEX products_created ON products (created_at, id);

CREATE TABLE variants (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    sku        TEXT NOT NULL UNIQUE,
    size       TEXT NOT NULL DEFAULT '',
    unit       TEXT NOT NULL DEFAULT '',
    price_vnd  INTEGER CHECK (price_vnd IS NULL OR price_vnd >= 0),
    barcode    TEXT,
    is_sample  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE photos (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    file       TEXT NOT NULL,
    alt_vi     TEXT NOT NULL DEFAULT '',
    alt_en     TEXT NOT NULL DEFAULT '',
    is_sample  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX photos_product ON photos (product_id, position);

-- Certificates are records, not flags: history is append-only, and the
-- public status (active / expired / revoked) is computed against today.
CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    number        TEXT NOT NULL,
    stars         INTEGER NOT NULL CHECK (stars BETWEEN 3 AND 5),
    score         REAL,
    level         TEXT NOT NULL
                  CHECK (level IN ('national', 'province', 'district')),
    issuer        TEXT NOT NULL DEFAULT '',
    legal_basis   TEXT NOT NULL DEFAULT '',
    issued_on     TEXT NOT NULL,          -- YYYY-MM-DD
    expires_on    TEXT NOT NULL,          -- issued_on + 36 months
    revoked_on    TEXT,
    revoke_reason TEXT,
    superseded_by INTEGER REFERENCES certificates (id),
    is_sample     INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;
CREATE INDEX certificates_product ON certificates (product_id, issued_on);
CREATE UNIQUE INDEX certificates_current
    ON certificates (product_id) WHERE superseded_by IS NULL;

-- Folded (accent- and case-insensitive) copies of the searchable text;
-- rowid = products.id. Written only by srch.
CREATE VIRTUAL TABLE product_fts USING fts5 (
    name, description, producer,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);
