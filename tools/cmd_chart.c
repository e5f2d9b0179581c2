/* SPDX-License-Identifier: MIT */
/* `enertrack chart`: one target's progress or gap chart as a PNG file, the
 * same picture the mails and the status page carry (db/chartdata.c loads it, draw/chart.c draws
 * it). Says on stderr how big it is and how long it took to draw. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/chartdata.h"
#include "draw/chart.h"
#include "common/confload.h"
#include "db/pq.h"
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
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"target", required_argument, NULL, 'i'},
		{"at", required_argument, NULL, 'a'},
		{"lang", required_argument, NULL, 'l'},
		{"width", required_argument, NULL, 'w'},
		{"gap", no_argument, NULL, 'g'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *at = NULL, *outpath = NULL;
	int id = 0, width = 640, gap = 0, c;
	bool lang_given = false;
	et_lang_t lang = ET_LANG_EN;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:i:a:l:w:go:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'i':
			id = atoi(optarg);
			break;
		case 'a':
			at = optarg;
			break;
		case 'l':
			/* parsed here, once, like the configuration's language */
			if (et_lang_parse(optarg, &lang)) {
				fprintf(stderr, "enertrack chart: --lang %s: en or zh-CN\n",
					optarg);
				return 2;
			}
			lang_given = true;
			break;
		case 'w':
			width = atoi(optarg);
			break;
		case 'g':
			gap = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			printf("usage: enertrack chart -c FILE --target ID [--at TIME] [--gap]\n"
			       "         [--lang en|zh-CN] [--width PX] -o FILE.png\n"
			       "  The target's progress chart (with --gap: who drives the gap),\n"
			       "  as the mails and the status page show it. --lang defaults to\n"
			       "  [alerts] language; a TIME without an offset is in [targets] "
			       "timezone.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!config || id <= 0 || !outpath) {
		fprintf(stderr, "usage: enertrack chart -c FILE --target ID [--at TIME] [--gap] "
				"[--lang en|zh-CN] [--width PX] -o FILE.png\n");
		return 2;
	}
	et_config_t cfg;
	if (et_config_load(config, &cfg))
		return 1;
	PGconn *conn = tool_connect(&cfg);
	if (!conn) {
		et_config_free(&cfg);
		return 1;
	}
	int rc = 1;
	char err[600];
	et_buf_t png = ET_BUF_INIT;
	const char *tzp[1] = {cfg.tz};
	PGresult *r = PQexecParams(conn, "SELECT set_config('TimeZone', $1, false)", 1, NULL, tzp,
				   NULL, NULL, 0);
	bool tz_ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!tz_ok || tool_check_schema(conn, config) ||
	    et_pq_use_settings(conn, cfg.tz, cfg.min_elapsed_pct, cfg.stale_after_s, false, false,
			       err, sizeof(err)))
		goto out;
	et_log_set_level_name(cfg.log_level);
	double t0 = now_s();
	if (!lang_given)
		lang = cfg.lang;
	int e = gap ? et_chart_gap_png(conn, id, at, lang, width, &png, err, sizeof(err))
		    : et_chart_target_png(conn, id, at, lang, width, &png, err, sizeof(err));
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
	fprintf(stderr, "%s: %zu bytes, %d px wide, drawn in %.0f ms (queries included)\n", outpath,
		png.len, width, dt * 1000);
	rc = 0;
out:
	et_buf_free(&png);
	PQfinish(conn);
	et_config_free(&cfg);
	et_chart_cleanup();
	return rc;
}
