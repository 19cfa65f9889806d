/* sync_cli.c: `ocop sync ...`: running the worker once, adding and
 * connecting shops, putting products on them, the queue's health. */
#include "sync/sync_cli.h"

#include "core/log.h"
#include "postmart/postmart.h"
#include "seal/seal.h"
#include "sync/sync_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct actor cli_actor = {0, "cli", ""};

static const char usage_text[] =
    "usage: ocop sync COMMAND [--db FILE]\n"
    "  run [--drain] [--max-seconds S] [--inflight N] [--timeout-ms N]\n"
    "      [--orders-every S]\n"
    "      run the queue once (until nothing is due; --drain also waits out\n"
    "      retries), print what happened as JSON\n"
    "  shop add --market M --name NAME --producer ID --app-key KEY\n"
    "      [--location ID] [--api-base URL] [--auth-base URL] [--web-base URL]\n"
    "      [--warehouse ID] [--shop-ref REF] [--rate R]\n"
    "      add a shop; the app secret is read from stdin (never a flag, so\n"
    "      it is not seen in the process list); prints the shop id\n"
    "  shop connect ID [--code CODE] [--shop-ref REF]\n"
    "      exchange the seller's authorisation code for tokens (Sendo: log\n"
    "      in with the shop key and secret, no code)\n"
    "  shop auth-url ID --redirect URL\n"
    "      print where to send the seller to authorise the shop\n"
    "  list SHOP_ID PRODUCT_ID...   put products on a shop\n"
    "  status                       the queue's health as JSON\n"
    "  categories-seed DIR          load DIR/NAME/categories.json mappings\n"
    "  export postmart --producer ID --out FILE.xlsx\n"
    "      Postmart has no seller API: the product sheet its seller portal\n"
    "      takes, one row per certified variant (integrations/postmart)\n"
    "  demo --mock URL [--photos DIR]  the demo shops (make run)\n";

struct args {
    const char *v[24][2];
    int n;
    const char *pos[64];
    int npos;
};

static int parse(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            int flag = strcmp(argv[i], "--drain") == 0;
            if (a->n == 24 || (!flag && i + 1 >= argc))
                return -1;
            a->v[a->n][0] = argv[i] + 2;
            a->v[a->n][1] = flag ? "1" : argv[++i];
            a->n++;
        } else if (a->npos < 64) {
            a->pos[a->npos++] = argv[i];
        }
    }
    return 0;
}

static const char *opt(const struct args *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->v[i][0], name) == 0)
            return a->v[i][1];
    return NULL;
}

static long opt_long(const struct args *a, const char *name, long def)
{
    const char *v = opt(a, name);
    return v ? strtol(v, NULL, 10) : def;
}

static long long strtoll_or0(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

static int fail(const char *what, const struct err_ctx *ec)
{
    fprintf(stderr, "ocop sync %s: %s\n", what, ec->msg);
    return 1;
}

void sync_opts_from_conf(const struct conf *conf, struct sync_opts *o)
{
    sync_opts_default(o);
    o->media_dir = conf->media_dir;
    o->base_url = conf->base_url;
    /* a demo polls orders often, so a sale on the mock shows quickly */
    const char *every = getenv("OCOP_SYNC_ORDERS_EVERY_S");
    long s = every ? strtol(every, NULL, 10) : 0;
    if (s > 0)
        o->orders_every_s = s;
}

static int cmd_run(const struct conf *conf, const struct args *a)
{
    struct sync_opts o;
    struct sync_stats st;
    struct err_ctx ec = {0};
    sync_opts_from_conf(conf, &o);
    o.drain = opt(a, "drain") != NULL;
    o.max_inflight = (int)opt_long(a, "inflight", o.max_inflight);
    o.timeout_ms = opt_long(a, "timeout-ms", o.timeout_ms);
    o.orders_every_s = opt_long(a, "orders-every", o.orders_every_s);
    double max_s = (double)opt_long(a, "max-seconds", 0);
    if (sync_run(conf->db_path, &o, max_s, &st, &ec) != ERR_OK)
        return fail("run", &ec);
    printf("{\"requests\":%lld,\"ok\":%lld,\"retried\":%lld,\"failed\":%lld,"
           "\"dead\":%lld,\"refreshed\":%lld,\"revoked\":%lld,"
           "\"orders\":%lld,\"jobs_done\":%lld}\n",
           (long long)st.requests, (long long)st.ok, (long long)st.retried,
           (long long)st.failed, (long long)st.dead, (long long)st.refreshed,
           (long long)st.revoked, (long long)st.orders,
           (long long)st.jobs_done);
    return 0;
}

static int read_secret(char *buf, size_t size)
{
    if (!fgets(buf, (int)size, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] ? 0 : -1;
}

static int cmd_shop_add(struct db *db, const struct args *a)
{
    struct err_ctx ec = {0};
    char secret[256];
    int64_t id = 0;
    if (read_secret(secret, sizeof secret) != 0) {
        fprintf(stderr, "ocop sync shop add: the app secret goes on stdin\n");
        return 2;
    }
    struct sync_shop_new n = {
        .market = opt(a, "market"), .name = opt(a, "name"),
        .producer_id = opt_long(a, "producer", 0),
        .location_id = opt_long(a, "location", 0),
        .api_base = opt(a, "api-base"), .auth_base = opt(a, "auth-base"),
        .web_base = opt(a, "web-base"), .app_key = opt(a, "app-key"),
        .app_secret = secret, .shop_ref = opt(a, "shop-ref"),
        .warehouse = opt(a, "warehouse"),
        .rate_per_s = opt(a, "rate") ? strtod(opt(a, "rate"), NULL) : 0,
        .is_demo = opt(a, "demo") != NULL};
    enum err e = sync_shop_add(db, &cli_actor, &n, &id, &ec);
    sodium_memzero(secret, sizeof secret);
    if (e != ERR_OK)
        return fail("shop add", &ec);
    printf("%lld\n", (long long)id);
    return 0;
}

static int cmd_shop(struct db *db, const struct args *a)
{
    struct err_ctx ec = {0};
    const char *verb = a->npos > 1 ? a->pos[1] : "";
    int64_t id = a->npos > 2 ? strtoll_or0(a->pos[2]) : 0;
    if (strcmp(verb, "add") == 0)
        return cmd_shop_add(db, a);
    if (strcmp(verb, "connect") == 0) {
        if (sync_shop_connect(db, &cli_actor, id, opt(a, "code"), NULL,
                              opt(a, "shop-ref"), &ec) != ERR_OK)
            return fail("shop connect", &ec);
        printf("connected\n");
        return 0;
    }
    if (strcmp(verb, "auth-url") == 0 && opt(a, "redirect")) {
        char url[2048];
        if (sync_shop_auth_url(db, id, opt(a, "redirect"), url, sizeof url,
                               &ec) != ERR_OK)
            return fail("shop auth-url", &ec);
        printf("%s\n", url);
        return 0;
    }
    fputs(usage_text, stderr);
    return 2;
}

static int cmd_list(struct db *db, const struct args *a)
{
    struct err_ctx ec = {0};
    int total = 0;
    if (a->npos < 3) {
        fputs(usage_text, stderr);
        return 2;
    }
    for (int i = 2; i < a->npos; i++) {
        int added = 0;
        if (sync_list_product(db, &cli_actor, strtoll_or0(a->pos[1]),
                              strtoll_or0(a->pos[i]), &added, &ec) != ERR_OK)
            return fail("list", &ec);
        total += added;
    }
    printf("%d\n", total);
    return 0;
}

static int print_json(cJSON *j)
{
    char *s = cJSON_Print(j);
    if (s)
        printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(j);
    return s ? 0 : 1;
}

static int dispatch(const struct conf *conf, struct db *db,
                    const struct args *a)
{
    struct err_ctx ec = {0};
    const char *cmd = a->pos[0];
    cJSON *j = NULL;
    if (strcmp(cmd, "shop") == 0)
        return cmd_shop(db, a);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(db, a);
    if (strcmp(cmd, "status") == 0) {
        if (sync_health(db, &j, &ec) != ERR_OK) {
            cJSON_Delete(j);
            return fail("status", &ec);
        }
        return print_json(j);
    }
    if (strcmp(cmd, "categories-seed") == 0 && a->npos > 1)
        return sync_categories_seed(db, a->pos[1], &ec) == ERR_OK
                   ? 0
                   : fail("categories-seed", &ec);
    if (strcmp(cmd, "export") == 0 && a->npos > 1 &&
        strcmp(a->pos[1], "postmart") == 0 && opt(a, "out")) {
        int rows = 0;
        if (postmart_export(db, opt_long(a, "producer", 0), conf->base_url,
                            opt(a, "out"), &rows, &ec) != ERR_OK)
            return fail("export postmart", &ec);
        printf("%d\n", rows);
        return 0;
    }
    if (strcmp(cmd, "demo") == 0)
        return sync_demo_cli(conf, db, opt(a, "mock"), opt(a, "photos"));
    fputs(usage_text, stderr);
    return 2;
}

int sync_cli(struct conf *conf, int argc, char **argv)
{
    struct args a;
    struct err_ctx ec = {0};
    struct db *db = NULL;
    char key_file[1100];
    if (parse(argc, argv, &a) != 0 || a.npos == 0) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (opt(&a, "db"))
        snprintf(conf->db_path, sizeof conf->db_path, "%s", opt(&a, "db"));
    if (conf_finish(conf, &ec) != ERR_OK)
        return fail("configuration", &ec);
    seal_key_file_default(conf->db_path, key_file, sizeof key_file);
    if (seal_init(key_file, &ec) != ERR_OK)
        return fail("secret key", &ec);
    if (strcmp(a.pos[0], "run") == 0)
        return cmd_run(conf, &a);
    if (db_open(conf->db_path, DB_READWRITE, &db, &ec) != ERR_OK ||
        db_migrate(db, NULL, &ec) != ERR_OK ||
        sync_categories_seed(db, "integrations", &ec) != ERR_OK) {
        db_close(db);
        return fail("database", &ec);
    }
    int r = dispatch(conf, db, &a);
    db_close(db);
    return r;
}
