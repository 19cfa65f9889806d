/* mworker.c: the media worker thread and its queue (see mworker.h). */
#include "media/mworker.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
    mworker_fn fn;
    void *cls;
};

struct mworker {
    pthread_t thread;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;
    struct job q[MWORKER_QUEUE]; /* a ring */
    int head, n;
    int running; /* a job is being run */
    int stop;
};

static void *run(void *arg)
{
    struct mworker *w = arg;
    struct job j;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->n == 0 && !w->stop)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->n == 0)
            break; /* stopping and nothing left */
        j = w->q[w->head];
        w->head = (w->head + 1) % MWORKER_QUEUE;
        w->n--;
        w->running = 1;
        pthread_mutex_unlock(&w->lock);
        j.fn(j.cls);
        pthread_mutex_lock(&w->lock);
        w->running = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum err mworker_start(struct mworker **out, struct err_ctx *ec)
{
    struct mworker *w = calloc(1, sizeof(*w));

    *out = NULL;
    if (w == NULL)
        return ERR_NOMEM;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return err_set(ec, ERR_NOMEM, "cannot start the media worker");
    }
    *out = w;
    return ERR_OK;
}

void mworker_free(struct mworker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    (void)pthread_join(w->thread, NULL); /* it drains the queue first */
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

enum err mworker_submit(struct mworker *w, mworker_fn fn, void *cls)
{
    enum err e = ERR_OK;

    pthread_mutex_lock(&w->lock);
    if (w->stop || w->n == MWORKER_QUEUE) {
        e = ERR_BUSY;
    } else {
        w->q[(w->head + w->n) % MWORKER_QUEUE] = (struct job){fn, cls};
        w->n++;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    return e;
}

int mworker_pending(struct mworker *w)
{
    int n;

    pthread_mutex_lock(&w->lock);
    n = w->n + w->running;
    pthread_mutex_unlock(&w->lock);
    return n;
}
