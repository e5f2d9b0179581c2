/* SPDX-License-Identifier: MIT */
/* A fake of daemon/pgwriter.c for unit tests of its callers: no thread, no
 * PostgreSQL. A submitted batch waits in the fake until the test takes it
 * (as the writer thread would) and hands it back. */
#ifndef ENERTRACK_TESTS_FAKE_PGWRITER_H
#define ENERTRACK_TESTS_FAKE_PGWRITER_H

#include "daemon/pgwriter.h"

/* A fake writer, idle. Free with fake_pgwriter_free. */
et_pgwriter_t *fake_pgwriter_new(void);
void fake_pgwriter_free(et_pgwriter_t *w);

/* The batch submitted and not yet taken, or NULL; taking it leaves the
 * writer busy until fake_pgwriter_done. */
et_batch_t *fake_pgwriter_take(et_pgwriter_t *w);
/* The writer is idle again (the caller hands the batch back itself). */
void fake_pgwriter_done(et_pgwriter_t *w);
/* How many batches were submitted. */
unsigned fake_pgwriter_submits(const et_pgwriter_t *w);

#endif
