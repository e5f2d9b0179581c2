/* SPDX-License-Identifier: MIT */
/* What the daemon says about itself over HTTP: the /metrics body
 * (Prometheus text format) and the /healthz body and status, rendered from
 * a view of the daemon's parts that main.c fills per request; and the
 * histogram of batch write times. Loop thread only. The routes themselves
 * are wired in main.c; HTTP is daemon/http.c. */
#ifndef ENERTRACK_DAEMON_METRICS_H
#define ENERTRACK_DAEMON_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "alerts.h"
#include "enertrack/appstate.h"
#include "enertrack/buf.h"
#include "ingest.h"
#include "looplag.h"
#include "mqtt.h"
#include "pgwriter.h"
#include "presence.h"
#include "sphost.h"
#include "spool.h"

/* Upper bounds of the latency buckets, in ms; one more bucket is +Inf. */
#define ET_LAT_BOUNDS_MS                                                                           \
	{                                                                                          \
		1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000                               \
	}
#define ET_LAT_NBOUNDS 12

/* Time to commit a batch, retries included. Zero is empty. */
typedef struct et_latency {
	uint64_t buckets[ET_LAT_NBOUNDS + 1];
	double sum_s;
	uint64_t count;
} et_latency_t;

/* Counts one committed batch that took write_us. */
void et_latency_observe(et_latency_t *h, int64_t write_us);

/* The daemon as the bodies describe it. Every pointer is borrowed for the
 * call; mqtt, writer and alerts are NULL once stopped. */
typedef struct et_metrics_src {
	enum et_app_state state;
	bool spool_full;    /* disconnected from the broker: the spool is full */
	bool store_blocked; /* the disk refused a record */
	const et_ingest_t *ingest;
	et_spool_t *spool;
	et_mqtt_t *mqtt;
	et_pgwriter_t *writer;
	et_alerts_t *alerts;
	et_presence_t *presence; /* NULL: not in a shared group */
	const et_latency_t *lat;
	const et_looplag_t *lag;	 /* the loop's lag (looplag.h) */
	const et_sphost_saver_t *births; /* the births file's writes; NULL without Sparkplug */
	int64_t now_ms, last_msg_ms;	 /* the loop's clock */
	int quiet_alarm_s;		 /* [http] quiet_alarm_s; 0: off */
} et_metrics_src_t;

/* /healthz: "ok" and 200 when connected and writing, else one reason and
 * 503. Returns the status. */
int et_health_render(const et_metrics_src_t *s, et_buf_t *body);

/* /metrics: every counter and gauge, the alerts' per-target lines last. */
void et_metrics_render(const et_metrics_src_t *s, et_buf_t *body);

#endif
