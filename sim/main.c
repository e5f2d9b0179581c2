/* SPDX-License-Identifier: MIT */
/* enertrack-sim: publishes realistic telemetry of Changzhi (Shanxi) in the
 * message format v1 (docs/message-format.md): ~90 coal mines, ~15 new-energy plants, ~40
 * large energy users and the city's monthly statistics, in chronological order.
 * Demo and test tooling: not part of the operator's `enertrack`.
 *
 * Every random draw is a hash of (seed, what, which site, which day...), not a
 * step of a shared generator, so a reading does not depend on the interval, the
 * span or the order: the same options give byte-identical output, and a shorter
 * span gives the same values for the days it shares with a longer one. The
 * roster (sites, capacities, units) is fixed; --seed varies the readings.
 *
 * A reading covers the interval ending at its ts, and the span holds the
 * readings whose ts falls in [from 00:00, to+1 00:00): so the first mine
 * reading of a year covers the last shift of the year before, exactly as the
 * daemon counts a year by ts. Monthly figures are stamped at 00:00 on the 1st
 * of the next month. The totals printed at the end are summed the same way.
 * This file is the command line; the model is sim/sim.h. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enertrack/log.h"
#include "sim.h"

/* ---- options ---- */

static int parse_date(const char *arg, int64_t *ret_day)
{
	int y, m, d, n = 0;
	if (sscanf(arg, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || arg[n] || n != 10 || y < 2000 ||
	    y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	*ret_day = days_from_civil(y, m, d);
	return 0;
}

/* "8h", "15m", "90s", "1d" or plain seconds. */
static int parse_interval(const char *arg, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || v <= 0)
		return -EINVAL;
	long long mul = 1;
	if (*end == 'm')
		mul = 60;
	else if (*end == 'h')
		mul = 3600;
	else if (*end == 'd')
		mul = DAY;
	else if (*end && *end != 's')
		return -EINVAL;
	if (*end && end[1])
		return -EINVAL;
	if (v > 31LL * DAY / mul)
		return -EINVAL;
	*ret = v * mul;
	return 0;
}

static void sim_usage(FILE *f)
{
	fprintf(f, "usage: enertrack-sim [--uri URI] [--year Y] [--from YYYY-MM-DD] [--to "
		   "YYYY-MM-DD]\n"
		   "                     [--interval D] [--rate N] [--seed N] [--topic-prefix P]\n"
		   "                     [--client-id ID] [--dry-run] [--quiet] [--same-season]\n"
		   "                     [--faults] [--statistics FILE] [--milestones FILE]\n"
		   "Publishes realistic Changzhi telemetry (QoS 1), in order of ts:\n"
		   "  --uri URI          broker (default tcp://127.0.0.1:1883)\n"
		   "  --year Y           the simulated year (default 2024)\n"
		   "  --from, --to       the simulated days, inclusive (default the whole year)\n"
		   "  --interval D       mine reporting interval: Ns, Nm, Nh, Nd (default 8h)\n"
		   "  --rate N           messages a second (default 0: as fast as possible)\n"
		   "  --seed N           the same seed and options give the same messages (default "
		   "1)\n"
		   "  --topic-prefix P   default energy\n"
		   "  --dry-run          print topic<TAB>payload lines instead of publishing\n"
		   "  --quiet            no progress and no summary\n"
		   "  --same-season      the Spring Festival dip on 10 February every year, so "
		   "that\n"
		   "                     years share one seasonal shape\n"
		   "  --faults           in 2024, 沁源's mines report 8 %% less than they produce, "
		   "and\n"
		   "                     one block planned for March to September "
		   "commissions\n"
		   "                     three months late\n"
		   "  --statistics FILE  write the true monthly figures of the span's whole months "
		   "as\n"
		   "                     CSV for `enertrack import`\n"
		   "  --milestones FILE  write the planned blocks as SQL for target_milestone\n");
}

static void print_summary(const struct sim *s, const char *from, const char *to,
			  const char *interval)
{
	fprintf(stderr,
		"sim: %s..%s, seed %" PRIu64 ", interval %s: %" PRIu64 " messages (mine %" PRIu64
		", plant %" PRIu64 ", enterprise %" PRIu64 ", region %" PRIu64 ")\n",
		from, to, s->seed, interval, s->messages, s->by_kind[K_MINE], s->by_kind[K_PLANT],
		s->by_kind[K_ENTERPRISE], s->by_kind[K_REGION]);
	for (int i = 0; i < s->years; i++) {
		const struct totals *t = &s->tot[i];
		double intensity =
			t->sum[M_GDP] > 0 ? t->sum[M_CONSUMPTION] / (t->sum[M_GDP] / 1e4) : 0;
		char change[64] = "";
		/* Only whole years compare fairly. */
		bool whole = s->start <= days_from_civil(s->y0 + i - 1, 1, 1) * DAY &&
			     s->end >= days_from_civil(s->y0 + i + 1, 1, 1) * DAY;
		if (i > 0 && whole && s->tot[i - 1].sum[M_GDP] > 0 && intensity > 0) {
			double prev =
				s->tot[i - 1].sum[M_CONSUMPTION] / (s->tot[i - 1].sum[M_GDP] / 1e4);
			snprintf(change, sizeof(change), " (%+.2f %% on %d)",
				 (intensity / prev - 1) * 100, s->y0 + i - 1);
		}
		fprintf(stderr,
			"sim: %d: raw coal %.3f Mt, new-energy capacity %.1f MW (solar %.1f, wind "
			"%.1f, "
			"biomass %.1f), generation %.1f GWh, energy consumption %.3f Mtce, "
			"GDP %.2f 亿元, intensity %.4f tce/万元%s, advanced capacity share %.2f "
			"%%\n",
			s->y0 + i, t->sum[M_RAW_COAL] / 1e6, t->sum[M_CAPACITY],
			t->cap_by_source[SRC_SOLAR], t->cap_by_source[SRC_WIND],
			t->cap_by_source[SRC_BIOMASS], t->sum[M_GENERATION] / 1e3,
			t->sum[M_CONSUMPTION] / 1e6, t->sum[M_GDP] / 1e8, intensity, change,
			t->share_n ? t->share_sum / (double)t->share_n : 0);
	}
}

/* What the command line asked for, besides the model's own settings. */
struct opts {
	const char *uri, *client_id, *interval_arg;
	const char *from_arg, *to_arg, *stat_path, *ms_path;
	int year;
	bool quiet;
	int64_t from_day, to_day;
};

/* One option; 0, or 2 on a usage error (said on stderr). */
static int parse_option(int c, struct opts *op, struct sim *s, struct out *o)
{
	char *end;
	switch (c) {
	case 'u':
		op->uri = optarg;
		break;
	case 'y':
		errno = 0;
		op->year = (int)strtol(optarg, &end, 10);
		if (errno || *end || op->year < 2000 || op->year > 2199) {
			fprintf(stderr, "enertrack-sim: --year must be 2000..2199\n");
			return 2;
		}
		break;
	case 'f':
		op->from_arg = optarg;
		if (parse_date(optarg, &op->from_day)) {
			fprintf(stderr, "enertrack-sim: --from must be a date YYYY-MM-DD\n");
			return 2;
		}
		break;
	case 't':
		op->to_arg = optarg;
		if (parse_date(optarg, &op->to_day)) {
			fprintf(stderr, "enertrack-sim: --to must be a date YYYY-MM-DD\n");
			return 2;
		}
		break;
	case 'i':
		op->interval_arg = optarg;
		if (parse_interval(optarg, &s->interval)) {
			fprintf(stderr, "enertrack-sim: --interval must be like 90s, 15m, 8h "
					"or 1d (at most 31d)\n");
			return 2;
		}
		break;
	case 'r':
		errno = 0;
		o->rate = strtod(optarg, &end);
		if (errno || end == optarg || *end || !(o->rate >= 0 && o->rate <= 1e7)) {
			fprintf(stderr, "enertrack-sim: --rate must be a number of messages "
					"a second (0: as fast as possible)\n");
			return 2;
		}
		break;
	case 's':
		errno = 0;
		s->seed = strtoull(optarg, &end, 0);
		if (errno || end == optarg || *end || optarg[0] == '-') {
			fprintf(stderr, "enertrack-sim: --seed must be a number\n");
			return 2;
		}
		break;
	case 'p':
		s->prefix = optarg;
		if (!*optarg || strpbrk(optarg, "+#") || strlen(optarg) > 100) {
			fprintf(stderr, "enertrack-sim: --topic-prefix must be a topic "
					"without wildcards\n");
			return 2;
		}
		break;
	case 'c':
		op->client_id = optarg;
		break;
	case 'n':
		o->dry_run = true;
		break;
	case 'q':
		op->quiet = true;
		break;
	case 'S':
		s->same_season = true;
		break;
	case 'F':
		s->faults = true;
		break;
	case 'T':
		op->stat_path = optarg;
		break;
	case 'M':
		op->ms_path = optarg;
		break;
	default:
		sim_usage(stderr);
		return 2;
	}
	return 0;
}

/* The span: --from/--to win, --year fills what they leave out. 0, or 2 on
 * a usage error. */
static int set_span(struct opts *op, struct sim *s)
{
	int year = op->year;
	if (!year)
		year = op->from_arg ? year_of_day(op->from_day)
		       : op->to_arg ? year_of_day(op->to_day)
				    : 2024;
	if (!op->from_arg)
		op->from_day = days_from_civil(year, 1, 1);
	if (!op->to_arg)
		op->to_day = days_from_civil(year, 12, 31);
	if (op->to_day < op->from_day) {
		fprintf(stderr, "enertrack-sim: the span is empty (--to before --from)\n");
		return 2;
	}
	s->y0 = year_of_day(op->from_day);
	s->years = year_of_day(op->to_day) - s->y0 + 1;
	if (s->years > MAX_YEARS) {
		fprintf(stderr, "enertrack-sim: at most %d years\n", MAX_YEARS);
		return 2;
	}
	s->start = op->from_day * DAY;
	s->end = (op->to_day + 1) * DAY;
	return 0;
}

/* The roster, the blocks, the milestones file, the streams: 0, -ENOMEM, or
 * -EIO when the milestones file cannot be written (logged). */
static int plan(struct sim *s, const struct opts *op)
{
	int cap = 0;
	if (build_roster(s))
		return -ENOMEM;
	for (int y = s->y0; y < s->y0 + s->years; y++)
		if (plan_year(s, y, &cap))
			return -ENOMEM;
	if (s->faults)
		delay_block(s);
	qsort(s->blocks, (size_t)s->nblocks, sizeof(*s->blocks), cmp_block);
	if (op->ms_path && write_milestones(s, op->ms_path)) {
		log_error("sim: cannot write %s", op->ms_path);
		return -EIO;
	}
	if (build_streams(s) || belt_init(s))
		return -ENOMEM;
	return 0;
}

/* Where the messages go: stdout (--dry-run) or a connected publisher.
 * 0 or -1 (logged). */
static int open_output(struct out *o, const struct opts *op)
{
	if (o->dry_run) {
		static char obuf[1 << 20];
		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
		return 0;
	}
	char err[512], default_id[64];
	const char *client_id = op->client_id;
	if (!client_id) {
		snprintf(default_id, sizeof(default_id), "enertrack-sim-%ld", (long)getpid());
		client_id = default_id;
	}
	if (et_pub_open(&o->pub, op->uri, client_id, NULL, NULL, 1, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* Every message of the span, in order of ts, then the output flushed or
 * closed. 0 or -1 (logged). */
static int run(struct sim *s, struct out *o, bool quiet)
{
	clock_gettime(CLOCK_MONOTONIC, &o->t0);
	int64_t progress_at = next_month_start(s->start);
	while (s->nheap > 0) {
		if (!quiet && !o->dry_run && s->heap[0].next >= progress_at) {
			char when[40];
			format_ts(when, sizeof(when), progress_at);
			log_info("sim: up to %.10s: %" PRIu64 " messages", when, s->messages);
			progress_at = next_month_start(progress_at);
		}
		int err = step(s, o);
		if (err) {
			log_error("sim: stopped after %" PRIu64 " messages: %s", s->messages,
				  strerror(-err));
			return -1;
		}
	}
	if (o->dry_run && fflush(stdout)) {
		log_error("sim: writing stdout: %s", strerror(errno));
		return -1;
	}
	if (!o->dry_run) {
		et_pub_t *p = o->pub;
		o->pub = NULL;
		if (et_pub_close(p))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"uri", required_argument, NULL, 'u'},
		{"year", required_argument, NULL, 'y'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"interval", required_argument, NULL, 'i'},
		{"rate", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 's'},
		{"topic-prefix", required_argument, NULL, 'p'},
		{"client-id", required_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"same-season", no_argument, NULL, 'S'},
		{"faults", no_argument, NULL, 'F'},
		{"statistics", required_argument, NULL, 'T'},
		{"milestones", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts op = {.uri = "tcp://127.0.0.1:1883", .interval_arg = "8h"};
	struct sim s = {.seed = 1, .interval = 8 * 3600, .prefix = "energy"};
	struct out o = {.f = stdout};
	int c;

	et_log_init("enertrack-sim");
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			sim_usage(stdout);
			return 0;
		}
		if (parse_option(c, &op, &s, &o))
			return 2;
	}
	if (optind != argc) {
		sim_usage(stderr);
		return 2;
	}
	if (set_span(&op, &s))
		return 2;
	char from_s[40], to_s[40];
	format_ts(from_s, sizeof(from_s), s.start);
	format_ts(to_s, sizeof(to_s), op.to_day * DAY);
	from_s[10] = to_s[10] = '\0'; /* the dates only */

	int rc = 1, err = plan(&s, &op);
	if (err == -ENOMEM)
		log_error("sim: out of memory");
	if (err || open_output(&o, &op) || run(&s, &o, op.quiet))
		goto out;
	if (op.stat_path && write_statistics(&s, op.stat_path)) {
		log_error("sim: cannot write %s", op.stat_path);
		goto out;
	}
	if (!op.quiet)
		print_summary(&s, from_s, to_s, op.interval_arg);
	if (!op.quiet)
		belt_summary(&s);
	rc = 0;
out:
	et_pub_close(o.pub);
	free(s.heap);
	free(s.belts);
	free(s.blocks);
	free(s.sites);
	return rc;
}
