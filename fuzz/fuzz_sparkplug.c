/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/sparkplug.c, the Sparkplug B host: protobuf-c's
 * decoder of payloads from the network, the alias tables, seq and bdSeq
 * bookkeeping. The input is a run of messages, each a topic byte (one of
 * the topics below) and a 2-byte length, then the payload, all fed to one
 * host in order; then the host's births are replayed into a second host in
 * restore mode, as a restart does. Checks: every value is finite with a
 * clean non-empty name and a timestamp the COPY encoder takes, every line
 * encodes, every rejection has a sparkplug_* reason, and nothing leaks. */
#include "fuzz_util.h"

#include "enertrack/buf.h"
#include "enertrack/sparkplug.h"

static const char *const topics[] = {
	"spBv1.0/G/NBIRTH/e1",	  "spBv1.0/G/DBIRTH/e1/d1", "spBv1.0/G/DBIRTH/e1/d2",
	"spBv1.0/G/NDATA/e1",	  "spBv1.0/G/DDATA/e1/d1",  "spBv1.0/G/DDATA/e1/d2",
	"spBv1.0/G/NDEATH/e1",	  "spBv1.0/G/DDEATH/e1/d1", "spBv1.0/G/NBIRTH/e2",
	"spBv1.0/G/DDATA/e2/d1",  "spBv1.0/STATE/h",	    "spBv1.0/G/NCMD/e1",
	"spBv1.0/G/XDATA/e1",	  "spBv1.0/G/NDATA/e1/x",
};
#define NTOPICS (sizeof(topics) / sizeof(topics[0]))

static et_buf_t lines;

static int on_value(void *ctx, const et_sp_value_t *v)
{
	(void)ctx;
	CHECK(isfinite(v->value));
	CHECK(v->name && v->name[0] && et_text_is_clean(v->name, strlen(v->name)));
	CHECK(v->ts_us >= 0 && v->ts_us <= 253402300799999999LL);
	et_buf_reset(&lines);
	CHECK(et_sp_copy_value(&lines, 1, v, 0) == 0);
	CHECK(lines.len > 0 && lines.data[lines.len - 1] == '\n');
	return 0;
}

static void on_event(void *ctx, const et_sp_topic_t *t, int64_t recv_us)
{
	(void)ctx;
	et_buf_reset(&lines);
	CHECK(et_sp_copy_event(&lines, 1, "nbirth", t, recv_us, recv_us) == 0);
}

static void on_death(void *ctx, const et_sp_topic_t *t, int64_t ts_us, int64_t recv_us)
{
	(void)ctx;
	et_buf_reset(&lines);
	CHECK(ts_us >= 0 && ts_us <= 253402300799999999LL);
	CHECK(et_sp_copy_event(&lines, 1, "ndeath", t, ts_us, recv_us) == 0);
}

static int on_rebirth(void *ctx, const et_sp_topic_t *t, const char *why)
{
	(void)why;
	int *n = ctx;
	(*n)++;
	CHECK(t->node[0]);
	return 0;
}

static void on_reject(void *ctx, int element, const char *reason, const char *detail)
{
	(void)ctx;
	(void)element;
	CHECK(strncmp(reason, "sparkplug_", 10) == 0 || strcmp(reason, "out_of_range") == 0);
	CHECK(detail && detail[0]);
}

static int restore(void *ctx, const char *topic, const void *payload, size_t len)
{
	et_sp_limits_t lim = {0};
	et_sp_sink_t none = {0};
	return et_sp_host_message(ctx, topic, strlen(topic), payload, len, 0, 0, &lim, true,
				  &none) < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	et_sp_host_t *h = et_sp_host_new(1000000);
	et_sp_host_t *h2 = et_sp_host_new(1000000);
	if (!h || !h2)
		abort();
	int rebirths = 0;
	et_sp_sink_t s = {.ctx = &rebirths,
			  .on_value = on_value,
			  .on_death = on_death,
			  .on_birth = on_event,
			  .on_rebirth = on_rebirth,
			  .on_reject = on_reject};
	et_sp_limits_t lim = {.max_payload_bytes = 4096,
			      .max_future_us = 300000000LL,
			      .max_past_us = 315360000000000LL,
			      .max_nodes = 4,
			      .max_birth_metrics = 64,
			      .max_birth_bytes = 8192,
			      .reorder_us = 2000,
			      .rebirths_per_s = 100};
	int64_t now = 1700000000000000LL;
	size_t pos = 0;
	while (pos + 3 <= size) {
		const char *topic = topics[data[pos] % NTOPICS];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		int rc = et_sp_host_message(h, topic, strlen(topic), data + pos, len, now, now,
					    &lim, false, &s);
		CHECK(rc >= 0);
		pos += len;
		now += 1000;
		et_sp_host_tick(h, now, &lim, &s);
		CHECK(et_sp_host_nodes(h) <= lim.max_nodes);
	}
	CHECK(et_sp_host_births(h, restore, h2) == 0);
	et_sp_host_lost(h, now, &s);
	CHECK(et_sp_host_nodes(h) == 0);
	et_sp_host_free(h);
	et_sp_host_free(h2);
	return 0;
}
