/* SPDX-License-Identifier: MIT */
/* A minimal HTTP/1.0 responder on the loop for /metrics and /healthz: one
 * request per connection, GET only, 4 KiB of request at most, 64 clients at
 * most. The owner renders the bodies; this module only speaks HTTP. */
#ifndef ENERTRACK_DAEMON_HTTP_H
#define ENERTRACK_DAEMON_HTTP_H

#include <uv.h>

#include "enertrack/buf.h"

typedef struct et_http et_http_t;

/* Renders the response to GET path into body (empty on entry) and returns
 * the HTTP status (200, 404, 503). Runs on the loop thread. */
typedef int (*et_http_handler)(void *ctx, const char *path, et_buf_t *body,
			       const char **content_type);

/* Listens on "HOST:PORT" (IPv4, or [IPv6]:PORT). Returns 0, or a negative
 * libuv error with a reason in err. */
int et_http_start(et_http_t **ret, uv_loop_t *loop, const char *listen, et_http_handler h,
		  void *ctx, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Closes the listener and every client; frees h once all are closed. */
void et_http_stop(et_http_t *h);

#endif
