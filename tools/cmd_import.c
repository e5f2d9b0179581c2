/* SPDX-License-Identifier: MIT */
/* `enertrack import FILE.csv`: official statistics into the statistic
 * table. The file is read whole, converted to UTF-8 (lib/textenc.c) and
 * checked row by row (lib/statcsv.c); only a file without a single bad line
 * is written, in one transaction (statistic_apply() in
 * sql/functions/statistic_apply.sql keeps the revision history). --dry-run does the
 * same and rolls back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/confload.h"
#include "cli.h"
#include "db.h"
#include "enertrack/buf.h"
#include "enertrack/copyenc.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/statcsv.h"
#include "enertrack/textenc.h"

/* Larger files get a progress bar on a terminal. */
#define PROGRESS_MIN_BYTES (1u << 20)
/* The largest file read: far above a city's statistics for decades. */
#define IMPORT_MAX_BYTES (1u << 28)
#define COPY_CHUNK	 (1u << 20)

#define STAGE_COLUMNS                                                                              \
	"n, scope, metric, period, period_start, period_end, value, unit_in, value_in, source, "   \
	"note, published"

struct progress {
	int on;
	const char *what;
	double last;
};

struct import {
	const char *file;
	et_buf_t copy; /* the rows as COPY text */
	int nomem;
	struct progress bar;
	et_lang_t lang; /* of the summary: the configuration's */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Draws "what [#####     ]  50 %" on stderr, at most ten times a second. */
static void bar_draw(struct progress *b, size_t done, size_t total)
{
	if (!b->on)
		return;
	double t = now_s();
	if (done < total && t - b->last < 0.1)
		return;
	b->last = t;
	int pct = total ? (int)(done * 100 / total) : 100, w = 40, fill = pct * w / 100;
	fprintf(stderr, "\r%-9s [%.*s%*s] %3d %%", b->what, fill,
		"########################################", w - fill, "", pct);
	fflush(stderr);
}

static void bar_end(struct progress *b)
{
	if (b->on)
		fprintf(stderr, "\r%60s\r", "");
}

static void on_progress(void *ctx, size_t done, size_t total)
{
	struct import *im = ctx;
	bar_draw(&im->bar, done, total);
}

static void on_error(void *ctx, unsigned line, unsigned col, const char *reason)
{
	struct import *im = ctx;
	if (im->bar.on)
		fprintf(stderr, "\r%60s\r", "");
	fprintf(stderr, "%s:%u:%u: %s\n", im->file, line, col, reason);
}

static int copy_double(et_buf_t *b, double v)
{
	char num[40];
	int n = snprintf(num, sizeof(num), "%.17g\t", v);
	return et_buf_append(b, num, (size_t)n);
}

static int copy_str(et_buf_t *b, const char *s, char sep)
{
	if (et_copy_text(b, s, strlen(s)))
		return -ENOMEM;
	return et_buf_append(b, &sep, 1);
}

static int on_row(void *ctx, const et_stat_row_t *r)
{
	struct import *im = ctx;
	et_buf_t *b = &im->copy;
	char num[16];
	int n = snprintf(num, sizeof(num), "%u\t", r->line);
	if (et_buf_append(b, num, (size_t)n) || copy_str(b, r->scope, '\t') ||
	    copy_str(b, r->metric, '\t') || copy_str(b, r->period, '\t') ||
	    copy_str(b, r->period_start, '\t') || copy_str(b, r->period_end, '\t') ||
	    copy_double(b, r->value) || copy_str(b, r->unit_in, '\t') ||
	    copy_double(b, r->value_in) || copy_str(b, r->source, '\t') ||
	    copy_str(b, r->note, '\t') ||
	    (r->published[0] ? copy_str(b, r->published, '\n') : et_buf_append(b, "\\N\n", 3))) {
		im->nomem = 1;
		return -ENOMEM;
	}
	return 0;
}

static int read_whole(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > IMPORT_MAX_BYTES) {
		fprintf(stderr, "%s: not a regular file of at most %u MiB\n", path,
			IMPORT_MAX_BYTES >> 20);
		fclose(f);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	char *buf = malloc(len + 1);
	if (!buf || fread(buf, 1, len, f) != len) {
		fprintf(stderr, "%s: %s\n", path, buf ? "short read" : strerror(ENOMEM));
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int check_schema(PGconn *conn, const char *config)
{
	if (tool_check_schema(conn, config))
		return -1;
	PGresult *r = PQexec(conn, "SELECT to_regprocedure('statistic_apply()') IS NOT NULL");
	int rc = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_error("cannot read the schema: %s", PQresultErrorMessage(r));
	else if (PQgetvalue(r, 0, 0)[0] != 't')
		log_error("the database's schema is older than this enertrack (007_statistics.sql "
			  "is not applied): run enertrack migrate -c %s",
			  config);
	else
		rc = 0;
	PQclear(r);
	return rc;
}

/* Stages the rows, applies them and commits (or rolls back for a dry
 * run). Prints the counts. Returns 0 or -1 (logged; nothing written). */
static int write_rows(PGconn *conn, struct import *im, const char *enc, unsigned long rows,
		      int dry_run)
{
	/* the staging table of a large file stays in memory (before its first use) */
	if (tool_exec(conn, "SET temp_buffers = '128MB'", "temp_buffers") ||
	    tool_exec(conn, "BEGIN", "BEGIN") ||
	    tool_exec(conn, "SELECT statistic_prepare()", "statistic_prepare()"))
		return -1;
	PGresult *r =
		PQexec(conn, "COPY pg_temp.et_stage_statistic (" STAGE_COLUMNS ") FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		log_error("COPY: %s", PQresultErrorMessage(r));
		PQclear(r);
		goto rollback;
	}
	PQclear(r);
	im->bar.what = "writing";
	for (size_t off = 0; off < im->copy.len; off += COPY_CHUNK) {
		size_t n = im->copy.len - off < COPY_CHUNK ? im->copy.len - off : COPY_CHUNK;
		if (PQputCopyData(conn, im->copy.data + off, (int)n) != 1) {
			log_error("COPY: %s", PQerrorMessage(conn));
			goto rollback;
		}
		bar_draw(&im->bar, off + n, im->copy.len);
	}
	if (PQputCopyEnd(conn, NULL) != 1) {
		log_error("COPY: %s", PQerrorMessage(conn));
		goto rollback;
	}
	r = PQgetResult(conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		bar_end(&im->bar);
		log_error("COPY: %s", PQresultErrorMessage(r));
		PQclear(r);
		goto rollback;
	}
	PQclear(r);
	r = PQexec(conn, "SELECT staged, inserted, revised, unchanged FROM statistic_apply()");
	bar_end(&im->bar);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("statistic_apply(): %s", PQresultErrorMessage(r));
		PQclear(r);
		goto rollback;
	}
	char line[1200], nrows[32];
	snprintf(nrows, sizeof(nrows), "%lu", rows);
	et_msg_fill(line, sizeof(line), im->lang, ET_MSG_TOOL_IMPORTED, 7, im->file, enc, nrows,
		    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
		    dry_run ? et_msg(im->lang, ET_MSG_TOOL_DRY_RUN) : "");
	PQclear(r);
	if (tool_exec(conn, dry_run ? "ROLLBACK" : "COMMIT", dry_run ? "ROLLBACK" : "COMMIT"))
		return -1;
	printf("%s\n", line);
	return 0;
rollback:
	bar_end(&im->bar);
	r = PQexec(conn, "ROLLBACK");
	PQclear(r);
	return -1;
}

int import_main(int argc, char **argv)
{
	const char *config = NULL, *file = NULL;
	bool dry_run = false;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_FLAG_ROW("dry-run", 'n', &dry_run),
	};
	const et_cmdline_t cl = {
		.prog = "enertrack",
		.cmd = "import",
		.usage = "enertrack import [-c FILE] [--dry-run] STATS.csv",
		.help = "  STATS.csv: header " ET_STAT_COLUMNS
			"; UTF-8 (with or without BOM) or GB18030\n"
			"  --dry-run without -c (and without $" TOOL_CONF_ENV
			") checks the file only.\n",
		.opts = opts,
		.nopts = sizeof(opts) / sizeof(opts[0]),
		.min_args = 1,
		.max_args = 1,
		.args_name = "STATS.csv",
		.args = &file,
	};
	int rc = tool_parse(&cl, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = 1;
	/* a dry run compares with a database only when one is named */
	const char *env = getenv(TOOL_CONF_ENV);
	bool use_db = !dry_run || config || (env && env[0]);
	if (use_db && tool_check_config("import", config))
		return 2; /* before reading a large file */
	struct import im = {.file = file, .copy = ET_BUF_INIT};
	char *raw = NULL, *text = NULL;
	size_t raw_len, len;
	enum et_textenc enc;
	char err[300];
	if (read_whole(im.file, &raw, &raw_len))
		return 1;
	int erc = et_text_to_utf8(raw, raw_len, &text, &len, &enc, err, sizeof(err));
	free(raw);
	if (erc == -ENOMEM) {
		fprintf(stderr, "%s: out of memory\n", im.file);
		return 1;
	}
	if (erc) {
		fprintf(stderr, "%s: %s; nothing imported\n", im.file, err);
		return 1;
	}
	im.bar.on = isatty(STDERR_FILENO) && len >= PROGRESS_MIN_BYTES;
	im.bar.what = "checking";
	et_statcsv_cb_t cb = {on_row, on_error, on_progress, &im};
	et_statcsv_counts_t n;
	int prc = et_statcsv_parse(text, len, &cb, &n);
	free(text);
	bar_end(&im.bar);
	if (prc) {
		fprintf(stderr, "%s: %s\n", im.file, strerror(-prc));
		goto out;
	}
	if (n.bad_lines) {
		fprintf(stderr, "%s: %lu bad line%s; nothing imported\n", im.file, n.bad_lines,
			n.bad_lines == 1 ? "" : "s");
		goto out;
	}
	if (!use_db) {
		printf("%s (%s): %lu rows, all good (not compared with a database: no -c)\n",
		       im.file, et_textenc_name(enc), n.rows);
		rc = 0;
		goto out;
	}
	tool_session_t ts;
	rc = tool_open(&ts, "import", config, 0);
	if (ts.cfg_loaded)
		im.lang = ts.cfg.lang;
	if (rc == 0 && check_schema(ts.conn, ts.config) == 0 &&
	    write_rows(ts.conn, &im, et_textenc_name(enc), n.rows, dry_run) == 0) {
		rc = 0;
	} else {
		rc = rc == 2 ? 2 : 1;
		fprintf(stderr, "%s: nothing imported\n", im.file);
	}
	tool_close(&ts);
out:
	et_buf_free(&im.copy);
	return rc;
}
