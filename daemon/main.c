/* SPDX-License-Identifier: MIT */
/* enertrackd: the daemon. main() builds the one mutable root (struct app),
 * wires MQTT -> spool -> ingest -> writer on one libuv loop, and runs it.
 * Signal handling: SIGTERM/SIGINT drain and commit, then exit 0; SIGHUP
 * reloads what can change at run time. */
#include <curl/curl.h>
#include <systemd/sd-daemon.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
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
#include "common/confload.h"
#include "common/net.h"
#include "enertrack/appstate.h"
#include "enertrack/config.h"
#include "enertrack/file.h"
#include "enertrack/log.h"
#include "enertrack/spoolfill.h"
#include "http.h"
#include "page.h"
#include "common/chart.h"
#include "ingest.h"
#include "sphost.h"
#include "metrics.h"
#include "mqtt.h"
#include "pgwriter.h"
#include "presence.h"
#include "spool.h"

/* How long a shutdown waits for PostgreSQL before giving up on what is unwritten. */
#define SHUTDOWN_TIMEOUT_MS 30000
#define TICK_MS		    10

struct app {
	uv_loop_t loop;
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t tick;
	uv_timer_t shutdown_timer;
	enum et_app_state state; /* changed by app_set_state only */
	const char *config_path;
	et_config_t cfg;
	et_spool_t *spool;
	et_mqtt_t *mqtt;
	et_presence_t *presence; /* NULL: no shared group */
	et_pgwriter_t *writer;
	et_alerts_t *alerts;
	et_alerts_t *alerts_left; /* its threads did not stop in time */
	int parts_open;		  /* closing: threads not yet joined (alerts, writer) */
	et_ingest_t ingest;
	int exit_code;
	int64_t last_stats_ms;
	/* systemd: READY=1 once the broker is connected, WATCHDOG=1 from the loop */
	bool notified_ready;
	et_http_t *http;
	et_page_t *page;  /* the status page, on the HTTP worker thread */
	et_latency_t lat; /* batch write times, for /metrics */
	/* when the last message came */
	uint64_t seen_messages;
	int64_t last_msg_ms;
	uint64_t watchdog_ms; /* 0: no watchdog */
	int64_t last_watchdog_ms, last_status_ms;
	et_spoolfill_t fill; /* the spool's fill policy (lib/spoolfill.c) */
	bool store_blocked;  /* the disk refused a record; paho's thread waits */
	uv_fs_t sync_req;    /* the spool's periodic fdatasync */
	int sync_fd;	     /* its descriptor while it runs, else -1 */
};

/* The one way the daemon's state changes (lib/appstate.c): each
 * transition is logged, an illegal one is refused (and logged as the bug
 * it is). Returns 0 or -EINVAL. */
static int app_set_state(struct app *a, enum et_app_state to, const char *why)
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

static bool app_stopping(const struct app *a)
{
	return a->state == ET_APP_ST_DRAINING || a->state == ET_APP_ST_CLOSING;
}

/* Reads spool records into batches while they have room: the in-memory
 * window; the rest waits on disk. Not while closing (the writer is gone). */
static void read_spool(struct app *a)
{
	if (a->state == ET_APP_ST_CLOSING)
		return;
	while (et_ingest_has_room(&a->ingest) &&
	       et_spool_read(a->spool, 4096, et_ingest_record, &a->ingest) > 0)
		;
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
	read_spool(a);
}

static void close_all(struct app *a, const char *why);
static void wipe_free(char *s);

static void maybe_finish(struct app *a)
{
	if (a->state != ET_APP_ST_DRAINING || a->mqtt)
		return;
	read_spool(a);
	et_ingest_flush(&a->ingest, true);
	if (!et_ingest_idle(&a->ingest) || !et_spool_caught_up(a->spool))
		return;
	close_all(a, "all committed");
}

static void on_writer_batch_done(et_batch_t *b, void *ctx)
{
	struct app *a = ctx;
	if (b->committed)
		et_latency_observe(&a->lat, b->write_us);
	et_ingest_batch_done(b, &a->ingest);
	read_spool(a);
	maybe_finish(a);
}

static int on_sp_rebirth(void *ctx, const et_sp_topic_t *t)
{
	struct app *a = ctx;
	return et_sphost_rebirth(a->mqtt, t);
}

static void on_sp_births_changed(void *ctx, const et_sp_host_t *h)
{
	struct app *a = ctx;
	int rc = et_sphost_births_save(h, a->cfg.spool_dir);
	if (rc)
		log_error("sparkplug: cannot save the births in %s/%s: %s; after a crash, edge "
			  "nodes would be asked for a rebirth",
			  a->cfg.spool_dir, ET_SP_BIRTHS_FILE, strerror(-rc));
}

static void log_stats(struct app *a, const char *what)
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
	read_spool(a);
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
			log_stats(a, "totals");
	}
	maybe_finish(a);
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

static void close_all(struct app *a, const char *why)
{
	if (a->state == ET_APP_ST_CLOSING || app_set_state(a, ET_APP_ST_CLOSING, why))
		return;
	log_stats(a, "stopped");
	et_presence_stop(a->presence);
	uv_timer_stop(&a->tick);
	uv_timer_stop(&a->shutdown_timer);
	uv_close((uv_handle_t *)&a->tick, on_handle_closed);
	uv_close((uv_handle_t *)&a->shutdown_timer, on_handle_closed);
	uv_close((uv_handle_t *)&a->sigterm, on_handle_closed);
	uv_close((uv_handle_t *)&a->sigint, on_handle_closed);
	uv_close((uv_handle_t *)&a->sighup, on_handle_closed);
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
	maybe_finish(a);
}

static void on_shutdown_timeout(uv_timer_t *t)
{
	struct app *a = t->data;
	log_warn("shutdown: PostgreSQL did not take the last %llu readings within %d s; they "
		 "stay in the spool for the next start",
		 (unsigned long long)et_ingest_pending(&a->ingest), SHUTDOWN_TIMEOUT_MS / 1000);
	close_all(a, "shutdown timed out");
}

static void begin_shutdown(struct app *a, const char *why)
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
		maybe_finish(a);
}

static void on_sigterm(uv_signal_t *s, int signum)
{
	begin_shutdown(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

/* Reload builds a whole new configuration and applies it only if it all
 * parsed; keys that cannot change at run time keep their old value. */
static void on_sighup(uv_signal_t *s, int signum)
{
	struct app *a = s->data;
	et_config_t next;
	(void)signum;
	log_info("SIGHUP: reloading %s", a->config_path);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)(uv_hrtime() / 1000));
	if (et_config_load(a->config_path, &next)) {
		log_error("SIGHUP: the new configuration has errors; keeping the old one");
		sd_notify(0, "READY=1");
		return;
	}
	et_buf_t fixed = ET_BUF_INIT;
	if (et_config_diff_fixed(&a->cfg, &next, &fixed) > 0 && et_buf_append(&fixed, "", 1) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(fixed.data, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			log_warn("SIGHUP: %s; keeping the old value", l);
	}
	et_buf_free(&fixed);
	et_log_set_level_name(next.log_level);
	et_ingest_reconfigure(&a->ingest, &next);
	a->cfg.http_quiet_alarm_s = next.http_quiet_alarm_s;
	et_page_reconfigure(a->page, &next);
	char *smtp_pw = NULL;
	char err[300];
	if (et_secret_read_cred(next.smtp_password_file, "smtp-password", &smtp_pw, err,
				sizeof(err)))
		log_error("SIGHUP: [smtp] password_file: %s; keeping the old SMTP settings", err);
	else if (a->alerts && et_alerts_reconfigure(a->alerts, &next, smtp_pw))
		log_error("SIGHUP: out of memory applying the [targets], [alerts] and [smtp] "
			  "settings");
	wipe_free(smtp_pw);
	et_config_free(&next);
	log_info("SIGHUP: reloaded");
	sd_notify(0, "READY=1");
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

static void usage(FILE *f)
{
	fprintf(f, "usage: enertrackd -c FILE [--check-config]\n"
		   "       enertrackd --version\n"
		   "Subscribes to MQTT energy telemetry and writes it to PostgreSQL.\n");
}

static int read_secrets(const et_config_t *cfg, char **mqtt_pw, char **pg_pw, char **smtp_pw)
{
	char err[300];
	/* the TLS files, so that a typo is named now rather than as a failed handshake */
	const struct {
		const char *key, *path;
	} files[] = {{"[mqtt] ca_file", cfg->mqtt_ca_file},
		     {"[mqtt] cert_file", cfg->mqtt_cert_file},
		     {"[mqtt] key_file", cfg->mqtt_key_file},
		     {"[smtp] ca_file", cfg->smtp_ca_file}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].path[0] && access(files[i].path, R_OK)) {
			log_error("%s: cannot read %s: %s", files[i].key, files[i].path,
				  strerror(errno));
			return -1;
		}
	}
	if (et_secret_read_cred(cfg->smtp_password_file, "smtp-password", smtp_pw, err,
				sizeof(err))) {
		log_error("[smtp] password_file: %s", err);
		return -1;
	}
	if (et_secret_read_cred(cfg->mqtt_password_file, "mqtt-password", mqtt_pw, err,
				sizeof(err))) {
		log_error("[mqtt] password_file: %s", err);
		return -1;
	}
	if (et_secret_read_cred(cfg->pg_password_file, "postgres-password", pg_pw, err,
				sizeof(err))) {
		log_error("[postgres] password_file: %s", err);
		return -1;
	}
	return 0;
}

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	int check_only = 0, c;
	struct app app;
	struct app *a = &app;
	char err[300];
	char *mqtt_pw = NULL, *pg_pw = NULL, *smtp_pw = NULL;

	et_log_init("enertrackd");
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check_only = 1;
			break;
		case 'V':
			print_version();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return 2;
	}
	memset(a, 0, sizeof(*a));
	a->sync_fd = -1;
	a->config_path = config;
	if (et_config_load(config, &a->cfg))
		return 1;
	if (check_only) {
		int bad = read_secrets(&a->cfg, &mqtt_pw, &pg_pw, &smtp_pw);
		/* the same resolution as at the start, so that the two agree */
		et_net_addr_t la[ET_NET_ADDR_MAX];
		if (a->cfg.http_listen[0] &&
		    et_net_resolve_listen(a->cfg.http_listen, la, ET_NET_ADDR_MAX, err,
					  sizeof(err)) < 0) {
			log_error("%s: [http] listen: %s", config, err);
			bad = 1;
		}
		wipe_free(mqtt_pw);
		wipe_free(pg_pw);
		wipe_free(smtp_pw);
		et_config_free(&a->cfg);
		if (bad)
			return 1;
		printf("%s: configuration OK\n", config);
		return 0;
	}
	et_log_set_level_name(a->cfg.log_level);
	if (read_secrets(&a->cfg, &mqtt_pw, &pg_pw, &smtp_pw)) {
		et_config_free(&a->cfg);
		return 1;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	/* before any thread: curl_global_init is not thread-safe */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return 1;
	}

	uv_loop_init(&a->loop);
	a->loop.data = a;
	if (et_spool_open(&a->spool, a->cfg.spool_dir, a->cfg.spool_sync_ms,
			  (uint64_t)a->cfg.spool_max_mb << 20, err, sizeof(err))) {
		log_error("%s", err);
		return 1;
	}
	if (et_pgwriter_start(&a->writer, &a->loop, a->cfg.pg_conninfo, pg_pw, a->cfg.counter_reset,
			      on_writer_batch_done, a)) {
		log_error("cannot start the PostgreSQL writer thread");
		return 1;
	}
	if (et_ingest_init(&a->ingest, &a->cfg, a->writer)) {
		log_error("out of memory");
		return 1;
	}
	a->ingest.on_commit = on_commit;
	a->ingest.commit_ctx = a;
	if (a->ingest.sp) {
		int nb = et_sphost_births_load(a->ingest.sp, a->cfg.spool_dir, err, sizeof(err));
		if (nb < 0)
			log_warn("sparkplug: %s", err);
		else if (nb > 0)
			log_info("sparkplug: %d births restored from %s/%s", nb, a->cfg.spool_dir,
				 ET_SP_BIRTHS_FILE);
		a->ingest.rebirth = on_sp_rebirth;
		a->ingest.births_changed = on_sp_births_changed;
		a->ingest.sp_ctx = a;
	}
	if (et_alerts_start(&a->alerts, &a->loop, &a->cfg, pg_pw, smtp_pw)) {
		log_error("cannot start the alerts thread");
		return 1;
	}

	uv_signal_init(&a->loop, &a->sigterm);
	uv_signal_init(&a->loop, &a->sigint);
	uv_signal_init(&a->loop, &a->sighup);
	a->sigterm.data = a->sigint.data = a->sighup.data = a;
	uv_signal_start(&a->sigterm, on_sigterm, SIGTERM);
	uv_signal_start(&a->sigint, on_sigterm, SIGINT);
	uv_signal_start(&a->sighup, on_sighup, SIGHUP);
	uv_timer_init(&a->loop, &a->tick);
	uv_timer_init(&a->loop, &a->shutdown_timer);
	a->tick.data = a->shutdown_timer.data = a;
	uv_timer_start(&a->tick, on_tick, TICK_MS, TICK_MS);
	a->last_msg_ms = (int64_t)uv_now(&a->loop);
	/* [http] listen may name a host: resolved as --check-config does it */
	et_net_addr_t la[ET_NET_ADDR_MAX];
	int nla = a->cfg.http_listen[0] ? et_net_resolve_listen(a->cfg.http_listen, la,
								ET_NET_ADDR_MAX, err, sizeof(err))
					: 0;
	if (nla < 0) {
		log_error("[http] listen: %s", err);
		a->exit_code = 1;
		close_all(a, "start failed");
	} else if (nla > 0 && !(a->page = et_page_new(&a->cfg, pg_pw))) {
		log_error("out of memory");
		a->exit_code = 1;
		close_all(a, "start failed");
	} else if (nla > 0 && et_http_start(&a->http, &a->loop, la, (size_t)nla, http_routes,
					    sizeof(http_routes) / sizeof(http_routes[0]), a, err,
					    sizeof(err))) {
		log_error("%s", err);
		a->exit_code = 1;
		close_all(a, "start failed");
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
		close_all(a, "start failed");
	} else {
		start_presence(a, mqtt_pw);
		app_set_state(a, ET_APP_ST_RUNNING, "started");
		log_info("enertrackd %s started: %s -> PostgreSQL, batches of %d rows or %d ms",
			 ET_VERSION, a->cfg.mqtt_topics, a->cfg.batch_rows, a->cfg.flush_ms);
	}
	wipe_free(mqtt_pw);
	wipe_free(pg_pw);
	wipe_free(smtp_pw);

	uv_run(&a->loop, UV_RUN_DEFAULT);
	int rc = uv_loop_close(&a->loop);
	if (rc)
		log_warn("loop closed with handles open: %s", uv_strerror(rc));
	et_ingest_free(&a->ingest);
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
