/* stk_sample.c: a sample fair (see stk_sample.h). */
#include "stock/stk_sample.h"

#include "auth/auth.h"
#include "pos/pos_device.h"
#include "stock/stk.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SAMPLE_STOCK 40

static const struct actor sample_actor = {0, "sample", ""};
static const char *const booth_producers[] = {"culaore", "hai-phu",
                                              "tuyet-huong"};

static int64_t producer_id(struct db *db, const char *slug)
{
    static const char sql[] = "SELECT id FROM producers WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t id = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

/* receive_all: SAMPLE_STOCK of each of the producer's variants. */
static enum err receive_all(struct db *db, int64_t booth, int64_t producer,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id"
        " WHERE p.producer_id = ?1 AND p.status = 'certified' ORDER BY v.id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int64_t ids[256];
    int n = 0, i;
    enum err e = ERR_OK;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, producer);
    while (sqlite3_step(st) == SQLITE_ROW && n < 256)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (i = 0; i < n && e == ERR_OK; i++) {
        struct stk_move m = {ids[i], booth, SAMPLE_STOCK, STK_RECEIVE,
                             "Nhận hàng ký gửi (dữ liệu mẫu)", "sample",
                             NULL, -1, 0};
        e = stk_record(db, &sample_actor, &m, NULL, ec);
    }
    return e;
}

static void random_password(char *buf, size_t size)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    size_t i;

    for (i = 0; i + 1 < size && i < 16; i++)
        buf[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    buf[i] = '\0';
}

/* random_pin: 4 digits that pass pos_pin_check_format. */
static void random_pin(char pin[POS_PIN_MAX + 1])
{
    do {
        (void)snprintf(pin, POS_PIN_MAX + 1, "%04u",
                       (unsigned)randombytes_uniform(10000));
    } while (pos_pin_check_format(pin, NULL) != ERR_OK);
}

/* booth_pos: a bank account that is plainly not real, for the VietQR
 * codes of the sample, and the staff member's POS PIN. */
static enum err booth_pos(struct db *db, int64_t booth, int n, const char *user,
                          char pin[POS_PIN_MAX + 1], struct err_ctx *ec)
{
    char account[20];
    enum err e;

    (void)snprintf(account, sizeof(account), "MAU00000000%d", n + 1);
    e = pos_bank_set(db, &sample_actor, booth, "970436", account,
                     "DU LIEU MAU - KHONG CHUYEN TIEN", ec);
    random_pin(pin);
    return e == ERR_OK ? pos_pin_set(db, &sample_actor, booth, user, pin, ec)
                       : e;
}

static enum err add_booth(struct db *db, int64_t fair, int n, cJSON *booths,
                          struct err_ctx *ec)
{
    struct stk_place p = {"booth", NULL, fair, 0, "", "", NULL, NULL, NULL,
                          10.0, 1};
    char name[128], user[64], pw[32], pin[POS_PIN_MAX + 1] = "";
    int64_t booth = 0, uid = 0, prod = producer_id(db, booth_producers[n]);
    cJSON *b;
    enum err e;

    if (prod == 0)
        return err_set(ec, ERR_NOTFOUND, "seed producer %s missing",
                       booth_producers[n]);
    (void)snprintf(name, sizeof(name), "Gian hàng %d", n + 1);
    p.name = name;
    e = stk_place_add(db, &sample_actor, &p, &booth, ec);
    if (e == ERR_OK)
        e = stk_place_producer(db, booth, prod, -1, ec);
    if (e == ERR_OK)
        e = receive_all(db, booth, prod, ec);
    (void)snprintf(user, sizeof(user), "gianhang%lld", (long long)booth);
    random_password(pw, sizeof(pw));
    if (e == ERR_OK)
        e = auth_user_add(db, user, ROLE_BOOTH, pw, NULL, &sample_actor, &uid, ec);
    if (e == ERR_OK)
        e = stk_place_staff(db, booth, uid, ec);
    if (e == ERR_OK)
        e = booth_pos(db, booth, n, user, pin, ec);
    b = cJSON_CreateObject();
    cJSON_AddNumberToObject(b, "id", (double)booth);
    cJSON_AddStringToObject(b, "name", name);
    cJSON_AddStringToObject(b, "producer", booth_producers[n]);
    cJSON_AddStringToObject(b, "staff", user);
    cJSON_AddStringToObject(b, "password", pw);
    cJSON_AddStringToObject(b, "pin", pin);
    cJSON_AddItemToArray(booths, b);
    return e;
}

struct fair_job {
    cJSON *out;
};

static enum err fair_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct fair_job *j = cls;
    struct stk_place fair = {"fair", "Hội chợ OCOP (dữ liệu mẫu)", 0, 0,
                             "Nhà thi đấu tỉnh Quảng Ngãi",
                             "Văn phòng điều phối OCOP tỉnh", NULL, NULL, NULL,
                             0, 1};
    int64_t id = 0;
    cJSON *booths;
    enum err e;
    int i;

    cJSON_Delete(j->out);
    j->out = cJSON_CreateObject();
    e = stk_place_add(db, &sample_actor, &fair, &id, ec);
    cJSON_AddNumberToObject(j->out, "fair", (double)id);
    cJSON_AddStringToObject(j->out, "name", fair.name);
    cJSON_AddBoolToObject(j->out, "sample", 1);
    booths = cJSON_AddArrayToObject(j->out, "booths");
    for (i = 0; i < 3 && e == ERR_OK; i++)
        e = add_booth(db, id, i, booths, ec);
    return e;
}

enum err stk_sample_fair(struct db *db, cJSON **out, struct err_ctx *ec)
{
    struct fair_job j = {NULL};
    enum err e = db_tx_run(db, "sample fair", fair_tx, &j, ec);

    if (e != ERR_OK) {
        cJSON_Delete(j.out);
        j.out = NULL;
    }
    *out = j.out;
    return e;
}
