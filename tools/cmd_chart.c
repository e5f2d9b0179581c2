/* SPDX-License-Identifier: MIT */
/* `enertrack chart`: one target's progress or gap chart as a PNG file, the
 * same picture the mails and the status page carry (db/chartdata.c loads it, draw/chart.c draws
 * it). Says on stderr how big it is and how long it took to draw. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/chartdata.h"
#include "draw/chart.h"
#include "common/confload.h"
#include "db/pq.h"
#include "cli.h"
#include "db.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int chart_main(int argc, char **argv)
{
	const char *config = NULL, *at = NULL, *outpath = NULL;
	const char *lang_s = NULL;
	int id = 0, width = 640;
	bool gap = false;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &config, "FILE"),
		ET_OPT_INT_ROW("target", 'i', &id, "ID", .required = true, .min = 1,
			       .max = INT_MAX),
		ET_OPT_STR_ROW("at", 'a', &at, "TIME"),
		ET_OPT_STR_ROW("lang", 'l', &lang_s, "en|zh-CN"),
		ET_OPT_INT_ROW("width", 'w', &width, "PX", .min = 320, .max = 2000,
			       .why = "a width from 320 to 2000 pixels"),
		ET_OPT_FLAG_ROW("gap", 'g', &gap),
		ET_OPT_STR_ROW("output", 'o', &outpath, "FILE.png", .required = true),
	};
	static const char usage[] = "enertrack chart [-c FILE] --target ID [--at TIME] [--gap]\n"
				    "         [--lang en|zh-CN] [--width PX] -o FILE.png";
	static const char help[] =
		"  The target's progress chart (with --gap: who drives the gap),\n"
		"  as the mails and the status page show it. --lang defaults to\n"
		"  [alerts] language; a TIME without an offset is in [targets] timezone.\n";
	int prc = tool_parse_opts("chart", usage, help, opts, TOOL_NOPTS(opts), argc, argv);
	if (prc)
		return prc < 0 ? 0 : prc;
	et_lang_t lang = ET_LANG_EN;
	if (lang_s && et_lang_parse(lang_s, &lang))
		return tool_fail("chart", "hint: --lang en or --lang zh-CN",
				 "--lang '%s': no such language", lang_s);
	if (tool_check_output("chart", "-o", outpath))
		return 2;
	tool_session_t s;
	int rc = tool_open(&s, "chart", config, TOOL_SCHEMA | TOOL_SETTINGS | TOOL_LOCALTIME);
	char err[600];
	et_buf_t png = ET_BUF_INIT;
	if (rc || (rc = tool_check_time(s.conn, "chart", "--at", at, s.cfg.tz)))
		goto out;
	rc = 1;
	et_log_set_level_name(s.cfg.log_level);
	double t0 = now_s();
	if (!lang_s) /* the configuration's, like the mails' */
		lang = s.cfg.lang;
	int e = gap ? et_chart_gap_png(s.conn, id, at, lang, width, &png, err, sizeof(err))
		    : et_chart_target_png(s.conn, id, at, lang, width, &png, err, sizeof(err));
	double dt = now_s() - t0;
	if (e) {
		log_error("chart of target %d: %s", id, err);
		rc = e == -EINVAL ? 2 : 1;
		goto out;
	}
	FILE *f = fopen(outpath, "wb");
	bool wrote = f && fwrite(png.data, 1, png.len, f) == png.len;
	if (f && fclose(f))
		wrote = false;
	if (!wrote) {
		log_error("cannot write %s: %s", outpath, strerror(errno));
		goto out;
	}
	char b[32], w[16], ms[32], line[600];
	snprintf(b, sizeof(b), "%zu", png.len);
	snprintf(w, sizeof(w), "%d", width);
	snprintf(ms, sizeof(ms), "%.0f", dt * 1000);
	et_msg_fill(line, sizeof(line), lang, ET_MSG_TOOL_CHART, 4, outpath, b, w, ms);
	fprintf(stderr, "%s\n", line);
	rc = 0;
out:
	et_buf_free(&png);
	tool_close(&s);
	et_chart_cleanup();
	return rc;
}
