/* SPDX-License-Identifier: MIT */
/* /metrics and /healthz over plain HTTP on libuv. Deliberately tiny: a
 * scraper or a health check sends one GET and reads one answer. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/log.h"

#define REQ_MAX	    4096
#define CLIENTS_MAX 64

struct et_http {
	uv_tcp_t server;
	et_http_handler handler;
	void *ctx;
	int clients;
	int server_closed;
	struct client *list; /* open clients, closed at stop */
};

struct client {
	uv_tcp_t tcp;
	struct client *next, *prev;
	uv_write_t wr;
	et_http_t *http;
	char req[REQ_MAX];
	size_t len;
	et_buf_t out;
	int responded;
};

static void on_client_closed(uv_handle_t *h)
{
	struct client *c = h->data;
	et_http_t *http = c->http;
	if (c->prev)
		c->prev->next = c->next;
	else
		http->list = c->next;
	if (c->next)
		c->next->prev = c->prev;
	et_buf_free(&c->out);
	free(c);
	/* the last one out frees: clients may outlive the listener */
	if (--http->clients == 0 && http->server_closed)
		free(http);
}

static void on_written(uv_write_t *w, int status)
{
	struct client *c = w->data;
	(void)status;
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct client *c = h->data;
	(void)suggested;
	buf->base = c->req + c->len;
	buf->len = REQ_MAX - 1 - c->len;
}

static void respond(struct client *c, int status, const char *type, const char *body, size_t n)
{
	char head[256];
	const char *reason = status == 200   ? "OK"
			     : status == 404 ? "Not Found"
			     : status == 405 ? "Method Not Allowed"
			     : status == 400 ? "Bad Request"
					     : "Service Unavailable";
	int hl = snprintf(head, sizeof(head),
			  "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n",
			  status, reason, type, n);
	et_buf_t out = ET_BUF_INIT;
	if (et_buf_append(&out, head, (size_t)hl) || et_buf_append(&out, body, n)) {
		et_buf_free(&out);
		uv_close((uv_handle_t *)&c->tcp, on_client_closed);
		return;
	}
	c->out = out;
	c->responded = 1;
	uv_buf_t b = uv_buf_init(c->out.data, (unsigned)c->out.len);
	c->wr.data = c;
	uv_read_stop((uv_stream_t *)&c->tcp);
	if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written))
		uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct client *c = s->data;
	(void)buf;
	if (c->responded)
		return;
	if (nread < 0) {
		uv_close((uv_handle_t *)&c->tcp, on_client_closed);
		return;
	}
	c->len += (size_t)nread;
	c->req[c->len] = '\0';
	if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n")) {
		if (c->len >= REQ_MAX - 1)
			respond(c, 400, "text/plain", "request too large\n", 18);
		return;
	}
	char method[8], path[256];
	if (sscanf(c->req, "%7s %255s", method, path) != 2) {
		respond(c, 400, "text/plain", "bad request\n", 12);
		return;
	}
	if (strcmp(method, "GET") != 0) {
		respond(c, 405, "text/plain", "GET only\n", 9);
		return;
	}
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	et_buf_t body = ET_BUF_INIT;
	const char *type = "text/plain; charset=utf-8";
	int status = c->http->handler(c->http->ctx, path, &body, &type);
	respond(c, status, type, body.data ? body.data : "", body.len);
	et_buf_free(&body);
}

static void on_connection(uv_stream_t *server, int status)
{
	et_http_t *http = server->data;
	if (status < 0)
		return;
	struct client *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->http = http;
	uv_tcp_init(server->loop, &c->tcp);
	c->tcp.data = c;
	http->clients++;
	c->next = http->list;
	if (http->list)
		http->list->prev = c;
	http->list = c;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) || http->clients > CLIENTS_MAX ||
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read))
		uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

int et_http_start(et_http_t **ret, uv_loop_t *loop, const char *listen, et_http_handler h,
		  void *ctx, char *err, size_t errlen)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	struct sockaddr_storage sa;
	if (!colon || (size_t)(colon - listen) >= sizeof(host)) {
		snprintf(err, errlen, "[http] listen: '%s' is not HOST:PORT", listen);
		return UV_EINVAL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	int port = atoi(colon + 1);
	int rc;
	if (host[0] == '[') {
		host[strlen(host) - 1] = '\0';
		rc = uv_ip6_addr(host + 1, port, (struct sockaddr_in6 *)&sa);
	} else {
		rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&sa);
	}
	if (rc || port <= 0 || port > 65535) {
		snprintf(err, errlen, "[http] listen: '%s' is not HOST:PORT", listen);
		return UV_EINVAL;
	}
	et_http_t *http = calloc(1, sizeof(*http));
	if (!http) {
		snprintf(err, errlen, "out of memory");
		return UV_ENOMEM;
	}
	http->handler = h;
	http->ctx = ctx;
	uv_tcp_init(loop, &http->server);
	http->server.data = http;
	rc = uv_tcp_bind(&http->server, (const struct sockaddr *)&sa, 0);
	if (!rc)
		rc = uv_listen((uv_stream_t *)&http->server, 64, on_connection);
	if (rc) {
		snprintf(err, errlen, "[http] listen %s: %s", listen, uv_strerror(rc));
		et_http_stop(http);
		return rc;
	}
	*ret = http;
	return 0;
}

static void on_server_closed(uv_handle_t *h)
{
	et_http_t *http = h->data;
	http->server_closed = 1;
	if (http->clients == 0)
		free(http);
}

void et_http_stop(et_http_t *http)
{
	if (!http)
		return;
	for (struct client *c = http->list; c; c = c->next)
		if (!uv_is_closing((uv_handle_t *)&c->tcp))
			uv_close((uv_handle_t *)&c->tcp, on_client_closed);
	uv_close((uv_handle_t *)&http->server, on_server_closed);
}
