/* SPDX-License-Identifier: MIT */
/* enertrackd: the daemon. main() builds the one mutable root (struct app,
 * daemon/app.h), wires MQTT -> spool -> ingest -> writer on one libuv loop,
 * and runs it; the loop's tick, the spool's sync and /metrics are here too.
 * SIGTERM/SIGINT drain and commit, then exit 0 (daemon/shutdown.c); SIGHUP
 * reloads what can change at run time (daemon/reload.c). */
#include <curl/curl.h>
#include <systemd/sd-daemon.h>
#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <MQTTAsync.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#include "alerts.h"
#include "app.h"
#include "common/confload.h"
#include "common/net.h"
#include "common/pgconn.h"
#include "db/connect.h"
#include "enertrack/appstate.h"
#include "enertrack/cmdline.h"
#include "enertrack/config.h"
#include "enertrack/file.h"
#include "enertrack/log.h"
#include "enertrack/spoolfill.h"
#include "http.h"
#include "page.h"
#include "draw/chart.h"
#include "ingest.h"
#include "sphost.h"
#include "metrics.h"
#include "mqtt.h"
#include "pgwriter.h"
#include "presence.h"
#include "spool.h"

#define TICK_MS 10
/* sysexits' EX_CONFIG: the schema is older than this build needs. The unit
 * names it in RestartPreventExitStatus=, so systemd does not retry a start
 * that only `enertrack migrate` can fix. */
#define EXIT_SCHEMA 78

int app_set_state(struct app *a, enum et_app_state to, const char *why)
{
	if (!et_app_state_allowed(a->state, to)) {
		log_error("state: %s -> %s refused (%s)", et_app_state_name(a->state),
			  et_app_state_name(to), why);
		return -EINVAL;
	}
	log_info("state: %s -> %s (%s)", et_app_state_name(a->state), et_app_state_name(to), why);
	a->state = to;
	return 0;
}

bool app_stopping(const struct app *a)
{
	return a->state == ET_APP_ST_DRAINING || a->state == ET_APP_ST_CLOSING;
}

/* How long one callback of the loop may read the spool. A Sparkplug birth
 * of a few thousand metrics costs milliseconds to take in (its decoding,
 * its definitions, a value each): 156 of them read in one callback stalled
 * the loop 179 ms, and /healthz, the timers and MQTT's events with it.
 * Past the budget the loop turns once (an idle handle: no wait) and the
 * reading goes on. */
#define READ_BUDGET_NS 5000000

struct read_ctx {
	struct app *a;
	uint64_t until_ns;
	bool out_of_time;
};

static int read_one(void *ctx, const et_spool_rec_t *r)
{
	struct read_ctx *c = ctx;
	int stop = et_ingest_record(&c->a->ingest, r);
	if (!stop && uv_hrtime() >= c->until_ns) {
		c->out_of_time = true;
		stop = 1;
	}
	return stop;
}

static void on_read_more(uv_idle_t *h)
{
	struct app *a = h->data;
	app_read_spool(a);
	app_maybe_finish(a);
}

/* Reads spool records into batches while they have room: the in-memory
 * window; the rest waits on disk. Not while closing (the writer is gone). */
void app_read_spool(struct app *a)
{
	if (a->state == ET_APP_ST_CLOSING) {
		uv_idle_stop(&a->read_more);
		return;
	}
	struct read_ctx c = {.a = a, .until_ns = uv_hrtime() + READ_BUDGET_NS};
	while (!c.out_of_time && et_ingest_has_room(&a->ingest) &&
	       et_spool_read(a->spool, 4096, read_one, &c) > 0)
		;
	if (c.out_of_time)
		uv_idle_start(&a->read_more, on_read_more);
	else
		uv_idle_stop(&a->read_more);
}

static void on_commit(void *ctx, uint64_t seq)
{
	struct app *a = ctx;
	et_spool_commit(a->spool, seq);
}

static void on_mqtt_messages(void *ctx, bool store_failed)
{
	struct app *a = ctx;
	(void)store_failed; /* the tick reads the state and says so */
	app_read_spool(a);
}

static void on_writer_batch_done(et_batch_t *b, void *ctx)
{
	struct app *a = ctx;
	if (b->committed)
		et_latency_observe(&a->lat, b->write_us);
	et_ingest_batch_done(b, &a->ingest);
	app_read_spool(a);
	app_maybe_finish(a);
}

static int on_sp_rebirth(void *ctx, const et_sp_topic_t *t)
{
	struct app *a = ctx;
	return et_sphost_rebirth(a->mqtt, t);
}

static void on_sp_births_changed(void *ctx, const et_sp_host_t *h)
{
	struct app *a = ctx;
	et_sphost_saver_save(a->births, h);
}

void app_log_stats(struct app *a, const char *what)
{
	const et_ingest_stats_t *s = &a->ingest.st;
	log_info("%s: %llu messages, %llu readings (%llu new, %llu corrected, %llu duplicate), "
		 "%llu rejected, %llu batches",
		 what, (unsigned long long)s->messages, (unsigned long long)s->readings,
		 (unsigned long long)s->inserted, (unsigned long long)s->corrected,
		 (unsigned long long)s->duplicates, (unsigned long long)s->rejected,
		 (unsigned long long)s->batches);
}

/* The daemon's parts as metrics.c renders them, now. */
static void metrics_src(struct app *a, et_metrics_src_t *s)
{
	*s = (et_metrics_src_t){.state = a->state,
				.spool_full = a->fill.paused,
				.store_blocked = a->store_blocked,
				.ingest = &a->ingest,
				.spool = a->spool,
				.mqtt = a->mqtt,
				.writer = a->writer,
				.alerts = a->alerts,
				.presence = a->presence,
				.lat = &a->lat,
				.lag = &a->lag,
				.births = a->births,
				.now_ms = (int64_t)uv_now(&a->loop),
				.last_msg_ms = a->last_msg_ms,
				.quiet_alarm_s = a->cfg.http_quiet_alarm_s};
}

static int render_healthz(void *ctx, et_buf_t *body)
{
	et_metrics_src_t s;
	metrics_src(ctx, &s);
	return et_health_render(&s, body);
}

static int render_metrics(void *ctx, et_buf_t *body)
{
	et_metrics_src_t s;
	metrics_src(ctx, &s);
	et_metrics_render(&s, body);
	return 200;
}

static int render_page(void *ctx, const char *path, et_buf_t *body, const char **ret_type)
{
	return et_page_render(((struct app *)ctx)->page, path, body, ret_type);
}

/* The HTTP routes; their render functions run on the loop, the page's on
 * the HTTP worker thread (see http.h). */
static const et_http_route_t http_routes[] = {
	{"/metrics", "text/plain; version=0.0.4; charset=utf-8", render_metrics, NULL, false},
	{"/healthz", NULL, render_healthz, NULL, false},
	{"/", "text/html; charset=utf-8", NULL, render_page, false},
	{"/targets.json", "application/json", NULL, render_page, false},
	{"/chart/", "image/png", NULL, render_page, true},
	{"/gap/", "image/png", NULL, render_page, true},
};

/* sd_notify is a no-op without NOTIFY_SOCKET. The pings come from the loop's
 * own timer, so a loop that stops turning is restarted by systemd. */
static void notify_tick(struct app *a, int64_t now)
{
	if (!a->notified_ready && a->mqtt && et_mqtt_connected(a->mqtt)) {
		sd_notify(0, "READY=1");
		a->notified_ready = true;
	}
	if (a->watchdog_ms && now - a->last_watchdog_ms >= (int64_t)a->watchdog_ms / 2) {
		sd_notify(0, "WATCHDOG=1");
		a->last_watchdog_ms = now;
	}
	if (now - a->last_status_ms >= 5000) {
		const et_ingest_stats_t *st = &a->ingest.st;
		et_spool_stats_t sp;
		et_spool_stats(a->spool, &sp);
		sd_notifyf(0,
			   "STATUS=%llu messages, %llu readings written, %llu rejected; broker %s, "
			   "PostgreSQL %s; spool %.1f MB (%.1f MB unread)",
			   (unsigned long long)st->messages, (unsigned long long)st->inserted,
			   (unsigned long long)st->rejected,
			   a->fill.paused			   ? "paused (spool full)"
			   : a->mqtt && et_mqtt_connected(a->mqtt) ? "up"
								   : "down",
			   et_pgwriter_connected(a->writer) ? "up" : "down", sp.bytes / 1e6,
			   sp.unread_bytes / 1e6);
		a->last_status_ms = now;
	}
}

static void on_spool_synced(uv_fs_t *req)
{
	struct app *a = req->data;
	if (req->result < 0)
		log_error("spool: fdatasync: %s", uv_strerror((int)req->result));
	uv_fs_req_cleanup(req);
	close(a->sync_fd);
	a->sync_fd = -1;
}

/* Every spool_sync_ms, the records appended since are made durable on
 * libuv's threadpool: neither paho's thread nor the loop waits for it. */
static void spool_sync(struct app *a)
{
	if (a->sync_fd >= 0)
		return; /* one at a time */
	int fd = et_spool_sync_fd(a->spool);
	if (fd < 0)
		return;
	a->sync_fd = fd;
	a->sync_req.data = a;
	if (uv_fs_fdatasync(&a->loop, &a->sync_req, fd, on_spool_synced)) {
		/* cannot queue it: do it here rather than not at all */
		fdatasync(fd);
		close(fd);
		a->sync_fd = -1;
	}
}

/* The spool's size cap (lib/spoolfill.c): a warning at 80 %; when full the
 * broker keeps the messages in our persistent session until the spool
 * drains below 90 %. When the disk refused a message, paho's thread holds
 * it until the spool drains. */
static void spool_watch(struct app *a)
{
	et_spool_stats_t st;
	et_spool_stats(a->spool, &st);
	double pct = et_spoolfill_pct(st.bytes, st.max_bytes);
	bool may_pause = a->mqtt && (a->state == ET_APP_ST_RUNNING || a->state == ET_APP_ST_PAUSED);
	unsigned act = et_spoolfill_step(&a->fill, pct, may_pause);
	if (act & ET_SPOOLFILL_WARN)
		log_warn("spool: %.0f %% full (%.1f of %.1f MB); PostgreSQL is behind", pct,
			 st.bytes / 1e6, st.max_bytes / 1e6);
	if (act & ET_SPOOLFILL_CALM)
		log_info("spool: back to %.0f %% full", pct);
	if (!may_pause)
		return;
	/* The disk itself refused a record: paho's thread holds that message
	 * (unacknowledged) until the spool drains; said once each way. */
	int blocked = et_mqtt_store_blocked(a->mqtt);
	if (blocked && !a->store_blocked) {
		a->store_blocked = true;
		et_presence_hold(a->presence, true);
		log_error("spool: cannot append to %s: %s; holding the broker's messages until "
			  "PostgreSQL drains the spool",
			  a->cfg.spool_dir, strerror(blocked));
	} else if (!blocked && a->store_blocked) {
		a->store_blocked = false;
		et_presence_hold(a->presence, false);
		log_info("spool: storing messages again");
	}
	if (act & ET_SPOOLFILL_PAUSE) {
		app_set_state(a, ET_APP_ST_PAUSED, "spool full");
		log_error("spool: full (%.1f MB, spool_max_mb %d); disconnecting from the broker, "
			  "which keeps the messages in our session",
			  st.bytes / 1e6, a->cfg.spool_max_mb);
		et_mqtt_pause(a->mqtt, true);
	}
	if (act & ET_SPOOLFILL_RESUME) {
		app_set_state(a, ET_APP_ST_RUNNING, "spool drained");
		log_info("spool: %.0f %% full; reconnecting to the broker", pct);
		et_mqtt_pause(a->mqtt, false);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct app *a = t->data;
	app_read_spool(a);
	et_ingest_flush(&a->ingest, false);
	spool_sync(a);
	int64_t now = (int64_t)uv_now(&a->loop);
	spool_watch(a);
	if (a->ingest.st.messages != a->seen_messages) {
		a->seen_messages = a->ingest.st.messages;
		a->last_msg_ms = now;
	}
	notify_tick(a, now);
	if (now - a->last_stats_ms >= 60000) {
		a->last_stats_ms = now;
		if (a->ingest.st.messages)
			app_log_stats(a, "totals");
	}
	app_maybe_finish(a);
}

static size_t presence_members(void *ctx, et_member_t *out, size_t max)
{
	return et_presence_members(ctx, out, max);
}

/* In a shared subscription group ($share/<group>/... in topics), the
 * presence connection and the member-down alarm. A failure is logged and
 * the daemon runs without them. */
static void start_presence(struct app *a, const char *mqtt_pw)
{
	char group[64], err[300];
	if (!et_presence_group(a->cfg.mqtt_topics, group, sizeof(group)))
		return;
	if (et_presence_start(&a->presence, &a->loop, &a->cfg, mqtt_pw, err, sizeof(err))) {
		log_error("%s; running without presence", err);
		return;
	}
	et_alerts_set_members(a->alerts, presence_members, a->presence);
}

static void print_version(void)
{
	printf("enertrackd %s\n", ET_VERSION);
	printf("  libuv %s\n", uv_version_string());
	printf("  libpq %d.%d\n", PQlibVersion() / 10000, PQlibVersion() % 10000);
	printf("  zlib %s\n", zlibVersion());
	printf("  jansson %s\n", jansson_version_str());
	printf("  libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("  libmicrohttpd %s\n", MHD_get_version());
	MQTTAsync_nameValue *v = MQTTAsync_getVersionInfo();
	for (; v && v->name; v++)
		if (strcmp(v->name, "Version") == 0)
			printf("  paho-mqtt-c %s\n", v->value);
}

/* --check-config: the file, the secrets and [http] listen, resolved as at
 * the start, so that the two agree. The process's exit status. */
static int check_config(struct app *a, const char *config)
{
	char err[300];
	char *mqtt_pw = NULL, *pg_pw = NULL, *smtp_pw = NULL;
	int bad = app_read_secrets(&a->cfg, &mqtt_pw, &pg_pw, &smtp_pw);
	et_net_addr_t la[ET_NET_ADDR_MAX];
	if (a->cfg.http_listen[0] &&
	    et_net_resolve_listen(a->cfg.http_listen, la, ET_NET_ADDR_MAX, err, sizeof(err)) < 0) {
		log_error("%s: [http] listen: %s", config, err);
		bad = 1;
	}
	app_wipe_free(mqtt_pw);
	app_wipe_free(pg_pw);
	app_wipe_free(smtp_pw);
	et_config_free(&a->cfg);
	if (bad)
		return 1;
	printf("%s: configuration OK\n", config);
	return 0;
}

/* A database that answers now but was never migrated, or only by an older
 * enertrack: the daemon refuses to start, with the command that fixes it
 * (tool_check_schema, the tools' own check). One that does not answer is no
 * reason to stop: the spool keeps what arrives until it is back. Blocking,
 * before any thread. 0, or -1 when the schema is too old (logged). */
static int check_schema(const struct app *a, const char *config, const char *pg_pw)
{
	PGconn *conn = et_pg_connect(a->cfg.pg_conninfo, pg_pw, "enertrackd", NULL);
	int rc = 0;
	if (PQstatus(conn) != CONNECTION_OK) {
		char why[300];
		snprintf(why, sizeof(why), "%s", PQerrorMessage(conn));
		why[strcspn(why, "\n")] = '\0';
		log_warn("cannot check the database's schema now (%s): starting; the spool keeps "
			 "the readings until PostgreSQL answers",
			 why);
	} else {
		rc = tool_check_schema(conn, config);
	}
	PQfinish(conn);
	return rc;
}

/* The parts that need no broker: the spool, the writer thread, ingest
 * (with the Sparkplug births saved last time), the alerts' threads.
 * 0 or -1 (logged). */
static int start_parts(struct app *a, const char *pg_pw, const char *smtp_pw)
{
	char err[300];
	if (et_spool_open(&a->spool, a->cfg.spool_dir, a->cfg.spool_sync_ms,
			  (uint64_t)a->cfg.spool_max_mb << 20, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	if (et_pgwriter_start(&a->writer, &a->loop, a->cfg.pg_conninfo, pg_pw, a->cfg.counter_reset,
			      a->cfg.counter_jitter, on_writer_batch_done, a)) {
		log_error("cannot start the PostgreSQL writer thread");
		return -1;
	}
	if (et_ingest_init(&a->ingest, &a->cfg, a->writer)) {
		log_error("out of memory");
		return -1;
	}
	a->ingest.on_commit = on_commit;
	a->ingest.commit_ctx = a;
	if (a->ingest.sp) {
		int nb = et_sphost_births_load(a->ingest.sp, a->cfg.spool_dir, err, sizeof(err));
		if (nb < 0 || err[0])
			log_warn("sparkplug: %s", err);
		if (nb > 0)
			log_info("sparkplug: %d births restored from %s/%s", nb, a->cfg.spool_dir,
				 ET_SP_BIRTHS_FILE);
		uint64_t max_file =
			ET_SPHOST_BIRTHS_MAX_FILE(a->cfg.sp_max_nodes, a->cfg.sp_max_birth_bytes);
		if (!(a->births = et_sphost_saver_new(&a->loop, a->cfg.spool_dir, max_file))) {
			log_error("out of memory");
			return -1;
		}
		a->ingest.rebirth = on_sp_rebirth;
		a->ingest.births_changed = on_sp_births_changed;
		a->ingest.sp_ctx = a;
	}
	if (et_alerts_start(&a->alerts, &a->loop, &a->cfg, pg_pw, smtp_pw)) {
		log_error("cannot start the alerts thread");
		return -1;
	}
	return 0;
}

/* The signals and the timers of the loop. */
static void start_handles(struct app *a)
{
	uv_signal_init(&a->loop, &a->sigterm);
	uv_signal_init(&a->loop, &a->sigint);
	uv_signal_init(&a->loop, &a->sighup);
	a->sigterm.data = a->sigint.data = a->sighup.data = a;
	uv_signal_start(&a->sigterm, app_on_sigterm, SIGTERM);
	uv_signal_start(&a->sigint, app_on_sigterm, SIGINT);
	uv_signal_start(&a->sighup, app_on_sighup, SIGHUP);
	uv_timer_init(&a->loop, &a->tick);
	uv_timer_init(&a->loop, &a->shutdown_timer);
	a->tick.data = a->shutdown_timer.data = a;
	uv_timer_start(&a->tick, on_tick, TICK_MS, TICK_MS);
	et_looplag_start(&a->lag, &a->loop);
	uv_idle_init(&a->loop, &a->read_more);
	a->read_more.data = a;
	a->last_msg_ms = (int64_t)uv_now(&a->loop);
}

/* The HTTP listener and the status page, when [http] listen says so; then
 * MQTT and presence. A failure closes all (the loop then ends). */
static void start_io(struct app *a, const char *mqtt_pw, const char *pg_pw)
{
	char err[300];
	/* [http] listen may name a host: resolved as --check-config does it */
	et_net_addr_t la[ET_NET_ADDR_MAX];
	int nla = a->cfg.http_listen[0] ? et_net_resolve_listen(a->cfg.http_listen, la,
								ET_NET_ADDR_MAX, err, sizeof(err))
					: 0;
	if (nla < 0) {
		log_error("[http] listen: %s", err);
		a->exit_code = 1;
		app_close_all(a, "start failed");
	} else if (nla > 0 && !(a->page = et_page_new(&a->cfg, pg_pw))) {
		log_error("out of memory");
		a->exit_code = 1;
		app_close_all(a, "start failed");
	} else if (nla > 0 && et_http_start(&a->http, &a->loop, la, (size_t)nla, http_routes,
					    sizeof(http_routes) / sizeof(http_routes[0]), a, err,
					    sizeof(err))) {
		log_error("%s", err);
		a->exit_code = 1;
		app_close_all(a, "start failed");
	}
	uint64_t wd_usec = 0;
	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		a->watchdog_ms = wd_usec / 1000;

	if (a->state == ET_APP_ST_CLOSING) {
		/* the HTTP listener failed: already closing */
	} else if (et_mqtt_start(&a->mqtt, &a->loop, &a->cfg, mqtt_pw, a->spool, on_mqtt_messages,
				 a, err, sizeof(err))) {
		log_error("%s", err);
		a->exit_code = 1;
		app_close_all(a, "start failed");
	} else {
		start_presence(a, mqtt_pw);
		app_set_state(a, ET_APP_ST_RUNNING, "started");
		log_info("enertrackd %s started: %s -> PostgreSQL, batches of %d rows or %d ms",
			 ET_VERSION, a->cfg.mqtt_topics, a->cfg.batch_rows, a->cfg.flush_ms);
	}
}

/* After the loop: what is left freed, threads left behind joined if they
 * ended since. The process's exit status. */
static int finish(struct app *a)
{
	int rc = uv_loop_close(&a->loop);
	if (rc)
		log_warn("loop closed with handles open: %s", uv_strerror(rc));
	et_ingest_free(&a->ingest);
	et_sphost_saver_free(a->births); /* the loop ended: no save runs */
	if (!et_mqtt_paho_left())
		et_spool_close(a->spool);
	et_config_free(&a->cfg);
	/* threads left behind may have ended since: joined and freed now */
	if (a->alerts_left && et_alerts_reap(a->alerts_left))
		a->alerts_left = NULL;
	if (!a->alerts_left) /* else the evaluator may still ask it */
		et_presence_free(a->presence);
	if (!a->alerts_left) {
		curl_global_cleanup();
		et_chart_cleanup(); /* no thread draws any more */
	}
	return a->exit_code;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	bool check_only = false, version = false;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE", .required = true),
		ET_OPT_FLAG_ROW("check-config", 0, &check_only),
		ET_OPT_FLAG_ROW("version", 0, &version),
	};
	const et_cmdline_t cl = {
		.prog = "enertrackd",
		.usage = "enertrackd -c FILE [--check-config]\n       enertrackd --version",
		.opts = opts,
		.nopts = sizeof(opts) / sizeof(opts[0]),
	};
	struct app app;
	struct app *a = &app;
	char *mqtt_pw = NULL, *pg_pw = NULL, *smtp_pw = NULL, err[512];

	et_log_init("enertrackd");
	/* --version alone needs no -c */
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		version = true;
	int prc = version ? ET_CMDLINE_OK : et_cmdline_parse(&cl, argc, argv, err, sizeof(err));
	if (prc == ET_CMDLINE_HELP) {
		printf("usage: %s\nSubscribes to MQTT energy telemetry and writes it to "
		       "PostgreSQL.\n",
		       cl.usage);
		return 0;
	}
	if (prc) {
		fputs(err, stderr);
		return 2;
	}
	if (version) {
		print_version();
		return 0;
	}
	memset(a, 0, sizeof(*a));
	a->sync_fd = -1;
	a->config_path = config;
	if (et_config_load(config, &a->cfg))
		return 1;
	if (check_only)
		return check_config(a, config);
	et_log_set_level_name(a->cfg.log_level);
	if (app_read_secrets(&a->cfg, &mqtt_pw, &pg_pw, &smtp_pw)) {
		et_config_free(&a->cfg);
		return 1;
	}
	if (check_schema(a, config, pg_pw)) {
		app_wipe_free(mqtt_pw);
		app_wipe_free(pg_pw);
		app_wipe_free(smtp_pw);
		et_config_free(&a->cfg);
		return EXIT_SCHEMA;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	/* before any thread: curl_global_init is not thread-safe */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return 1;
	}

	uv_loop_init(&a->loop);
	a->loop.data = a;
	if (start_parts(a, pg_pw, smtp_pw))
		return 1;
	start_handles(a);
	start_io(a, mqtt_pw, pg_pw);
	app_wipe_free(mqtt_pw);
	app_wipe_free(pg_pw);
	app_wipe_free(smtp_pw);

	uv_run(&a->loop, UV_RUN_DEFAULT);
	return finish(a);
}
