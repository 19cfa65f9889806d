-- 0002_accounts.sql: accounts, sessions, API keys, the audit log, product
-- history, evaluations and the OCOP cycle of candidates.
-- Owned by: auth (users, user_producers, sessions, api_keys,
-- password_resets, login_attempts), audit (audit_log), catalog
-- (product_revisions, product_cycle, new producer and photo columns),
-- cert (evaluations, new certificate columns).

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name        TEXT NOT NULL DEFAULT '',
    role                TEXT NOT NULL
                        CHECK (role IN ('admin', 'producer', 'booth')),
    password_hash       TEXT NOT NULL,
    pin_hash            TEXT,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    password_changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;

CREATE TABLE user_producers (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    producer_id INTEGER NOT NULL REFERENCES producers (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, producer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_producers_producer ON user_producers (producer_id);

-- Session tokens and API keys are stored only as hashes.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,  -- unix seconds
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,  -- absolute expiry
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,        -- first characters, to recognise a key
    key_hash     BLOB NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'producer', 'booth')),
    producer_id  INTEGER REFERENCES producers (id) ON DELETE CASCADE,
    booth_id     INTEGER,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    ip       TEXT NOT NULL,
    at       INTEGER NOT NULL,
    ok       INTEGER NOT NULL
) STRICT;
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- Every change by anyone: who, when, what, before and after (JSON).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor      TEXT NOT NULL,          -- username or "apikey:NAME" or "cli"
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER,
    summary    TEXT NOT NULL DEFAULT '',
    before     TEXT,
    after      TEXT,
    ip         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_at ON audit_log (at);

-- A product's editable state before and after each change, for undo.
CREATE TABLE product_revisions (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor       TEXT NOT NULL,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL,
    undo_of     INTEGER REFERENCES product_revisions (id),
    undone_by   INTEGER REFERENCES product_revisions (id)
) STRICT;
CREATE INDEX product_revisions_product ON product_revisions (product_id, id);

-- Hidden by the programme office: not public, whatever its certificate.
ALTER TABLE products ADD COLUMN hidden_at TEXT;
ALTER TABLE products ADD COLUMN hidden_reason TEXT;
-- The OCOP cycle step (1..6) of a candidate.
ALTER TABLE products ADD COLUMN cycle_step INTEGER;

CREATE TABLE product_cycle (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    step       INTEGER NOT NULL CHECK (step BETWEEN 1 AND 6),
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')),
    actor      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX product_cycle_product ON product_cycle (product_id, id);

ALTER TABLE producers ADD COLUMN tax_code TEXT;

-- Uploaded photos: processed sizes live under var/media/, the original
-- under var/originals/ (never served).
ALTER TABLE photos ADD COLUMN kind TEXT NOT NULL DEFAULT 'file';
ALTER TABLE photos ADD COLUMN width INTEGER NOT NULL DEFAULT 800;
ALTER TABLE photos ADD COLUMN height INTEGER NOT NULL DEFAULT 600;

CREATE TABLE evaluations (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    score         REAL NOT NULL CHECK (score >= 0 AND score <= 100),
    part_a        REAL,
    part_b        REAL,
    part_c        REAL,
    stars         INTEGER NOT NULL,   -- 0 when below 50: no certificate
    level         TEXT NOT NULL,
    decision_no   TEXT NOT NULL DEFAULT '',
    decision_date TEXT NOT NULL,
    legal_basis   TEXT NOT NULL DEFAULT '',
    certificate_id INTEGER REFERENCES certificates (id),
    actor         TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ'))
) STRICT;
CREATE INDEX evaluations_product ON evaluations (product_id, id);

ALTER TABLE certificates ADD COLUMN decision_no TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN revoked_by TEXT;
