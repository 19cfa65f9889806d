/* pos_device.h: the booth POS's devices, staff PINs and shifts.
 * Owns: staff PINs (users.pin_hash, reserved by auth for this: 4-6 digits,
 *   hashed with Argon2id like passwords, tries limited like sign-ins and
 *   counted in login_attempts as username "pin:NAME", address
 *   "device:KEY_ID"); shifts (pos_shifts: a PIN signed in on a device
 *   gives a token that names the staff member on the device's later
 *   requests, X-Staff-Token); the bank account a place is paid into
 *   (locations.bank_*, for VietQR); what a device needs to start.
 * A device is an API key of role booth with a booth (auth_apikey_create);
 *   the key is the secret that lets it sell at that booth, the shift only
 *   says who is selling. The server decides who may sell where
 *   (pos_may_sell); a shift never widens what the key may do.
 * Does not own: API keys and accounts (auth), sales (pos.h), stock (stk).
 * Memory: *out results are the caller's (cJSON_Delete).
 * Errors: ERR_UNAUTHORIZED (err_pin_wrong, err_staff_token),
 *   ERR_RATELIMIT (err_pin_rate_limited), ERR_FORBIDDEN (err_pos_device),
 *   ERR_UNPROCESSABLE with an i18n key and field for bad values,
 *   ERR_NOTFOUND for unknown places and accounts. pos_pin_set and
 *   pos_bank_set run inside the caller's transaction; pos_pin_signin runs
 *   its own. */
#ifndef OCOP_POS_DEVICE_H
#define OCOP_POS_DEVICE_H

#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define POS_PIN_MIN 4
#define POS_PIN_MAX 6
#define POS_SHIFT_S (7 * 24 * 3600) /* a fair lasts up to a week */
#define POS_TOKEN_CHARS 44          /* base64url of 32 bytes, NUL included */
#define POS_PIN_MAX_FAILS_USER 5    /* per AUTH_LOGIN_WINDOW_S */
#define POS_PIN_MAX_FAILS_DEVICE 20

/* pos_is_device: p is a booth API key tied to a booth. */
int pos_is_device(const struct auth_principal *p);

/* pos_pin_check_format: 4-6 digits, not one digit repeated nor a run
 * (1234, 9876); ERR_UNPROCESSABLE err_pin_format or err_pin_weak. */
enum err pos_pin_check_format(const char *pin, struct err_ctx *ec) MUST_CHECK;

/* pos_pin_set: sets the PIN of a booth staff account (role booth) that
 * staffs booth_id; audited. ERR_NOTFOUND err_user_not_found,
 * ERR_UNPROCESSABLE err_pin_role / err_pin_not_staff / the format's. */
enum err pos_pin_set(struct db *db, const struct actor *who, int64_t booth_id,
                     const char *username, const char *pin,
                     struct err_ctx *ec) MUST_CHECK;

/* pos_pin_signin: on the device, staff member username enters pin. On
 * success a shift opens: token_out gets its token (shown once, only the
 * hash is kept) and *staff_out {"username","display_name","expires_at"}.
 * A wrong PIN, an unknown name, an account without a PIN or one that does
 * not staff the device's booth are all err_pin_wrong. */
enum err pos_pin_signin(struct db *db, const struct auth_principal *device,
                        const char *username, const char *pin, time_t now,
                        char token_out[POS_TOKEN_CHARS], cJSON **staff_out,
                        struct err_ctx *ec) MUST_CHECK;

/* pos_staff_resolve: the shift of token on the device p (p comes from
 * auth_apikey); on success p->user_id and p->username become the staff
 * member's, the rest of p is unchanged. ERR_UNAUTHORIZED err_staff_token
 * for an unknown or expired token, another device's, or a disabled
 * account. */
enum err pos_staff_resolve(struct db *db, const char *token, time_t now,
                           struct auth_principal *p,
                           struct err_ctx *ec) MUST_CHECK;

/* pos_device_info: {"device","booth":{"id","name","kind","fair_name"},
 * "bank":{"bin","label","account","name"} or null, "staff":[{"username",
 * "display_name","has_pin"}]} for a device. */
enum err pos_device_info(struct db *db, const struct auth_principal *device,
                         cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* The bank account of a place. */
struct pos_bank {
    char bin[7];
    char account[20];
    char name[101];
};
/* pos_bank_label: the bank's usual name for a BIN (the BIN itself when
 * unknown); pos_bank_at: the i-th known bank, 0 past the end. Names are
 * data, keyed by BIN (domain reference §3). Static strings. */
const char *pos_bank_label(const char *bin);
int pos_bank_at(size_t i, const char **bin, const char **name);
/* pos_bank_get: ERR_NOTFOUND (err_bank_missing) when the place has none. */
enum err pos_bank_get(struct db *db, int64_t location_id, struct pos_bank *out,
                      struct err_ctx *ec) MUST_CHECK;
/* pos_bank_set: BIN 6 digits, account 1-19 letters or digits, name 1-100
 * characters (err_bank_bin, err_bank_account, err_bank_name); all three
 * empty clears it. Audited. */
enum err pos_bank_set(struct db *db, const struct actor *who,
                      int64_t location_id, const char *bin, const char *account,
                      const char *name, struct err_ctx *ec) MUST_CHECK;

/* pos_places: the booths and sales points, for the office's device page:
 * [{"id","kind","name","fair_name","bank":{...} or null,
 * "staff":[{"username","display_name","has_pin"}]}]. */
enum err pos_places(struct db *db, cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* pos_place_sells: 1 when location_id is a booth or a sales point. */
int pos_place_sells(struct db *db, int64_t location_id);

#endif
