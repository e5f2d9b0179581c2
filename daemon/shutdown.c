/* SPDX-License-Identifier: MIT */
/* enertrackd's shutdown: SIGTERM or SIGINT stops taking messages, commits
 * what was received (bounded by SHUTDOWN_TIMEOUT_MS; the rest stays in the
 * spool), then closes every handle and joins the threads. Loop thread. */
#include <signal.h>
#include <systemd/sd-daemon.h>

#include "app.h"
#include "enertrack/log.h"

/* How long a shutdown waits for PostgreSQL before giving up on what is unwritten. */
#define SHUTDOWN_TIMEOUT_MS 30000

void app_maybe_finish(struct app *a)
{
	if (a->state != ET_APP_ST_DRAINING || a->mqtt)
		return;
	app_read_spool(a);
	et_ingest_flush(&a->ingest, true);
	if (!et_ingest_idle(&a->ingest) || !et_spool_caught_up(a->spool))
		return;
	app_close_all(a, "all committed");
}

static void on_handle_closed(uv_handle_t *h)
{
	(void)h;
}

/* One of the threads close_all stopped has been joined (or left behind).
 * After the last, the HTTP listener goes: /healthz says "stopping" until
 * then. */
static void part_closed(struct app *a)
{
	if (a->parts_open > 0 && --a->parts_open > 0)
		return;
	et_http_stop(a->http);
	a->http = NULL;
	et_page_free(a->page); /* its worker has stopped */
	a->page = NULL;
}

static void on_alerts_closed(void *ctx, bool joined)
{
	struct app *a = ctx;
	a->alerts_left = joined ? NULL : a->alerts;
	a->alerts = NULL;
	part_closed(a);
}

static void on_writer_closed(void *ctx)
{
	part_closed(ctx);
}

void app_close_all(struct app *a, const char *why)
{
	if (a->state == ET_APP_ST_CLOSING || app_set_state(a, ET_APP_ST_CLOSING, why))
		return;
	app_log_stats(a, "stopped");
	et_presence_stop(a->presence);
	uv_timer_stop(&a->tick);
	uv_timer_stop(&a->shutdown_timer);
	uv_close((uv_handle_t *)&a->tick, on_handle_closed);
	uv_close((uv_handle_t *)&a->shutdown_timer, on_handle_closed);
	uv_close((uv_handle_t *)&a->sigterm, on_handle_closed);
	uv_close((uv_handle_t *)&a->sigint, on_handle_closed);
	uv_close((uv_handle_t *)&a->sighup, on_handle_closed);
	et_looplag_close(&a->lag, on_handle_closed);
	uv_idle_stop(&a->read_more);
	uv_close((uv_handle_t *)&a->read_more, on_handle_closed);
	/* neither stop waits: each thread is joined when it says it ended */
	a->parts_open = (a->alerts ? 1 : 0) + (a->writer ? 1 : 0);
	if (a->alerts)
		et_alerts_stop(a->alerts, on_alerts_closed, a);
	if (a->writer) {
		et_pgwriter_stop(a->writer, true, on_writer_closed);
		a->writer = NULL;
	}
	if (!a->parts_open)
		part_closed(a);
}

static void on_mqtt_stopped(void *ctx)
{
	struct app *a = ctx;
	a->mqtt = NULL;
	log_info("mqtt: disconnected; committing what was received (%llu readings pending)",
		 (unsigned long long)et_ingest_pending(&a->ingest));
	app_maybe_finish(a);
}

static void on_shutdown_timeout(uv_timer_t *t)
{
	struct app *a = t->data;
	log_warn("shutdown: PostgreSQL did not take the last %llu readings within %d s; they "
		 "stay in the spool for the next start",
		 (unsigned long long)et_ingest_pending(&a->ingest), SHUTDOWN_TIMEOUT_MS / 1000);
	app_close_all(a, "shutdown timed out");
}

void app_begin_shutdown(struct app *a, const char *why)
{
	if (app_stopping(a))
		return;
	log_info("%s: stopping: no new messages, committing the rest", why);
	sd_notify(0, "STOPPING=1");
	app_set_state(a, ET_APP_ST_DRAINING, why);
	uv_timer_start(&a->shutdown_timer, on_shutdown_timeout, SHUTDOWN_TIMEOUT_MS, 0);
	/* "stopped": this one leaves the group cleanly (unless paho is stuck) */
	et_presence_hold(a->presence, a->mqtt && et_mqtt_store_blocked(a->mqtt) != 0);
	et_presence_stop(a->presence);
	if (a->mqtt)
		et_mqtt_stop(a->mqtt, on_mqtt_stopped, a);
	else
		app_maybe_finish(a);
}

void app_on_sigterm(uv_signal_t *s, int signum)
{
	app_begin_shutdown(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}
