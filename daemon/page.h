/* SPDX-License-Identifier: MIT */
/* The status page: `/` (HTML: the targets table, their charts, the stale
 * sites and the firing alerts; no JavaScript, nothing from elsewhere,
 * refreshes itself), `/targets.json` (the same figures as data) and the
 * charts `/chart/<id>.png` and `/gap/<id>.png` (`-390` before `.png` for a
 * phone's width). Read-only: its own PostgreSQL connection in a read-only
 * session. Its render function runs on the HTTP worker thread (http.h),
 * never on the loop. */
#ifndef ENERTRACK_DAEMON_PAGE_H
#define ENERTRACK_DAEMON_PAGE_H

#include "enertrack/buf.h"
#include "enertrack/config.h"

typedef struct et_page et_page_t;

/* Copies what it needs of cfg and pg_password (may be NULL); connects on
 * the first request. Returns NULL without memory. Loop thread. */
et_page_t *et_page_new(const et_config_t *cfg, const char *pg_password);

/* Takes the reloadable settings ([alerts] language, [targets]) of cfg.
 * Any thread. */
void et_page_reconfigure(et_page_t *p, const et_config_t *cfg);

/* An et_http_render_blocking for the routes above (ctx is the page).
 * HTTP worker thread only. */
int et_page_render(void *ctx, const char *path, et_buf_t *body, const char **ret_type);

/* Closes the connection and frees p, once the HTTP worker has stopped.
 * NULL does nothing. */
void et_page_free(et_page_t *p);

#endif
