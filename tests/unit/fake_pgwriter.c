/* SPDX-License-Identifier: MIT */
/* The fake writer (fake_pgwriter.h): et_pgwriter_idle, _submit and
 * _connected as daemon/pgwriter.c declares them, on a plain struct. */
#include "fake_pgwriter.h"

#include <stdlib.h>

struct et_pgwriter {
	bool busy;
	et_batch_t *job;
	unsigned submits;
};

et_pgwriter_t *fake_pgwriter_new(void)
{
	return calloc(1, sizeof(et_pgwriter_t));
}

void fake_pgwriter_free(et_pgwriter_t *w)
{
	free(w);
}

et_batch_t *fake_pgwriter_take(et_pgwriter_t *w)
{
	et_batch_t *b = w->job;
	w->job = NULL;
	return b;
}

void fake_pgwriter_done(et_pgwriter_t *w)
{
	w->busy = false;
}

unsigned fake_pgwriter_submits(const et_pgwriter_t *w)
{
	return w->submits;
}

bool et_pgwriter_idle(const et_pgwriter_t *w)
{
	return !w->busy;
}

void et_pgwriter_submit(et_pgwriter_t *w, et_batch_t *b)
{
	w->busy = true;
	w->job = b;
	w->submits++;
}

bool et_pgwriter_connected(const et_pgwriter_t *w)
{
	(void)w;
	return true;
}
