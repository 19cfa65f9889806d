/* test_mworker.c: the media worker runs jobs one at a time, in order, off
 * the caller's thread, refuses work when its queue is full, and runs what
 * is queued before it stops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "media/mworker.h"

#include <pthread.h>
#include <unistd.h>

struct record {
    pthread_mutex_t lock;
    int order[MWORKER_QUEUE * 2];
    int n;
    pthread_t caller;
    int off_thread;
    volatile int gate; /* the first job waits for it */
};

struct job {
    struct record *rec;
    int id;
};

static void run(void *cls)
{
    struct job *j = cls;

    while (j->id == 0 && !j->rec->gate)
        usleep(1000);
    pthread_mutex_lock(&j->rec->lock);
    j->rec->order[j->rec->n++] = j->id;
    if (!pthread_equal(pthread_self(), j->rec->caller))
        j->rec->off_thread++;
    pthread_mutex_unlock(&j->rec->lock);
}

static void runs_in_order_and_drains(void **state)
{
    struct record rec = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct job jobs[MWORKER_QUEUE + 2];
    struct mworker *w = NULL;
    struct err_ctx ec = {0};
    int i, queued = 0;

    (void)state;
    rec.caller = pthread_self();
    assert_int_equal(mworker_start(&w, &ec), ERR_OK);
    for (i = 0; i < MWORKER_QUEUE + 2; i++) {
        jobs[i] = (struct job){&rec, i};
        if (mworker_submit(w, run, &jobs[i]) == ERR_OK)
            queued++;
        else
            assert_true(i >= MWORKER_QUEUE); /* full: ERR_BUSY */
    }
    /* job 0 holds the thread: the queue filled up behind it */
    assert_true(queued >= MWORKER_QUEUE && queued <= MWORKER_QUEUE + 1);
    assert_true(mworker_pending(w) >= MWORKER_QUEUE);
    rec.gate = 1;
    mworker_free(w); /* runs everything queued first */
    assert_int_equal(rec.n, queued);
    assert_int_equal(rec.off_thread, queued);
    for (i = 0; i < rec.n; i++)
        assert_int_equal(rec.order[i], i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_in_order_and_drains),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
