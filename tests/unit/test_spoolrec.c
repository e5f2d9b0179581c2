/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "enertrack/spoolrec.h"

/* Three records back to back, as a segment holds them. */
static size_t build(uint8_t *buf, const char **payloads, int n)
{
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		const char *topic = "energy/coal_mine/m1/raw_coal";
		uint32_t tl = (uint32_t)strlen(topic), pl = (uint32_t)strlen(payloads[i]);
		et_spool_rec_header(buf + off, 100 + (uint64_t)i, 1700000000000000 + i, topic, tl,
				    payloads[i], pl);
		memcpy(buf + off + ET_SPOOL_HDR, topic, tl);
		memcpy(buf + off + ET_SPOOL_HDR + tl, payloads[i], pl);
		off += ET_SPOOL_HDR + tl + pl;
	}
	return off;
}

static const char *P[] = {"{\"v\":1,\"value\":1}", "{\"v\":1,\"value\":22}", "[]"};

static void test_round_trip(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t total = build(buf, P, 3), off = 0;
	for (int i = 0; i < 3; i++) {
		et_spool_rec_t r;
		size_t len;
		assert_int_equal(et_spool_rec_parse(buf + off, total - off, &r, &len), ET_SPR_OK);
		assert_int_equal(r.seq, 100 + i);
		assert_int_equal(r.recv_us, 1700000000000000 + i);
		assert_int_equal(r.payload_len, strlen(P[i]));
		assert_memory_equal(r.payload, P[i], r.payload_len);
		assert_memory_equal(r.topic, "energy/coal_mine/m1/raw_coal", r.topic_len);
		off += len;
	}
	assert_int_equal(off, total);
}

static void test_short_is_torn(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t total = build(buf, P, 1);
	et_spool_rec_t r;
	size_t len;
	/* every prefix of a record is "short", never OK and never garbage */
	for (size_t cut = 0; cut < total; cut++) {
		assert_int_equal(et_spool_rec_parse(buf, cut, &r, &len), ET_SPR_SHORT);
		if (cut >= ET_SPOOL_HDR)
			assert_int_equal(len, total);
	}
}

static void test_every_flipped_byte_is_caught(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t total = build(buf, P, 1);
	for (size_t i = 0; i < total; i++) {
		for (int bit = 0; bit < 8; bit++) {
			et_spool_rec_t r;
			size_t len;
			buf[i] ^= (uint8_t)(1u << bit);
			enum et_spool_parse p = et_spool_rec_parse(buf, total, &r, &len);
			assert_int_not_equal(p, ET_SPR_OK);
			buf[i] ^= (uint8_t)(1u << bit);
		}
	}
}

static void test_resync_finds_the_next_record(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t total = build(buf, P, 3);
	et_spool_rec_t r;
	size_t len0, len1;
	assert_int_equal(et_spool_rec_parse(buf, total, &r, &len0), ET_SPR_OK);
	assert_int_equal(et_spool_rec_parse(buf + len0, total - len0, &r, &len1), ET_SPR_OK);
	buf[len0 + ET_SPOOL_HDR + 3] ^= 0x20; /* damage the second record's topic */
	assert_int_equal(et_spool_rec_parse(buf + len0, total - len0, &r, &len1), ET_SPR_BAD_CRC);
	size_t next = et_spool_rec_resync(buf, total, len0);
	assert_int_equal(next, len0 + len1);
	assert_int_equal(et_spool_rec_parse(buf + next, total - next, &r, &len1), ET_SPR_OK);
	assert_int_equal(r.seq, 102);
	/* nothing after the last record */
	assert_int_equal(et_spool_rec_resync(buf, total, next), total);
}

static void test_lengths_out_of_range(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t total = build(buf, P, 1);
	uint32_t big = ET_SPOOL_MAX_PAYLOAD + 1;
	memcpy(buf + 28, &big, 4);
	et_spool_rec_t r;
	size_t len;
	assert_int_equal(et_spool_rec_parse(buf, total, &r, &len), ET_SPR_BAD_LEN);
	assert_int_equal(et_spool_rec_parse((const uint8_t *)"garbage!", 8, &r, &len),
			 ET_SPR_BAD_MAGIC);
	assert_string_equal(et_spool_parse_name(ET_SPR_BAD_CRC), "checksum mismatch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_short_is_torn),
		cmocka_unit_test(test_every_flipped_byte_is_caught),
		cmocka_unit_test(test_resync_finds_the_next_record),
		cmocka_unit_test(test_lengths_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
