/* stk.h: places and the stock ledger.
 * Owns: locations (warehouses, display points, fairs and their booths,
 *   marketplace channels), which producers a booth or point sells for and
 *   who staffs it, and the ledger: every movement is an immutable row in
 *   stock_moves, and stock_on_hand (per variant and place) is changed in
 *   the same transaction, so the two always agree (stk_verify checks it).
 *   Stock never goes below zero, except for a sale made offline: then the
 *   gap is recorded in stock_shortfalls for the organiser.
 * Does not own: sales (pos), prices and variants (catalog).
 * Errors: ERR_CONFLICT with key err_stock_insufficient when a movement
 *   would take stock below zero; ERR_NOTFOUND for unknown places.
 *   Writing functions run inside the caller's transaction. */
#ifndef OCOP_STK_H
#define OCOP_STK_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

enum stk_kind {
    STK_RECEIVE, STK_TRANSFER_OUT, STK_TRANSFER_IN, STK_SALE, STK_RETURN,
    STK_VOID, STK_ADJUST, STK_COUNT, STK_DISPATCH
};

struct stk_move {
    int64_t variant_id;
    int64_t location_id;
    int64_t qty;              /* signed: + in, - out */
    enum stk_kind kind;
    const char *reason;       /* may be NULL */
    const char *ref;          /* "sale:12", "transfer:3" ... may be NULL */
    const char *occurred_at;  /* NULL: now */
    int64_t unit_price_vnd;   /* < 0 when not a sale */
    int allow_negative;       /* an offline sale: record the shortfall */
};

const char *stk_kind_name(enum stk_kind k);

/* stk_record: one movement; *shortfall (may be NULL) gets how far below
 * zero it took stock (0 normally). */
enum err stk_record(struct db *db, const struct actor *who,
                    const struct stk_move *m, int64_t *shortfall,
                    struct err_ctx *ec) MUST_CHECK;

/* stk_on_hand_of: the quantity of one variant at one place (0 if none). */
int64_t stk_on_hand_of(struct db *db, int64_t variant_id, int64_t location_id);

/* stk_stock: [{"variant_id","sku","name","size","unit","price_vnd",
 * "on_hand","min_qty","low","product_slug","barcode","photo"}] for a
 * place: every variant it holds or sells (its producers' variants);
 * photo is the URL of the product's first photo, or null. */
enum err stk_stock(struct db *db, int64_t location_id, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;

/* stk_verify: how many (variant, place) pairs have on-hand different from
 * the sum of their ledger (0 when the books agree). */
int64_t stk_verify(struct db *db);

/* Places. */
struct stk_place {
    const char *kind;      /* warehouse | point | fair | booth | channel */
    const char *name;
    int64_t parent_id;     /* a booth's fair, or 0 */
    int64_t producer_id;   /* a warehouse's producer, or 0 */
    const char *venue, *organiser, *starts_on, *ends_on, *channel;
    double commission_pct;
    int is_sample;
};
enum err stk_place_add(struct db *db, const struct actor *who,
                       const struct stk_place *p, int64_t *id_out,
                       struct err_ctx *ec) MUST_CHECK;
enum err stk_place_producer(struct db *db, int64_t location_id,
                            int64_t producer_id, double commission_pct,
                            struct err_ctx *ec) MUST_CHECK;
enum err stk_place_staff(struct db *db, int64_t location_id, int64_t user_id,
                         struct err_ctx *ec) MUST_CHECK;
/* stk_place: {"id","kind","name","parent_id",...,"producers":[...]} */
enum err stk_place(struct db *db, int64_t id, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;
/* stk_is_staff: 1 when user_id staffs location_id. */
int stk_is_staff(struct db *db, int64_t location_id, int64_t user_id);
/* stk_sells: 1 when the place sells the producer of variant_id. */
int stk_sells(struct db *db, int64_t location_id, int64_t variant_id);

#endif
