/* postmart.c: the Postmart product sheet (see postmart.h). */
#include "postmart/postmart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define MAX_PHOTOS 8

/* One row per certified, visible variant. Stock counts only the
 * producer's own warehouses: what sits in a booth or a display point is
 * already on offer there. The certificate is the current one (not
 * superseded, not revoked). */
static const char rows_sql[] =
    "SELECT v.sku, p.name, v.size, p.description,"
    " COALESCE(v.price_vnd, p.price_vnd), v.weight_g, g.name_vi,"
    " c.stars, c.number, p.id,"
    " COALESCE((SELECT SUM(s.qty) FROM stock_on_hand s"
    "   JOIN locations l ON l.id = s.location_id"
    "   WHERE s.variant_id = v.id AND l.kind = 'warehouse'"
    "   AND l.producer_id = p.producer_id), 0)"
    " FROM variants v JOIN products p ON p.id = v.product_id"
    " JOIN product_groups g ON g.code = p.group_code"
    " LEFT JOIN certificates c ON c.product_id = p.id"
    "  AND c.superseded_by IS NULL AND c.revoked_on IS NULL"
    " WHERE p.producer_id = ?1 AND p.status = 'certified'"
    "  AND p.hidden_at IS NULL"
    " ORDER BY p.name_key, p.id, v.position, v.id";

/* the same photos, in the same order, as the marketplace connectors get */
static const char photos_sql[] =
    "SELECT file FROM photos WHERE product_id = ?1 AND kind = 'upload'"
    " ORDER BY position, id LIMIT 8";

enum col {
    C_SKU,
    C_NAME,
    C_DESC,
    C_PRICE,
    C_STOCK,
    C_WEIGHT,
    C_PHOTOS,
    C_GROUP,
    C_STARS,
    C_CERT,
    C_COUNT
};

static const struct {
    const char *title;
    double width;
} cols[C_COUNT] = {
    {"Mã SKU", 18},      {"Tên sản phẩm", 40},
    {"Mô tả", 60},       {"Giá (VND)", 12},
    {"Tồn kho", 9},      {"Khối lượng (g)", 14},
    {"Ảnh", 60},         {"Danh mục", 24},
    {"Số sao OCOP", 11}, {"Số giấy chứng nhận", 22},
};

struct sheet {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *head, *money, *wrap;
    lxw_error err; /* the first write error, LXW_NO_ERROR while none */
};

static void put_str(struct sheet *sh, int row, enum col c, const char *s,
                    lxw_format *fmt)
{
    lxw_error e = worksheet_write_string(sh->ws, (lxw_row_t)row, (lxw_col_t)c,
                                         s ? s : "", fmt);
    if (e != LXW_NO_ERROR && sh->err == LXW_NO_ERROR)
        sh->err = e;
}

static void put_num(struct sheet *sh, int row, enum col c, double v,
                    lxw_format *fmt)
{
    lxw_error e =
        worksheet_write_number(sh->ws, (lxw_row_t)row, (lxw_col_t)c, v, fmt);
    if (e != LXW_NO_ERROR && sh->err == LXW_NO_ERROR)
        sh->err = e;
}

/* put_long: text that may pass Excel's 32,767-character cell limit is
 * cut at a UTF-8 character boundary instead of failing the sheet. */
static void put_long(struct sheet *sh, int row, enum col c, const char *s,
                     lxw_format *fmt)
{
    enum { CELL_MAX = 32000 };
    size_t n = s ? strlen(s) : 0;

    if (n <= CELL_MAX) {
        put_str(sh, row, c, s, fmt);
        return;
    }
    char *cut = malloc(CELL_MAX + 1);
    if (!cut) {
        sh->err = sh->err ? sh->err : LXW_ERROR_MEMORY_MALLOC_FAILED;
        return;
    }
    n = CELL_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* s[n] starts a character: cut before it */
    memcpy(cut, s, n);
    cut[n] = '\0';
    put_str(sh, row, c, cut, fmt);
    free(cut);
}

/* put_int: a number cell, or nothing when the column is NULL. */
static void put_int(struct sheet *sh, int row, enum col c, sqlite3_stmt *st,
                    int i, lxw_format *fmt)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    put_num(sh, row, c, (double)sqlite3_column_int64(st, i), fmt);
}

static enum err sheet_open(struct sheet *sh, const char *path,
                           struct err_ctx *ec)
{
    memset(sh, 0, sizeof *sh);
    sh->wb = workbook_new(path);
    if (!sh->wb)
        return err_set(ec, ERR_IO, "postmart: cannot create %s", path);
    sh->ws = workbook_add_worksheet(sh->wb, "Postmart");
    sh->head = workbook_add_format(sh->wb);
    sh->money = workbook_add_format(sh->wb);
    sh->wrap = workbook_add_format(sh->wb);
    if (!sh->ws || !sh->head || !sh->money || !sh->wrap)
        return err_set(ec, ERR_NOMEM, "postmart: workbook");
    format_set_bold(sh->head);
    format_set_num_format(sh->money, "#,##0");
    format_set_text_wrap(sh->wrap);
    for (int c = 0; c < C_COUNT; c++) {
        put_str(sh, 0, (enum col)c, cols[c].title, sh->head);
        (void)worksheet_set_column(sh->ws, (lxw_col_t)c, (lxw_col_t)c,
                                   cols[c].width, NULL); /* cosmetic */
    }
    (void)worksheet_freeze_panes(sh->ws, 1, 0); /* cosmetic */
    return ERR_OK;
}

/* photo_urls: the product's photos as public URLs joined by ", ". */
static enum err photo_urls(struct db *db, int64_t product_id,
                           const char *base_url, char *buf, size_t size,
                           struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, photos_sql, ec);
    size_t n = 0;

    buf[0] = '\0';
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    for (int i = 0; i < MAX_PHOTOS && sqlite3_step(st) == SQLITE_ROW; i++) {
        const char *file = db_text(st, 0);
        int w = snprintf(buf + n, size - n, "%s%s/media/u/%s-1600.jpg",
                         n ? ", " : "", base_url, file ? file : "");
        if (w < 0 || (size_t)w >= size - n) {
            buf[n] = '\0'; /* a URL that does not fit is left out whole */
            break;
        }
        n += (size_t)w;
    }
    sqlite3_reset(st);
    return ERR_OK;
}

static enum err write_row(struct db *db, struct sheet *sh, sqlite3_stmt *st,
                          int row, const char *base_url, struct err_ctx *ec)
{
    const char *name = db_text(st, 1) ? db_text(st, 1) : "";
    const char *size = db_text(st, 2) ? db_text(st, 2) : "";
    char title[1024], photos[4096];

    /* the name buyers see is the product's with the variant's size, as
     * on the marketplaces ("Mật ong rừng U Minh 500 ml") */
    snprintf(title, sizeof title, "%s%s%s", name, size[0] ? " " : "", size);
    enum err e = photo_urls(db, sqlite3_column_int64(st, 9), base_url, photos,
                            sizeof photos, ec);
    if (e)
        return e;
    put_str(sh, row, C_SKU, db_text(st, 0), NULL);
    put_str(sh, row, C_NAME, title, NULL);
    put_long(sh, row, C_DESC, db_text(st, 3), sh->wrap);
    put_int(sh, row, C_PRICE, st, 4, sh->money);
    int64_t stock = sqlite3_column_int64(st, 10);
    /* a shortfall is not a negative offer */
    put_num(sh, row, C_STOCK, (double)(stock > 0 ? stock : 0), NULL);
    put_int(sh, row, C_WEIGHT, st, 5, NULL);
    put_str(sh, row, C_PHOTOS, photos, NULL);
    put_str(sh, row, C_GROUP, db_text(st, 6), NULL);
    put_int(sh, row, C_STARS, st, 7, NULL);
    put_str(sh, row, C_CERT, db_text(st, 8), NULL);
    return ERR_OK;
}

static int producer_exists(struct db *db, int64_t id)
{
    static const char sql[] = "SELECT 1 FROM producers WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int found;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

enum err postmart_export(struct db *db, int64_t producer_id,
                         const char *base_url, const char *path, int *rows,
                         struct err_ctx *ec)
{
    struct sheet sh;
    int row = 0, rc = SQLITE_DONE;
    if (!producer_exists(db, producer_id))
        return err_user(ec, ERR_NOTFOUND, "err_not_found", NULL,
                        "no producer %lld", (long long)producer_id);
    enum err e = sheet_open(&sh, path, ec);
    sqlite3_stmt *st = e ? NULL : db_stmt(db, rows_sql, ec);

    if (!e && !st)
        e = ERR_DB;
    if (!e)
        sqlite3_bind_int64(st, 1, producer_id);
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        e = write_row(db, &sh, st, row + 1, base_url ? base_url : "", ec);
        row++;
    }
    if (!e && rc != SQLITE_DONE)
        e = err_set(ec, ERR_DB, "postmart: %s", sqlite3_errmsg(db_handle(db)));
    if (st)
        sqlite3_reset(st);
    if (!e && sh.err != LXW_NO_ERROR)
        e = err_set(ec, ERR_IO, "postmart: %s", lxw_strerror(sh.err));
    /* workbook_close writes the file and frees the workbook, always */
    lxw_error closed = sh.wb ? workbook_close(sh.wb) : LXW_NO_ERROR;
    if (!e && closed != LXW_NO_ERROR)
        e = err_set(ec, ERR_IO, "postmart: %s: %s", path, lxw_strerror(closed));
    if (!e && rows)
        *rows = row;
    return e;
}
