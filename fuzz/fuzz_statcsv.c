/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/textenc.c and lib/statcsv.c: the bytes are a
 * file given to `enertrack import`. Whatever they are, the conversion
 * gives valid UTF-8 or a refusal with a reason; the parse reports errors at
 * lines that exist and columns from 1, in file order, with reasons in
 * valid UTF-8; and every good row holds what the checks promise (a known
 * scope form, a period that parses to itself, a finite value not below 0,
 * no control character outside the note). */
#include "fuzz_util.h"

#include "enertrack/statcsv.h"
#include "enertrack/textenc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct seen {
	unsigned long lines_max; /* the text's line count, an upper bound */
	unsigned long cols_max;	 /* its comma count + 1, an upper bound of columns */
	unsigned last_line;
	unsigned long errors, rows;
};

static bool no_controls(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int on_row(void *ctx, const et_stat_row_t *r)
{
	struct seen *s = ctx;
	s->rows++;
	CHECK(r->line >= 1 && r->line <= s->lines_max);
	CHECK(strcmp(r->scope, "city") == 0 || strncmp(r->scope, "county:", 7) == 0 ||
	      strncmp(r->scope, "site:", 5) == 0);
	const char *str[] = {r->scope, r->metric, r->unit_in, r->source, r->note};
	for (size_t i = 0; i < NELEM(str); i++) {
		CHECK(fz_utf8_valid((const uint8_t *)str[i], strlen(str[i])));
		CHECK(i == 4 || (str[i][0] && no_controls(str[i])));
	}
	CHECK(isfinite(r->value) && r->value >= 0 && isfinite(r->value_in) && r->value_in >= 0);
	char p[8], a[11], b[11];
	CHECK(et_stat_period_parse(r->period, strlen(r->period), p, a, b) == 0);
	CHECK(strcmp(p, r->period) == 0 && strcmp(a, r->period_start) == 0 &&
	      strcmp(b, r->period_end) == 0 && strcmp(a, b) < 0);
	return 0;
}

static void on_error(void *ctx, unsigned line, unsigned col, const char *reason)
{
	struct seen *s = ctx;
	s->errors++;
	CHECK(line >= 1 && line <= (s->lines_max ? s->lines_max : 1));
	CHECK(col >= 1 && col <= s->cols_max);
	CHECK(reason[0] && fz_utf8_valid((const uint8_t *)reason, strlen(reason)));
	s->last_line = line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL, err[300] = "";
	size_t len = 0;
	enum et_textenc enc;
	int rc = et_text_to_utf8((const char *)data, size, &text, &len, &enc, err, sizeof(err));
	if (rc) {
		CHECK(rc == -EILSEQ && !text && err[0]);
		return 0;
	}
	CHECK(text && text[len] == '\0' && strlen(text) == len);
	CHECK(fz_utf8_valid((const uint8_t *)text, len));
	struct seen s = {.lines_max = 1, .cols_max = 2};
	for (size_t i = 0; i < len; i++) {
		s.lines_max += text[i] == '\n' || text[i] == '\r';
		s.cols_max += text[i] == ',';
	}
	et_statcsv_cb_t cb = {on_row, on_error, NULL, &s};
	et_statcsv_counts_t n;
	CHECK(et_statcsv_parse(text, len, &cb, &n) == 0);
	CHECK(n.rows == s.rows && n.lines <= s.lines_max);
	CHECK(n.bad_lines <= s.errors && (n.bad_lines > 0) == (s.errors > 0));
	free(text);
	return 0;
}
