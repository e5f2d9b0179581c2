/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/copyenc.c. The input is a script of up to eight
 * operations (et_copy_text, et_copy_reading, et_copy_reject) on one buffer;
 * every line written is read back with PostgreSQL's COPY text rules
 * (fuzz_util.h) and must hold exactly the right number of fields, no raw
 * tab, CR or newline inside one, valid UTF-8 without NUL, and round-trip:
 * text to what was given (U+FFFD for bad bytes), numbers to the same
 * numbers, timestamps to the same instant, bytea to the same bytes. What was
 * in the buffer before must be left alone. */
#include "fuzz_util.h"

#include "enertrack/buf.h"
#include "enertrack/copyenc.h"
#include "enertrack/decode.h"

static int64_t in_range_us(uint64_t x)
{
	return FZ_US_MIN + (int64_t)(x % (uint64_t)(FZ_US_MAX - FZ_US_MIN + 1));
}

static void op_text(struct fz_in *in, et_buf_t *b)
{
	size_t n;
	/* a longer string than the other fields: the whole rest may go */
	const uint8_t *s = fz_bytes(in, 255, &n);
	if (fz_u8(in) & 1) {
		s = in->p;
		n = in->n;
		in->p += n;
		in->n = 0;
	}
	size_t mark = b->len;
	CHECK(et_copy_text(b, (const char *)s, n) == 0);
	size_t out = b->len - mark;
	CHECK(out <= 4 * n);
	/* read it back as a one-column line */
	char *line = malloc(out + 1);
	CHECK(line);
	memcpy(line, b->data + mark, out);
	line[out] = '\n';
	struct fz_copy_line l;
	fz_copy_parse(line, out + 1, 1, &l);
	CHECK(!l.f[0].is_null); /* never the NULL marker, even for "\N" */
	fz_check_text(&l.f[0], (const char *)s, n);
	fz_copy_free(&l);
	free(line);
}

static void op_reading(struct fz_in *in, et_buf_t *b)
{
	et_reading_t r;
	memset(&r, 0, sizeof(r));
	uint32_t n = (uint32_t)fz_u64(in);
	fz_cstr(in, r.site, sizeof(r.site));
	fz_cstr(in, r.metric, sizeof(r.metric));
	fz_cstr(in, r.kind, sizeof(r.kind));
	fz_cstr(in, r.unit_in, sizeof(r.unit_in));
	fz_cstr(in, r.source, sizeof(r.source));
	fz_cstr(in, r.county, sizeof(r.county));
	fz_cstr(in, r.name, sizeof(r.name));
	/* the decoder only makes instants of years 1 to 9999 */
	r.ts_us = in_range_us(fz_u64(in));
	r.value = fz_double(in);
	r.value_in = fz_double(in);
	uint8_t flags = fz_u8(in);
	r.has_seq = flags & 1;
	r.counter = flags & 2;
	r.seq = (int64_t)fz_u64(in);
	r.rollover = flags & 4 ? fz_double(in) : 0;
	int64_t recv_us = in_range_us(fz_u64(in));

	size_t mark = b->len;
	CHECK(et_copy_reading(b, n, &r, recv_us) == 0);
	fz_check_copy_reading(b->data + mark, b->len - mark, n, &r, recv_us);
}

static void op_reject(struct fz_in *in, et_buf_t *b)
{
	char reason[64], detail[256];
	int64_t recv_us = in_range_us(fz_u64(in));
	size_t topic_len;
	const uint8_t *topic = fz_bytes(in, 255, &topic_len);
	fz_cstr(in, reason, sizeof(reason));
	fz_cstr(in, detail, sizeof(detail));
	uint8_t flags = fz_u8(in);
	int element = (int)(uint32_t)fz_u64(in);
	size_t keep = (size_t)(fz_u64(in) % 512);
	size_t len;
	const uint8_t *payload = fz_bytes(in, 255, &len);
	const char *rp = flags & 1 ? NULL : reason;
	const char *dp = flags & 2 ? NULL : detail;

	size_t mark = b->len;
	CHECK(et_copy_reject(b, recv_us, (const char *)topic, topic_len, rp, dp, element, payload,
			     len, keep) == 0);
	fz_check_copy_reject(b->data + mark, b->len - mark, recv_us, (const char *)topic, topic_len,
			     rp, dp, element, payload, len, keep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	et_buf_t b = ET_BUF_INIT;
	char *before = NULL;
	for (int op = 0; op < 8 && in.n > 0; op++) {
		size_t mark = b.len;
		free(before);
		before = malloc(mark + 1);
		CHECK(before);
		if (mark)
			memcpy(before, b.data, mark);
		switch (fz_u8(&in) % 3) {
		case 0:
			op_text(&in, &b);
			break;
		case 1:
			op_reading(&in, &b);
			break;
		default:
			op_reject(&in, &b);
			break;
		}
		/* appending never touches what the buffer held */
		CHECK(b.len >= mark && (mark == 0 || memcmp(before, b.data, mark) == 0));
	}
	free(before);
	et_buf_free(&b);
	return 0;
}
