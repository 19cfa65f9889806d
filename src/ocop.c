/* ocop.c: the command line: flags, configuration, signals, exit codes.
 * The only file that may call exit(). Subcommands:
 *   serve   serve the showcase and API (migrates; imports a new database)
 *   import  import a catalog folder (idempotent)
 *   sample  add synthetic sample products
 *   vietqr  encode or check a VietQR (NAPAS 247) payment payload
 *   integrations sign  sign a marketplace request (Shopee, Lazada, TikTok) */
#include "auth/auth.h"
#include "catalog/cat_import.h"
#include "stock/stk_sample.h"
#include "core/conf.h"
#include "core/log.h"
#include "db/db.h"
#include "http/http.h"
#include "pay/vietqr.h"
#include "seal/seal.h"
#include "sync/sync_cli.h"
#include "web/app.h"
#include "lazada/sign.h"
#include "shopee/sign.h"
#include "tiktok/sign.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum exit_code { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: ocop [--config FILE] COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  serve  [--db FILE] [--listen HOST:PORT] [--theme NAME]\n"
    "         serve the OCOP showcase and the JSON API; applies database\n"
    "         migrations, and imports catalog/ into a new database\n"
    "  import [--db FILE] PATH\n"
    "         import a catalog folder (groups.json, producers.json,\n"
    "         products.json); running it twice changes nothing\n"
    "  sample --products N [--db FILE]\n"
    "         add N synthetic products, flagged as sample data\n"
    "  sample --fair [--db FILE]\n"
    "         add a sample fair with three booths, their stock and staff;\n"
    "         prints the fair and booth ids (and staff passwords) as JSON\n"
    "  user add --role admin|producer|booth --username NAME\n"
    "           [--producer SLUG] [--password-stdin]\n"
    "         create an account; without --password-stdin a strong\n"
    "         password is made and printed once\n"
    "  routes\n"
    "         print the routing table (method, path, who may call it)\n"
    "  apikey create --role admin|producer|booth [--producer SLUG]\n"
    "           [--booth ID] --name LABEL\n"
    "         create an API key and print it once, alone on stdout\n"
    "  vietqr encode --bin BIN --account NO [--to account|card]\n"
    "           [--amount VND] [--purpose TEXT] [--bill NO]\n"
    "         print a VietQR (NAPAS 247) transfer payload, alone on stdout;\n"
    "         the purpose is folded to ASCII, at most 25 characters\n"
    "  vietqr decode PAYLOAD\n"
    "         check a VietQR payload; print its fields as JSON, or the\n"
    "         fault on stderr and exit 1\n"
    "  sync run|shop|list|status|demo ...\n"
    "         marketplace sync: run the queue once, add and connect shops,\n"
    "         put products on them, see the queue's health (ocop sync -h)\n"
    "  integrations sign shopee|lazada|tiktok\n"
    "         read {\"secret\",\"path\",\"params\",\"body\"} as JSON on stdin and\n"
    "         print the request signature, alone on stdout\n"
    "\n"
    "Options for every command:\n"
    "  --config FILE     read settings from FILE (key = value lines)\n"
    "  --print-config    print the settings and where each came from\n"
    "  -h, --help        this text\n"
    "\n"
    "Settings, lowest precedence first: defaults, the config file\n"
    "(OCOP_CONFIG or ./ocop.conf), OCOP_* environment variables\n"
    "(OCOP_DB_PATH, OCOP_LISTEN, OCOP_THEME, OCOP_BASE_URL, OCOP_THREADS,\n"
    "OCOP_CATALOG_DIR, OCOP_THEMES_DIR, OCOP_LOG_LEVEL), then flags.\n"
    "Defaults: --listen 127.0.0.1:8080, --db var/ocop.db.\n";

struct cli {
    const char *command;
    const char *path;  /* import PATH, or the verb of user/apikey */
    long products;     /* sample --products N */
    int print_config;
    const char *role, *username, *producer, *name;
    long booth;
    int password_stdin;
    int fair; /* sample --fair */
};

static int usage(FILE *out, int code)
{
    fputs(usage_text, out);
    return code;
}

static int fail(const char *what, const struct err_ctx *ec)
{
    fprintf(stderr, "ocop: %s: %s\n", what, ec->msg[0] ? ec->msg : "failed");
    return EXIT_FAIL;
}

/* flag_value: the value of --name VALUE or --name=VALUE at argv[*i]. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static const char *find_config(int argc, char **argv)
{
    int i;
    const char *v;

    for (i = 1; i < argc; i++) {
        v = flag_value(argc, argv, &i, "--config");
        if (v != NULL)
            return v;
    }
    return getenv("OCOP_CONFIG");
}

static enum err load_settings(struct conf *conf, int argc, char **argv,
                              struct err_ctx *ec)
{
    const char *file = find_config(argc, argv);
    enum err e = ERR_OK;

    conf_defaults(conf);
    if (file != NULL)
        e = conf_load_file(conf, file, ec);
    else if (conf_load_file(conf, "ocop.conf", ec) == ERR_NOTFOUND)
        e = ERR_OK; /* the default file is optional */
    if (e == ERR_OK)
        e = conf_load_env(conf, ec);
    return e;
}

static const struct {
    const char *flag, *key;
} setting_flags[] = {
    {"--db", "db.path"},
    {"--listen", "listen"},
    {"--theme", "theme"},
    {"--base-url", "base_url"},
    {"--threads", "threads"},
};

/* parse_flag: one flag at argv[*i]; 1 taken, 0 not a flag, -1 bad. */
static int parse_flag(int argc, char **argv, int *i, struct conf *conf,
                      struct cli *cli, struct err_ctx *ec)
{
    const char *v;
    size_t k;
    char *end;

    if (flag_value(argc, argv, i, "--config") != NULL)
        return 1;
    if (strcmp(argv[*i], "--print-config") == 0)
        return cli->print_config = 1;
    for (k = 0; k < sizeof(setting_flags) / sizeof(setting_flags[0]); k++) {
        v = flag_value(argc, argv, i, setting_flags[k].flag);
        if (v != NULL)
            return conf_set(conf, setting_flags[k].key, v, CONF_FLAG, ec) ==
                           ERR_OK
                       ? 1
                       : -1;
    }
    if (strcmp(argv[*i], "--password-stdin") == 0)
        return cli->password_stdin = 1;
    if (strcmp(argv[*i], "--fair") == 0)
        return cli->fair = 1;
    if ((v = flag_value(argc, argv, i, "--role")) != NULL)
        return cli->role = v, 1;
    if ((v = flag_value(argc, argv, i, "--username")) != NULL)
        return cli->username = v, 1;
    if ((v = flag_value(argc, argv, i, "--producer")) != NULL)
        return cli->producer = v, 1;
    if ((v = flag_value(argc, argv, i, "--name")) != NULL)
        return cli->name = v, 1;
    if ((v = flag_value(argc, argv, i, "--booth")) != NULL) {
        cli->booth = strtol(v, &end, 10);
        return *end == '\0' && cli->booth > 0 ? 1 : -1;
    }
    v = flag_value(argc, argv, i, "--products");
    if (v == NULL)
        return argv[*i][0] == '-' ? -1 : 0;
    errno = 0;
    cli->products = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || cli->products < 1 ||
        cli->products > 1000000) {
        (void)err_set(ec, ERR_INVALID, "--products: expected 1..1000000");
        return -1;
    }
    return 1;
}

static int parse_args(int argc, char **argv, struct conf *conf,
                      struct cli *cli, struct err_ctx *ec)
{
    int i, r;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 0;
        r = parse_flag(argc, argv, &i, conf, cli, ec);
        if (r < 0) {
            if (ec->msg[0] == '\0')
                (void)err_set(ec, ERR_INVALID, "unknown option %s", argv[i]);
            return -1;
        }
        if (r > 0)
            continue;
        if (cli->command == NULL)
            cli->command = argv[i];
        else if (cli->path == NULL)
            cli->path = argv[i];
        else
            return err_set(ec, ERR_INVALID, "unexpected argument %s", argv[i]),
                   -1;
    }
    return cli->command != NULL || cli->print_config ? 1 : 0;
}

/* ensure_parent_dir: creates the folder of path (one level, as var/). */
static enum err ensure_parent_dir(const char *path, struct err_ctx *ec)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');

    if (slash == NULL || slash == path)
        return ERR_OK;
    if ((size_t)(slash - path) >= sizeof(dir))
        return err_set(ec, ERR_INVALID, "path too long");
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return err_set(ec, ERR_IO, "%s: %s", dir, strerror(errno));
    return ERR_OK;
}

static enum err open_db(const struct conf *conf, struct db **db,
                        struct err_ctx *ec)
{
    enum err e = ensure_parent_dir(conf->db_path, ec);
    int applied = 0;

    if (e == ERR_OK)
        e = db_open(conf->db_path, DB_READWRITE, db, ec);
    if (e == ERR_OK)
        e = db_migrate(*db, &applied, ec);
    return e;
}

static int cmd_import(const struct conf *conf, const char *path)
{
    struct cat_import_stats st;
    struct err_ctx ec = {0};
    struct db *db = NULL;
    enum err e;

    if (path == NULL) {
        fprintf(stderr, "ocop: import: which folder? (ocop import catalog)\n");
        return EXIT_USAGE;
    }
    e = open_db(conf, &db, &ec);
    if (e == ERR_OK)
        e = cat_import_dir(db, path, &st, &ec);
    db_close(db);
    if (e != ERR_OK)
        return fail("import", &ec);
    printf("imported %s: %d groups, %d producers, %d products, %d variants, "
           "%d photos, %d certificates; %d rows changed\n",
           path, st.groups, st.producers, st.products, st.variants, st.photos,
           st.certificates, st.changed);
    return EXIT_OK;
}

static int cmd_sample_fair(const struct conf *conf)
{
    struct err_ctx ec = {0};
    struct db *db = NULL;
    cJSON *out = NULL;
    char *text;
    enum err e = open_db(conf, &db, &ec);

    if (e == ERR_OK && cat_catalog_empty(db))
        e = cat_import_dir(db, conf->catalog_dir,
                           &(struct cat_import_stats){0}, &ec);
    if (e == ERR_OK)
        e = stk_sample_fair(db, &out, &ec);
    db_close(db);
    if (e != ERR_OK)
        return fail("sample --fair", &ec);
    text = cJSON_PrintUnformatted(out);
    printf("%s\n", text ? text : "{}");
    cJSON_free(text);
    cJSON_Delete(out);
    return EXIT_OK;
}

static int cmd_sample(const struct conf *conf, long n)
{
    struct err_ctx ec = {0};
    struct db *db = NULL;
    enum err e;

    if (n < 1) {
        fprintf(stderr, "ocop: sample: how many? (--products N)\n");
        return EXIT_USAGE;
    }
    e = open_db(conf, &db, &ec);
    if (e == ERR_OK && cat_catalog_empty(db))
        e = cat_import_dir(db, conf->catalog_dir,
                           &(struct cat_import_stats){0}, &ec);
    if (e == ERR_OK)
        e = cat_import_sample(db, (int)n, &ec);
    db_close(db);
    if (e != ERR_OK)
        return fail("sample", &ec);
    printf("added %ld sample products\n", n);
    return EXIT_OK;
}

static const struct actor cli_actor = {0, "cli", ""};

struct user_job {
    const struct cli *cli;
    const char *password;
    int role;
};

static enum err user_add_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    const struct user_job *j = cls;

    return auth_user_add(db, j->cli->username, (enum auth_role)j->role,
                         j->password, j->cli->producer, &cli_actor, NULL, ec);
}

/* read_password: one line from stdin, without its newline. */
static int read_password(char *buf, size_t size)
{
    size_t n;

    if (fgets(buf, (int)size, stdin) == NULL)
        return 0;
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    return n > 0;
}

static void random_password(char *buf, size_t size)
{
    static const char alphabet[] =
        "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    size_t i;

    for (i = 0; i + 1 < size && i < 20; i++)
        buf[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    buf[i] = '\0';
}

static int cmd_user(const struct conf *conf, const struct cli *cli)
{
    char password[1100];
    struct user_job job = {cli, password, auth_role_parse(cli->role)};
    struct err_ctx ec = {0};
    struct db *db = NULL;
    enum err e;

    if (cli->path == NULL || strcmp(cli->path, "add") != 0 || job.role < 0 ||
        cli->username == NULL) {
        fprintf(stderr, "ocop: user add --role admin|producer|booth "
                        "--username NAME [--producer SLUG] [--password-stdin]\n");
        return EXIT_USAGE;
    }
    if (cli->password_stdin && !read_password(password, sizeof(password))) {
        fprintf(stderr, "ocop: user add: no password on stdin\n");
        return EXIT_USAGE;
    }
    if (!cli->password_stdin)
        random_password(password, sizeof(password));
    e = open_db(conf, &db, &ec);
    if (e == ERR_OK && cat_catalog_empty(db))
        e = cat_import_dir(db, conf->catalog_dir,
                           &(struct cat_import_stats){0}, &ec);
    if (e == ERR_OK)
        e = db_tx_run(db, "user add", user_add_tx, &job, &ec);
    db_close(db);
    if (e != ERR_OK)
        return fail("user add", &ec);
    if (!cli->password_stdin)
        printf("%s\n", password);
    sodium_memzero(password, sizeof(password));
    return EXIT_OK;
}

struct key_job {
    const struct cli *cli;
    int role;
    char key[AUTH_APIKEY_CHARS];
};

static enum err key_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct key_job *j = cls;

    return auth_apikey_create(db, (enum auth_role)j->role, j->cli->producer,
                              j->cli->booth, j->cli->name, &cli_actor, j->key,
                              NULL, ec);
}

static int cmd_apikey(const struct conf *conf, const struct cli *cli)
{
    struct key_job job = {cli, auth_role_parse(cli->role), ""};
    struct err_ctx ec = {0};
    struct db *db = NULL;
    enum err e;

    if (cli->path == NULL || strcmp(cli->path, "create") != 0 ||
        job.role < 0 || cli->name == NULL) {
        fprintf(stderr, "ocop: apikey create --role admin|producer|booth "
                        "[--producer SLUG] [--booth ID] --name LABEL\n");
        return EXIT_USAGE;
    }
    e = open_db(conf, &db, &ec);
    if (e == ERR_OK && cat_catalog_empty(db))
        e = cat_import_dir(db, conf->catalog_dir,
                           &(struct cat_import_stats){0}, &ec);
    if (e == ERR_OK)
        e = db_tx_run(db, "apikey create", key_tx, &job, &ec);
    db_close(db);
    if (e != ERR_OK)
        return fail("apikey create", &ec);
    printf("%s\n", job.key);
    sodium_memzero(job.key, sizeof(job.key));
    return EXIT_OK;
}

static enum err prepare_db(const struct conf *conf, struct err_ctx *ec)
{
    struct cat_import_stats st;
    struct db *db = NULL;
    enum err e = open_db(conf, &db, ec);

    if (e == ERR_OK && cat_catalog_empty(db)) {
        e = cat_import_dir(db, conf->catalog_dir, &st, ec);
        if (e == ERR_OK)
            log_msg(LOG_INFO, "serve", "new database: imported %d products",
                    st.products);
    }
    /* after the import: the mapping refers to the product groups */
    if (e == ERR_OK)
        e = sync_categories_seed(db, "integrations", ec);
    db_close(db);
    return e;
}

static int wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigwait(&set, &sig) != 0)
        return -1;
    return sig;
}

/* base_url_port: a base URL derived from "--listen HOST:0" gets the port
 * the system chose, before the first request (reset links use it). */
static void base_url_port(void *cls, int port)
{
    struct conf *conf = cls;

    if (conf->base_url_derived && conf->listen_port == 0)
        (void)snprintf(conf->base_url, sizeof(conf->base_url),
                       "http://%s:%d", conf->listen_host, port);
}

/* start_sync: the marketplace worker, on its own thread and connection;
 * OCOP_SYNC=off leaves it out (a second server on the same database). */
static enum err start_sync(const struct conf *conf, struct sync_worker **out,
                           struct err_ctx *ec)
{
    struct sync_opts o;
    char key_file[CONF_STR + 16];
    const char *off = getenv("OCOP_SYNC");
    enum err e;

    *out = NULL;
    seal_key_file_default(conf->db_path, key_file, sizeof(key_file));
    e = seal_init(key_file, ec);
    if (e != ERR_OK || (off != NULL && strcmp(off, "off") == 0))
        return e;
    sync_opts_from_conf(conf, &o);
    return sync_worker_start(conf->db_path, &o, out, ec);
}

static int cmd_serve(struct conf *conf)
{
    struct http_config hc = {0};
    struct http_server *srv = NULL;
    struct err_ctx ec = {0};
    struct app *app = NULL;
    struct sync_worker *worker = NULL;
    sigset_t set;
    enum err e;

    /* Block the signals before threads start so only sigwait sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    e = prepare_db(conf, &ec);
    if (e == ERR_OK)
        e = app_new(conf, &app, &ec);
    hc = (struct http_config){.host = conf->listen_host,
                              .port = conf->listen_port,
                              .threads = conf->threads,
                              .handler = app_handle,
                              .cls = app,
                              .thread_init = app_thread_init,
                              .thread_fini = app_thread_fini,
                              .body_policy = web_body_policy,
                              .on_bound = base_url_port,
                              .bound_cls = conf};
    if (e == ERR_OK)
        e = http_server_start(&hc, &srv, &ec);
    if (e == ERR_OK)
        e = start_sync(conf, &worker, &ec);
    if (e != ERR_OK) {
        http_server_stop(srv);
        app_free(app);
        return fail("serve", &ec);
    }
    printf("ocop: serving http://%s:%d/ (%d threads)\n", conf->listen_host,
           http_server_port(srv), conf->threads);
    fflush(stdout);
    (void)wait_for_signal();
    log_msg(LOG_INFO, "serve", "stopping");
    sync_worker_stop(worker);
    http_server_stop(srv);
    app_free(app);
    return EXIT_OK;
}

static int cmd_vietqr_encode(int argc, char **argv)
{
    static const char *const names[] = {"--bin",    "--account", "--to",
                                        "--amount", "--purpose", "--bill"};
    struct vietqr_request req = {0};
    const char *to = "account", *amount = NULL, *v = NULL;
    const char **slots[] = {&req.bin, &req.account, &to,
                            &amount,  &req.purpose, &req.bill};
    struct err_ctx ec = {0};
    struct sb out;
    size_t k;
    int i;

    for (i = 1; i < argc; i++) {
        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            v = flag_value(argc, argv, &i, names[k]);
            if (v != NULL)
                break;
        }
        if (v == NULL) {
            fprintf(stderr, "ocop: vietqr encode: bad argument %s\n", argv[i]);
            return usage(stderr, EXIT_USAGE);
        }
        *slots[k] = v;
    }
    if (req.bin == NULL || req.account == NULL ||
        (strcmp(to, "account") != 0 && strcmp(to, "card") != 0)) {
        fputs("ocop: vietqr encode: needs --bin, --account and --to "
              "account|card\n",
              stderr);
        return usage(stderr, EXIT_USAGE);
    }
    req.to = strcmp(to, "card") == 0 ? VIETQR_TO_CARD : VIETQR_TO_ACCOUNT;
    if (amount != NULL &&
        vietqr_parse_amount(amount, &req.amount_vnd, &ec) != ERR_OK)
        return fail("vietqr encode", &ec);
    sb_init(&out, 0);
    if (vietqr_encode(&req, &out, &ec) != ERR_OK) {
        sb_release(&out);
        return fail("vietqr encode", &ec);
    }
    puts(sb_str(&out));
    sb_release(&out);
    return EXIT_OK;
}

static int cmd_vietqr_decode(int argc, char **argv)
{
    struct vietqr q;
    struct err_ctx ec = {0};
    cJSON *j = NULL;
    char *s = NULL;

    if (argc != 2)
        return usage(stderr, EXIT_USAGE);
    if (vietqr_decode(argv[1], &q, &ec) != ERR_OK)
        return fail("vietqr decode: not a valid VietQR payload", &ec);
    if (vietqr_to_json(&q, &j) == ERR_OK)
        s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (s == NULL) {
        fputs("ocop: vietqr decode: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    puts(s);
    free(s);
    return EXIT_OK;
}

/* cmd_vietqr: argv[0] is "vietqr"; needs no settings or database. */
static int cmd_vietqr(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "encode") == 0)
        return cmd_vietqr_encode(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "decode") == 0)
        return cmd_vietqr_decode(argc - 1, argv + 1);
    if (argc >= 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
        return usage(stdout, EXIT_OK);
    fputs("ocop: vietqr: expected encode or decode\n", stderr);
    return usage(stderr, EXIT_USAGE);
}

/* read_stdin: all of stdin into out (capped by out's max). */
static enum err read_stdin(struct sb *out)
{
    char buf[4096];
    size_t n;

    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        if (sb_add(out, buf, n) != ERR_OK)
            return ERR_TOOBIG;
    return ferror(stdin) ? ERR_IO : ERR_OK;
}

/* sign_json: the signature for request {"secret","path","params","body"}. */
static enum err sign_json(const char *name, const cJSON *req, struct sb *out,
                          struct err_ctx *ec)
{
    const cJSON *secret = cJSON_GetObjectItemCaseSensitive(req, "secret");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(req, "path");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(req, "body");

    if (!cJSON_IsString(secret) || !cJSON_IsString(path))
        return err_set(ec, ERR_INVALID, "\"secret\" and \"path\" must be strings");
    if (!cJSON_IsObject(params))
        return err_set(ec, ERR_INVALID, "\"params\" must be an object");
    if (body != NULL && !cJSON_IsString(body))
        return err_set(ec, ERR_INVALID, "\"body\" must be a string");
    if (body != NULL && strcmp(name, "tiktok") != 0)
        return err_set(ec, ERR_INVALID, "%s does not sign a body", name);
    if (strcmp(name, "shopee") == 0)
        return shopee_sign(secret->valuestring, path->valuestring, params, out,
                           ec);
    if (strcmp(name, "lazada") == 0)
        return lazada_sign(secret->valuestring, path->valuestring, params, out,
                           ec);
    return tiktok_sign(secret->valuestring, path->valuestring, params,
                       body ? body->valuestring : NULL,
                       body ? strlen(body->valuestring) : 0, out, ec);
}

/* cmd_integrations: argv[0] is "integrations"; needs no settings. */
static int cmd_integrations(int argc, char **argv)
{
    struct err_ctx ec = {0};
    struct sb in, out;
    cJSON *req = NULL;
    int rc = EXIT_FAIL;

    if (argc != 3 || strcmp(argv[1], "sign") != 0) {
        fputs("ocop: integrations: expected sign shopee|lazada|tiktok\n", stderr);
        return usage(stderr, EXIT_USAGE);
    }
    if (strcmp(argv[2], "shopee") != 0 && strcmp(argv[2], "lazada") != 0 &&
        strcmp(argv[2], "tiktok") != 0) {
        fprintf(stderr, "ocop: integrations sign: unknown marketplace %s "
                        "(shopee, lazada, tiktok)\n", argv[2]);
        return EXIT_FAIL;
    }
    sb_init(&in, (size_t)1 << 20);
    sb_init(&out, 0);
    if (read_stdin(&in) != ERR_OK) {
        err_set(&ec, ERR_IO, "cannot read stdin (at most 1 MiB)");
        goto out;
    }
    req = cJSON_Parse(sb_str(&in));
    if (!cJSON_IsObject(req))
        err_set(&ec, ERR_INVALID, "stdin is not one JSON object");
    else if (sign_json(argv[2], req, &out, &ec) == ERR_OK)
        rc = EXIT_OK;
out:
    if (rc == EXIT_OK)
        printf("%s\n", sb_str(&out));
    else
        fail("integrations sign", &ec);
    cJSON_Delete(req);
    sb_release(&in);
    sb_release(&out);
    return rc;
}

static enum log_level level_of(const char *name)
{
    if (strcmp(name, "debug") == 0)
        return LOG_DEBUG;
    if (strcmp(name, "warn") == 0)
        return LOG_WARN;
    if (strcmp(name, "error") == 0)
        return LOG_ERROR;
    return LOG_INFO;
}

int main(int argc, char **argv)
{
    struct conf conf;
    struct cli cli = {0};
    struct err_ctx ec = {0};
    int r;

    if (argc > 1 && strcmp(argv[1], "vietqr") == 0)
        return cmd_vietqr(argc - 1, argv + 1); /* its own flags */
    if (argc > 1 && strcmp(argv[1], "integrations") == 0)
        return cmd_integrations(argc - 1, argv + 1); /* reads stdin */
    if (load_settings(&conf, argc, argv, &ec) != ERR_OK)
        return fail("configuration", &ec);
    if (argc > 1 && strcmp(argv[1], "sync") == 0)
        return sync_cli(&conf, argc - 2, argv + 2); /* its own flags */
    r = parse_args(argc, argv, &conf, &cli, &ec);
    if (r < 0) {
        fprintf(stderr, "ocop: %s\n", ec.msg);
        return usage(stderr, EXIT_USAGE);
    }
    if (r == 0)
        return usage(cli.command || argc > 1 ? stdout : stderr,
                     argc > 1 ? EXIT_OK : EXIT_USAGE);
    if (conf_finish(&conf, &ec) != ERR_OK)
        return fail("configuration", &ec);
    log_set_level(level_of(conf.log_level));
    if (cli.print_config) {
        conf_print(&conf, stdout);
        if (cli.command == NULL)
            return EXIT_OK;
    }
    if (strcmp(cli.command, "serve") == 0)
        return cmd_serve(&conf);
    if (strcmp(cli.command, "import") == 0)
        return cmd_import(&conf, cli.path);
    if (strcmp(cli.command, "sample") == 0 && cli.fair)
        return cmd_sample_fair(&conf);
    if (strcmp(cli.command, "sample") == 0)
        return cmd_sample(&conf, cli.products);
    if (strcmp(cli.command, "routes") == 0) {
        app_print_routes(stdout);
        return EXIT_OK;
    }
    if (strcmp(cli.command, "user") == 0)
        return cmd_user(&conf, &cli);
    if (strcmp(cli.command, "apikey") == 0)
        return cmd_apikey(&conf, &cli);
    fprintf(stderr, "ocop: unknown command %s\n", cli.command);
    return usage(stderr, EXIT_USAGE);
}
