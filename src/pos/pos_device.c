/* pos_device.c: devices, staff PINs, shifts and bank accounts of the booth
 * POS (see pos_device.h). */
#include "pos/pos_device.h"

#include "stock/stk.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The same cost as passwords (auth.c): a PIN has few digits, so the hash
 * and the limit on tries are what protect it. */
#define PIN_OPSLIMIT 2
#define PIN_MEMLIMIT ((size_t)19 << 20)

int pos_is_device(const struct auth_principal *p)
{
    return p->role == ROLE_BOOTH && p->api_key_id != 0 && p->booth_id != 0;
}

/* --- PINs ---------------------------------------------------------------- */

enum err pos_pin_check_format(const char *pin, struct err_ctx *ec)
{
    size_t n = pin ? strlen(pin) : 0, i;
    int same = 1, up = 1, down = 1;

    if (n < POS_PIN_MIN || n > POS_PIN_MAX)
        return err_user(ec, ERR_UNPROCESSABLE, "err_pin_format", "pin",
                        "a PIN is 4 to 6 digits");
    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)pin[i]))
            return err_user(ec, ERR_UNPROCESSABLE, "err_pin_format", "pin",
                            "a PIN is digits only");
    for (i = 1; i < n; i++) {
        same &= pin[i] == pin[0];
        up &= pin[i] == pin[i - 1] + 1;
        down &= pin[i] == pin[i - 1] - 1;
    }
    if (same || up || down)
        return err_user(ec, ERR_UNPROCESSABLE, "err_pin_weak", "pin",
                        "a PIN may not be one digit repeated or a run");
    return ERR_OK;
}

struct pin_job {
    const struct actor *who;
    int64_t booth_id;
    const char *username;
    const char *hash;
};

static enum err pin_write(struct db *db, struct pin_job *j, struct err_ctx *ec)
{
    static const char find[] = "SELECT id, role FROM users WHERE username = ?1";
    static const char upd[] = "UPDATE users SET pin_hash = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, find, ec);
    int64_t uid = 0;
    int booth_role = 0;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, j->username, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        uid = sqlite3_column_int64(st, 0);
        booth_role = strcmp(db_text(st, 1), "booth") == 0;
    }
    sqlite3_reset(st);
    if (uid == 0)
        return err_user(ec, ERR_NOTFOUND, "err_user_not_found", "username",
                        "no account %s", j->username);
    if (!booth_role)
        return err_user(ec, ERR_UNPROCESSABLE, "err_pin_role", "username",
                        "only booth staff accounts have a PIN");
    if (!stk_is_staff(db, j->booth_id, uid))
        return err_user(ec, ERR_UNPROCESSABLE, "err_pin_not_staff", "username",
                        "%s does not staff booth %lld", j->username,
                        (long long)j->booth_id);
    st = db_stmt(db, upd, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_bind_text(st, 2, j->hash, -1, SQLITE_STATIC);
    if (db_exec(db, st, ec) != ERR_OK)
        return ERR_DB;
    /* the audit says that a PIN was set, never the PIN */
    return audit_record(db, j->who, "user.pin", "user", uid, j->username, NULL,
                        NULL, ec);
}

enum err pos_pin_set(struct db *db, const struct actor *who, int64_t booth_id,
                     const char *username, const char *pin, struct err_ctx *ec)
{
    char hash[crypto_pwhash_STRBYTES];
    struct pin_job j = {who, booth_id, username, hash};
    enum err e = pos_pin_check_format(pin, ec);

    if (e != ERR_OK)
        return e;
    if (username == NULL || *username == '\0')
        return err_user(ec, ERR_NOTFOUND, "err_user_not_found", "username",
                        "no username");
    if (sodium_init() < 0 ||
        crypto_pwhash_str_alg(hash, pin, strlen(pin), PIN_OPSLIMIT,
                              PIN_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(ec, ERR_NOMEM, "cannot hash the PIN");
    e = pin_write(db, &j, ec);
    sodium_memzero(hash, sizeof(hash));
    return e;
}

/* --- signing in with a PIN ------------------------------------------------ */

static int count_fails(struct db *db, const char *sql, const char *key,
                       time_t since)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int n = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)since);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return n;
}

/* pin_limited: failures within the sign-in window, for the account since
 * its last success and for the device. (Not per address: the tablets of
 * a fair often share one.) */
static int pin_limited(struct db *db, const char *user_key,
                       const char *device_key, time_t now)
{
    static const char by_user[] =
        "SELECT count(*) FROM login_attempts WHERE username = ?1 AND ok = 0"
        " AND at >= max(?2, coalesce((SELECT max(at) FROM login_attempts"
        " WHERE username = ?1 AND ok = 1), 0))";
    static const char by_device[] =
        "SELECT count(*) FROM login_attempts WHERE ip = ?1 AND ok = 0"
        " AND at > ?2 AND username LIKE 'pin:%'";
    time_t since = now - AUTH_LOGIN_WINDOW_S;

    return count_fails(db, by_user, user_key, since) >=
               POS_PIN_MAX_FAILS_USER ||
           count_fails(db, by_device, device_key, since) >=
               POS_PIN_MAX_FAILS_DEVICE;
}

struct signin {
    int64_t user_id;
    char username[64], display[128];
    char hash[crypto_pwhash_STRBYTES];
};

/* staff_of: the account username when it staffs booth_id and has a PIN. */
static int staff_of(struct db *db, int64_t booth_id, const char *username,
                    struct signin *s)
{
    static const char sql[] =
        "SELECT u.id, u.username, u.display_name, u.pin_hash FROM users u"
        " JOIN booth_staff b ON b.user_id = u.id AND b.location_id = ?2"
        " WHERE u.username = ?1 AND u.disabled = 0 AND u.role = 'booth'"
        " AND u.pin_hash IS NOT NULL";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int found;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, booth_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        s->user_id = sqlite3_column_int64(st, 0);
        (void)snprintf(s->username, sizeof(s->username), "%s", db_text(st, 1));
        (void)snprintf(s->display, sizeof(s->display), "%s", db_text(st, 2));
        (void)snprintf(s->hash, sizeof(s->hash), "%s", db_text(st, 3));
    }
    sqlite3_reset(st);
    return found;
}

struct attempt_job {
    const char *user_key, *device_key;
    time_t now;
    int ok;
    const struct auth_principal *device;
    const struct signin *s;
    const unsigned char *token_hash; /* NULL: no shift */
};

static enum err attempt_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char rec[] =
        "INSERT INTO login_attempts (username, ip, at, ok)"
        " VALUES (?1, ?2, ?3, ?4)";
    static const char shift[] =
        "INSERT INTO pos_shifts (token_hash, api_key_id, booth_id, user_id,"
        " started_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    struct attempt_job *j = cls;
    sqlite3_stmt *st = db_stmt(db, rec, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, j->user_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, j->device_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)j->now);
    sqlite3_bind_int(st, 4, j->ok);
    if (db_exec(db, st, ec) != ERR_OK || j->token_hash == NULL)
        return j->token_hash == NULL ? ERR_OK : ERR_DB;
    st = db_stmt(db, shift, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_blob(st, 1, j->token_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, j->device->api_key_id);
    sqlite3_bind_int64(st, 3, j->device->booth_id);
    sqlite3_bind_int64(st, 4, j->s->user_id);
    sqlite3_bind_int64(st, 5, (int64_t)j->now);
    sqlite3_bind_int64(st, 6, (int64_t)j->now + POS_SHIFT_S);
    return db_exec(db, st, ec);
}

static void new_token(char out[POS_TOKEN_CHARS], unsigned char hash[32])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, POS_TOKEN_CHARS, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    crypto_generichash(hash, 32, (const unsigned char *)out, strlen(out), NULL,
                       0);
}

static cJSON *staff_json(const struct signin *s, time_t now)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "username", s->username);
    cJSON_AddStringToObject(o, "display_name",
                            s->display[0] ? s->display : s->username);
    cJSON_AddNumberToObject(o, "expires_at", (double)(now + POS_SHIFT_S));
    return o;
}

enum err pos_pin_signin(struct db *db, const struct auth_principal *device,
                        const char *username, const char *pin, time_t now,
                        char token_out[POS_TOKEN_CHARS], cJSON **staff_out,
                        struct err_ctx *ec)
{
    /* An unknown account costs a hash too, so timing tells nothing. */
    static const char dummy[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
        "mGcqG8f1vm3PQWcwNt1wS5m7lC7YyeAYkrnpySc2EW8";
    struct signin s = {0};
    char user_key[80], device_key[40];
    unsigned char th[32];
    struct attempt_job j = {user_key, device_key, now, 0, device, &s, NULL};
    int found, ok;
    enum err e;

    *staff_out = NULL;
    token_out[0] = '\0';
    if (!pos_is_device(device))
        return err_user(ec, ERR_FORBIDDEN, "err_pos_device", NULL,
                        "not a booth device key");
    if (username == NULL || pin == NULL || strlen(username) > 60 ||
        strlen(pin) > 32)
        return err_user(ec, ERR_UNAUTHORIZED, "err_pin_wrong", "pin", "empty");
    (void)snprintf(user_key, sizeof(user_key), "pin:%s", username);
    (void)snprintf(device_key, sizeof(device_key), "device:%lld",
                   (long long)device->api_key_id);
    if (pin_limited(db, user_key, device_key, now))
        return err_user(ec, ERR_RATELIMIT, "err_pin_rate_limited", "pin",
                        "too many wrong PINs for %s", username);
    found = staff_of(db, device->booth_id, username, &s);
    ok =
        crypto_pwhash_str_verify(found ? s.hash : dummy, pin, strlen(pin)) == 0;
    sodium_memzero(s.hash, sizeof(s.hash));
    j.ok = found && ok;
    if (j.ok) {
        new_token(token_out, th);
        j.token_hash = th;
    }
    e = db_tx_run(db, "pin sign-in", attempt_tx, &j, ec);
    if (e == ERR_OK && !j.ok)
        e = err_user(ec, ERR_UNAUTHORIZED, "err_pin_wrong", "pin",
                     "wrong PIN for %s", username);
    if (e == ERR_OK)
        *staff_out = staff_json(&s, now);
    if (e != ERR_OK)
        token_out[0] = '\0';
    return e;
}

enum err pos_staff_resolve(struct db *db, const char *token, time_t now,
                           struct auth_principal *p, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.user_id, u.username FROM pos_shifts s"
        " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1"
        " AND s.api_key_id = ?2 AND s.booth_id = ?3 AND s.expires_at > ?4"
        " AND u.disabled = 0";
    sqlite3_stmt *st;
    unsigned char h[32];
    int found;

    if (!pos_is_device(p) || token == NULL || strlen(token) > 100)
        return err_user(ec, ERR_UNAUTHORIZED, "err_staff_token", NULL,
                        "a staff token needs a booth device key");
    st = db_stmt(db, sql, ec);
    if (st == NULL)
        return ERR_DB;
    crypto_generichash(h, sizeof(h), (const unsigned char *)token,
                       strlen(token), NULL, 0);
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, p->api_key_id);
    sqlite3_bind_int64(st, 3, p->booth_id);
    sqlite3_bind_int64(st, 4, (int64_t)now);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        p->user_id = sqlite3_column_int64(st, 0);
        (void)snprintf(p->username, sizeof(p->username), "%s", db_text(st, 1));
    }
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_UNAUTHORIZED, "err_staff_token", NULL,
                            "unknown or expired staff token");
}

/* --- places, staff and banks ---------------------------------------------- */

/* Banks by BIN (domain reference §3); the name is data, the BIN the key. */
static const struct {
    const char *bin, *name;
} banks[] = {
    {"970436", "Vietcombank"},  {"970415", "VietinBank"},
    {"970418", "BIDV"},         {"970405", "Agribank"},
    {"970407", "Techcombank"},  {"970422", "MB"},
    {"970416", "ACB"},          {"970432", "VPBank"},
    {"970403", "Sacombank"},    {"970423", "TPBank"},
    {"970437", "HDBank"},       {"970441", "VIB"},
    {"970443", "SHB"},          {"970426", "MSB"},
    {"970448", "OCB"},          {"970440", "SeABank"},
    {"970431", "Eximbank"},     {"970449", "LPBank"},
    {"970454", "BVBank"},       {"970428", "Nam A Bank"},
    {"970409", "Bac A Bank"},   {"970452", "Kienlongbank"},
    {"970412", "PVcomBank"},    {"970419", "NCB"},
    {"970400", "Saigonbank"},   {"970425", "ABBank"},
    {"970427", "VietABank"},    {"970433", "VietBank"},
    {"970438", "BaoViet Bank"}, {"970430", "PGBank"},
    {"970446", "Co-opBank"},    {"970424", "Shinhan"},
    {"970406", "Vikki"},        {"546034", "CAKE"},
    {"546035", "Ubank"},        {"963388", "Timo"},
};

const char *pos_bank_label(const char *bin)
{
    size_t i;

    for (i = 0; bin != NULL && i < sizeof(banks) / sizeof(banks[0]); i++)
        if (strcmp(banks[i].bin, bin) == 0)
            return banks[i].name;
    return bin;
}

int pos_bank_at(size_t i, const char **bin, const char **name)
{
    if (i >= sizeof(banks) / sizeof(banks[0]))
        return 0;
    *bin = banks[i].bin;
    *name = banks[i].name;
    return 1;
}

static void add_bank(cJSON *o, sqlite3_stmt *st, int col)
{
    cJSON *b;

    if (db_text(st, col) == NULL || db_text(st, col)[0] == '\0') {
        cJSON_AddNullToObject(o, "bank");
        return;
    }
    b = cJSON_AddObjectToObject(o, "bank");
    cJSON_AddStringToObject(b, "bin", db_text(st, col));
    cJSON_AddStringToObject(b, "label", pos_bank_label(db_text(st, col)));
    cJSON_AddStringToObject(b, "account",
                            db_text(st, col + 1) ? db_text(st, col + 1) : "");
    cJSON_AddStringToObject(b, "name",
                            db_text(st, col + 2) ? db_text(st, col + 2) : "");
}

static enum err add_staff(struct db *db, cJSON *o, int64_t location_id,
                          struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT u.username, u.display_name, u.pin_hash IS NOT NULL"
        " FROM booth_staff b JOIN users u ON u.id = b.user_id"
        " WHERE b.location_id = ?1 AND u.disabled = 0 ORDER BY u.username";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(o, "staff");

    if (st == NULL || arr == NULL)
        return st == NULL ? ERR_DB : ERR_NOMEM;
    sqlite3_bind_int64(st, 1, location_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *s = cJSON_CreateObject();
        const char *disp = db_text(st, 1);
        cJSON_AddStringToObject(s, "username", db_text(st, 0));
        cJSON_AddStringToObject(s, "display_name",
                                disp && *disp ? disp : db_text(st, 0));
        cJSON_AddBoolToObject(s, "has_pin", sqlite3_column_int(st, 2));
        cJSON_AddItemToArray(arr, s);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

/* place_row: a row of id, kind, name, fair name, bank (3), is_sample. */
static cJSON *place_row(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "kind", db_text(st, 1));
    cJSON_AddStringToObject(o, "name", db_text(st, 2));
    if (db_text(st, 3) != NULL)
        cJSON_AddStringToObject(o, "fair_name", db_text(st, 3));
    add_bank(o, st, 4);
    cJSON_AddBoolToObject(o, "sample", sqlite3_column_int(st, 7));
    return o;
}

enum err pos_device_info(struct db *db, const struct auth_principal *device,
                         cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT l.id, l.kind, l.name, f.name, l.bank_bin, l.bank_account,"
        " l.bank_name, l.is_sample FROM locations l"
        " LEFT JOIN locations f ON f.id = l.parent_id WHERE l.id = ?1";
    sqlite3_stmt *st;
    cJSON *o, *booth;
    enum err e;

    *out = NULL;
    if (!pos_is_device(device))
        return err_user(ec, ERR_FORBIDDEN, "err_pos_device", NULL,
                        "not a booth device key");
    st = db_stmt(db, sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, device->booth_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                        "the device's booth is gone");
    }
    booth = place_row(st);
    sqlite3_reset(st);
    o = cJSON_CreateObject();
    /* "apikey:NAME" -> NAME */
    cJSON_AddStringToObject(o, "device",
                            strncmp(device->username, "apikey:", 7) == 0
                                ? device->username + 7
                                : device->username);
    cJSON_AddItemToObject(o, "bank", cJSON_DetachItemFromObject(booth, "bank"));
    cJSON_AddItemToObject(o, "booth", booth);
    e = add_staff(db, o, device->booth_id, ec);
    if (e != ERR_OK) {
        cJSON_Delete(o);
        return e;
    }
    *out = o;
    return ERR_OK;
}

enum err pos_places(struct db *db, cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT l.id, l.kind, l.name, f.name, l.bank_bin, l.bank_account,"
        " l.bank_name, l.is_sample FROM locations l"
        " LEFT JOIN locations f ON f.id = l.parent_id"
        " WHERE l.kind IN ('booth', 'point') ORDER BY f.name, l.name, l.id"
        " LIMIT 2000";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray(), *p;
    enum err e = ERR_OK;

    *out = NULL;
    if (st == NULL) {
        cJSON_Delete(arr);
        return ERR_DB;
    }
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, place_row(st));
    sqlite3_reset(st);
    cJSON_ArrayForEach(p, arr)
    {
        e = add_staff(
            db, p, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id")),
            ec);
        if (e != ERR_OK)
            break;
    }
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

int pos_place_sells(struct db *db, int64_t location_id)
{
    static const char sql[] =
        "SELECT 1 FROM locations WHERE id = ?1 AND kind IN ('booth', 'point')";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int found;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, location_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

enum err pos_bank_get(struct db *db, int64_t location_id, struct pos_bank *out,
                      struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT bank_bin, bank_account, bank_name FROM locations"
        " WHERE id = ?1 AND bank_bin IS NOT NULL AND bank_bin <> ''";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, location_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        (void)snprintf(out->bin, sizeof(out->bin), "%s", db_text(st, 0));
        (void)snprintf(out->account, sizeof(out->account), "%s",
                       db_text(st, 1) ? db_text(st, 1) : "");
        (void)snprintf(out->name, sizeof(out->name), "%s",
                       db_text(st, 2) ? db_text(st, 2) : "");
    }
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_bank_missing", NULL,
                            "place %lld has no bank account",
                            (long long)location_id);
}

static int all_of(const char *s, int (*ok)(int))
{
    for (; *s != '\0'; s++)
        if (!ok((unsigned char)*s))
            return 0;
    return 1;
}

static enum err check_bank(const char *bin, const char *account,
                           const char *name, struct err_ctx *ec)
{
    size_t nn = strlen(name);

    if (strlen(bin) != 6 || !all_of(bin, isdigit))
        return err_user(ec, ERR_UNPROCESSABLE, "err_bank_bin", "bank_bin",
                        "a bank BIN is 6 digits");
    if (*account == '\0' || strlen(account) > 19 || !all_of(account, isalnum))
        return err_user(ec, ERR_UNPROCESSABLE, "err_bank_account",
                        "bank_account", "an account is 1-19 letters or digits");
    if (nn == 0 || nn > 100 || strpbrk(name, "\r\n\t") != NULL)
        return err_user(ec, ERR_UNPROCESSABLE, "err_bank_name", "bank_name",
                        "the holder's name is 1-100 characters");
    return ERR_OK;
}

struct bank_job {
    const struct actor *who;
    int64_t id;
    const char *bin, *account, *name;
};

static enum err bank_write(struct db *db, struct bank_job *j,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE locations SET bank_bin = nullif(?2, ''),"
        " bank_account = nullif(?3, ''), bank_name = nullif(?4, '')"
        " WHERE id = ?1 AND kind IN ('booth', 'point')";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *after;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_text(st, 2, j->bin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, j->name, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                        "no booth %lld", (long long)j->id);
    if (e != ERR_OK)
        return e;
    after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "bank_bin", j->bin);
    cJSON_AddStringToObject(after, "bank_account", j->account);
    cJSON_AddStringToObject(after, "bank_name", j->name);
    e = audit_record(db, j->who, "place.bank", "location", j->id, j->name, NULL,
                     after, ec);
    cJSON_Delete(after);
    return e;
}

enum err pos_bank_set(struct db *db, const struct actor *who,
                      int64_t location_id, const char *bin, const char *account,
                      const char *name, struct err_ctx *ec)
{
    struct bank_job j = {who, location_id, bin ? bin : "",
                         account ? account : "", name ? name : ""};
    enum err e = ERR_OK;

    if (*j.bin || *j.account || *j.name)
        e = check_bank(j.bin, j.account, j.name, ec);
    return e == ERR_OK ? bank_write(db, &j, ec) : e;
}
