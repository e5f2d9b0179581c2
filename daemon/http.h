/* SPDX-License-Identifier: MIT */
/* The daemon's HTTP endpoints (/metrics, /healthz, ...) on libmicrohttpd.
 * MHD's own threads speak HTTP/1.1, with a connection limit, a per-address
 * limit and an idle timeout; a routing table maps paths to the owner's
 * render functions, which run on the loop thread, or, for routes that
 * block, on one worker thread while MHD holds the connection suspended.
 * This module knows no route itself. */
#ifndef ENERTRACK_DAEMON_HTTP_H
#define ENERTRACK_DAEMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "common/net.h"
#include "enertrack/buf.h"

typedef struct et_http et_http_t;

/* Renders the body of a GET of the route's path into body (empty on entry)
 * and returns the HTTP status (200, 503). Runs on the loop thread, so it
 * may read the loop's state freely; it must not block. */
typedef int (*et_http_render)(void *ctx, et_buf_t *body);

/* Renders a route that may block (it queries PostgreSQL): runs on the HTTP
 * worker thread, never on the loop, one request at a time. path is the
 * request's (for a prefix route, the whole path); *ret_type may be set to
 * the body's content type (else the route's). Returns the HTTP status. */
typedef int (*et_http_render_blocking)(void *ctx, const char *path, et_buf_t *body,
				       const char **ret_type);

typedef struct et_http_route {
	const char *path;			 /* exact, without the query string: "/metrics" */
	const char *content_type;		 /* NULL: text/plain; charset=utf-8 */
	et_http_render render;			 /* on the loop; NULL for a blocking route */
	et_http_render_blocking render_blocking; /* on the worker; NULL for a loop route */
	bool prefix;				 /* path is a prefix: "/chart/" */
} et_http_route_t;

/* Listens on the first of addrs[0..naddrs) that binds ([http] listen as
 * et_net_resolve_listen resolved it) and serves GET and HEAD of the routes;
 * other paths get 404 naming the routes, other methods 405. routes and ctx
 * are borrowed and must outlive h. Call on the loop thread. Returns 0, or a
 * negative errno-style code with a reason in err. */
int et_http_start(et_http_t **ret, uv_loop_t *loop, const et_net_addr_t *addrs, size_t naddrs,
		  const et_http_route_t *routes, size_t nroutes, void *ctx, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

/* Answers 503 "stopping" to what waits, stops MHD's threads (closing every
 * connection), and frees h once its loop handle has closed. Call on the
 * loop thread. NULL does nothing. */
void et_http_stop(et_http_t *h);

#endif
