/* SPDX-License-Identifier: MIT */
/* PostgreSQL writer thread. A batch is written in one transaction:
 * COPY into the session's staging table, then ingest_apply()
 * (sql/functions/ingest_apply.sql), which registers new sites, writes readings (a
 * redelivered duplicate changes nothing, a changed value is a correction)
 * and records corrections; triggers keep the hourly rollup. A batch that
 * PostgreSQL refuses for its data is split in halves until the bad row is
 * alone; that row goes to rejected_message and the rest are written. */
#include "pgwriter.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/pgconn.h"
#include "enertrack/backoff.h"
#include "enertrack/copyenc.h"
#include "enertrack/sparkplug.h"
#include "enertrack/log.h"

enum { WR_OK = 0, WR_CONN = -1, WR_DATA = -2, WR_OTHER = -3, WR_STOPPED = -4 };

struct et_pgwriter {
	uv_async_t async; /* first: the handle's memory is the struct's */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	et_batch_t *job;  /* guarded by mu */
	et_batch_t *done; /* guarded by mu */
	bool stop, abandon;
	bool ended;    /* guarded by mu: the thread handed back its last batch and returns */
	bool stopping; /* loop side: et_pgwriter_stop was called */
	atomic_bool connected;
	bool busy; /* loop side: a batch is out */
	bool thread_started;
	char *conninfo;
	char *password;
	char *counter_reset;	 /* the session's enertrack.counter_reset */
	char counter_jitter[32]; /* and its enertrack.counter_jitter */
	PGconn *conn;
	et_pgwriter_done_cb cb;
	void *ctx;
	void (*closed)(void *ctx);
	/* writer-thread state */
	et_backoff_t backoff;
	unsigned failures;
	unsigned fast_pause; /* batches left before the fast path is tried again */
	char last_error[256];
};

/* The SQL is in sql/functions/: ingest_prepare() makes the
 * session's staging table (once per connection), ingest_apply() applies what
 * was COPYed into it, ingest_refuse() keeps a refused row. */
static const char apply_sql[] =
	"SELECT staged, inserted, duplicates, corrected, fast FROM ingest_apply($1, $2, $3)";

/* After the plain INSERT met a row that was already there, batches go
 * straight to the upsert for a while: a redelivered or replayed stretch
 * conflicts batch after batch. */
#define FAST_PAUSE_BATCHES 8

static void set_error(et_pgwriter_t *w, const char *msg)
{
	size_t n = strcspn(msg, "\n");
	if (n >= sizeof(w->last_error))
		n = sizeof(w->last_error) - 1;
	memcpy(w->last_error, msg, n);
	w->last_error[n] = '\0';
}

/* Classifies a failed result: data errors split the batch, connection
 * errors reconnect, anything else is retried after a pause. */
static int classify(et_pgwriter_t *w, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	set_error(w, res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn));
	if (!w->conn || PQstatus(w->conn) != CONNECTION_OK)
		return WR_CONN;
	if (state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
		      strncmp(state, "54", 2) == 0))
		return WR_DATA;
	if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0))
		return WR_CONN;
	return WR_OTHER;
}

static int exec_ok(et_pgwriter_t *w, const char *sql, ExecStatusType want)
{
	PGresult *res = PQexec(w->conn, sql);
	int rc = PQresultStatus(res) == want ? WR_OK : classify(w, res);
	PQclear(res);
	return rc;
}

static int copy_in(et_pgwriter_t *w, const char *sql, const char *data, size_t len)
{
	PGresult *res = PQexec(w->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		int rc = classify(w, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	/* PQputCopyData takes an int length: feed large buffers in pieces */
	size_t off = 0;
	while (off < len) {
		size_t chunk = len - off > (1u << 20) ? (1u << 20) : len - off;
		if (PQputCopyData(w->conn, data + off, (int)chunk) != 1) {
			set_error(w, PQerrorMessage(w->conn));
			return WR_CONN;
		}
		off += chunk;
	}
	if (PQputCopyEnd(w->conn, NULL) != 1) {
		set_error(w, PQerrorMessage(w->conn));
		return WR_CONN;
	}
	int rc = WR_OK;
	while ((res = PQgetResult(w->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == WR_OK)
			rc = classify(w, res);
		PQclear(res);
	}
	return rc;
}

static void rollback(et_pgwriter_t *w)
{
	if (w->conn && PQstatus(w->conn) == CONNECTION_OK &&
	    PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(w->conn, "ROLLBACK");
		PQclear(res);
	}
}

/* Applies the staged rows: a plain INSERT first unless the batch may repeat
 * a key or a recent batch met existing rows. Counter rows take their own
 * path when the batch has some: v1 ones the batch knows of, and mapped
 * Sparkplug values may be counters (sparkplug_map.counter). */
static int apply_staged(et_pgwriter_t *w, et_batch_t *b, bool sp_mapped)
{
	bool try_insert = !b->maybe_dups && w->fast_pause == 0;
	if (w->fast_pause > 0)
		w->fast_pause--;
	const char *params[3] = {try_insert ? "t" : "f", b->maybe_dups ? "t" : "f",
				 b->counters || sp_mapped ? "t" : "f"};
	PGresult *res = PQexecParams(w->conn, apply_sql, 3, NULL, params, NULL, NULL, 0);
	int rc = WR_OK;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		b->inserted += strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		b->duplicates += strtoull(PQgetvalue(res, 0, 2), NULL, 10);
		b->corrected += strtoull(PQgetvalue(res, 0, 3), NULL, 10);
		if (try_insert && PQgetvalue(res, 0, 4)[0] != 't')
			w->fast_pause = FAST_PAUSE_BATCHES;
	} else {
		rc = classify(w, res);
	}
	PQclear(res);
	return rc;
}

/* Sparkplug values (sql/functions/sparkplug_apply.sql): sparkplug_apply() stages the
 * mapped ones as readings. *ret_mapped: how many. */
static int apply_sparkplug(et_pgwriter_t *w, const char *sp, size_t sp_len, et_batch_t *b,
			   uint64_t *ret_mapped)
{
	int rc = copy_in(w, "COPY pg_temp.et_stage_sparkplug (" ET_SP_COPY_COLUMNS ") FROM STDIN",
			 sp, sp_len);
	if (rc != WR_OK)
		return rc;
	PGresult *res = PQexec(w->conn, "SELECT mapped, unmapped FROM sparkplug_apply()");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		*ret_mapped = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		b->sp_unmapped += strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	} else {
		rc = classify(w, res);
	}
	PQclear(res);
	return rc;
}

/* One transaction: rejects (if any), readings data[0..len) and Sparkplug
 * lines sp[0..sp_len). */
static int write_tx(et_pgwriter_t *w, const char *data, size_t len, const et_buf_t *rejects,
		    const char *sp, size_t sp_len, et_batch_t *b)
{
	uint64_t mapped = 0, unmapped = b->sp_unmapped;
	int rc = exec_ok(w, "BEGIN", PGRES_COMMAND_OK);
	if (rc == WR_OK && rejects && rejects->len)
		rc = copy_in(w, "COPY rejected_message (" ET_COPY_REJECT_COLUMNS ") FROM STDIN",
			     rejects->data, rejects->len);
	if (rc == WR_OK && len)
		rc = copy_in(
			w, "COPY pg_temp.et_stage_reading (" ET_COPY_READING_COLUMNS ") FROM STDIN",
			data, len);
	if (rc == WR_OK && sp_len)
		rc = apply_sparkplug(w, sp, sp_len, b, &mapped);
	if (rc == WR_OK && (len || mapped))
		rc = apply_staged(w, b, mapped > 0);
	if (rc != WR_OK)
		b->sp_unmapped = unmapped; /* rolled back: not counted */
	if (rc == WR_OK)
		rc = exec_ok(w, "COMMIT", PGRES_COMMAND_OK);
	if (rc != WR_OK)
		rollback(w);
	return rc;
}

/* Keeps a row PostgreSQL refused, with its error, in rejected_message. */
static int reject_row(et_pgwriter_t *w, const char *line, size_t len, et_batch_t *b)
{
	const char *params[2] = {w->last_error, NULL};
	int lengths[2] = {0, (int)len};
	int formats[2] = {0, 1};
	params[1] = line;
	log_warn("writer: PostgreSQL refused a row (%s); it is kept in rejected_message",
		 w->last_error);
	PGresult *res = PQexecParams(w->conn, "SELECT ingest_refuse($1, $2::bytea)", 2, NULL,
				     params, lengths, formats, 0);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? WR_OK : classify(w, res);
	PQclear(res);
	if (rc == WR_OK)
		b->poisoned++;
	return rc;
}

/* Writes lines data[0..len) (n of them; Sparkplug staging lines when sp),
 * splitting on data errors. */
static int write_split(et_pgwriter_t *w, const char *data, size_t len, uint32_t n, bool sp,
		       et_batch_t *b)
{
	int rc = sp ? write_tx(w, NULL, 0, NULL, data, len, b)
		    : write_tx(w, data, len, NULL, NULL, 0, b);
	if (rc != WR_DATA)
		return rc;
	if (n <= 1)
		return reject_row(w, data, len, b);
	uint32_t half = n / 2, seen = 0;
	size_t cut = 0;
	while (cut < len && seen < half) {
		if (data[cut++] == '\n')
			seen++;
	}
	rc = write_split(w, data, cut, half, sp, b);
	if (rc != WR_OK)
		return rc;
	return write_split(w, data + cut, len - cut, n - half, sp, b);
}

static int write_batch(et_pgwriter_t *w, et_batch_t *b)
{
	b->inserted = b->corrected = b->duplicates = b->poisoned = b->sp_unmapped = 0;
	int rc = write_tx(w, b->readings.data, b->readings.len, &b->rejects, b->sparkplug.data,
			  b->sparkplug.len, b);
	if (rc != WR_DATA)
		return rc;
	log_warn("writer: a batch of %u readings was refused (%s); splitting it", b->nreadings,
		 w->last_error);
	b->inserted = b->corrected = b->duplicates = 0;
	if (b->rejects.len) {
		rc = write_tx(w, NULL, 0, &b->rejects, NULL, 0, b);
		if (rc != WR_OK)
			return rc == WR_DATA ? WR_OTHER : rc;
	}
	if (b->nreadings) {
		rc = write_split(w, b->readings.data, b->readings.len, b->nreadings, false, b);
		if (rc != WR_OK)
			return rc;
	}
	return b->nsparkplug
		       ? write_split(w, b->sparkplug.data, b->sparkplug.len, b->nsparkplug, true, b)
		       : WR_OK;
}

static void disconnect(et_pgwriter_t *w)
{
	if (w->conn) {
		PQfinish(w->conn);
		w->conn = NULL;
	}
	atomic_store(&w->connected, false);
}

static int connect_db(et_pgwriter_t *w)
{
	w->conn = et_pg_connect(w->conninfo, w->password, "enertrackd", "writer");
	if (PQstatus(w->conn) != CONNECTION_OK) {
		set_error(w, PQerrorMessage(w->conn));
		disconnect(w);
		return WR_CONN;
	}
	int rc = exec_ok(w, "SELECT ingest_prepare()", PGRES_TUPLES_OK);
	/* before migration 010 there is no Sparkplug staging: a batch with
	 * Sparkplug lines then fails and is retried until it is there */
	if (rc == WR_OK) {
		PGresult *res = PQexec(w->conn,
				       "SELECT to_regprocedure('sparkplug_prepare()') IS NOT NULL");
		bool have = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
			    PQgetvalue(res, 0, 0)[0] == 't';
		rc = PQresultStatus(res) == PGRES_TUPLES_OK ? WR_OK : classify(w, res);
		PQclear(res);
		if (rc == WR_OK && have)
			rc = exec_ok(w, "SELECT sparkplug_prepare()", PGRES_TUPLES_OK);
	}
	if (rc == WR_OK)
		rc = exec_ok(w, "SET application_name = 'enertrackd'", PGRES_COMMAND_OK);
	if (rc == WR_OK) {
		/* what a totaliser that goes down without a rollover counts: set
		 * for this session and stored (sql/functions/counter_reset_use.sql) */
		const char *params[2] = {w->counter_reset, w->counter_jitter};
		PGresult *res = PQexecParams(w->conn,
					     "SELECT counter_reset_use($1),"
					     " counter_jitter_use($2::double precision)",
					     2, NULL, params, NULL, NULL, 0);
		rc = PQresultStatus(res) == PGRES_TUPLES_OK ? WR_OK : classify(w, res);
		PQclear(res);
	}
	if (rc != WR_OK) {
		disconnect(w);
		return rc;
	}
	atomic_store(&w->connected, true);
	return WR_OK;
}

/* Sleeps up to ms unless asked to stop; returns true when stopping. */
static bool pause_ms(et_pgwriter_t *w, uint32_t ms)
{
	struct timespec until = et_deadline_ms(ms);
	pthread_mutex_lock(&w->mu);
	while (!w->abandon) {
		if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
			break;
	}
	bool stop = w->abandon;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

static void note_failure(et_pgwriter_t *w, const char *what)
{
	if (w->failures++ == 0)
		log_error("writer: %s: %s (retrying with back-off; logged once)", what,
			  w->last_error);
	else
		log_debug("writer: %s again (attempt %u): %s", what, w->failures, w->last_error);
}

static void note_success(et_pgwriter_t *w)
{
	if (w->failures)
		log_info("writer: PostgreSQL is back after %u failed attempts", w->failures);
	w->failures = 0;
	et_backoff_reset(&w->backoff);
}

/* Writes b, retrying until it is committed or the writer is abandoned. */
static void write_until_done(et_pgwriter_t *w, et_batch_t *b)
{
	int64_t t0 = et_mono_us();
	b->committed = false;
	for (;;) {
		if (!w->conn) {
			if (connect_db(w) != WR_OK) {
				note_failure(w, "cannot connect to PostgreSQL");
				if (pause_ms(w, et_backoff_next(&w->backoff, (uint32_t)rand())))
					break;
				continue;
			}
		}
		int rc = write_batch(w, b);
		if (rc == WR_OK) {
			note_success(w);
			b->committed = true;
			break;
		}
		if (rc == WR_CONN) {
			disconnect(w);
			note_failure(w, "lost the PostgreSQL connection");
		} else {
			note_failure(w, "PostgreSQL refused a batch");
		}
		if (pause_ms(w, et_backoff_next(&w->backoff, (uint32_t)rand())))
			break;
	}
	b->write_us = et_mono_us() - t0;
}

/* Whether an idle connection has died. PQconsumeInput only reads;
 * PQisBusy parses what it read, which hands a FATAL that the server sent to
 * an idle connection (a restart, pg_terminate_backend) to the notice
 * processor, the log. Without it the FATAL stayed unparsed and the next
 * look found only "server closed the connection unexpectedly". */
static bool idle_conn_lost(PGconn *conn)
{
	if (!PQconsumeInput(conn))
		return true;
	(void)PQisBusy(conn);
	return PQstatus(conn) != CONNECTION_OK;
}

static void *writer_main(void *arg)
{
	et_pgwriter_t *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		/* Idle: keep a connection ready (and the health status true),
		 * retrying with back-off while PostgreSQL is away. */
		while (!w->job && !w->stop) {
			if (w->conn) {
				/* Wake every 2 s to notice a server that went away
				 * while idle, so health reflects it before a batch does. */
				struct timespec until = et_deadline_ms(2000);
				if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT &&
				    !w->job && !w->stop && idle_conn_lost(w->conn)) {
					set_error(w, PQerrorMessage(w->conn));
					disconnect(w);
					note_failure(w, "lost the PostgreSQL connection");
				}
				continue;
			}
			pthread_mutex_unlock(&w->mu);
			uint32_t delay = 0;
			if (connect_db(w) == WR_OK) {
				note_success(w);
			} else {
				note_failure(w, "cannot connect to PostgreSQL");
				delay = et_backoff_next(&w->backoff, (uint32_t)rand());
			}
			pthread_mutex_lock(&w->mu);
			if (delay && !w->job && !w->stop) {
				struct timespec until = et_deadline_ms(delay);
				pthread_cond_timedwait(&w->cv, &w->mu, &until);
			}
		}
		if (!w->job && w->stop)
			break;
		et_batch_t *b = w->job;
		pthread_mutex_unlock(&w->mu);
		write_until_done(w, b);
		pthread_mutex_lock(&w->mu);
		w->job = NULL;
		b->next = w->done;
		w->done = b;
		uv_async_send(&w->async);
	}
	pthread_mutex_unlock(&w->mu);
	disconnect(w);
	/* the thread's last act: the loop joins it when it sees this */
	pthread_mutex_lock(&w->mu);
	w->ended = true;
	uv_async_send(&w->async);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void on_writer_closed(uv_handle_t *h);

/* Loop thread: hand committed batches back; once stopping, join the
 * thread when it said it ended. */
static void on_writer_done(uv_async_t *h)
{
	et_pgwriter_t *w = h->data;
	pthread_mutex_lock(&w->mu);
	/* together: a thread that ended had pushed every batch before */
	bool ended = w->ended;
	et_batch_t *b = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->mu);
	while (b) {
		et_batch_t *next = b->next;
		b->next = NULL;
		w->busy = false;
		w->cb(b, w->ctx);
		b = next;
	}
	if (w->stopping && ended && !uv_is_closing((uv_handle_t *)&w->async)) {
		/* it has returned or is about to: this join does not wait */
		pthread_join(w->thread, NULL);
		uv_close((uv_handle_t *)&w->async, on_writer_closed);
	}
}

int et_pgwriter_start(et_pgwriter_t **ret, uv_loop_t *loop, const char *conninfo,
		      const char *password, const char *counter_reset, double counter_jitter,
		      et_pgwriter_done_cb cb, void *ctx)
{
	et_pgwriter_t *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	snprintf(w->counter_jitter, sizeof(w->counter_jitter), "%.17g", counter_jitter);
	w->cb = cb;
	w->ctx = ctx;
	w->backoff = (et_backoff_t){.base_ms = 200, .max_ms = 5000};
	w->conninfo = strdup(conninfo);
	w->password = password ? strdup(password) : NULL;
	w->counter_reset = strdup(counter_reset ? counter_reset : "restart");
	if (!w->conninfo || (password && !w->password) || !w->counter_reset)
		goto fail;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (uv_async_init(loop, &w->async, on_writer_done))
		goto fail_sync;
	w->async.data = w;
	if (pthread_create(&w->thread, NULL, writer_main, w)) {
		uv_close((uv_handle_t *)&w->async, NULL);
		/* the handle is closed on the next loop turn; keep w alive until then */
		w->thread_started = false;
		return -EAGAIN;
	}
	w->thread_started = true;
	*ret = w;
	return 0;
fail_sync:
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
fail:
	free(w->conninfo);
	free(w->password);
	free(w->counter_reset);
	free(w);
	return -ENOMEM;
}

bool et_pgwriter_idle(const et_pgwriter_t *w)
{
	return !w->busy;
}

bool et_pgwriter_connected(const et_pgwriter_t *w)
{
	return atomic_load(&((et_pgwriter_t *)w)->connected);
}

void et_pgwriter_submit(et_pgwriter_t *w, et_batch_t *b)
{
	w->busy = true;
	pthread_mutex_lock(&w->mu);
	w->job = b;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void on_writer_closed(uv_handle_t *h)
{
	et_pgwriter_t *w = h->data;
	void (*closed)(void *) = w->closed;
	void *ctx = w->ctx;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->conninfo);
	free(w->counter_reset);
	if (w->password) {
		memset(w->password, 0, strlen(w->password));
		free(w->password);
	}
	free(w);
	if (closed)
		closed(ctx);
}

void et_pgwriter_stop(et_pgwriter_t *w, bool abandon, void (*closed)(void *ctx))
{
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	w->abandon = abandon;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	w->closed = closed;
	w->stopping = true;
	/* The thread says when it has ended and on_writer_done joins it: the
	 * loop goes on meanwhile (a libpq call in flight may take until its
	 * connect or TCP time-out). A batch it finishes first is handed back. */
	if (w->thread_started)
		uv_async_send(&w->async);
	else
		uv_close((uv_handle_t *)&w->async, on_writer_closed);
}
