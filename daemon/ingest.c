/* SPDX-License-Identifier: MIT */
/* Ingest: spool record -> decode -> COPY batch -> writer. Batches are
 * recycled, so in steady state nothing is allocated per message. */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "enertrack/copyenc.h"
#include "enertrack/log.h"

/* The first 4 KiB of a rejected payload are kept in rejected_message. */
#define REJECT_KEEP_BYTES 4096

static void apply_cfg(et_ingest_t *in, const et_config_t *cfg)
{
	in->layout = cfg->layout;
	et_config_limits(cfg, &in->lim);
	in->sp_lim = (et_sp_limits_t){.max_payload_bytes = in->lim.max_payload_bytes,
				      .max_future_us = in->lim.max_future_us,
				      .max_past_us = in->lim.max_past_us,
				      .max_nodes = (size_t)cfg->sp_max_nodes,
				      .max_birth_metrics = (size_t)cfg->sp_max_birth_metrics,
				      .max_birth_bytes = (size_t)cfg->sp_max_birth_bytes,
				      .reorder_us = (int64_t)cfg->sp_reorder_timeout_ms * 1000,
				      .rebirths_per_s = cfg->sp_max_rebirths_per_s};
	if (in->sp)
		et_sp_host_set_rebirth_interval(in->sp,
						(int64_t)cfg->sp_rebirth_min_interval_s * 1000000);
	in->max_rejects = cfg->max_rejects_per_message;
	et_ratelimit_set(&in->rl, (uint32_t)cfg->max_site_readings_per_s);
}

int et_ingest_init(et_ingest_t *in, const et_config_t *cfg, et_pgwriter_t *writer)
{
	memset(in, 0, sizeof(*in));
	/* remembers 16384 sites (a province has about a thousand) */
	if (et_ratelimit_init(&in->rl, 16384, 0))
		return -ENOMEM;
	if (cfg->sp_enabled &&
	    !(in->sp = et_sp_host_new((int64_t)cfg->sp_rebirth_min_interval_s * 1000000))) {
		et_ratelimit_free(&in->rl);
		return -ENOMEM;
	}
	apply_cfg(in, cfg);
	in->batch_rows = (uint32_t)cfg->batch_rows;
	in->flush_us = (int64_t)cfg->flush_ms * 1000;
	in->writer = writer;
	return 0;
}

void et_ingest_reconfigure(et_ingest_t *in, const et_config_t *cfg)
{
	apply_cfg(in, cfg);
}

static et_batch_t *batch_get(et_ingest_t *in)
{
	et_batch_t *b = in->spare;
	if (b) {
		in->spare = b->next;
	} else {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
	}
	b->next = NULL;
	et_buf_reset(&b->readings);
	et_buf_reset(&b->rejects);
	et_buf_reset(&b->sparkplug);
	b->nreadings = b->nrejects = b->nsparkplug = 0;
	b->first_recv_us = 0;
	b->last_seq = 0;
	b->maybe_dups = false;
	b->counters = false;
	if (b->keys)
		memset(b->keys, 0, b->keycap * sizeof(*b->keys));
	return b;
}

static void batch_free(et_batch_t *b)
{
	free(b->keys);
	et_buf_free(&b->readings);
	et_buf_free(&b->rejects);
	et_buf_free(&b->sparkplug);
	free(b);
}

static void batch_put(et_ingest_t *in, et_batch_t *b)
{
	/* Keep two spares; a burst's extra batches go back to the allocator. */
	size_t n = 0;
	for (et_batch_t *s = in->spare; s; s = s->next)
		n++;
	if (n >= 2) {
		batch_free(b);
		return;
	}
	b->next = in->spare;
	in->spare = b;
}

static void dispatch(et_ingest_t *in)
{
	if (!in->ready || !et_pgwriter_idle(in->writer))
		return;
	et_batch_t *b = in->ready;
	in->ready = b->next;
	if (!in->ready)
		in->ready_tail = NULL;
	in->nready--;
	b->next = NULL;
	in->inflight = b;
	et_pgwriter_submit(in->writer, b);
}

static void close_cur(et_ingest_t *in)
{
	et_batch_t *b = in->cur;
	if (!b || (et_batch_rows(b) == 0 && b->last_seq == 0))
		return;
	in->cur = NULL;
	if (et_batch_rows(b) == 0) {
		/* Messages that left no row (out of memory): nothing to write,
		 * but their spool records are done once what precedes them is. */
		if (in->ready_tail)
			in->ready_tail->last_seq = b->last_seq;
		else if (in->inflight)
			in->carry_seq = b->last_seq;
		else if (in->on_commit)
			in->on_commit(in->commit_ctx, b->last_seq);
		batch_put(in, b);
		return;
	}
	if (in->ready_tail)
		in->ready_tail->next = b;
	else
		in->ready = b;
	in->ready_tail = b;
	in->nready++;
	dispatch(in);
}

static et_batch_t *cur_batch(et_ingest_t *in, int64_t recv_us)
{
	if (!in->cur) {
		in->cur = batch_get(in);
		if (!in->cur)
			return NULL;
	}
	if (!in->cur->first_recv_us)
		in->cur->first_recv_us = recv_us;
	return in->cur;
}

static void on_rejected(void *ctx, int element, enum et_reject why, const char *detail);

/* FNV-1a of the reading's key; 0 is kept for "empty". */
static uint64_t key_hash(const et_reading_t *r)
{
	uint64_t h = 14695981039346656037ULL;
	for (const char *p = r->site; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = r->metric; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (int i = 0; i < 8; i++)
		h = (h ^ (uint8_t)((uint64_t)r->ts_us >> (i * 8))) * 1099511628211ULL;
	return h ? h : 1;
}

/* Notes the key in b's set; a repeat (or a hash collision, or no memory)
 * marks the batch as maybe holding duplicates. */
static void note_key(et_batch_t *b, uint32_t want_rows, const et_reading_t *r)
{
	if (b->maybe_dups)
		return;
	if (!b->keys) {
		uint32_t cap = 1024;
		while (cap < want_rows * 2u)
			cap <<= 1;
		b->keys = calloc(cap, sizeof(*b->keys));
		b->keycap = b->keys ? cap : 0;
	}
	if (!b->keys || b->nreadings * 2u >= b->keycap) {
		b->maybe_dups = true;
		return;
	}
	uint64_t h = key_hash(r);
	for (uint32_t i = (uint32_t)h & (b->keycap - 1);; i = (i + 1) & (b->keycap - 1)) {
		if (b->keys[i] == h) {
			b->maybe_dups = true;
			return;
		}
		if (!b->keys[i]) {
			b->keys[i] = h;
			return;
		}
	}
}

static int on_decoded(void *ctx, int element, const et_reading_t *r)
{
	et_ingest_t *in = ctx;
	uint64_t refused = 0;
	char detail[200];
	/* per site and second of the readings' own timestamps: a backlog or a
	 * backfill arriving in a rush is no burst */
	switch (et_ratelimit_take(&in->rl, r->site, strlen(r->site), r->ts_us, in->msg->recv_us,
				  &refused)) {
	case ET_RL_PASS:
		break;
	case ET_RL_REFUSE:
		in->st.rejected++;
		in->st.rejected_by[ET_REJ_RATE_LIMITED]++;
		return 0;
	case ET_RL_REFUSE_REPORT:
		snprintf(detail, sizeof(detail),
			 "site %s stamped more than max_site_readings_per_s (%u) readings within "
			 "one second: %llu refused since its last report (this one's message kept)",
			 r->site, in->rl.limit, (unsigned long long)refused);
		on_rejected(in, element, ET_REJ_RATE_LIMITED, detail);
		if (in->rl_warned++ == 0 || in->rl_warned % 60 == 0)
			log_warn("ingest: %s", detail);
		return 0;
	}
	et_batch_t *b = cur_batch(in, in->msg->recv_us);
	if (!b || et_copy_reading(&b->readings, b->nreadings, r, in->msg->recv_us)) {
		in->enc_error = 1;
		return -1;
	}
	note_key(b, in->batch_rows, r);
	b->counters |= r->counter;
	b->nreadings++;
	in->st.readings++;
	return 0;
}

static void on_rejected(void *ctx, int element, enum et_reject why, const char *detail)
{
	et_ingest_t *in = ctx;
	const et_spool_rec_t *m = in->msg;
	char more[200];

	in->st.rejected++;
	in->st.rejected_by[why]++;
	/* A hostile batch of thousands of bad elements must not become
	 * thousands of copies of its payload: past the limit, one summary row. */
	if (in->msg_rejects++ > in->max_rejects)
		return;
	if (in->msg_rejects > in->max_rejects) {
		snprintf(more, sizeof(more),
			 "max_rejects_per_message (%d) reached: later rejected elements of this "
			 "message are counted, not stored",
			 in->max_rejects);
		detail = more;
	}
	et_batch_t *b = cur_batch(in, m->recv_us);
	if (!b ||
	    et_copy_reject(&b->rejects, m->recv_us, m->topic, m->topic_len, et_reject_name(why),
			   detail, element, m->payload, m->payload_len, REJECT_KEEP_BYTES)) {
		log_error("ingest: out of memory keeping a rejected message from %.*s",
			  (int)m->topic_len, m->topic);
		return;
	}
	b->nrejects++;
	log_debug("ingest: rejected %s from %.*s: %s", et_reject_name(why), (int)m->topic_len,
		  m->topic, detail);
}

/* Sparkplug B: values and deaths become lines of the Sparkplug staging
 * table, which sparkplug_apply() maps to readings in the writer's
 * transaction (sql/functions/sparkplug_apply.sql). */
static void on_sp_reject(void *ctx, int element, const char *reason, const char *detail);

/* max_site_readings_per_s, per device (or edge node): the site is only
 * known in PostgreSQL, and a device is one site's meter in practice. */
static bool sp_rate_limited(et_ingest_t *in, const et_sp_value_t *v)
{
	char key[3 * ET_SP_ID_MAX + 16], detail[512];
	uint64_t refused = 0;
	int n = snprintf(key, sizeof(key), "spBv1.0/%s/%s/%s", v->topic->group, v->topic->node,
			 v->topic->device);
	switch (et_ratelimit_take(&in->rl, key, (size_t)n, v->ts_us, in->msg->recv_us, &refused)) {
	case ET_RL_PASS:
		return false;
	case ET_RL_REFUSE:
		in->st.rejected++;
		in->st.rejected_by[ET_REJ_RATE_LIMITED]++;
		return true;
	case ET_RL_REFUSE_REPORT:
		snprintf(detail, sizeof(detail),
			 "%s stamped more than max_site_readings_per_s (%u) values within one "
			 "second: %llu refused since its last report (this one's message kept)",
			 key, in->rl.limit, (unsigned long long)refused);
		on_sp_reject(in, -1, et_reject_name(ET_REJ_RATE_LIMITED), detail);
		if (in->rl_warned++ == 0 || in->rl_warned % 60 == 0)
			log_warn("ingest: %s", detail);
		return true;
	}
	return false;
}

static int on_sp_value(void *ctx, const et_sp_value_t *v)
{
	et_ingest_t *in = ctx;
	if (sp_rate_limited(in, v))
		return 0;
	et_batch_t *b = cur_batch(in, in->msg->recv_us);
	if (!b || et_sp_copy_value(&b->sparkplug, b->nsparkplug, v, in->msg->recv_us)) {
		in->enc_error = 1;
		return -1;
	}
	/* the mapping is only known in PostgreSQL: two names may map to
	 * one key, so the batch may repeat keys */
	b->maybe_dups = true;
	b->nsparkplug++;
	in->st.sp_values++;
	return 0;
}

static void sp_event(et_ingest_t *in, const char *event, const et_sp_topic_t *t, int64_t ts_us,
		     int64_t recv_us)
{
	et_batch_t *b = cur_batch(in, in->msg->recv_us);
	if (!b || et_sp_copy_event(&b->sparkplug, b->nsparkplug, event, t, ts_us, recv_us)) {
		in->enc_error = 1;
		return;
	}
	b->nsparkplug++;
}

static void on_sp_birth(void *ctx, const et_sp_topic_t *t, int64_t recv_us)
{
	sp_event(ctx, t->device[0] ? "dbirth" : "nbirth", t, recv_us, recv_us);
}

static void on_sp_death(void *ctx, const et_sp_topic_t *t, int64_t ts_us, int64_t recv_us)
{
	et_ingest_t *in = ctx;
	in->st.sp_deaths++;
	sp_event(in, t->device[0] ? "ddeath" : "ndeath", t, ts_us, recv_us);
	log_info("sparkplug: %s %s/%s%s%s died; its sites are stale from then",
		 t->device[0] ? "device" : "edge node", t->group, t->node, t->device[0] ? "/" : "",
		 t->device);
}

static int on_sp_rebirth(void *ctx, const et_sp_topic_t *t, const char *why)
{
	et_ingest_t *in = ctx;
	if (in->rebirth && in->rebirth(in->sp_ctx, t) == 0) {
		in->st.sp_rebirths++;
		log_info("sparkplug: asked edge node %s/%s for a rebirth (%s)", t->group, t->node,
			 why);
		return 0;
	}
	log_debug("sparkplug: edge node %s/%s needs a rebirth (%s); not connected to send it",
		  t->group, t->node, why);
	return -1;
}

static void on_sp_reject(void *ctx, int element, const char *reason, const char *detail)
{
	et_ingest_t *in = ctx;
	const et_spool_rec_t *m = in->msg;
	in->st.rejected++;
	if (strcmp(reason, "out_of_range") == 0)
		in->st.rejected_by[ET_REJ_OUT_OF_RANGE]++;
	else if (strcmp(reason, "rate_limited") == 0)
		in->st.rejected_by[ET_REJ_RATE_LIMITED]++;
	else if (et_sp_reject_index(reason) >= 0)
		in->st.sp_rejected_by[et_sp_reject_index(reason)]++;
	if (in->msg_rejects++ >= in->max_rejects)
		return;
	et_batch_t *b = cur_batch(in, m->recv_us);
	if (!b || et_copy_reject(&b->rejects, m->recv_us, m->topic, m->topic_len, reason, detail,
				 element, m->payload, m->payload_len, REJECT_KEEP_BYTES)) {
		log_error("ingest: out of memory keeping a rejected message from %.*s",
			  (int)m->topic_len, m->topic);
		return;
	}
	b->nrejects++;
	log_debug("ingest: rejected %s from %.*s: %s", reason, (int)m->topic_len, m->topic, detail);
}

static int sparkplug_record(et_ingest_t *in, const et_spool_rec_t *m)
{
	et_sp_sink_t sink = {.ctx = in,
			     .on_value = on_sp_value,
			     .on_death = on_sp_death,
			     .on_birth = on_sp_birth,
			     .on_rebirth = on_sp_rebirth,
			     .on_reject = on_sp_reject};
	in->st.sp_messages++;
	/* the clock of the reordering time-outs and the rebirth rates, read
	 * per message: the v1 path's (every 256th message) can be seconds old */
	in->now_us = et_wall_us();
	int rc = et_sp_host_message(in->sp, m->topic, m->topic_len, m->payload, m->payload_len,
				    m->recv_us, in->now_us, &in->sp_lim, false, &sink);
	in->sp_births_dirty |= et_sp_host_births_changed(in->sp);
	return rc;
}

int et_ingest_record(void *ctx, const et_spool_rec_t *m)
{
	et_ingest_t *in = ctx;
	et_decode_sink_t sink = {.ctx = in, .on_reading = on_decoded, .on_reject = on_rejected};

	if (!in->now_us || ++in->since_now >= 256) {
		in->now_us = et_wall_us();
		in->since_now = 0;
	}
	in->msg = m;
	in->msg_rejects = 0;
	in->enc_error = 0;
	in->st.messages++;
	if (in->sp && m->topic_len == sizeof(ET_SP_HOST_LOST_TOPIC) - 1 &&
	    memcmp(m->topic, ET_SP_HOST_LOST_TOPIC, m->topic_len) == 0) {
		/* the host lost the broker: its sites are stale until reborn */
		et_sp_sink_t lost = {.ctx = in, .on_death = on_sp_death};
		et_sp_host_lost(in->sp, m->recv_us, &lost);
		in->sp_births_dirty |= et_sp_host_births_changed(in->sp);
		return 0;
	}
	int rc = in->sp && et_sp_is_topic(m->topic, m->topic_len)
			 ? sparkplug_record(in, m)
			 : et_decode(&in->layout, &in->lim, m->topic, m->topic_len, m->payload,
				     m->payload_len, in->now_us, &sink);
	if (rc < 0 || in->enc_error)
		log_error("ingest: out of memory encoding a message from %.*s", (int)m->topic_len,
			  m->topic);
	in->msg = NULL;
	et_batch_t *b = cur_batch(in, m->recv_us);
	if (b)
		b->last_seq = m->seq;
	if (b && et_batch_rows(b) >= in->batch_rows)
		close_cur(in);
	return !et_ingest_has_room(in);
}

bool et_ingest_has_room(const et_ingest_t *in)
{
	return in->nready < INGEST_MAX_READY;
}

/* Whether the filling batch is worth a transaction of its own now that
 * the writer is idle: half of batch_rows, or a quarter of flush_ms old.
 * Handing over every few rows at once would keep latency lowest but costs
 * PostgreSQL four times the CPU per row (measured by make bench at 5 000
 * msg/s: 22-row transactions, 77 µs per row instead of 17). The age bound
 * decides at steady rates (latency stays under flush_ms / 4 plus the
 * write); the row bound only while a backlog drains, where PostgreSQL
 * spends 24.9 µs a row in batches of 200, 13.8 in batches of 1 000 and
 * 12.0 in batches of 5 000 (bench/pgcost.sh; a bare COPY: 10.7). */
static bool worth_writing(const et_ingest_t *in, int64_t now)
{
	const et_batch_t *b = in->cur;
	if (!b || et_batch_rows(b) == 0)
		return b && b->last_seq; /* only done records: cheap, no transaction */
	return et_batch_rows(b) >= in->batch_rows / 2 || now - b->first_recv_us >= in->flush_us / 4;
}

void et_ingest_flush(et_ingest_t *in, bool force)
{
	int64_t now = et_wall_us();
	if (in->sp) {
		/* only rebirths come out of a tick: the seq gaps that waited
		 * long enough */
		et_sp_sink_t sink = {.ctx = in, .on_rebirth = on_sp_rebirth};
		et_sp_host_tick(in->sp, now, &in->sp_lim, &sink);
		in->st.sp_rebirths_dropped = et_sp_host_rebirths_dropped(in->sp);
		/* The births file is rewritten at most once a second: a storm of
		 * births no longer means a write and an fsync each on the loop.
		 * A crash loses at most the last second's births; their nodes
		 * are asked for a rebirth when their DATA comes. */
		if (in->sp_births_dirty && in->births_changed &&
		    (force || now - in->sp_births_saved >= 1000000)) {
			in->sp_births_dirty = false;
			in->sp_births_saved = now;
			in->births_changed(in->sp_ctx, in->sp);
		}
	}
	if (in->cur && (force || now - in->cur->first_recv_us >= in->flush_us ||
			(!in->ready && et_pgwriter_idle(in->writer) && worth_writing(in, now))))
		close_cur(in);
	dispatch(in);
}

void et_ingest_batch_done(et_batch_t *b, void *ctx)
{
	et_ingest_t *in = ctx;
	in->inflight = NULL;
	if (b->committed) {
		uint64_t seq = b->last_seq > in->carry_seq ? b->last_seq : in->carry_seq;
		in->carry_seq = 0;
		if (in->on_commit)
			in->on_commit(in->commit_ctx, seq);
		in->st.inserted += b->inserted;
		in->st.corrected += b->corrected;
		in->st.duplicates += b->duplicates;
		in->st.poisoned += b->poisoned;
		in->st.sp_unmapped += b->sp_unmapped;
		in->st.batches++;
		log_debug("ingest: batch of %u readings, %u rejects committed in %.1f ms "
			  "(%llu new, %llu corrected, %llu duplicate)",
			  b->nreadings, b->nrejects, b->write_us / 1000.0,
			  (unsigned long long)b->inserted, (unsigned long long)b->corrected,
			  (unsigned long long)b->duplicates);
	} else {
		log_warn("ingest: %u readings and %u rejected messages were not written "
			 "(PostgreSQL unreachable at shutdown); they stay in the spool for the "
			 "next start",
			 b->nreadings, b->nrejects);
	}
	batch_put(in, b);
	/* Pipelining: hand the writer the next batch at once when it is worth
	 * a transaction (else the loop's tick does when it is); while the
	 * writer is busy, the filling batch grows up to batch_rows. */
	if (!in->ready && worth_writing(in, et_wall_us()))
		close_cur(in);
	dispatch(in);
}

bool et_ingest_idle(const et_ingest_t *in)
{
	return !in->ready &&
	       (!in->cur || (et_batch_rows(in->cur) == 0 && in->cur->last_seq == 0)) &&
	       et_pgwriter_idle(in->writer);
}

uint64_t et_ingest_pending(const et_ingest_t *in)
{
	uint64_t n = in->cur ? in->cur->nreadings : 0;
	if (in->inflight)
		n += in->inflight->nreadings;
	for (et_batch_t *b = in->ready; b; b = b->next)
		n += b->nreadings;
	return n;
}

void et_ingest_free(et_ingest_t *in)
{
	et_ratelimit_free(&in->rl);
	et_sp_host_free(in->sp);
	in->sp = NULL;
	/* inflight: a batch the writer gave up on at shutdown and never
	 * handed back (the loop had stopped); its thread is gone by now */
	et_batch_t *lists[] = {in->cur, in->ready, in->spare, in->inflight};
	for (size_t k = 0; k < 4; k++) {
		for (et_batch_t *b = lists[k]; b;) {
			et_batch_t *next = b->next;
			batch_free(b);
			b = next;
		}
	}
	in->cur = in->ready = in->ready_tail = in->spare = in->inflight = NULL;
}
