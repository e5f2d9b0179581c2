/* SPDX-License-Identifier: MIT */
/* The HTTP endpoints on libmicrohttpd (MHD): MHD's thread parses requests,
 * enforces the limits and times idle clients out; the loop renders. Not a
 * general web server: GET and HEAD of a fixed routing table, small bodies.
 *
 * Threads. The state the bodies describe belongs to the loop. A request for
 * a route is queued (under h->lock), the loop is woken with uv_async_send,
 * renders every queued request in its async callback and marks each done;
 * MHD's thread waits on a condition variable for at most HTTP_WAIT_MS. We
 * render on request rather than publishing periodic snapshots so that the
 * figures are current and /healthz fails when the loop itself stops turning
 * (a stale snapshot would keep saying "ok"). The loop renders outside the
 * lock: a request it has taken is marked REQ_TAKEN, and a waiter that gives
 * up on one leaves it REQ_ABANDONED for the loop to free, so each request is
 * freed by exactly one side and its body is read only after REQ_DONE was
 * seen under the lock. Once a request has given up, later ones answer 503
 * at once until the loop runs again. MHD runs one polling thread (epoll):
 * slow or idle clients cost it nothing, since MHD never blocks on a socket,
 * and at most one request at a time asks the loop for work, whatever the
 * clients do. Routes that block (the status page, which queries
 * PostgreSQL) never reach the loop: MHD suspends their connection, one
 * worker thread renders them in turn and resumes it, and MHD's thread
 * answers; MHD is stopped only after the worker has answered all of them. */
#include "http.h"

#include <errno.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "common/clock.h"
#include "enertrack/log.h"

/* Connections at once, at most (fewer if the descriptor limit is low). */
#define HTTP_CONN_MAX 1024u
/* Descriptors left to the rest of the daemon (spool, sockets, libpq, curl). */
#define HTTP_FD_RESERVE 128u
/* A client that sends nothing for this long is disconnected. */
#define HTTP_TIMEOUT_S 5u
/* MHD's memory per connection: request headers and the response head. */
#define HTTP_MEM_LIMIT (16u * 1024)
/* How long a request waits for the loop before answering 503. */
#define HTTP_WAIT_MS 1000
/* MHD's log lines per minute (a flood of refused connections logs a few). */
#define HTTP_LOG_PER_MIN 5

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define LATE	   "the event loop did not answer within 1 s\n"

enum req_state { REQ_QUEUED, REQ_TAKEN, REQ_DONE, REQ_ABANDONED };

/* Requests of blocking routes waiting for the worker, at most; more get 503. */
#define HTTP_JOBS_MAX 32

/* One request of a blocking route, from its suspension to its answer. Owned
 * by MHD's side (the connection's req_cls): the worker touches it only
 * between taking it and resuming the connection. */
struct job {
	struct job *next;
	struct MHD_Connection *conn;
	const et_http_route_t *route;
	char path[256];
	int status;
	const char *type;
	et_buf_t body;
};

struct req {
	struct req *next;
	const et_http_route_t *route;
	enum req_state state;
	int status;
	et_buf_t body;
};

struct et_http {
	struct MHD_Daemon *mhd;
	uv_async_t wake; /* MHD's thread -> loop: requests are queued */
	const et_http_route_t *routes;
	size_t nroutes;
	void *ctx;
	char *not_found; /* the 404 body, naming the routes */

	pthread_mutex_t lock; /* guards the queue, the states in it and stopping */
	pthread_cond_t done;  /* a request was rendered, or stopping */
	struct req *queue, **tail;
	bool stopping;
	bool loop_late; /* a request gave up waiting; the loop has not run since */

	/* Blocking routes: MHD suspends the connection, the worker renders and
	 * resumes it, and MHD's thread answers with the body (struct job). */
	pthread_t worker;
	bool worker_started;
	pthread_cond_t job_cv; /* a job was queued, or stopping (under lock) */
	struct job *jobs, **jobs_tail;
	unsigned njobs;

	pthread_mutex_t log_lock; /* guards what follows (MHD logs from its thread) */
	int64_t log_minute;
	unsigned log_count, log_dropped;
	char last_log[200]; /* for et_http_start's error */
};

/* MHD's error log into ours, at most HTTP_LOG_PER_MIN lines a minute. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	et_http_t *h = cls;
	char line[200];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\r\n")] = '\0';
	int64_t minute = et_mono_ms() / 60000;
	unsigned dropped = 0;
	bool say;
	pthread_mutex_lock(&h->log_lock);
	snprintf(h->last_log, sizeof(h->last_log), "%s", line);
	if (minute != h->log_minute) {
		dropped = h->log_dropped;
		h->log_minute = minute;
		h->log_count = h->log_dropped = 0;
	}
	say = h->log_count < HTTP_LOG_PER_MIN;
	if (say)
		h->log_count++;
	else
		h->log_dropped++;
	pthread_mutex_unlock(&h->log_lock);
	if (dropped)
		log_warn("http: %u more libmicrohttpd messages not logged", dropped);
	if (say)
		log_warn("http: %s", line);
}

static void req_free(struct req *r)
{
	et_buf_free(&r->body);
	free(r);
}

/* Loop thread: renders everything queued (wake-ups coalesce). */
static void on_http_wake(uv_async_t *a)
{
	et_http_t *h = a->data;
	pthread_mutex_lock(&h->lock);
	struct req *list = h->queue;
	h->queue = NULL;
	h->tail = &h->queue;
	for (struct req *r = list; r; r = r->next)
		r->state = REQ_TAKEN;
	pthread_mutex_unlock(&h->lock);

	for (struct req *r = list; r; r = r->next)
		r->status = r->route->render(h->ctx, &r->body);

	pthread_mutex_lock(&h->lock);
	while (list) {
		struct req *r = list;
		list = r->next; /* before DONE: the waiter may free r at once */
		if (r->state == REQ_ABANDONED)
			req_free(r);
		else
			r->state = REQ_DONE;
	}
	h->loop_late = false;
	pthread_cond_broadcast(&h->done);
	pthread_mutex_unlock(&h->lock);
}

/* MHD's thread: has the loop render route; returns the status and the body
 * in *ret_body, or 503 with a reason when the loop does not answer in time
 * or the daemon is stopping. */
static int ask_loop(et_http_t *h, const et_http_route_t *route, et_buf_t *ret_body)
{
	struct req *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->route = route;
	r->state = REQ_QUEUED;
	pthread_mutex_lock(&h->lock);
	if (h->stopping || h->loop_late) {
		/* A blocked loop costs one request HTTP_WAIT_MS, not each one
		 * (MHD's one thread would serve them one after the other). */
		const char *why = h->stopping ? "stopping\n" : LATE;
		pthread_mutex_unlock(&h->lock);
		free(r);
		return et_buf_append(ret_body, why, strlen(why)) ? -ENOMEM : 503;
	}
	*h->tail = r;
	h->tail = &r->next;
	pthread_mutex_unlock(&h->lock);
	/* the handle is closed only after MHD's thread has been joined */
	uv_async_send(&h->wake);

	struct timespec deadline = et_mono_deadline_ms(HTTP_WAIT_MS);
	pthread_mutex_lock(&h->lock);
	while (r->state != REQ_DONE && !h->stopping)
		if (pthread_cond_timedwait(&h->done, &h->lock, &deadline) == ETIMEDOUT)
			break;
	int status;
	const char *why = NULL;
	bool stopping = h->stopping;
	if (r->state == REQ_DONE) {
		status = r->status;
		*ret_body = r->body; /* taken */
		r->body = (et_buf_t)ET_BUF_INIT;
		req_free(r);
	} else {
		if (r->state == REQ_QUEUED) {
			struct req **p = &h->queue;
			while (*p != r)
				p = &(*p)->next;
			*p = r->next;
			if (!*p)
				h->tail = p;
			req_free(r);
		} else {
			r->state = REQ_ABANDONED; /* the loop is rendering it: it frees */
		}
		status = 503;
		why = stopping ? "stopping\n" : LATE;
		h->loop_late = !stopping;
	}
	pthread_mutex_unlock(&h->lock);
	if (why) {
		if (!stopping)
			log_warn("http: %s: the event loop did not answer within %d ms",
				 route->path, HTTP_WAIT_MS);
		if (et_buf_append(ret_body, why, strlen(why)))
			return -ENOMEM;
	}
	return status;
}

/* Every response is built here. body is taken when owned, else borrowed
 * for the daemon's lifetime. */
static enum MHD_Result respond(struct MHD_Connection *conn, int status, const char *type,
			       char *body, size_t len, bool owned, const char *allow)
{
	struct MHD_Response *resp;
	if (owned && body)
		resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	else
		resp = MHD_create_response_from_buffer(len, body ? body : (char *)"",
						       MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (owned)
			free(body);
		return MHD_NO; /* MHD closes the connection */
	}
	enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (ok == MHD_YES && allow)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (ok == MHD_YES)
		ok = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* The worker: renders blocking routes one at a time, then resumes their
 * connections (MHD calls on_http_request again, which answers). At a stop
 * it answers what is still queued with 503 and ends. */
static void *worker_main(void *arg)
{
	et_http_t *h = arg;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->jobs && !h->stopping)
			pthread_cond_wait(&h->job_cv, &h->lock);
		struct job *j = h->jobs;
		if (!j)
			break; /* stopping, nothing left */
		h->jobs = j->next;
		if (!h->jobs)
			h->jobs_tail = &h->jobs;
		h->njobs--;
		bool stopping = h->stopping;
		pthread_mutex_unlock(&h->lock);
		if (stopping) {
			j->status = 503;
			if (et_buf_append(&j->body, "stopping\n", 9))
				j->status = 500;
		} else {
			j->type = NULL;
			j->status = j->route->render_blocking(h->ctx, j->path, &j->body, &j->type);
		}
		/* the last touch of j: once resumed, MHD may answer and free it
		 * at once. Not under h->lock: MHD takes its own locks here. */
		MHD_resume_connection(j->conn);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* The query's arguments after the path, "?k=v&k=v", for a blocking route
 * (the status page's ?year= and ?at=). MHD has decoded them; '%', '&', '='
 * and '#' in a value are encoded again so that the route can split them. */
static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	(void)kind;
	char *path = cls, *end = path + strlen(path);
	size_t room = sizeof(((struct job *)0)->path) - (size_t)(end - path);
	int n = snprintf(end, room, "%c%s=", strchr(path, '?') ? '&' : '?', key);
	for (const char *v = value ? value : ""; n > 0 && (size_t)n < room && *v; v++)
		n += strchr("%&=#", *v) ? snprintf(end + n, room - n, "%%%02X", (unsigned char)*v)
					: snprintf(end + n, room - n, "%c", *v);
	if (n < 0 || (size_t)n >= room)
		*end = '\0'; /* too long: the argument is left out */
	return MHD_YES;
}

/* MHD's thread, first call of a blocking route: queue it for the worker and
 * suspend the connection; the second call (after the resume) answers. */
static enum MHD_Result blocking_request(et_http_t *h, struct MHD_Connection *conn,
					const et_http_route_t *route, const char *url,
					void **req_cls)
{
	struct job *j = *req_cls;
	if (j) {
		*req_cls = NULL;
		const char *type = j->type		 ? j->type
				   : route->content_type ? route->content_type
							 : TEXT_PLAIN;
		enum MHD_Result ok =
			respond(conn, j->status, type, j->body.data, j->body.len, true, NULL);
		free(j); /* the body went to respond */
		return ok;
	}
	if (strlen(url) >= sizeof(j->path))
		return respond(conn, MHD_HTTP_NOT_FOUND, TEXT_PLAIN, h->not_found,
			       strlen(h->not_found), false, NULL);
	j = calloc(1, sizeof(*j));
	if (!j)
		return MHD_NO;
	j->conn = conn;
	j->route = route;
	snprintf(j->path, sizeof(j->path), "%s", url);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, j->path);
	pthread_mutex_lock(&h->lock);
	bool refuse = h->stopping || h->njobs >= HTTP_JOBS_MAX || !h->worker_started;
	if (!refuse)
		h->njobs++; /* its place, taken before it is queued */
	pthread_mutex_unlock(&h->lock);
	if (refuse) {
		free(j);
		static const char busy[] = "busy: too many page requests at once\n";
		return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT_PLAIN, (char *)busy,
			       sizeof(busy) - 1, false, NULL);
	}
	/* suspended before the worker can see it, so that its resume follows;
	 * MHD's calls are made outside h->lock */
	*req_cls = j;
	MHD_suspend_connection(conn);
	pthread_mutex_lock(&h->lock);
	bool stopping = h->stopping;
	if (stopping) {
		/* the worker may have ended: answer 503 at once */
		h->njobs--;
		j->status = 503;
		if (et_buf_append(&j->body, "stopping\n", 9))
			j->status = 500;
	} else {
		*h->jobs_tail = j;
		h->jobs_tail = &j->next;
		pthread_cond_signal(&h->job_cv);
	}
	pthread_mutex_unlock(&h->lock);
	if (stopping)
		MHD_resume_connection(conn);
	return MHD_YES;
}

/* A connection that ends before its answer (the client went away after the
 * resume): its job is freed here. */
static void on_http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct job *j = *req_cls;
	if (j) {
		et_buf_free(&j->body);
		free(j);
		*req_cls = NULL;
	}
}

static enum MHD_Result on_http_request(void *cls, struct MHD_Connection *conn, const char *url,
				       const char *method, const char *version,
				       const char *upload_data, size_t *upload_data_size,
				       void **req_cls)
{
	et_http_t *h = cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	/* Answered on the first call, with the headers: no route takes a body. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_PLAIN, (char *)"GET only\n",
			       9, false, "GET, HEAD");
	const et_http_route_t *route = NULL;
	for (size_t i = 0; i < h->nroutes && !route; i++)
		if (h->routes[i].prefix
			    ? strncmp(url, h->routes[i].path, strlen(h->routes[i].path)) == 0
			    : strcmp(url, h->routes[i].path) == 0)
			route = &h->routes[i];
	if (!route)
		return respond(conn, MHD_HTTP_NOT_FOUND, TEXT_PLAIN, h->not_found,
			       strlen(h->not_found), false, NULL);
	if (route->render_blocking)
		return blocking_request(h, conn, route, url, req_cls);
	et_buf_t body = ET_BUF_INIT;
	int status = ask_loop(h, route, &body);
	if (status < 0) {
		et_buf_free(&body);
		return MHD_NO;
	}
	return respond(conn, status, route->content_type ? route->content_type : TEXT_PLAIN,
		       body.data, body.len, true, NULL);
}

/* "not found: try /a, /b or /c\n" */
static char *not_found_body(const et_http_route_t *routes, size_t n)
{
	et_buf_t b = ET_BUF_INIT;
	int bad = et_buf_append(&b, "not found: try ", 15);
	for (size_t i = 0; i < n && !bad; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		bad = et_buf_append(&b, sep, strlen(sep)) ||
		      et_buf_append(&b, routes[i].path, strlen(routes[i].path));
	}
	if (bad || et_buf_append(&b, "\n", 2)) {
		et_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The connection limit: HTTP_CONN_MAX, or fewer so that HTTP clients leave
 * HTTP_FD_RESERVE descriptors to the rest of the daemon. */
static unsigned conn_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= HTTP_CONN_MAX + HTTP_FD_RESERVE)
		return HTTP_CONN_MAX;
	return rl.rlim_cur > 2 * HTTP_FD_RESERVE ? (unsigned)rl.rlim_cur - HTTP_FD_RESERVE
						 : (unsigned)rl.rlim_cur / 2;
}

static struct MHD_Daemon *start_mhd(et_http_t *h, const struct sockaddr *sa, unsigned limit)
{
	unsigned flags =
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* MHD binds sa; the port is for its messages */
	uint16_t port =
		ntohs(sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
						: ((const struct sockaddr_in *)sa)->sin_port);
	return MHD_start_daemon(flags, port, NULL, NULL, on_http_request, h,
				/* first, so that start-up errors come to us too */
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_CONNECTION_LIMIT, limit,
				/* One address may hold half of them: a single remote host cannot
				 * lock out the scraper or the health check on another one. */
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, limit / 2,
				MHD_OPTION_CONNECTION_TIMEOUT, HTTP_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEM_LIMIT,
				MHD_OPTION_NOTIFY_COMPLETED, on_http_completed, h, MHD_OPTION_END);
}

static void on_wake_closed(uv_handle_t *handle)
{
	et_http_t *h = handle->data;
	pthread_cond_destroy(&h->done);
	pthread_cond_destroy(&h->job_cv);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->log_lock);
	free(h->not_found);
	free(h);
}

int et_http_start(et_http_t **ret, uv_loop_t *loop, const et_net_addr_t *addrs, size_t naddrs,
		  const et_http_route_t *routes, size_t nroutes, void *ctx, char *err,
		  size_t errlen)
{
	et_http_t *h = calloc(1, sizeof(*h));
	pthread_condattr_t ca;
	if (!h || !(h->not_found = not_found_body(routes, nroutes))) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->routes = routes;
	h->nroutes = nroutes;
	h->ctx = ctx;
	h->tail = &h->queue;
	h->log_minute = -1;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->log_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&h->job_cv, NULL);
	h->jobs_tail = &h->jobs;
	/* before MHD's thread exists: it may wake the loop at once */
	uv_async_init(loop, &h->wake, on_http_wake);
	h->wake.data = h;

	/* a name may have several addresses: the first that binds */
	unsigned limit = conn_limit();
	size_t i = 0;
	for (; i < naddrs && !h->mhd; i++)
		h->mhd = start_mhd(h, (const struct sockaddr *)&addrs[i].sa, limit);
	if (!h->mhd) {
		snprintf(err, errlen, "[http] listen %s: %s", naddrs ? addrs[0].text : "",
			 h->last_log[0] ? h->last_log : "cannot start libmicrohttpd");
		uv_close((uv_handle_t *)&h->wake, on_wake_closed);
		return -EADDRNOTAVAIL;
	}
	bool blocking = false;
	for (size_t k = 0; k < nroutes; k++)
		blocking |= routes[k].render_blocking != NULL;
	if (blocking && pthread_create(&h->worker, NULL, worker_main, h) == 0)
		h->worker_started = true;
	else if (blocking)
		log_error("http: cannot start the page worker thread: pages answer 503");
	log_debug("http: listening on %s (%u connections, %u per address, %u s idle timeout)",
		  addrs[i - 1].text, limit, limit / 2, HTTP_TIMEOUT_S);
	*ret = h;
	return 0;
}

void et_http_stop(et_http_t *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->done);
	pthread_cond_broadcast(&h->job_cv);
	pthread_mutex_unlock(&h->lock);
	/* The worker answers what is queued with 503, resumes those
	 * connections and ends; MHD must not stop with a connection
	 * suspended. A page being rendered delays this by its queries. */
	if (h->worker_started)
		pthread_join(h->worker, NULL);
	/* Joins MHD's thread: a request waiting for us has just been told to
	 * answer 503, and the loop renders nothing while it is in here. */
	MHD_stop_daemon(h->mhd);
	h->mhd = NULL;
	/* requests still queued were freed by their waiters */
	uv_close((uv_handle_t *)&h->wake, on_wake_closed);
}
