/* scenario.h: stock scenarios as data, for the stock unit tests.
 * A scenario file (tests/fixtures/stock/NAME.tsv) is one step a line:
 *   AT <TAB> OP <TAB> ARGS...
 * AT is "-" (now) or a time in Vietnam written relative to today: D-2T09:30
 * is 09:30 two days ago (sales and receipts keep it; other steps happen
 * now). OP!KEY expects the step to fail with the i18n key KEY (and to
 * change nothing). Places, sales and transfers get labels: a place its
 * name, sales sale#1, sale#2 ..., transfers transfer#1 ... Steps:
 *   fair F | booth B FAIR PCT | point P PCT | warehouse W PRODUCER
 *   sells PLACE PRODUCER PCT|-       level PLACE SKU MIN
 *   receive PLACE SKU QTY REF        giveback PLACE SKU QTY REF
 *   adjust PLACE SKU QTY REASON      send FROM TO SKU QTY
 *   arrive TRANSFER SKU CAME          (a transfer received)
 *   sale PLACE SKU QTY [DISCOUNT [offline]]   (through pos, as an admin)
 *   return SALE SKU QTY              void SALE
 *   count-open PLACE | count-set PLACE SKU N|- | count-close PLACE
 * and checks:
 *   expect-onhand PLACE SKU N        expect-verify N
 *   expect-shortfall PLACE SKU N     expect-low PLACE SKU 0|1
 *   expect-moves REF key=N...        (count, sum of the rows with REF)
 *   expect-transfer TRANSFER key=V...
 *   expect-settlement PLACE PRODUCER|* FROM TO key=N...  (FROM, TO as
 *     D-2; keys of the totals, pct=N or pct=- for the producer's rate,
 *     items=N)
 * Header-only; the tests run from the repository root. */
#ifndef OCOP_TEST_SCENARIO_H
#define OCOP_TEST_SCENARIO_H

#include "catalog/cat_import.h"
#include "pos/pos.h"
#include "stock/stk_count.h"
#include "stock/stk_report.h"
#include "stock/stk_transfer.h"
#include "testutil.h"

#include <time.h>
#include <unistd.h>

#define SCN_MAX_NAMES 64

struct scn {
    struct db *db;
    char path[64];
    char today[11];
    struct {
        char label[32];
        int64_t id;
    } names[SCN_MAX_NAMES];
    int n_names, sales, transfers;
    const char *file;
    int line;
};

static const struct actor scn_who = {0, "test", "127.0.0.1"};

static inline int scn_open(struct scn *s)
{
    struct cat_import_stats st;
    struct err_ctx ec = {0};
    time_t now = time(NULL) + 7 * 3600;
    struct tm tm;
    int fd;

    memset(s, 0, sizeof(*s));
    gmtime_r(&now, &tm);
    (void)strftime(s->today, sizeof(s->today), "%Y-%m-%d", &tm);
    snprintf(s->path, sizeof(s->path), "/tmp/ocop-stock-XXXXXX");
    fd = mkstemp(s->path);
    close(fd);
    if (db_open(s->path, DB_READWRITE, &s->db, &ec) != ERR_OK ||
        db_migrate(s->db, NULL, &ec) != ERR_OK ||
        cat_import_dir(s->db, "catalog", &st, &ec) != ERR_OK) {
        fprintf(stderr, "setup: %s\n", ec.msg);
        return -1;
    }
    return 0;
}

static inline void scn_close(struct scn *s)
{
    char wal[80];

    db_close(s->db);
    unlink(s->path);
    snprintf(wal, sizeof(wal), "%s-wal", s->path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", s->path);
    unlink(wal);
}

#define SCN_FAIL(s, ...)                                                       \
    do {                                                                       \
        char m_[512];                                                          \
        snprintf(m_, sizeof(m_), __VA_ARGS__);                                 \
        fail_msg("%s:%d: %s", (s)->file, (s)->line, m_);                       \
    } while (0)

static inline void scn_name(struct scn *s, const char *label, int64_t id)
{
    assert_true(s->n_names < SCN_MAX_NAMES);
    snprintf(s->names[s->n_names].label, sizeof(s->names[0].label), "%s",
             label);
    s->names[s->n_names++].id = id;
}

static inline int64_t scn_id(struct scn *s, const char *label)
{
    int i;

    for (i = 0; i < s->n_names; i++)
        if (strcmp(s->names[i].label, label) == 0)
            return s->names[i].id;
    SCN_FAIL(s, "no label %s", label);
    return 0;
}

static inline int64_t scn_int(struct scn *s, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;

    assert_int_equal(sqlite3_prepare_v2(db_handle(s->db), sql, -1, &st, NULL),
                     SQLITE_OK);
    if (arg != NULL)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static inline int64_t scn_variant(struct scn *s, const char *sku)
{
    int64_t v = scn_int(s, "SELECT id FROM variants WHERE sku = ?1", sku);

    if (v == 0)
        SCN_FAIL(s, "no SKU %s", sku);
    return v;
}

static inline int64_t scn_producer(struct scn *s, const char *slug)
{
    int64_t v = scn_int(s, "SELECT id FROM producers WHERE slug = ?1", slug);

    if (v == 0)
        SCN_FAIL(s, "no producer %s", slug);
    return v;
}

/* scn_day: "D" or "D-N" as YYYY-MM-DD (Vietnam). */
static inline void scn_day(struct scn *s, const char *rel, char out[11])
{
    struct tm tm = {0};
    long back = 0;
    time_t t;

    if (rel[0] != 'D')
        SCN_FAIL(s, "a day is D or D-N, not %s", rel);
    if (rel[1] == '-')
        back = strtol(rel + 2, NULL, 10);
    sscanf(s->today, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm) - back * 86400;
    gmtime_r(&t, &tm);
    (void)strftime(out, 11, "%Y-%m-%d", &tm);
}

/* scn_time: AT as a UTC time (out), or NULL for "-". */
static inline const char *scn_time(struct scn *s, const char *at, char out[32])
{
    char day[11], rel[16];
    struct tm tm = {0};
    int h = 0, mi = 0;
    const char *tpos;
    time_t t;

    if (strcmp(at, "-") == 0)
        return NULL;
    tpos = strchr(at, 'T');
    if (tpos == NULL || sscanf(tpos, "T%2d:%2d", &h, &mi) != 2)
        SCN_FAIL(s, "bad time %s", at);
    snprintf(rel, sizeof(rel), "%.*s", (int)(tpos - at), at);
    scn_day(s, rel, day);
    sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = h;
    tm.tm_min = mi;
    t = timegm(&tm) - 7 * 3600;
    gmtime_r(&t, &tm);
    (void)strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

/* --- steps ---------------------------------------------------------------- */

struct scn_step {
    struct scn *s;
    char **a; /* a[0] AT, a[1] OP, a[2...] */
    int n;
    const char *at;
    int64_t made; /* the id a step made */
};

static inline enum err scn_place_step(struct scn_step *p, struct err_ctx *ec)
{
    struct stk_place pl = {p->a[1], p->a[2], 0,    0, "", "",
                           NULL,    NULL,    NULL, 0, 0};
    const char *op = p->a[1];

    if (strcmp(op, "booth") == 0) {
        pl.parent_id = scn_id(p->s, p->a[3]);
        pl.commission_pct = strtod(p->a[4], NULL);
    } else if (strcmp(op, "point") == 0) {
        pl.commission_pct = strtod(p->a[3], NULL);
    } else if (strcmp(op, "warehouse") == 0) {
        pl.producer_id = scn_producer(p->s, p->a[3]);
    }
    return stk_place_create(p->s->db, &scn_who, &pl, &p->made, ec);
}

/* scn_one_line: the step's place, and one line of SKU and quantity. */
static inline struct stk_line scn_one_line(struct scn_step *p, int sku_col)
{
    struct stk_line l = {scn_variant(p->s, p->a[sku_col]),
                         strtoll(p->a[sku_col + 1], NULL, 10)};
    return l;
}

static inline int64_t scn_open_sheet(struct scn *s, int64_t place)
{
    char arg[32];

    snprintf(arg, sizeof(arg), "%lld", (long long)place);
    return scn_int(s,
                   "SELECT id FROM stocktakes WHERE location_id = ?1"
                   " AND closed_at IS NULL",
                   arg);
}

static inline enum err scn_admin_step(struct scn_step *p, int64_t place,
                                      struct err_ctx *ec)
{
    struct scn *s = p->s;
    const char *op = p->a[1];

    if (strcmp(op, "sells") == 0)
        return stk_place_assign(
            s->db, &scn_who, place, scn_producer(s, p->a[3]),
            strcmp(p->a[4], "-") == 0 ? -1 : strtod(p->a[4], NULL), ec);
    if (strcmp(op, "count-open") == 0)
        return stk_count_open(s->db, &scn_who, place, &p->made, ec);
    return stk_count_close(s->db, &scn_who, scn_open_sheet(s, place), NULL, ec);
}

static inline enum err scn_stock_step(struct scn_step *p, struct err_ctx *ec)
{
    struct scn *s = p->s;
    const char *op = p->a[1];
    struct db *db = s->db;
    int64_t place = p->n > 2 ? scn_id(s, p->a[2]) : 0; /* or transfer */
    struct stk_line l;

    if (strcmp(op, "sells") == 0 || strcmp(op, "count-open") == 0 ||
        strcmp(op, "count-close") == 0)
        return scn_admin_step(p, place, ec);
    if (strcmp(op, "send") == 0) {
        l = scn_one_line(p, 4);
        return stk_transfer_send(db, &scn_who, place, scn_id(s, p->a[3]), &l, 1,
                                 NULL, &p->made, ec);
    }
    l = scn_one_line(p, 3); /* PLACE|TRANSFER SKU QTY */
    if (strcmp(op, "receive") == 0)
        return stk_receive(db, &scn_who, place, &l, 1, p->a[5], NULL, p->at,
                           ec);
    if (strcmp(op, "giveback") == 0)
        return stk_give_back(db, &scn_who, place, &l, 1, p->a[5], NULL, ec);
    if (strcmp(op, "adjust") == 0)
        return stk_adjust(db, &scn_who, place, &l, 1, p->a[5], ec);
    if (strcmp(op, "level") == 0)
        return stk_levels_set(db, &scn_who, place, &l, 1, ec);
    if (strcmp(op, "count-set") == 0) {
        l.qty = strcmp(p->a[4], "-") == 0 ? -1 : l.qty;
        return stk_count_set(db, &scn_who, scn_open_sheet(s, place), &l, 1, ec);
    }
    if (strcmp(op, "arrive") == 0)
        return stk_transfer_receive(db, &scn_who, place, &l, 1, ec);
    return err_set(ec, ERR_INVALID, "unknown step %s", op);
}

static inline enum err scn_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct scn_step *p = cls;
    const char *op = p->a[1];

    (void)db;
    if (strcmp(op, "fair") == 0 || strcmp(op, "booth") == 0 ||
        strcmp(op, "point") == 0 || strcmp(op, "warehouse") == 0)
        return scn_place_step(p, ec);
    return scn_stock_step(p, ec);
}

static inline struct auth_principal scn_admin(void)
{
    struct auth_principal who;

    memset(&who, 0, sizeof(who));
    who.role = ROLE_ADMIN;
    snprintf(who.username, sizeof(who.username), "test");
    return who;
}

static inline enum err scn_sale(struct scn_step *p, struct err_ctx *ec)
{
    struct auth_principal who = scn_admin();
    char body[1024], key[40], price_sql[80];
    cJSON *out = NULL;
    int replayed = 0;
    int64_t price;
    enum err e;

    snprintf(price_sql, sizeof(price_sql),
             "SELECT price_vnd FROM variants WHERE sku = ?1");
    price = scn_int(p->s, price_sql, p->a[3]);
    snprintf(key, sizeof(key), "00000000-0000-4000-8000-%012d", ++p->s->sales);
    snprintf(body, sizeof(body),
             "{\"booth\":%lld,\"lines\":[{\"sku\":\"%s\",\"qty\":%s,"
             "\"unit_price_vnd\":%lld,\"discount_vnd\":%s}],"
             "\"payment\":{\"method\":\"cash\"}%s%s%s,"
             "\"offline\":%s}",
             (long long)scn_id(p->s, p->a[2]), p->a[3], p->a[4],
             (long long)price, p->n > 5 ? p->a[5] : "0",
             p->at ? ",\"sold_at\":\"" : "", p->at ? p->at : "",
             p->at ? "\"" : "",
             p->n > 6 && strcmp(p->a[6], "offline") == 0 ? "true" : "false");
    e = pos_sale(p->s->db, &who, "127.0.0.1", key, body, strlen(body), &out,
                 &replayed, ec);
    if (e == ERR_OK)
        p->made = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id"));
    cJSON_Delete(out);
    return e;
}

static inline enum err scn_pos_step(struct scn_step *p, struct err_ctx *ec)
{
    struct auth_principal who = scn_admin();
    const char *op = p->a[1];
    cJSON *lines;
    char text[200];
    enum err e;

    if (strcmp(op, "sale") == 0)
        return scn_sale(p, ec);
    if (strcmp(op, "void") == 0)
        return pos_void(p->s->db, &who, "127.0.0.1", scn_id(p->s, p->a[2]),
                        "khách đổi ý", ec);
    snprintf(text, sizeof(text), "[{\"sku\":\"%s\",\"qty\":%s}]", p->a[3],
             p->a[4]);
    lines = cJSON_Parse(text);
    e = pos_return(p->s->db, &who, "127.0.0.1", scn_id(p->s, p->a[2]), lines,
                   "hàng lỗi", ec);
    cJSON_Delete(lines);
    return e;
}

/* scn_label_made: names what a step made. */
static inline void scn_label_made(struct scn_step *p)
{
    struct scn *s = p->s;
    const char *op = p->a[1];
    char label[32];

    if (strcmp(op, "sale") == 0) {
        snprintf(label, sizeof(label), "sale#%d", s->sales);
        scn_name(s, label, p->made);
    } else if (strcmp(op, "send") == 0) {
        snprintf(label, sizeof(label), "transfer#%d", ++s->transfers);
        scn_name(s, label, p->made);
    } else if (p->made != 0 && strcmp(op, "count-open") != 0) {
        scn_name(s, p->a[2], p->made);
    }
}

static inline void scn_do(struct scn *s, char **a, int n)
{
    char op[48], when[32];
    char *bang;
    struct err_ctx ec = {0};
    struct scn_step p = {s, a, n, NULL, 0};
    int64_t moves = scn_int(s, "SELECT count(*) FROM stock_moves", NULL);
    enum err e;

    snprintf(op, sizeof(op), "%s", a[1]);
    bang = strchr(a[1], '!');
    if (bang != NULL)
        *bang = '\0';
    p.at = scn_time(s, a[0], when);
    if (strcmp(a[1], "sale") == 0 || strcmp(a[1], "void") == 0 ||
        strcmp(a[1], "return") == 0)
        e = scn_pos_step(&p, &ec);
    else
        e = db_tx_run(s->db, "scenario", scn_tx, &p, &ec);
    if (bang == NULL && e != ERR_OK)
        SCN_FAIL(s, "%s: %s (%s)", op, err_name(e), ec.msg);
    if (bang != NULL &&
        (e == ERR_OK || ec.key == NULL || strcmp(ec.key, bang + 1) != 0))
        SCN_FAIL(s, "%s: got %s %s", op, err_name(e), ec.key ? ec.key : "");
    if (bang != NULL &&
        scn_int(s, "SELECT count(*) FROM stock_moves", NULL) != moves)
        SCN_FAIL(s, "%s failed but wrote to the ledger", op);
    if (e == ERR_OK)
        scn_label_made(&p);
}

/* --- checks --------------------------------------------------------------- */

/* scn_kv: compares key=value arguments with the numbers (or strings) of o. */
static inline void scn_kv(struct scn *s, const cJSON *o, char **a, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        char key[64];
        const char *eq = strchr(a[i], '=');
        const cJSON *v;
        if (eq == NULL)
            SCN_FAIL(s, "%s is not key=value", a[i]);
        snprintf(key, sizeof(key), "%.*s", (int)(eq - a[i]), a[i]);
        v = cJSON_GetObjectItem(o, key);
        if (strcmp(eq + 1, "-") == 0 && v == NULL)
            continue;
        if (cJSON_IsString(v) && strcmp(v->valuestring, eq + 1) == 0)
            continue;
        if (cJSON_IsNumber(v) &&
            cJSON_GetNumberValue(v) == strtod(eq + 1, NULL))
            continue;
        {
            char *text = cJSON_PrintUnformatted(o);
            SCN_FAIL(s, "%s: want %s in %s", key, eq + 1, text);
            free(text);
        }
    }
}

static inline void scn_expect_settlement(struct scn *s, char **a, int n)
{
    char from[11], to[11];
    struct stk_period per = {from, to};
    struct err_ctx ec = {0};
    int all = strcmp(a[3], "*") == 0;
    cJSON *r = NULL, *pr, *tot;

    scn_day(s, a[4], from);
    scn_day(s, a[5], to);
    if (stk_settlement(s->db, scn_id(s, a[2]), all ? 0 : scn_producer(s, a[3]),
                       &per, &r, &ec) != ERR_OK)
        SCN_FAIL(s, "settlement: %s", ec.msg);
    pr = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "producers"), 0);
    tot = cJSON_Duplicate(cJSON_GetObjectItem(all ? r : pr, "totals"), 1);
    if (!all) {
        const cJSON *pct = cJSON_GetObjectItem(pr, "commission_pct");
        if (pct != NULL)
            cJSON_AddNumberToObject(tot, "pct", cJSON_GetNumberValue(pct));
        cJSON_AddNumberToObject(
            tot, "items", cJSON_GetArraySize(cJSON_GetObjectItem(pr, "items")));
    }
    scn_kv(s, tot, a + 6, n - 6);
    cJSON_Delete(tot);
    cJSON_Delete(r);
}

static inline int scn_low(struct scn *s, int64_t place, int64_t variant)
{
    struct err_ctx ec = {0};
    cJSON *stock = NULL, *it;
    int low = -1;

    assert_int_equal(stk_stock(s->db, place, &stock, &ec), ERR_OK);
    cJSON_ArrayForEach(it, stock)
    {
        if ((int64_t)cJSON_GetNumberValue(
                cJSON_GetObjectItem(it, "variant_id")) == variant)
            low = cJSON_IsTrue(cJSON_GetObjectItem(it, "low"));
    }
    cJSON_Delete(stock);
    return low;
}

static inline void scn_expect_moves(struct scn *s, char **a, int n)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(
        o, "count",
        (double)scn_int(s, "SELECT count(*) FROM stock_moves WHERE ref = ?1",
                        a[2]));
    cJSON_AddNumberToObject(
        o, "sum",
        (double)scn_int(s,
                        "SELECT coalesce(sum(qty), 0) FROM stock_moves"
                        " WHERE ref = ?1",
                        a[2]));
    scn_kv(s, o, a + 3, n - 3);
    cJSON_Delete(o);
}

static inline void scn_expect_transfer(struct scn *s, char **a, int n)
{
    struct err_ctx ec = {0};
    cJSON *t = NULL;

    if (stk_transfer(s->db, scn_id(s, a[2]), &t, &ec) != ERR_OK)
        SCN_FAIL(s, "transfer: %s", ec.msg);
    scn_kv(s, t, a + 3, n - 3);
    cJSON_Delete(t);
}

static inline void scn_check(struct scn *s, char **a, int n)
{
    const char *op = a[1];
    int64_t want = n > 0 ? strtoll(a[n - 1], NULL, 10) : 0, got;

    if (strcmp(op, "expect-settlement") == 0) {
        scn_expect_settlement(s, a, n);
        return;
    }
    if (strcmp(op, "expect-moves") == 0) {
        scn_expect_moves(s, a, n);
        return;
    }
    if (strcmp(op, "expect-transfer") == 0) {
        scn_expect_transfer(s, a, n);
        return;
    }
    if (strcmp(op, "expect-verify") == 0)
        got = stk_verify(s->db);
    else if (strcmp(op, "expect-onhand") == 0)
        got = stk_on_hand_of(s->db, scn_variant(s, a[3]), scn_id(s, a[2]));
    else if (strcmp(op, "expect-low") == 0)
        got = scn_low(s, scn_id(s, a[2]), scn_variant(s, a[3]));
    else if (strcmp(op, "expect-shortfall") == 0) {
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "SELECT coalesce(sum(qty_short), 0) FROM stock_shortfalls"
                 " WHERE resolved_at IS NULL AND location_id = %lld"
                 " AND variant_id = %lld",
                 (long long)scn_id(s, a[2]), (long long)scn_variant(s, a[3]));
        got = scn_int(s, sql, NULL);
    } else {
        SCN_FAIL(s, "unknown step %s", op);
        return;
    }
    if (got != want)
        SCN_FAIL(s, "%s: got %lld, want %lld", op, (long long)got,
                 (long long)want);
}

/* scn_run: every step of file; returns how many ran. */
static inline int scn_run(struct scn *s, const char *file)
{
    FILE *f = tu_open(file);
    char line[2048], *cols[16];
    int n, steps = 0;

    assert_non_null(f);
    s->file = file;
    s->line = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        s->line++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        cols[0] = line;
        for (n = 1; n < 16 && (cols[n] = strchr(cols[n - 1], '\t')) != NULL;
             n++)
            *cols[n]++ = '\0';
        if (n < 2)
            SCN_FAIL(s, "a step needs AT and OP");
        if (strncmp(cols[1], "expect-", 7) == 0)
            scn_check(s, cols, n);
        else
            scn_do(s, cols, n);
        steps++;
    }
    fclose(f);
    return steps;
}

#endif
