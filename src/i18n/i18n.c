/* i18n.c: message catalogues and number/date formatting (see i18n.h). */
#include "i18n/i18n.h"

#include "core/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct i18n {
    cJSON *cat[LANG_COUNT]; /* cat[LANG_EN] already has vi merged under it */
};

static const char *const lang_codes[LANG_COUNT] = {"vi", "en"};

static enum err load_catalogue(const char *dir, const char *code, cJSON **out,
                               struct err_ctx *ec)
{
    char path[4096], *text = NULL;
    enum err e;

    (void)snprintf(path, sizeof(path), "%s/%s.json", dir, code);
    e = file_read_all(path, 4 << 20, &text, NULL, ec);
    if (e != ERR_OK)
        return e;
    *out = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return err_set(ec, ERR_INVALID, "%s: not a JSON object", path);
    }
    return ERR_OK;
}

/* fill_from_vi: adds to en every vi key it lacks, so lookups never miss. */
static enum err fill_from_vi(cJSON *en, const cJSON *vi)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, vi)
    {
        cJSON *copy;
        if (cJSON_HasObjectItem(en, item->string))
            continue;
        copy = cJSON_Duplicate(item, 1);
        if (copy == NULL || !cJSON_AddItemToObject(en, item->string, copy)) {
            cJSON_Delete(copy);
            return ERR_NOMEM;
        }
    }
    return ERR_OK;
}

enum err i18n_load(const char *dir, struct i18n **out, struct err_ctx *ec)
{
    struct i18n *i = calloc(1, sizeof(*i));
    enum err e;

    *out = NULL;
    if (i == NULL)
        return ERR_NOMEM;
    e = load_catalogue(dir, "vi", &i->cat[LANG_VI], ec);
    if (e == ERR_OK)
        e = load_catalogue(dir, "en", &i->cat[LANG_EN], ec);
    if (e == ERR_OK)
        e = fill_from_vi(i->cat[LANG_EN], i->cat[LANG_VI]);
    if (e != ERR_OK) {
        i18n_free(i);
        return e;
    }
    *out = i;
    return ERR_OK;
}

void i18n_free(struct i18n *i)
{
    int l;

    if (i == NULL)
        return;
    for (l = 0; l < LANG_COUNT; l++)
        cJSON_Delete(i->cat[l]);
    free(i);
}

const char *i18n_t(const struct i18n *i, enum lang lang, const char *key)
{
    const char *s = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(i->cat[lang], key));

    return s != NULL ? s : key;
}

const cJSON *i18n_messages(const struct i18n *i, enum lang lang)
{
    return i->cat[lang];
}

const char *i18n_lang_code(enum lang lang)
{
    return lang_codes[lang];
}

int i18n_lang_parse(const char *code)
{
    int l;

    for (l = 0; l < LANG_COUNT; l++)
        if (strcmp(code, lang_codes[l]) == 0)
            return l;
    return -1;
}

enum lang i18n_lang_from_header(const char *al)
{
    /* Vietnamese is the default; English only when preferred over vi. */
    const char *en, *vi;

    if (al == NULL)
        return LANG_VI;
    en = strstr(al, "en");
    vi = strstr(al, "vi");
    if (en != NULL && (vi == NULL || en < vi))
        return LANG_EN;
    return LANG_VI;
}

static enum err group_digits(int64_t v, char sep, struct sb *out)
{
    char digits[32];
    int n, i;
    enum err e = ERR_OK;

    n = snprintf(digits, sizeof(digits), "%lld", (long long)v);
    for (i = 0; i < n && e == ERR_OK; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            e = sb_addc(out, sep);
        if (e == ERR_OK)
            e = sb_addc(out, digits[i]);
    }
    return e;
}

enum err i18n_money(int64_t vnd, enum lang lang, struct sb *out)
{
    enum err e = ERR_OK;
    uint64_t mag = vnd < 0 ? (uint64_t)0 - (uint64_t)vnd : (uint64_t)vnd;

    if (mag > (uint64_t)INT64_MAX)
        return ERR_INVALID;
    if (vnd < 0)
        e = sb_addc(out, '-');
    if (e == ERR_OK && lang == LANG_EN)
        e = sb_adds(out, "\xE2\x82\xAB"); /* ₫ */
    if (e == ERR_OK)
        e = group_digits((int64_t)mag, lang == LANG_EN ? ',' : '.', out);
    if (e == ERR_OK && lang == LANG_VI)
        e = sb_adds(out, "\xC2\xA0\xE2\x82\xAB"); /* NBSP ₫ */
    return e;
}

enum err i18n_date(const char *iso, enum lang lang, struct sb *out)
{
    static const char *const months[] = {"January", "February", "March",
                                         "April",   "May",      "June",
                                         "July",    "August",   "September",
                                         "October", "November", "December"};
    int y, m, d;

    if (iso == NULL || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 ||
        m > 12)
        return ERR_INVALID;
    if (lang == LANG_EN)
        return sb_addf(out, "%d %s %d", d, months[m - 1], y);
    return sb_addf(out, "%02d/%02d/%04d", d, m, y);
}
