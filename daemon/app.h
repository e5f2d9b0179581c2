/* SPDX-License-Identifier: MIT */
/* enertrackd's one mutable root (struct app), made in daemon/main.c and
 * reached through each handle's data, and what the files that act on it
 * share: main.c (start and the loop's callbacks), shutdown.c (draining and
 * closing), reload.c (SIGHUP), secrets.c (password files). Loop thread
 * only. */
#ifndef ENERTRACK_DAEMON_APP_H
#define ENERTRACK_DAEMON_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "alerts.h"
#include "enertrack/appstate.h"
#include "enertrack/config.h"
#include "enertrack/spoolfill.h"
#include "http.h"
#include "ingest.h"
#include "metrics.h"
#include "mqtt.h"
#include "page.h"
#include "pgwriter.h"
#include "presence.h"
#include "sphost.h"
#include "spool.h"

struct app {
	uv_loop_t loop;
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t tick;
	uv_timer_t shutdown_timer;
	uv_idle_t read_more;	 /* the spool's reading goes on after its time budget */
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
	et_sphost_saver_t *births; /* the Sparkplug births file's saves; NULL: no host */
	int exit_code;
	int64_t last_stats_ms;
	/* systemd: READY=1 once the broker is connected, WATCHDOG=1 from the loop */
	bool notified_ready;
	et_http_t *http;
	et_page_t *page;  /* the status page, on the HTTP worker thread */
	et_latency_t lat; /* batch write times, for /metrics */
	et_looplag_t lag; /* the loop's lag, for /metrics */
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

/* daemon/main.c */
/* The one way the daemon's state changes (lib/appstate.c): each
 * transition is logged, an illegal one is refused (and logged as the bug
 * it is). Returns 0 or -EINVAL. */
int app_set_state(struct app *a, enum et_app_state to, const char *why);
bool app_stopping(const struct app *a);
/* Reads spool records into batches while they have room. */
void app_read_spool(struct app *a);
void app_log_stats(struct app *a, const char *what);

/* daemon/shutdown.c */
/* SIGTERM, SIGINT: drain and commit, then close. */
void app_on_sigterm(uv_signal_t *s, int signum);
/* Stops taking messages and commits the rest; closes when all is committed
 * or after SHUTDOWN_TIMEOUT_MS. Once. */
void app_begin_shutdown(struct app *a, const char *why);
/* While draining: closes once everything received is committed. */
void app_maybe_finish(struct app *a);
/* Closes every handle and stops the threads; the loop ends when they are
 * joined. Once. */
void app_close_all(struct app *a, const char *why);

/* daemon/reload.c */
/* SIGHUP: reloads what can change at run time. */
void app_on_sighup(uv_signal_t *s, int signum);

/* daemon/secrets.c */
/* Checks the TLS files and reads the three password files of cfg (each
 * NULL when not configured; to free with app_wipe_free). 0 or -1 (logged). */
int app_read_secrets(const et_config_t *cfg, char **mqtt_pw, char **pg_pw, char **smtp_pw);
/* Zeroes and frees a secret; NULL does nothing. */
void app_wipe_free(char *s);

#endif
