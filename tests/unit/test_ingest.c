/* SPDX-License-Identifier: MIT */
/* Unit tests of daemon/ingest.c against a fake writer
 * (tests/unit/fake_pgwriter.c): spool records are decoded into a COPY batch
 * of batch_rows rows, refused messages become rejected_message lines with
 * their reason, a batch goes to the writer when it is full or flushed, at
 * most two wait while the writer is busy (then reading stops), a committed
 * batch reports its last spool seq and its counts, one the writer gave up
 * on reports nothing, and a repeated key marks a batch as maybe holding
 * duplicates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ingest.h"
#include "enertrack/log.h"
#include "fake_pgwriter.h"

#define TS "2024-03-01T08:00:00+08:00"

struct fixture {
	et_config_t cfg;
	et_pgwriter_t *w;
	et_ingest_t in;
	uint64_t seq;	    /* the next record's */
	uint64_t committed; /* what on_commit was told last */
	unsigned commits;
};

static void on_commit(void *ctx, uint64_t seq)
{
	struct fixture *f = ctx;
	f->committed = seq;
	f->commits++;
}

static int setup(void **state)
{
	static const char conf[] = "[ingest]\nbatch_rows = 10\nflush_ms = 60000\n";
	struct fixture *f = calloc(1, sizeof(*f));
	et_buf_t errs = ET_BUF_INIT;
	if (!f || et_config_init(&f->cfg) ||
	    et_config_parse(&f->cfg, "test.conf", conf, sizeof(conf) - 1, &errs))
		return -1;
	et_buf_free(&errs);
	f->w = fake_pgwriter_new();
	if (!f->w || et_ingest_init(&f->in, &f->cfg, f->w))
		return -1;
	f->in.on_commit = on_commit;
	f->in.commit_ctx = f;
	f->seq = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	et_ingest_free(&f->in);
	fake_pgwriter_free(f->w);
	et_config_free(&f->cfg);
	free(f);
	return 0;
}

/* Hands one message to ingest as the spool would; returns its result. */
static int feed(struct fixture *f, const char *topic, const char *payload)
{
	et_spool_rec_t r = {.seq = f->seq++,
			    .recv_us = 1709251200000000,
			    .topic = topic,
			    .topic_len = (uint32_t)strlen(topic),
			    .payload = payload,
			    .payload_len = (uint32_t)strlen(payload)};
	return et_ingest_record(&f->in, &r);
}

/* A good reading of site m<i>. */
static int feed_good(struct fixture *f, int i)
{
	char topic[64];
	snprintf(topic, sizeof(topic), "energy/mine/m%d/raw_coal", i);
	return feed(f, topic, "{\"ts\":\"" TS "\",\"value\":1.5,\"unit\":\"t\"}");
}

static size_t lines(const et_buf_t *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

/* The writer commits b: counts as PostgreSQL would report them. */
static void commit(struct fixture *f, et_batch_t *b, uint64_t inserted)
{
	b->committed = true;
	b->inserted = inserted;
	b->write_us = 1000;
	fake_pgwriter_done(f->w);
	et_ingest_batch_done(b, &f->in);
}

static void test_decode_to_batch(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 9; i++)
		assert_int_equal(feed_good(f, i), 0);
	/* not full, not flushed: nothing for the writer yet */
	assert_int_equal(fake_pgwriter_submits(f->w), 0);
	assert_int_equal(et_ingest_pending(&f->in), 9);
	assert_false(et_ingest_idle(&f->in));
	/* the tenth row fills it: handed to the idle writer */
	assert_int_equal(feed_good(f, 9), 0);
	et_batch_t *b = fake_pgwriter_take(f->w);
	assert_non_null(b);
	assert_int_equal(b->nreadings, 10);
	assert_int_equal(b->nrejects, 0);
	assert_int_equal(lines(&b->readings), 10);
	assert_int_equal(b->last_seq, 10);
	assert_false(b->maybe_dups);
	assert_non_null(memmem(b->readings.data, b->readings.len, "m7\t", 3));
	assert_int_equal(f->in.st.messages, 10);
	assert_int_equal(f->in.st.readings, 10);

	commit(f, b, 10);
	assert_int_equal(f->commits, 1);
	assert_int_equal(f->committed, 10);
	assert_int_equal(f->in.st.inserted, 10);
	assert_int_equal(f->in.st.batches, 1);
	assert_int_equal(et_ingest_pending(&f->in), 0);
	assert_true(et_ingest_idle(&f->in));
}

static void test_rejects(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *topic, *payload;
		enum et_reject why;
	} t[] = {
		{"energy/mine/m1/raw_coal", "{", ET_REJ_BAD_JSON},
		{"energy/mine/m1", "{\"ts\":\"" TS "\",\"value\":1,\"unit\":\"t\"}",
		 ET_REJ_BAD_TOPIC},
		{"energy/mine/m1/raw_coal", "{\"ts\":\"" TS "\",\"value\":1,\"unit\":\"furlong\"}",
		 ET_REJ_UNKNOWN_UNIT},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(feed(f, t[i].topic, t[i].payload), 0);
	assert_int_equal(f->in.st.messages, 3);
	assert_int_equal(f->in.st.readings, 0);
	assert_int_equal(f->in.st.rejected, 3);
	assert_int_equal(f->in.st.rejected_by[ET_REJ_BAD_JSON], 1);
	assert_int_equal(f->in.st.rejected_by[ET_REJ_BAD_TOPIC], 1);
	assert_int_equal(f->in.st.rejected_by[ET_REJ_UNKNOWN_UNIT], 1);
	/* rejects alone go out on a flush, as rejected_message lines */
	et_ingest_flush(&f->in, true);
	et_batch_t *b = fake_pgwriter_take(f->w);
	assert_non_null(b);
	assert_int_equal(b->nreadings, 0);
	assert_int_equal(b->nrejects, 3);
	assert_int_equal(lines(&b->rejects), 3);
	assert_non_null(memmem(b->rejects.data, b->rejects.len, "bad_json", 8));
	assert_non_null(memmem(b->rejects.data, b->rejects.len, "bad_topic", 9));
	assert_int_equal(b->last_seq, 3);
	commit(f, b, 0);
	assert_int_equal(f->committed, 3);
}

/* The writer is busy: one batch in flight, two wait, then reading stops;
 * each commit lets the next one go. */
static void test_backpressure(void **state)
{
	struct fixture *f = *state;
	int rc = 0, n = 0;
	while (rc == 0 && n < 100)
		rc = feed_good(f, n++);
	assert_int_equal(rc, 1);
	assert_int_equal(n, 30);
	assert_false(et_ingest_has_room(&f->in));
	assert_int_equal(fake_pgwriter_submits(f->w), 1);
	assert_int_equal(et_ingest_pending(&f->in), 30);
	for (int k = 1; k <= 3; k++) {
		et_batch_t *b = fake_pgwriter_take(f->w);
		assert_non_null(b);
		assert_int_equal(b->last_seq, (uint64_t)k * 10);
		commit(f, b, 10);
		assert_int_equal(f->committed, (uint64_t)k * 10);
		assert_true(et_ingest_has_room(&f->in));
	}
	assert_null(fake_pgwriter_take(f->w));
	assert_int_equal(f->in.st.batches, 3);
	assert_true(et_ingest_idle(&f->in));
}

/* PostgreSQL unreachable at shutdown: the writer hands the batch back
 * uncommitted; nothing is reported committed (it stays in the spool). */
static void test_not_committed(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 10; i++)
		feed_good(f, i);
	et_batch_t *b = fake_pgwriter_take(f->w);
	assert_non_null(b);
	b->committed = false;
	fake_pgwriter_done(f->w);
	et_ingest_batch_done(b, &f->in);
	assert_int_equal(f->commits, 0);
	assert_int_equal(f->in.st.batches, 0);
	assert_int_equal(f->in.st.inserted, 0);
}

/* The staging table's n (the first COPY column) orders rows within one
 * batch, so that the last of a repeated key wins. It starts at 0 in every
 * batch: a count kept over the daemon's life passes 2^31 (the column is an
 * integer) after two billion readings and every COPY would then fail. */
static void test_row_numbers_per_batch(void **state)
{
	struct fixture *f = *state;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 10; i++)
			assert_int_equal(feed_good(f, i), 0);
		et_batch_t *b = fake_pgwriter_take(f->w);
		assert_non_null(b);
		const char *line = b->readings.data;
		for (unsigned n = 0; n < 10; n++) {
			assert_int_equal(strtoul(line, NULL, 10), n);
			line = memchr(line, '\n',
				      b->readings.len - (size_t)(line - b->readings.data)) +
			       1;
		}
		commit(f, b, 10);
	}
}

static void test_duplicate_keys(void **state)
{
	struct fixture *f = *state;
	/* the same site, metric and ts twice */
	feed_good(f, 1);
	feed_good(f, 1);
	et_ingest_flush(&f->in, true);
	et_batch_t *b = fake_pgwriter_take(f->w);
	assert_non_null(b);
	assert_int_equal(b->nreadings, 2);
	assert_true(b->maybe_dups);
	commit(f, b, 1);
	/* a recycled batch starts clean */
	feed_good(f, 1);
	feed_good(f, 2);
	et_ingest_flush(&f->in, true);
	b = fake_pgwriter_take(f->w);
	assert_non_null(b);
	assert_false(b->maybe_dups);
	commit(f, b, 2);
	assert_int_equal(f->committed, 4);
}

int main(void)
{
	et_log_current = -1; /* quiet */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decode_to_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_numbers_per_batch, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
