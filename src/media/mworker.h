/* mworker.h: the media worker: one thread for slow image work.
 * Owns: a thread and a bounded queue of jobs (a function and its
 *   argument), run one at a time in the order given, so photo
 *   processing never takes a thread that serves pages.
 * Does not own: what a job does or how its result gets back (the job's
 *   function reports it, e.g. by resuming an HTTP request).
 * Memory: mworker_start() result is the caller's; mworker_free() runs
 *   the jobs still queued, then stops the thread. A job's argument stays
 *   the caller's; the worker never frees it.
 * Errors: ERR_BUSY when the queue is full or stopping. */
#ifndef OCOP_MWORKER_H
#define OCOP_MWORKER_H

#include "core/err.h"

#define MWORKER_QUEUE 32

struct mworker;

typedef void (*mworker_fn)(void *cls);

enum err mworker_start(struct mworker **out, struct err_ctx *ec) MUST_CHECK;
void mworker_free(struct mworker *w); /* NULL is a no-op */

/* mworker_submit: queues fn(cls); it runs on the worker thread. */
enum err mworker_submit(struct mworker *w, mworker_fn fn, void *cls) MUST_CHECK;

/* mworker_pending: jobs queued or running (for tests and logs). */
int mworker_pending(struct mworker *w);

#endif
