/* SPDX-License-Identifier: MIT */
/* The PostgreSQL writer: one thread that owns one blocking libpq connection
 * and writes one batch at a time (docs/threads.md: about 2.5x less code than
 * non-blocking libpq on uv_poll_t, and the loop never waits on PostgreSQL).
 * Everything here except the thread body runs on the loop thread. */
#ifndef ENERTRACK_DAEMON_PGWRITER_H
#define ENERTRACK_DAEMON_PGWRITER_H

#include <stdbool.h>
#include <uv.h>

#include "batch.h"

typedef struct et_pgwriter et_pgwriter_t;

/* Called on the loop thread when a submitted batch is committed; the batch
 * is handed back to the caller. */
typedef void (*et_pgwriter_done_cb)(et_batch_t *b, void *ctx);

/* Starts the thread. conninfo, password and counter_reset are copied
 * (password may be NULL; counter_reset is "restart" or "hold", set as the
 * session's enertrack.counter_reset for the write path; counter_jitter,
 * [ingest] counter_jitter, as its enertrack.counter_jitter). Returns 0 or a
 * negative errno. */
int et_pgwriter_start(et_pgwriter_t **ret, uv_loop_t *loop, const char *conninfo,
		      const char *password, const char *counter_reset, double counter_jitter,
		      et_pgwriter_done_cb cb, void *ctx) __attribute__((warn_unused_result));

/* True when no batch is in flight: the caller may submit. */
bool et_pgwriter_idle(const et_pgwriter_t *w);

/* Hands b to the writer (it must be idle). The writer keeps retrying until
 * the batch is committed or the writer is stopped. */
void et_pgwriter_submit(et_pgwriter_t *w, et_batch_t *b);

/* True while the writer has a working connection. */
bool et_pgwriter_connected(const et_pgwriter_t *w);

/* Asks the thread to stop once the batch in flight is committed; with
 * `abandon`, it gives up retrying (PostgreSQL unreachable at shutdown).
 * Returns at once: the thread signals its end through the handle, the loop
 * joins it then (a batch it finished is handed back first) and closes the
 * handle; `w` is freed in the close callback, after which `closed` (if any)
 * runs. */
void et_pgwriter_stop(et_pgwriter_t *w, bool abandon, void (*closed)(void *ctx));

#endif
