/* SPDX-License-Identifier: MIT */
/* /metrics and /healthz bodies, and the write latency histogram (see
 * metrics.h). Reads the daemon's parts through their accessors only. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>

#include "common/clock.h"

static const double lat_bounds_ms[ET_LAT_NBOUNDS] = ET_LAT_BOUNDS_MS;

void et_latency_observe(et_latency_t *h, int64_t write_us)
{
	double ms = (double)write_us / 1000.0;
	size_t i = 0;
	while (i < ET_LAT_NBOUNDS && ms > lat_bounds_ms[i])
		i++;
	h->buckets[i]++;
	h->sum_s += ms / 1000.0;
	h->count++;
}

static int put(et_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a formatted text of any length. It used to go through a 512-byte
 * line, which cut the spool family in the middle of a name on every scrape
 * and made Prometheus refuse the whole page. */
static int put(et_buf_t *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || et_buf_reserve(b, (size_t)n + 1)) {
		va_end(ap2);
		return -1;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

/* /healthz: 200 when connected and writing, else 503 with one reason. */
int et_health_render(const et_metrics_src_t *s, et_buf_t *body)
{
	int64_t now = s->now_ms;
	const char *why = NULL;
	char quiet[96], eval[400];
	if (s->state == ET_APP_ST_DRAINING || s->state == ET_APP_ST_CLOSING)
		why = "stopping";
	else if (s->state == ET_APP_ST_STARTING)
		why = "starting";
	else if (s->state == ET_APP_ST_PAUSED)
		why = "spool full: disconnected from the MQTT broker until it drains";
	else if (s->store_blocked)
		why = "spool: the disk refuses records; waiting for PostgreSQL to drain it";
	else if (!s->mqtt || !et_mqtt_connected(s->mqtt))
		why = "not connected to the MQTT broker";
	else if (!s->writer || !et_pgwriter_connected(s->writer))
		why = "not connected to PostgreSQL";
	else if (s->quiet_alarm_s > 0 && now - s->last_msg_ms > (int64_t)s->quiet_alarm_s * 1000) {
		snprintf(quiet, sizeof(quiet), "no message for %lld s (quiet_alarm_s %d)",
			 (long long)((now - s->last_msg_ms) / 1000), s->quiet_alarm_s);
		why = quiet;
	} else if (et_alerts_unhealthy(s->alerts, et_wall_us(), eval, sizeof(eval))) {
		/* no mail can go out while the evaluation fails */
		why = eval;
	}
	/* the group's members are detail: another member's outage does not
	 * make this one unhealthy */
	put(body, "%s\n", why ? why : "ok");
	if (s->presence)
		et_presence_health(s->presence, body);
	return why ? 503 : 200;
}

/* /metrics in the Prometheus text format. */
void et_metrics_render(const et_metrics_src_t *src, et_buf_t *b)
{
	const et_ingest_stats_t *s = &src->ingest->st;
	put(b,
	    "# HELP enertrack_messages_received_total MQTT messages handed to the daemon.\n"
	    "# TYPE enertrack_messages_received_total counter\n"
	    "enertrack_messages_received_total %llu\n",
	    (unsigned long long)s->messages);
	put(b,
	    "# HELP enertrack_readings_total Readings by outcome in PostgreSQL.\n"
	    "# TYPE enertrack_readings_total counter\n"
	    "enertrack_readings_total{outcome=\"written\"} %llu\n"
	    "enertrack_readings_total{outcome=\"corrected\"} %llu\n"
	    "enertrack_readings_total{outcome=\"duplicate\"} %llu\n"
	    "enertrack_readings_total{outcome=\"refused_by_db\"} %llu\n",
	    (unsigned long long)s->inserted, (unsigned long long)s->corrected,
	    (unsigned long long)s->duplicates, (unsigned long long)s->poisoned);
	put(b, "# HELP enertrack_rejected_total Rejected messages or array elements by reason.\n"
	       "# TYPE enertrack_rejected_total counter\n");
	for (int r = 1; r < ET_REJ_COUNT; r++)
		put(b, "enertrack_rejected_total{reason=\"%s\"} %llu\n", et_reject_name(r),
		    (unsigned long long)s->rejected_by[r]);
	for (int r = 0; r < ET_SP_REJECT_REASONS; r++) /* Sparkplug B's own */
		put(b, "enertrack_rejected_total{reason=\"%s\"} %llu\n", et_sp_reject_name(r),
		    (unsigned long long)s->sp_rejected_by[r]);
	put(b,
	    "# HELP enertrack_pending_readings Readings received and not yet committed.\n"
	    "# TYPE enertrack_pending_readings gauge\n"
	    "enertrack_pending_readings %llu\n",
	    (unsigned long long)et_ingest_pending(src->ingest));
	put(b,
	    "# HELP enertrack_batches_total Batches committed.\n"
	    "# TYPE enertrack_batches_total counter\n"
	    "enertrack_batches_total %llu\n",
	    (unsigned long long)s->batches);
	put(b,
	    "# HELP enertrack_sparkplug_messages_total Sparkplug B messages handled.\n"
	    "# TYPE enertrack_sparkplug_messages_total counter\n"
	    "enertrack_sparkplug_messages_total %llu\n",
	    (unsigned long long)s->sp_messages);
	put(b,
	    "# HELP enertrack_sparkplug_values_total Sparkplug B metric values by outcome "
	    "(unmapped: no sparkplug_map row, listed in the view sparkplug_unmapped, not "
	    "stored).\n"
	    "# TYPE enertrack_sparkplug_values_total counter\n"
	    "enertrack_sparkplug_values_total{outcome=\"decoded\"} %llu\n"
	    "enertrack_sparkplug_values_total{outcome=\"unmapped\"} %llu\n",
	    (unsigned long long)s->sp_values, (unsigned long long)s->sp_unmapped);
	put(b,
	    "# HELP enertrack_sparkplug_deaths_total NDEATH and DDEATH of current sessions.\n"
	    "# TYPE enertrack_sparkplug_deaths_total counter\n"
	    "enertrack_sparkplug_deaths_total %llu\n",
	    (unsigned long long)s->sp_deaths);
	put(b,
	    "# HELP enertrack_sparkplug_rebirth_requests_total Rebirth requests (NCMD) "
	    "published.\n"
	    "# TYPE enertrack_sparkplug_rebirth_requests_total counter\n"
	    "enertrack_sparkplug_rebirth_requests_total %llu\n",
	    (unsigned long long)s->sp_rebirths);
	put(b,
	    "# HELP enertrack_sparkplug_rebirths_dropped_total Rebirth requests not sent: over "
	    "[sparkplug] max_rebirths_per_s.\n"
	    "# TYPE enertrack_sparkplug_rebirths_dropped_total counter\n"
	    "enertrack_sparkplug_rebirths_dropped_total %llu\n",
	    (unsigned long long)s->sp_rebirths_dropped);
	put(b, "# HELP enertrack_write_batch_seconds Time to commit a batch, retries included.\n"
	       "# TYPE enertrack_write_batch_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t i = 0; i < ET_LAT_NBOUNDS; i++) {
		cum += src->lat->buckets[i];
		put(b, "enertrack_write_batch_seconds_bucket{le=\"%g\"} %llu\n",
		    lat_bounds_ms[i] / 1000.0, (unsigned long long)cum);
	}
	cum += src->lat->buckets[ET_LAT_NBOUNDS];
	put(b,
	    "enertrack_write_batch_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "enertrack_write_batch_seconds_sum %.6f\n"
	    "enertrack_write_batch_seconds_count %llu\n",
	    (unsigned long long)cum, src->lat->sum_s, (unsigned long long)src->lat->count);
	put(b,
	    "# HELP enertrack_broker_up 1 when connected to the MQTT broker.\n"
	    "# TYPE enertrack_broker_up gauge\n"
	    "enertrack_broker_up %d\n"
	    "# HELP enertrack_broker_reconnects_total Reconnections to the broker.\n"
	    "# TYPE enertrack_broker_reconnects_total counter\n"
	    "enertrack_broker_reconnects_total %llu\n",
	    src->mqtt && et_mqtt_connected(src->mqtt) ? 1 : 0,
	    (unsigned long long)(src->mqtt ? et_mqtt_reconnects(src->mqtt) : 0));
	et_spool_stats_t sp;
	et_spool_stats(src->spool, &sp);
	put(b,
	    "# HELP enertrack_spool_bytes Bytes of spool segments on disk.\n"
	    "# TYPE enertrack_spool_bytes gauge\n"
	    "enertrack_spool_bytes %llu\n"
	    "# HELP enertrack_spool_max_bytes The spool's cap (spool_max_mb).\n"
	    "# TYPE enertrack_spool_max_bytes gauge\n"
	    "enertrack_spool_max_bytes %llu\n"
	    "# HELP enertrack_spool_unread_bytes Spooled bytes not yet read back (the backlog).\n"
	    "# TYPE enertrack_spool_unread_bytes gauge\n"
	    "enertrack_spool_unread_bytes %llu\n"
	    "# HELP enertrack_spool_segments Spool segment files.\n"
	    "# TYPE enertrack_spool_segments gauge\n"
	    "enertrack_spool_segments %u\n",
	    (unsigned long long)sp.bytes, (unsigned long long)sp.max_bytes,
	    (unsigned long long)sp.unread_bytes, sp.segments);
	put(b,
	    "# HELP enertrack_spool_records_total Spool records by event.\n"
	    "# TYPE enertrack_spool_records_total counter\n"
	    "enertrack_spool_records_total{event=\"appended\"} %llu\n"
	    "enertrack_spool_records_total{event=\"replayed\"} %llu\n"
	    "enertrack_spool_records_total{event=\"already_committed\"} %llu\n"
	    "enertrack_spool_records_total{event=\"append_failed\"} %llu\n",
	    (unsigned long long)sp.appended, (unsigned long long)sp.replayed,
	    (unsigned long long)sp.already_committed, (unsigned long long)sp.append_errors);
	put(b,
	    "# HELP enertrack_spool_damaged_total Damaged or torn spool stretches stepped over.\n"
	    "# TYPE enertrack_spool_damaged_total counter\n"
	    "enertrack_spool_damaged_total %llu\n"
	    "# HELP enertrack_spool_syncs_total fdatasync calls on the spool.\n"
	    "# TYPE enertrack_spool_syncs_total counter\n"
	    "enertrack_spool_syncs_total %llu\n"
	    "# HELP enertrack_spool_full 1 while disconnected from the broker because the spool "
	    "is full.\n"
	    "# TYPE enertrack_spool_full gauge\n"
	    "enertrack_spool_full %d\n",
	    (unsigned long long)sp.damaged, (unsigned long long)sp.syncs, src->spool_full ? 1 : 0);
	put(b,
	    "# HELP enertrack_postgres_up 1 when the writer holds a PostgreSQL connection.\n"
	    "# TYPE enertrack_postgres_up gauge\n"
	    "enertrack_postgres_up %d\n",
	    src->writer && et_pgwriter_connected(src->writer) ? 1 : 0);
	if (src->lag)
		et_looplag_metrics(src->lag, b);
	if (src->births)
		et_sphost_saver_metrics(src->births, b);
	if (src->presence)
		et_presence_metrics(src->presence, b);
	et_alerts_metrics(src->alerts, b);
}
