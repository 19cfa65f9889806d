/* itest.c: integration test harness (see itest.h). */
#include "itest.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 20000

static int read_port(int fd, int *port)
{
    char buf[512];
    size_t used = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};

    while (used + 1 < sizeof(buf)) {
        ssize_t n;
        const char *at;
        if (poll(&p, 1, START_TIMEOUT_MS) <= 0)
            return -1;
        n = read(fd, buf + used, sizeof(buf) - used - 1);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
        at = strstr(buf, "http://127.0.0.1:");
        if (at != NULL && strchr(at, '\n') != NULL)
            return sscanf(at, "http://127.0.0.1:%d", port) == 1 ? 0 : -1;
    }
    return -1;
}

static const char *ocop_bin(void)
{
    return getenv("OCOP_BIN") ? getenv("OCOP_BIN") : "./ocop";
}

int itest_ocop(const char *db, const char *input, char *out, size_t size,
               const char *args)
{
    char cmd[4096], in_path[64] = "/dev/null";
    FILE *p;
    int rc;

    if (input != NULL) {
        FILE *f;
        int fd;
        snprintf(in_path, sizeof(in_path), "/tmp/ocop-in-XXXXXX");
        fd = mkstemp(in_path);
        f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (f == NULL)
            return -1;
        fputs(input, f);
        fclose(f);
    }
    snprintf(cmd, sizeof(cmd), "%s %s --db '%s' < '%s'", ocop_bin(), args, db,
             in_path);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    if (out != NULL && size > 0) {
        out[0] = '\0';
        if (fgets(out, (int)size, p) != NULL)
            out[strcspn(out, "\r\n")] = '\0';
    }
    while (fgetc(p) != EOF)
        ;
    rc = pclose(p);
    if (input != NULL)
        unlink(in_path);
    return rc == 0 ? 0 : -1;
}

int itest_start(struct itest_server *s)
{
    return itest_start_setup(s, NULL, NULL);
}

/* spawn: starts $OCOP_BIN serve on listen with the folder's database and
 * reads its port. The server gets SIGKILL when the thread that started it
 * ends (PR_SET_PDEATHSIG), so a test that dies leaves no server behind. */
static int spawn(struct itest_server *s, const char *listen)
{
    const char *bin = ocop_bin();
    char db[128];
    pid_t parent = getpid();
    int pipefd[2];

    snprintf(db, sizeof(db), "%s/ocop.db", s->dir);
    if (pipe(pipefd) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        dup2(pipefd[1], 1);
        /* not the test's sockets and pipes (other threads' connections) */
        (void)close_range(3, ~0U, 0);
        execl(bin, bin, "serve", "--listen", listen, "--db", db, "--threads",
              "4", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    if (s->pid < 0 || read_port(pipefd[0], &s->port) != 0) {
        close(pipefd[0]);
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
        }
        s->pid = 0;
        return -1;
    }
    close(pipefd[0]);
    snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
    return 0;
}

int itest_start_setup(struct itest_server *s,
                      void (*setup)(const char *db_path, void *cls), void *cls)
{
    char db[128];

    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/ocop-itest-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    snprintf(db, sizeof(db), "%s/ocop.db", s->dir);
    if (setup != NULL)
        setup(db, cls);
    return spawn(s, "127.0.0.1:0");
}

int itest_kill(struct itest_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    return 0;
}

int itest_restart(struct itest_server *s)
{
    char listen[32];
    int port = s->port;

    if (s->pid > 0 || port <= 0)
        return -1;
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    if (spawn(s, listen) != 0)
        return -1;
    return s->port == port ? 0 : -1;
}

int itest_stop(struct itest_server *s)
{
    int status = 0, i;
    char cmd[128];

    if (s->pid <= 0) { /* crashed and not restarted: still clean up */
        status = -1;
        goto out;
    }
    kill(s->pid, SIGTERM);
    for (i = 0; i < 200; i++) { /* up to 20 s, then give up */
        if (waitpid(s->pid, &status, WNOHANG) == s->pid)
            break;
        usleep(100000);
    }
    if (i == 200) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
    }
out:
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "itest: could not remove %s\n", s->dir);
    s->pid = 0;
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0
                                                                         : -1;
}

struct buf {
    char *p;
    size_t n;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *cls)
{
    struct buf *b = cls;
    size_t n = size * nmemb;
    char *np = realloc(b->p, b->n + n + 1);

    if (np == NULL)
        return 0;
    memcpy(np + b->n, data, n);
    b->n += n;
    np[b->n] = '\0';
    b->p = np;
    return n;
}

/* lower_names: header names in lower case, values untouched (cookies and
 * ETags are case-sensitive). */
static void lower_names(char *h)
{
    int in_name = 1;

    for (; *h != '\0'; h++) {
        if (*h == '\n')
            in_name = 1;
        else if (*h == ':')
            in_name = 0;
        else if (in_name)
            *h = (char)tolower((unsigned char)*h);
    }
}

int itest_request(struct itest_server *s, const char *method,
                  const char *path, const char *const *headers,
                  const char *body, struct itest_resp *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    struct buf b = {0}, h = {0};
    char url[16384];
    CURLcode rc;

    memset(r, 0, sizeof(*r));
    if (c == NULL)
        return -1;
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    for (; headers && *headers; headers++)
        hl = curl_slist_append(hl, *headers);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    r->body = b.p ? b.p : calloc(1, 1);
    r->len = b.n;
    r->headers = h.p ? h.p : calloc(1, 1);
    lower_names(r->headers);
    return rc == CURLE_OK ? 0 : -1;
}

int itest_get(struct itest_server *s, const char *path, struct itest_resp *r)
{
    return itest_request(s, "GET", path, NULL, NULL, r);
}

void itest_resp_free(struct itest_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

char *itest_header(const struct itest_resp *r, const char *name)
{
    char key[128];
    const char *at, *end;
    char *v;

    snprintf(key, sizeof(key), "\n%s:", name);
    at = strstr(r->headers, key);
    if (at == NULL)
        return NULL;
    at += strlen(key);
    while (*at == ' ')
        at++;
    end = strpbrk(at, "\r\n");
    v = strndup(at, end ? (size_t)(end - at) : strlen(at));
    return v;
}

/* --- the mock marketplaces ------------------------------------------------ */

static int read_mock_port(int fd, int *port)
{
    char buf[256];
    size_t used = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};

    while (used + 1 < sizeof(buf)) {
        ssize_t n;
        const char *at;
        if (poll(&p, 1, START_TIMEOUT_MS) <= 0)
            return -1;
        n = read(fd, buf + used, sizeof(buf) - used - 1);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
        at = strstr(buf, "listening on ");
        if (at != NULL && strchr(at, '\n') != NULL)
            return sscanf(at, "listening on %d", port) == 1 ? 0 : -1;
    }
    return -1;
}

int itest_mock_start(struct itest_mock *m, const char *args)
{
    char cmd[512];
    pid_t parent = getpid();
    int pipefd[2];

    memset(m, 0, sizeof(*m));
    snprintf(cmd, sizeof(cmd), "exec build/mockmkt --port 0 --quiet %s",
             args ? args : "");
    if (pipe(pipefd) != 0)
        return -1;
    m->srv.pid = fork();
    if (m->srv.pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        dup2(pipefd[1], 1);
        (void)close_range(3, ~0U, 0);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    if (m->srv.pid < 0 || read_mock_port(pipefd[0], &m->srv.port) != 0) {
        close(pipefd[0]);
        if (m->srv.pid > 0) {
            kill(m->srv.pid, SIGKILL);
            waitpid(m->srv.pid, NULL, 0);
        }
        m->srv.pid = 0;
        return -1;
    }
    close(pipefd[0]);
    snprintf(m->srv.base, sizeof(m->srv.base), "http://127.0.0.1:%d",
             m->srv.port);
    return 0;
}

int itest_mock_stop(struct itest_mock *m)
{
    int status = 0;
    if (m->srv.pid <= 0)
        return -1;
    kill(m->srv.pid, SIGTERM);
    waitpid(m->srv.pid, &status, 0);
    m->srv.pid = 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

long itest_mock_call(struct itest_mock *m, const char *path, const char *body,
                     cJSON **out)
{
    const char *h[] = {"Content-Type: application/json", NULL};
    struct itest_resp r;
    long status;

    if (out)
        *out = NULL;
    if (itest_request(&m->srv, body ? "POST" : "GET", path, h, body, &r) != 0)
        return -1;
    status = r.status;
    if (out)
        *out = cJSON_Parse(r.body);
    itest_resp_free(&r);
    return status;
}
