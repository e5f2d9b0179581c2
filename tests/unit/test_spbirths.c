/* SPDX-License-Identifier: MIT */
/* The births file's replay (lib/spbirths.c): last birth wins, a death
 * removes, an NBIRTH ends its node's earlier DBIRTHs, a torn tail loses
 * only the torn record, and a compacted file replays to the same births. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "enertrack/spbirths.h"

static uint8_t file[8192];
static size_t flen;
static uint64_t seq;

/* Appends a record; payload NULL is a death. */
static void rec(const char *topic, const char *payload)
{
	uint32_t tl = (uint32_t)strlen(topic), pl = payload ? (uint32_t)strlen(payload) : 0;
	et_spool_rec_header(file + flen, ++seq, 0, topic, tl, payload, pl);
	memcpy(file + flen + ET_SPOOL_HDR, topic, tl);
	if (pl)
		memcpy(file + flen + ET_SPOOL_HDR + tl, payload, pl);
	flen += ET_SPOOL_HDR + tl + pl;
}

/* The births given to the callback, "topic=payload;" each. */
static char out[4096];

static int collect(void *ctx, const et_spool_rec_t *r)
{
	(void)ctx;
	size_t o = strlen(out);
	snprintf(out + o, sizeof(out) - o, "%.*s=%.*s;", (int)r->topic_len, r->topic,
		 (int)r->payload_len, r->payload);
	return 0;
}

static int replay(et_spb_replay_t *st)
{
	out[0] = '\0';
	return et_spbirths_replay(file, flen, collect, NULL, st);
}

static int setup(void **state)
{
	(void)state;
	flen = 0;
	seq = 0;
	return 0;
}

#define N1 "spBv1.0/G/NBIRTH/n1"
#define N2 "spBv1.0/G/NBIRTH/n2"
#define D1 "spBv1.0/G/DBIRTH/n1/d1"
#define D2 "spBv1.0/G/DBIRTH/n1/d2"

static void test_last_birth_wins(void **state)
{
	(void)state;
	et_spb_replay_t st;
	rec(N1, "a");
	rec(D1, "b");
	rec(N2, "c");
	rec(D1, "b2"); /* the device re-born in the same session */
	assert_int_equal(replay(&st), 3);
	/* in the order of each birth's last record */
	assert_string_equal(out, N1 "=a;" N2 "=c;" D1 "=b2;");
	assert_int_equal(st.stop, ET_SPR_OK);
	assert_int_equal(st.records, 4);
	assert_int_equal(st.good_bytes, flen);
}

static void test_death_removes(void **state)
{
	(void)state;
	et_spb_replay_t st;
	rec(N1, "a");
	rec(D1, "b");
	rec(D2, "c");
	rec(N2, "d");
	rec(D2, NULL); /* DDEATH */
	assert_int_equal(replay(&st), 3);
	assert_string_equal(out, N1 "=a;" D1 "=b;" N2 "=d;");
	rec(N1, NULL); /* NDEATH: its devices go with it */
	rec(D1, NULL);
	assert_int_equal(replay(&st), 1);
	assert_string_equal(out, N2 "=d;");
	/* born again after its death */
	rec(N1, "e");
	assert_int_equal(replay(&st), 2);
	assert_string_equal(out, N2 "=d;" N1 "=e;");
}

static void test_nbirth_ends_devices(void **state)
{
	(void)state;
	et_spb_replay_t st;
	rec(N1, "a");
	rec(D1, "b");
	rec(D2, "c");
	rec(N1, "a2"); /* a new session: d1 and d2 were not born in it */
	rec(D2, "c2");
	assert_int_equal(replay(&st), 2);
	assert_string_equal(out, N1 "=a2;" D2 "=c2;");
	/* a DBIRTH with no NBIRTH is no birth the host could take */
	setup(NULL);
	rec(D1, "x");
	rec("spBv1.0/G/NDATA/n1", "y"); /* not a births topic: skipped */
	assert_int_equal(replay(&st), 0);
	assert_int_equal(st.records, 2);
}

static void test_torn_tail(void **state)
{
	(void)state;
	et_spb_replay_t st;
	rec(N1, "a");
	rec(N2, "b");
	size_t whole = flen;
	rec(N1, "a-new");
	/* every cut inside the last record loses that record only */
	for (size_t cut = whole + 1; cut < flen; cut++) {
		out[0] = '\0';
		assert_int_equal(et_spbirths_replay(file, cut, collect, NULL, &st), 2);
		assert_string_equal(out, N1 "=a;" N2 "=b;");
		assert_int_equal(st.stop, ET_SPR_SHORT);
		assert_int_equal(st.good_bytes, whole);
		assert_int_equal(st.records, 2);
	}
	/* a damaged last record (the bytes of a crash, not a cut) */
	file[flen - 1] ^= 0x55;
	assert_int_equal(replay(&st), 2);
	assert_int_equal(st.stop, ET_SPR_BAD_CRC);
	assert_int_equal(st.good_bytes, whole);
	file[flen - 1] ^= 0x55;
	assert_int_equal(replay(&st), 2);
	assert_string_equal(out, N2 "=b;" N1 "=a-new;");
}

/* Written again from what a replay gives, a file replays to the same. */
static char again[4096];
static int rewrite(void *ctx, const et_spool_rec_t *r)
{
	(void)ctx;
	char t[256], p[256];
	snprintf(t, sizeof(t), "%.*s", (int)r->topic_len, r->topic);
	snprintf(p, sizeof(p), "%.*s", (int)r->payload_len, r->payload);
	size_t o = strlen(again);
	snprintf(again + o, sizeof(again) - o, "%s\n%s\n", t, p);
	return 0;
}

static void test_compaction(void **state)
{
	(void)state;
	et_spb_replay_t st;
	rec(N1, "a");
	rec(D1, "b");
	rec(N2, "c");
	rec(D1, NULL);
	rec(N1, "a2");
	rec(D2, "d");
	assert_int_equal(replay(&st), 3);
	char before[4096];
	snprintf(before, sizeof(before), "%s", out);
	size_t old = flen;
	again[0] = '\0';
	assert_int_equal(et_spbirths_replay(file, flen, rewrite, NULL, &st), 3);
	setup(NULL);
	for (char *l = again; *l;) {
		char *nl = strchr(l, '\n'), *nl2 = strchr(nl + 1, '\n');
		*nl = *nl2 = '\0';
		rec(l, nl + 1);
		l = nl2 + 1;
	}
	assert_int_equal(replay(&st), 3);
	assert_string_equal(out, before);
	assert_true(flen < old);
	/* a callback's error stops the replay */
	assert_int_equal(et_spbirths_kind(N1, strlen(N1)), 'N');
	assert_int_equal(et_spbirths_kind(D1, strlen(D1)), 'D');
	assert_int_equal(et_spbirths_kind("spBv1.0/G/DBIRTH/n1", 19), 0);
}

static int fail_cb(void *ctx, const et_spool_rec_t *r)
{
	(void)ctx;
	(void)r;
	return -5;
}

static void test_cb_error(void **state)
{
	(void)state;
	et_spb_replay_t st;
	rec(N1, "a");
	assert_int_equal(et_spbirths_replay(file, flen, fail_cb, NULL, &st), -5);
	assert_int_equal(et_spbirths_replay(file, 0, fail_cb, NULL, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_last_birth_wins, setup),
		cmocka_unit_test_setup(test_death_removes, setup),
		cmocka_unit_test_setup(test_nbirth_ends_devices, setup),
		cmocka_unit_test_setup(test_torn_tail, setup),
		cmocka_unit_test_setup(test_compaction, setup),
		cmocka_unit_test_setup(test_cb_error, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
