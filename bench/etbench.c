/* SPDX-License-Identifier: MIT */
/* etbench: the load generator and the probes of `make bench` (bench/run.sh).
 *
 *   etbench publish --uri U --count N [--rate R] [--sites S] [--qos Q] [--window W]
 *                   [--tag T] [--seed X] [--client-id C] [--timeout S]
 *       Publishes N v1 readings on energy/<kind>/<site>/<metric> (kinds mine,
 *       plant, enterprise and region; the metrics of docs/message-format.md in the units
 *       publishers really send, plus a few non-canonical ones), at full speed or
 *       paced to R messages a second. Each reading's ts is the wall-clock time
 *       at which it is handed to paho, with microsecond precision and strictly
 *       increasing over the run, so that every reading is one row of its own and
 *       publish->commit latency is pg_xact_commit_timestamp(xmin) - ts. QoS 1
 *       and 2 keep their own window of unacknowledged sends (paho 1.3.12 stalls
 *       ~1 s when more sends are queued than its in-flight window, docs/threads.md).
 *
 *   etbench count --uri U --client-id C --count N [--topic T] [--timeout S] [--idle S]
 *   etbench count --uri U --client-id C --prime | --forget
 *       A bare MQTTAsync subscriber on a persistent session (cleansession 0,
 *       QoS 1) whose messageArrived only counts. --prime connects, subscribes
 *       and leaves, so that the broker queues what is published next; --forget
 *       connects with a clean session, which deletes the queued session.
 *
 *   etbench threads --pid P [--since FILE --messages M]
 *       Per-thread CPU of a process from /proc/P/task/<tid>/{stat,comm}. Without
 *       --since: a snapshot (save it to a file). With --since: the CPU used since
 *       that snapshot by role (loop = the main thread, paho_rcv, paho_send,
 *       writer = the busiest other unnamed thread, other), in µs and µs/message.
 *
 *   etbench sample --pid P [--interval-ms I] [--max-s S]
 *       One line every I ms until P exits (or S seconds): epoch_ms, VmRSS kB,
 *       VmHWM kB and the process's CPU in clock ticks.
 *
 * Results are key=value lines on stdout; progress and errors go to stderr.
 * Exit status: 0 success, 1 failure, 2 usage error. Every wait is bounded. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <MQTTAsync.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sim/roster.h"

#define CONNECT_TIMEOUT_S 10
#define SUBACK_WAIT_S	  10 /* after the last message of a backlog */
#define NO_PROGRESS_S	  30 /* a full window without one acknowledgement */
#define DISCONNECT_MS	  2000
#define MAX_WINDOW	  30000 /* paho's maxInflight is at most 65535; we use 2x */
#define DEFAULT_WINDOW	  500
#define DEFAULT_SITES	  150
#define DEFAULT_TIMEOUT_S 900
#define PROGRESS_EVERY_S  5

static const char *prog = "etbench";

static void die_usage(const char *msg)
{
	fprintf(stderr, "%s: %s (see the comment at the top of bench/etbench.c)\n", prog, msg);
	exit(2);
}

/* ---- clocks ---- */

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* An absolute CLOCK_MONOTONIC deadline ms from now, for pthread_cond_timedwait. */
static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void sleep_until_mono_us(int64_t due)
{
	struct timespec t = {.tv_sec = (time_t)(due / 1000000),
			     .tv_nsec = (long)(due % 1000000) * 1000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static void init_cond(pthread_cond_t *cv)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

/* RFC 3339 in China Standard Time (+08:00, as Changzhi's publishers send it),
 * with microseconds. buf holds at least 40 bytes. */
static void format_ts(int64_t us, char *buf, size_t len)
{
	time_t secs = (time_t)(us / 1000000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char day[32];
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06d+08:00", day, (int)(us % 1000000));
}

/* ---- deterministic randomness (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0; /* [0, 1) */
}

/* ---- numeric options ---- */

static long long opt_ll(const char *name, const char *s, long long lo, long long hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: --%s must be an integer in [%lld, %lld]\n", prog, name, lo,
			hi);
		exit(2);
	}
	return v;
}

static double opt_double(const char *name, const char *s, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "%s: --%s must be a number in [%g, %g]\n", prog, name, lo, hi);
		exit(2);
	}
	return v;
}

/* ================= the roster: sites, metrics, units ================= */

/* A metric as one kind of site sends it: a range in the canonical unit (or the
 * unit itself for non-canonical metrics) and the units sites choose from. */
struct metric_spec {
	const char *metric;
	int weight; /* relative message frequency per site */
	double lo, hi;
	const char *units[3];
	double factor[3]; /* canonical value = value * factor */
	int unit_pct[3];  /* share of sites sending each unit */
};

/* Mines report raw coal per shift, energy use and methane; plants generation,
 * the odd commissioned block and their load; enterprises energy and
 * electricity; the city (region) GDP and the advanced-capacity share. */
static const struct metric_spec mine_metrics[] = {
	{"raw_coal", 4, 500, 6000, {"t", "kt", "万吨"}, {1, 1e3, 1e4}, {60, 20, 20}},
	{"energy_consumption", 2, 5, 60, {"tce", "万吨标准煤"}, {1, 1e4}, {80, 20}},
	{"methane_pct", 3, 0.05, 0.8, {"%"}, {1}, {100}},
};
static const struct metric_spec plant_metrics[] = {
	{"generation", 4, 10, 300, {"MWh", "万千瓦时", "GWh"}, {1, 10, 1e3}, {60, 30, 10}},
	{"capacity_commissioned", 1, 5, 100, {"MW", "万千瓦"}, {1, 10}, {70, 30}},
	{"unit_load", 3, 50, 600, {"MW"}, {1}, {100}},
};
static const struct metric_spec enterprise_metrics[] = {
	{"energy_consumption", 4, 50, 2000, {"tce", "万吨标准煤"}, {1, 1e4}, {70, 30}},
	{"electricity", 3, 1000, 500000, {"kWh", "MWh"}, {1, 1e3}, {70, 30}},
};
static const struct metric_spec region_metrics[] = {
	{"gdp", 1, 50e8, 300e8, {"万元", "亿元"}, {1e4, 1e8}, {50, 50}},
	{"advanced_capacity_share", 1, 90, 99, {"%"}, {1}, {100}},
};

/* The sites are the simulator's (sim/roster.c): their ids, after the run's
 * tag, and their counties. The bench keeps its own mix of kinds; the n-th
 * site of a kind is the roster's n-th of that kind, with a suffix once the
 * roster has no more of them. */
static struct roster_site *roster_all;
static int roster_n;

/* The serial-th (from 1) roster site of kind k. */
static const struct roster_site *roster_pick(enum kind k, int serial, int *ret_round)
{
	int count = 0;
	for (int i = 0; i < roster_n; i++)
		count += roster_all[i].kind == k;
	int want = (serial - 1) % count;
	*ret_round = (serial - 1) / count;
	for (int i = 0; i < roster_n; i++)
		if (roster_all[i].kind == k && want-- == 0)
			return &roster_all[i];
	return NULL;
}

struct stream {
	char topic[128];
	char site[64];
	const char *metric;
	const char *unit;
	const char *county; /* NULL: none in the payload */
	double lo, hi, factor;
	uint64_t seq;
};

struct roster {
	struct stream *streams;
	size_t nstreams;
	uint32_t *schedule; /* stream index of message n is schedule[n % nschedule] */
	size_t nschedule;
};

static const char *pick_kind(int i, int nsites)
{
	if (i == 0 && nsites >= 8)
		return "region";
	int r = (int)((unsigned)i * 37u % 100u);
	return r < 62 ? "mine" : r < 72 ? "plant" : "enterprise";
}

static int build_roster(struct roster *ro, int nsites, const char *tag, uint64_t seed)
{
	memset(ro, 0, sizeof(*ro));
	rng_state = seed;
	roster_n = roster_count();
	roster_all = calloc((size_t)roster_n, sizeof(*roster_all));
	if (!roster_all)
		return -1;
	roster_sites(roster_all);
	size_t cap = (size_t)nsites * 3;
	ro->streams = calloc(cap, sizeof(*ro->streams));
	if (!ro->streams)
		return -1;
	size_t weight_sum = 0;
	int serial[4] = {0};
	for (int i = 0; i < nsites; i++) {
		const char *kind = pick_kind(i, nsites);
		const struct metric_spec *ms;
		size_t nm;
		int k;
		if (strcmp(kind, "mine") == 0) {
			ms = mine_metrics, nm = sizeof(mine_metrics) / sizeof(*ms), k = 0;
		} else if (strcmp(kind, "plant") == 0) {
			ms = plant_metrics, nm = sizeof(plant_metrics) / sizeof(*ms), k = 1;
		} else if (strcmp(kind, "enterprise") == 0) {
			ms = enterprise_metrics, nm = sizeof(enterprise_metrics) / sizeof(*ms),
			k = 2;
		} else {
			ms = region_metrics, nm = sizeof(region_metrics) / sizeof(*ms), k = 3;
		}
		int round;
		const struct roster_site *rs = roster_pick((enum kind)k, ++serial[k], &round);
		const char *county = rs->county;
		char site[64];
		if (round)
			snprintf(site, sizeof(site), "%s-%s-%d", tag, rs->id, round);
		else
			snprintf(site, sizeof(site), "%s-%s", tag, rs->id);
		for (size_t j = 0; j < nm; j++) {
			struct stream *s = &ro->streams[ro->nstreams++];
			int u = 0, roll = (int)(rng_next() % 100), acc = 0;
			for (int x = 0; x < 3 && ms[j].units[x]; x++) {
				acc += ms[j].unit_pct[x];
				if (roll < acc) {
					u = x;
					break;
				}
			}
			snprintf(s->site, sizeof(s->site), "%s", site);
			snprintf(s->topic, sizeof(s->topic), "energy/%s/%s/%s", kind, site,
				 ms[j].metric);
			s->metric = ms[j].metric;
			s->unit = ms[j].units[u];
			s->factor = ms[j].factor[u];
			s->lo = ms[j].lo;
			s->hi = ms[j].hi;
			s->county = county;
			weight_sum += (size_t)ms[j].weight;
		}
	}
	/* The schedule: each stream as often as its weight, shuffled, so that
	 * consecutive messages come from different sites and metrics. */
	ro->schedule = malloc(weight_sum * sizeof(*ro->schedule));
	if (!ro->schedule)
		return -1;
	size_t si = 0;
	for (int i = 0, st = 0; i < nsites; i++) {
		const char *kind = pick_kind(i, nsites);
		const struct metric_spec *ms = strcmp(kind, "mine") == 0    ? mine_metrics
					       : strcmp(kind, "plant") == 0 ? plant_metrics
					       : strcmp(kind, "enterprise") == 0
						       ? enterprise_metrics
						       : region_metrics;
		size_t nm = ms == mine_metrics	       ? sizeof(mine_metrics) / sizeof(*ms)
			    : ms == plant_metrics      ? sizeof(plant_metrics) / sizeof(*ms)
			    : ms == enterprise_metrics ? sizeof(enterprise_metrics) / sizeof(*ms)
						       : sizeof(region_metrics) / sizeof(*ms);
		for (size_t j = 0; j < nm; j++, st++)
			for (int w = 0; w < ms[j].weight; w++)
				ro->schedule[si++] = (uint32_t)st;
	}
	ro->nschedule = si;
	for (size_t i = si; i > 1; i--) {
		size_t j = rng_next() % i;
		uint32_t t = ro->schedule[i - 1];
		ro->schedule[i - 1] = ro->schedule[j];
		ro->schedule[j] = t;
	}
	return 0;
}

/* ================= MQTT client state shared with paho's threads ================= */

enum cstate { ST_CONNECTING, ST_CONNECTED, ST_SUBSCRIBED, ST_FAILED, ST_LOST, ST_CLOSED };

struct client {
	MQTTAsync c;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	enum cstate state;
	char reason[256];
	/* publisher */
	unsigned outstanding;
	uint64_t acked, failed;
	int64_t last_ack_mono_us;
	/* subscriber */
	const char *topic;
	uint64_t target;
	atomic_uint_fast64_t received;
	atomic_int_fast64_t first_mono_us, done_mono_us;
};

static void set_state(struct client *cl, enum cstate st, const char *why)
{
	pthread_mutex_lock(&cl->mu);
	if (st == ST_CLOSED || cl->state < ST_FAILED) {
		cl->state = st;
		if (why && !cl->reason[0])
			snprintf(cl->reason, sizeof(cl->reason), "%s", why);
	}
	pthread_cond_broadcast(&cl->cv);
	pthread_mutex_unlock(&cl->mu);
}

static void on_lost(void *ctx, char *cause)
{
	char why[256];
	snprintf(why, sizeof(why), "connection lost%s%s", cause ? ": " : "", cause ? cause : "");
	set_state(ctx, ST_LOST, why);
	if (cause)
		MQTTAsync_free(cause);
}

static void on_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	char why[256];
	snprintf(why, sizeof(why), "connect failed: %s (code %d)",
		 resp && resp->message ? resp->message : "no reason given", resp ? resp->code : -1);
	set_state(ctx, ST_FAILED, why);
}

static void on_subscribed(void *ctx, MQTTAsync_successData *resp)
{
	/* A granted QoS of 0x80 is a refusal. */
	if (resp && resp->alt.qos == 0x80)
		set_state(ctx, ST_FAILED, "the broker refused the subscription");
	else
		set_state(ctx, ST_SUBSCRIBED, NULL);
}

static void on_subscribe_failed(void *ctx, MQTTAsync_failureData *resp)
{
	(void)resp;
	set_state(ctx, ST_FAILED, "subscribe failed");
}

/* Connected: a subscriber subscribes right away (paho allows calls from its
 * callbacks); a persistent session's queued messages may arrive before SUBACK. */
static void on_connected(void *ctx, MQTTAsync_successData *resp)
{
	struct client *cl = ctx;
	(void)resp;
	set_state(cl, ST_CONNECTED, NULL);
	if (cl->topic) {
		MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
		ro.onSuccess = on_subscribed;
		ro.onFailure = on_subscribe_failed;
		ro.context = cl;
		int rc = MQTTAsync_subscribe(cl->c, cl->topic, 1, &ro);
		if (rc != MQTTASYNC_SUCCESS)
			set_state(cl, ST_FAILED, "cannot subscribe");
	}
}

static void on_disconnected(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	set_state(ctx, ST_CLOSED, NULL);
}

static void on_disconnect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	(void)resp;
	set_state(ctx, ST_CLOSED, NULL);
}

/* The bare subscriber's whole work: count. */
static int on_message_count(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	struct client *cl = ctx;
	(void)topic_len;
	uint64_t n = atomic_fetch_add(&cl->received, 1) + 1;
	if (n == 1)
		atomic_store(&cl->first_mono_us, mono_us());
	if (n == cl->target) {
		atomic_store(&cl->done_mono_us, mono_us());
		pthread_mutex_lock(&cl->mu);
		pthread_cond_broadcast(&cl->cv);
		pthread_mutex_unlock(&cl->mu);
	}
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static void on_sent(void *ctx, MQTTAsync_successData *resp)
{
	struct client *cl = ctx;
	(void)resp;
	pthread_mutex_lock(&cl->mu);
	cl->outstanding--;
	cl->acked++;
	cl->last_ack_mono_us = mono_us();
	pthread_cond_broadcast(&cl->cv);
	pthread_mutex_unlock(&cl->mu);
}

static void on_send_failed(void *ctx, MQTTAsync_failureData *resp)
{
	struct client *cl = ctx;
	char why[256];
	snprintf(why, sizeof(why), "a publish failed (code %d)", resp ? resp->code : -1);
	pthread_mutex_lock(&cl->mu);
	cl->outstanding--;
	cl->failed++;
	pthread_mutex_unlock(&cl->mu);
	set_state(cl, ST_LOST, why);
}

/* Waits (bounded) until the state is not `while_st`; returns the state. */
static enum cstate wait_state_change(struct client *cl, enum cstate while_st, long ms)
{
	struct timespec dl;
	deadline_in(&dl, ms);
	pthread_mutex_lock(&cl->mu);
	while (cl->state == while_st)
		if (pthread_cond_timedwait(&cl->cv, &cl->mu, &dl) == ETIMEDOUT)
			break;
	enum cstate st = cl->state;
	pthread_mutex_unlock(&cl->mu);
	return st;
}

static int client_open(struct client *cl, const char *uri, const char *client_id, int clean,
		       int max_inflight, MQTTAsync_messageArrived *on_msg)
{
	pthread_mutex_init(&cl->mu, NULL);
	init_cond(&cl->cv);
	cl->state = ST_CONNECTING;
	MQTTAsync_createOptions cro = MQTTAsync_createOptions_initializer;
	cro.MQTTVersion = MQTTVERSION_3_1_1;
	cro.sendWhileDisconnected = 0;
	/* paho refuses sends past this many queued commands (default 100). */
	cro.maxBufferedMessages = max_inflight + 16;
	int rc = MQTTAsync_createWithOptions(&cl->c, uri, client_id, MQTTCLIENT_PERSISTENCE_NONE,
					     NULL, &cro);
	if (rc != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "%s: cannot create a client for %s: %s\n", prog, uri,
			MQTTAsync_strerror(rc));
		cl->c = NULL;
		return -1;
	}
	/* Callbacks before connect: queued messages arrive right after CONNACK. */
	rc = MQTTAsync_setCallbacks(cl->c, cl, on_lost, on_msg, NULL);
	if (rc != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "%s: cannot set callbacks: %s\n", prog, MQTTAsync_strerror(rc));
		return -1;
	}
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	co.MQTTVersion = MQTTVERSION_3_1_1;
	co.keepAliveInterval = 30;
	co.cleansession = clean;
	co.maxInflight = max_inflight;
	co.connectTimeout = CONNECT_TIMEOUT_S;
	co.automaticReconnect = 0;
	co.onSuccess = on_connected;
	co.onFailure = on_connect_failed;
	co.context = cl;
	rc = MQTTAsync_connect(cl->c, &co);
	if (rc != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "%s: cannot connect to %s: %s\n", prog, uri,
			MQTTAsync_strerror(rc));
		return -1;
	}
	enum cstate st = wait_state_change(cl, ST_CONNECTING, (CONNECT_TIMEOUT_S + 2) * 1000L);
	if (st == ST_CONNECTING) {
		fprintf(stderr, "%s: no CONNACK from %s within %d s\n", prog, uri,
			CONNECT_TIMEOUT_S + 2);
		return -1;
	}
	if (st >= ST_FAILED) {
		fprintf(stderr, "%s: %s: %s\n", prog, uri, cl->reason);
		return -1;
	}
	return 0;
}

static void client_close(struct client *cl)
{
	if (!cl->c)
		return;
	pthread_mutex_lock(&cl->mu);
	bool up = cl->state == ST_CONNECTED || cl->state == ST_SUBSCRIBED;
	pthread_mutex_unlock(&cl->mu);
	if (up) {
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		d.timeout = DISCONNECT_MS;
		d.onSuccess = on_disconnected;
		d.onFailure = on_disconnect_failed;
		d.context = cl;
		if (MQTTAsync_disconnect(cl->c, &d) == MQTTASYNC_SUCCESS) {
			struct timespec dl;
			deadline_in(&dl, DISCONNECT_MS + 1000);
			pthread_mutex_lock(&cl->mu);
			while (cl->state != ST_CLOSED && cl->state != ST_LOST)
				if (pthread_cond_timedwait(&cl->cv, &cl->mu, &dl) == ETIMEDOUT)
					break;
			pthread_mutex_unlock(&cl->mu);
		}
	}
	MQTTAsync_destroy(&cl->c);
}

static int on_message_ignore(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	(void)ctx;
	(void)topic_len;
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

/* ================= publish ================= */

static int cmd_publish(int argc, char **argv)
{
	const char *uri = NULL, *tag = "b", *client_id = NULL;
	long long count = -1, sites = DEFAULT_SITES, window = DEFAULT_WINDOW,
		  timeout_s = DEFAULT_TIMEOUT_S;
	long long seed = 7;
	int qos = 1;
	double rate = 0;
	static const struct option opts[] = {
		{"uri", required_argument, 0, 'u'},
		{"count", required_argument, 0, 'n'},
		{"rate", required_argument, 0, 'r'},
		{"sites", required_argument, 0, 's'},
		{"qos", required_argument, 0, 'q'},
		{"window", required_argument, 0, 'w'},
		{"tag", required_argument, 0, 't'},
		{"seed", required_argument, 0, 'S'},
		{"client-id", required_argument, 0, 'c'},
		{"timeout", required_argument, 0, 'T'},
		{0, 0, 0, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'u':
			uri = optarg;
			break;
		case 'n':
			count = opt_ll("count", optarg, 1, 1000000000LL);
			break;
		case 'r':
			rate = opt_double("rate", optarg, 0, 1e7);
			break;
		case 's':
			sites = opt_ll("sites", optarg, 1, 100000);
			break;
		case 'q':
			qos = (int)opt_ll("qos", optarg, 0, 2);
			break;
		case 'w':
			window = opt_ll("window", optarg, 1, MAX_WINDOW);
			break;
		case 't':
			tag = optarg;
			break;
		case 'S':
			seed = opt_ll("seed", optarg, 0, LLONG_MAX);
			break;
		case 'c':
			client_id = optarg;
			break;
		case 'T':
			timeout_s = opt_ll("timeout", optarg, 1, 86400);
			break;
		default:
			die_usage("publish: unknown option");
		}
	}
	if (!uri || count < 0)
		die_usage("publish needs --uri and --count");
	if (strlen(tag) > 24)
		die_usage("--tag is at most 24 characters");
	for (const char *p = tag; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      (p > tag && *p == '-')))
			die_usage("--tag must match [a-z0-9][a-z0-9-]*");

	struct roster ro;
	if (build_roster(&ro, (int)sites, tag, (uint64_t)seed)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	char cid[64];
	if (!client_id) {
		snprintf(cid, sizeof(cid), "etbench-pub-%ld", (long)getpid());
		client_id = cid;
	}
	struct client cl = {0};
	int max_inflight = (int)(2 * window);
	if (client_open(&cl, uri, client_id, 1, max_inflight, on_message_ignore)) {
		client_close(&cl);
		return 1;
	}

	int rc = 0;
	char payload[512], ts[48];
	int64_t t0 = mono_us(), wall0 = wall_us(), last_ts = 0, first_ts = 0;
	int64_t give_up = t0 + timeout_s * 1000000;
	int64_t next_progress = t0 + PROGRESS_EVERY_S * 1000000LL;
	int64_t max_late_us = 0;
	struct stream *last = NULL;
	long long sent = 0;
	for (long long n = 0; n < count; n++) {
		if (rate > 0) {
			int64_t due = t0 + (int64_t)((double)n * 1e6 / rate);
			int64_t now = mono_us();
			if (now < due)
				sleep_until_mono_us(due);
			else if (now - due > max_late_us)
				max_late_us = now - due;
		}
		{
			/* Our own window: never more than `window` unacknowledged sends. */
			struct timespec dl;
			deadline_in(&dl, NO_PROGRESS_S * 1000L);
			pthread_mutex_lock(&cl.mu);
			while (cl.state == ST_CONNECTED && cl.outstanding >= (unsigned)window) {
				uint64_t before = cl.acked;
				int w = pthread_cond_timedwait(&cl.cv, &cl.mu, &dl);
				if (cl.acked != before)
					deadline_in(&dl, NO_PROGRESS_S * 1000L);
				else if (w == ETIMEDOUT)
					break;
			}
			bool stuck = cl.outstanding >= (unsigned)window;
			enum cstate st = cl.state;
			if (st == ST_CONNECTED && !stuck)
				cl.outstanding++;
			pthread_mutex_unlock(&cl.mu);
			if (st != ST_CONNECTED) {
				fprintf(stderr, "%s: publish: %s after %lld messages\n", prog,
					cl.reason, sent);
				rc = 1;
				break;
			}
			if (stuck) {
				fprintf(stderr, "%s: publish: no acknowledgement for %d s\n", prog,
					NO_PROGRESS_S);
				rc = 1;
				break;
			}
		}
		struct stream *s = &ro.streams[ro.schedule[(size_t)n % ro.nschedule]];
		int64_t t = wall_us();
		if (t <= last_ts)
			t = last_ts + 1; /* strictly increasing: (site, metric, ts) unique */
		last_ts = t;
		if (!first_ts)
			first_ts = t;
		format_ts(t, ts, sizeof(ts));
		double v = (s->lo + (s->hi - s->lo) * rng_unit()) / s->factor;
		int len;
		if (s->county)
			len = snprintf(
				payload, sizeof(payload),
				"{\"ts\":\"%s\",\"value\":%.4g,\"unit\":\"%s\",\"seq\":%" PRIu64
				",\"county\":\"%s\"}",
				ts, v, s->unit, ++s->seq, s->county);
		else
			len = snprintf(
				payload, sizeof(payload),
				"{\"ts\":\"%s\",\"value\":%.4g,\"unit\":\"%s\",\"seq\":%" PRIu64
				"}",
				ts, v, s->unit, ++s->seq);
		MQTTAsync_message msg = MQTTAsync_message_initializer;
		msg.payload = payload; /* paho copies it */
		msg.payloadlen = len;
		msg.qos = qos;
		MQTTAsync_responseOptions rop = MQTTAsync_responseOptions_initializer;
		rop.onSuccess = on_sent; /* QoS 0: once written to the socket */
		rop.onFailure = on_send_failed;
		rop.context = &cl;
		int prc = MQTTAsync_sendMessage(cl.c, s->topic, &msg, &rop);
		if (prc != MQTTASYNC_SUCCESS) {
			pthread_mutex_lock(&cl.mu);
			cl.outstanding--;
			pthread_mutex_unlock(&cl.mu);
			fprintf(stderr, "%s: publish: %s after %lld messages\n", prog,
				MQTTAsync_strerror(prc), sent);
			rc = 1;
			break;
		}
		sent++;
		last = s;
		int64_t now = mono_us();
		if (now >= next_progress) {
			fprintf(stderr, "%s: publish: %lld/%lld sent, %.0f msg/s\n", prog, sent,
				count, (double)sent * 1e6 / (double)(now - t0));
			next_progress += PROGRESS_EVERY_S * 1000000LL;
		}
		if (now > give_up) {
			fprintf(stderr, "%s: publish: --timeout %lld s reached\n", prog, timeout_s);
			rc = 1;
			break;
		}
	}
	/* Wait for the last acknowledgements (bounded). */
	int64_t t_end = mono_us();
	{
		struct timespec dl;
		deadline_in(&dl, NO_PROGRESS_S * 1000L);
		pthread_mutex_lock(&cl.mu);
		while (cl.state == ST_CONNECTED && cl.outstanding > 0)
			if (pthread_cond_timedwait(&cl.cv, &cl.mu, &dl) == ETIMEDOUT)
				break;
		if (cl.outstanding > 0) {
			fprintf(stderr, "%s: publish: %u messages not acknowledged\n", prog,
				cl.outstanding);
			rc = 1;
		}
		if (cl.last_ack_mono_us > t_end)
			t_end = cl.last_ack_mono_us;
		pthread_mutex_unlock(&cl.mu);
	}
	double el = (double)(t_end - t0) / 1e6;
	printf("sent=%lld\n", sent);
	printf("acked=%" PRIu64 "\n", cl.acked);
	printf("failed=%" PRIu64 "\n", cl.failed);
	printf("elapsed_s=%.6f\n", el);
	printf("rate=%.1f\n", el > 0 ? (double)sent / el : 0.0);
	printf("target_rate=%.1f\n", rate);
	printf("max_late_ms=%.1f\n", (double)max_late_us / 1e3);
	printf("start_epoch=%.6f\n", (double)wall0 / 1e6);
	printf("end_epoch=%.6f\n", (double)(wall0 + (t_end - t0)) / 1e6);
	printf("streams=%zu\n", ro.nstreams);
	if (last) {
		format_ts(last_ts, ts, sizeof(ts));
		printf("last_site=%s\nlast_metric=%s\nlast_ts=%s\n", last->site, last->metric, ts);
		format_ts(first_ts, ts, sizeof(ts));
		printf("first_ts=%s\n", ts);
	}
	fflush(stdout);
	client_close(&cl);
	free(ro.streams);
	free(ro.schedule);
	return rc;
}

/* ================= count ================= */

static int cmd_count(int argc, char **argv)
{
	const char *uri = NULL, *client_id = NULL, *topic = "energy/#";
	long long count = -1, timeout_s = 600, idle_s = 30;
	int prime = 0, forget = 0;
	static const struct option opts[] = {
		{"uri", required_argument, 0, 'u'},
		{"client-id", required_argument, 0, 'c'},
		{"topic", required_argument, 0, 't'},
		{"count", required_argument, 0, 'n'},
		{"timeout", required_argument, 0, 'T'},
		{"idle", required_argument, 0, 'i'},
		{"prime", no_argument, 0, 'p'},
		{"forget", no_argument, 0, 'f'},
		{0, 0, 0, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'u':
			uri = optarg;
			break;
		case 'c':
			client_id = optarg;
			break;
		case 't':
			topic = optarg;
			break;
		case 'n':
			count = opt_ll("count", optarg, 1, 1000000000LL);
			break;
		case 'T':
			timeout_s = opt_ll("timeout", optarg, 1, 86400);
			break;
		case 'i':
			idle_s = opt_ll("idle", optarg, 1, 86400);
			break;
		case 'p':
			prime = 1;
			break;
		case 'f':
			forget = 1;
			break;
		default:
			die_usage("count: unknown option");
		}
	}
	if (!uri || !client_id || (!prime && !forget && count < 0) || (prime && forget))
		die_usage("count needs --uri, --client-id and --count (or --prime or --forget)");

	struct client cl = {0};
	atomic_init(&cl.received, 0);
	atomic_init(&cl.first_mono_us, 0);
	atomic_init(&cl.done_mono_us, 0);
	cl.topic = forget ? NULL : topic;
	cl.target = count > 0 ? (uint64_t)count : UINT64_MAX;
	struct rusage ru0;
	getrusage(RUSAGE_SELF, &ru0);
	int64_t t0 = mono_us();
	if (client_open(&cl, uri, client_id, forget ? 1 : 0, 65535, on_message_count)) {
		client_close(&cl);
		return 1;
	}
	if (forget) {
		client_close(&cl);
		printf("forgot=%s\n", client_id);
		return 0;
	}
	/* The broker sends a persistent session's backlog first and the SUBACK
	 * behind it: wait for the SUBACK only as long as messages keep coming, and
	 * no more than SUBACK_WAIT_S after the last one. */
	enum cstate st;
	uint64_t seen_sub = 0;
	int64_t quiet_since = mono_us();
	for (;;) {
		st = wait_state_change(&cl, ST_CONNECTED, 200);
		if (st != ST_CONNECTED || atomic_load(&cl.done_mono_us))
			break;
		uint64_t r = atomic_load(&cl.received);
		if (r != seen_sub) {
			seen_sub = r;
			quiet_since = mono_us();
		} else if (mono_us() - quiet_since > SUBACK_WAIT_S * 1000000LL) {
			break;
		}
	}
	if (st != ST_SUBSCRIBED &&
	    (prime || st != ST_CONNECTED || !atomic_load(&cl.done_mono_us))) {
		fprintf(stderr, "%s: count: not subscribed: %s\n", prog,
			cl.reason[0]		    ? cl.reason
			: atomic_load(&cl.received) ? "no SUBACK within 10 s of the last message"
						    : "no SUBACK within 10 s");
		client_close(&cl);
		return 1;
	}
	if (prime) {
		client_close(&cl);
		printf("primed=%s\n", client_id);
		return 0;
	}

	/* Wait for the count, bounded by --timeout and by --idle without a message. */
	int rc = 0;
	int64_t give_up = t0 + timeout_s * 1000000;
	uint64_t seen = 0;
	int64_t last_progress = mono_us();
	for (;;) {
		struct timespec dl;
		deadline_in(&dl, 200);
		pthread_mutex_lock(&cl.mu);
		if (!atomic_load(&cl.done_mono_us) && cl.state == ST_SUBSCRIBED)
			pthread_cond_timedwait(&cl.cv, &cl.mu, &dl);
		enum cstate s = cl.state;
		pthread_mutex_unlock(&cl.mu);
		if (atomic_load(&cl.done_mono_us))
			break;
		int64_t now = mono_us();
		uint64_t r = atomic_load(&cl.received);
		if (r != seen) {
			seen = r;
			last_progress = now;
		}
		if (s != ST_SUBSCRIBED) {
			fprintf(stderr, "%s: count: %s after %" PRIu64 " messages\n", prog,
				cl.reason, r);
			rc = 1;
			break;
		}
		if (now - last_progress > idle_s * 1000000) {
			fprintf(stderr, "%s: count: no message for %lld s (%" PRIu64 "/%lld)\n",
				prog, idle_s, r, count);
			rc = 1;
			break;
		}
		if (now > give_up) {
			fprintf(stderr, "%s: count: --timeout %lld s reached (%" PRIu64 "/%lld)\n",
				prog, timeout_s, r, count);
			rc = 1;
			break;
		}
	}
	struct rusage ru1;
	getrusage(RUSAGE_SELF, &ru1);
	int64_t done = atomic_load(&cl.done_mono_us), first = atomic_load(&cl.first_mono_us);
	uint64_t got = atomic_load(&cl.received);
	if (!done)
		done = mono_us();
	double el = (double)(done - t0) / 1e6;
	double cpu_us = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e6 +
			(double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) +
			(double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e6 +
			(double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
	/* The rate is of the first N; more may have arrived since. */
	uint64_t counted = rc == 0 ? (uint64_t)count : got;
	printf("received=%" PRIu64 "\n", got);
	printf("counted=%" PRIu64 "\n", counted);
	printf("elapsed_s=%.6f\n", el);
	printf("first_s=%.6f\n", first ? (double)(first - t0) / 1e6 : -1.0);
	printf("rate=%.1f\n", el > 0 ? (double)counted / el : 0.0);
	printf("cpu_us=%.0f\n", cpu_us);
	printf("cpu_us_per_msg=%.2f\n", counted ? cpu_us / (double)counted : 0.0);
	fflush(stdout);
	client_close(&cl);
	return rc;
}

/* ================= /proc probes ================= */

/* utime + stime in clock ticks from a stat line; the comm field may hold
 * spaces and parentheses, so parse after the last ')'. */
static int parse_stat_ticks(const char *line, unsigned long long *ticks)
{
	const char *p = strrchr(line, ')');
	if (!p)
		return -1;
	p++;
	/* fields from 3 (state) on; utime is 14, stime 15 */
	unsigned long long ut = 0, stt = 0;
	int field = 2;
	char *end;
	while (*p && field < 15) {
		while (*p == ' ')
			p++;
		field++;
		if (field == 14)
			ut = strtoull(p, &end, 10);
		else if (field == 15)
			stt = strtoull(p, &end, 10);
		while (*p && *p != ' ')
			p++;
	}
	if (field < 15)
		return -1;
	*ticks = ut + stt;
	return 0;
}

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

static long status_kb(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	if (!p)
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

struct thr {
	long tid;
	char comm[32];
	unsigned long long ticks;
};

static int snapshot_threads(long pid, struct thr **ret, size_t *n, unsigned long long *proc_ticks)
{
	char path[128], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, buf, sizeof(buf)) || parse_stat_ticks(buf, proc_ticks))
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	size_t cap = 16;
	*n = 0;
	*ret = malloc(cap * sizeof(**ret));
	struct dirent *de;
	while (*ret && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		struct thr t = {.tid = strtol(de->d_name, NULL, 10)};
		snprintf(path, sizeof(path), "/proc/%ld/task/%ld/stat", pid, t.tid);
		if (read_small(path, buf, sizeof(buf)) || parse_stat_ticks(buf, &t.ticks))
			continue; /* the thread just ended */
		snprintf(path, sizeof(path), "/proc/%ld/task/%ld/comm", pid, t.tid);
		if (read_small(path, t.comm, sizeof(t.comm)))
			continue;
		for (char *c = t.comm; *c; c++)
			if (*c == '\n')
				*c = '\0';
			else if (*c == ' ' || *c == '=' || *c == '\t')
				*c = '_';
		if (*n == cap) {
			cap *= 2;
			struct thr *nt = realloc(*ret, cap * sizeof(**ret));
			if (!nt)
				break;
			*ret = nt;
		}
		(*ret)[(*n)++] = t;
	}
	closedir(d);
	return *ret ? 0 : -1;
}

enum role { R_LOOP, R_PAHO_RCV, R_PAHO_SEND, R_WRITER, R_OTHER, R_COUNT };
static const char *const role_names[R_COUNT] = {"loop", "paho_rcv", "paho_send", "writer", "other"};

static int cmd_threads(int argc, char **argv)
{
	long long pid = -1, messages = 0;
	const char *since = NULL;
	static const struct option opts[] = {
		{"pid", required_argument, 0, 'p'},
		{"since", required_argument, 0, 's'},
		{"messages", required_argument, 0, 'm'},
		{0, 0, 0, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			pid = opt_ll("pid", optarg, 1, INT32_MAX);
			break;
		case 's':
			since = optarg;
			break;
		case 'm':
			messages = opt_ll("messages", optarg, 0, 1000000000000LL);
			break;
		default:
			die_usage("threads: unknown option");
		}
	}
	if (pid < 0)
		die_usage("threads needs --pid");
	struct thr *th = NULL;
	size_t n = 0;
	unsigned long long proc_ticks;
	if (snapshot_threads((long)pid, &th, &n, &proc_ticks)) {
		fprintf(stderr, "%s: threads: cannot read /proc/%lld\n", prog, pid);
		free(th);
		return 1;
	}
	if (!since) {
		printf("process %llu\n", proc_ticks);
		for (size_t i = 0; i < n; i++)
			printf("thread %ld %llu %s\n", th[i].tid, th[i].ticks, th[i].comm);
		free(th);
		return 0;
	}
	/* Deltas against the earlier snapshot. */
	FILE *f = fopen(since, "re");
	if (!f) {
		fprintf(stderr, "%s: threads: cannot read %s\n", prog, since);
		free(th);
		return 1;
	}
	unsigned long long proc0 = 0;
	char line[256];
	struct thr *old = NULL;
	size_t nold = 0, capold = 0;
	while (fgets(line, sizeof(line), f)) {
		struct thr t = {0};
		if (sscanf(line, "process %llu", &proc0) == 1)
			continue;
		if (sscanf(line, "thread %ld %llu %31s", &t.tid, &t.ticks, t.comm) == 3) {
			if (nold == capold) {
				capold = capold ? capold * 2 : 16;
				struct thr *no = realloc(old, capold * sizeof(*old));
				if (!no)
					break;
				old = no;
			}
			old[nold++] = t;
		}
	}
	fclose(f);
	char pcomm[32] = "";
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lld/comm", pid);
	if (read_small(path, pcomm, sizeof(pcomm)) == 0)
		for (char *c = pcomm; *c; c++)
			if (*c == '\n' || *c == ' ')
				*c = *c == '\n' ? '\0' : '_';
	double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK);
	double by_role[R_COUNT] = {0};
	double *delta = calloc(n ? n : 1, sizeof(*delta));
	int busiest = -1;
	int nthreads_other = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long long before = 0;
		for (size_t j = 0; j < nold; j++)
			if (old[j].tid == th[i].tid)
				before = old[j].ticks;
		delta[i] = (double)(th[i].ticks - before) * tick_us;
		/* The busiest thread that is neither the loop nor paho's and
		 * carries the process's own name is taken for the writer. */
		if (th[i].tid != pid && strncmp(th[i].comm, "MQTTAsync", 9) != 0 &&
		    (strcmp(th[i].comm, pcomm) == 0 || strstr(th[i].comm, "writ") ||
		     strstr(th[i].comm, "pg")) &&
		    (busiest < 0 || delta[i] > delta[busiest]))
			busiest = (int)i;
	}
	for (size_t i = 0; i < n; i++) {
		enum role r;
		if (th[i].tid == pid)
			r = R_LOOP;
		else if (strcmp(th[i].comm, "MQTTAsync_rcv") == 0)
			r = R_PAHO_RCV;
		else if (strcmp(th[i].comm, "MQTTAsync_send") == 0)
			r = R_PAHO_SEND;
		else if ((int)i == busiest)
			r = R_WRITER;
		else {
			r = R_OTHER;
			nthreads_other++;
		}
		by_role[r] += delta[i];
		printf("thread.%ld=%s:%s:%.0f\n", th[i].tid, role_names[r], th[i].comm, delta[i]);
	}
	double total = (double)(proc_ticks - proc0) * tick_us;
	double sum = 0;
	for (int r = 0; r < R_COUNT; r++)
		sum += by_role[r];
	/* Threads that ended since the first snapshot show only in the total. */
	if (total > sum)
		by_role[R_OTHER] += total - sum;
	for (int r = 0; r < R_COUNT; r++) {
		printf("%s_us=%.0f\n", role_names[r], by_role[r]);
		if (messages > 0)
			printf("%s_us_per_msg=%.2f\n", role_names[r],
			       by_role[r] / (double)messages);
	}
	printf("total_us=%.0f\n", total);
	if (messages > 0)
		printf("total_us_per_msg=%.2f\n", total / (double)messages);
	printf("threads=%zu\nother_threads=%d\n", n, nthreads_other);
	free(delta);
	free(old);
	free(th);
	return 0;
}

static volatile sig_atomic_t stop_sampling;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_sampling = 1;
}

static int cmd_sample(int argc, char **argv)
{
	long long pid = -1, interval_ms = 100, max_s = 1800;
	static const struct option opts[] = {
		{"pid", required_argument, 0, 'p'},
		{"interval-ms", required_argument, 0, 'i'},
		{"max-s", required_argument, 0, 'm'},
		{0, 0, 0, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			pid = opt_ll("pid", optarg, 1, INT32_MAX);
			break;
		case 'i':
			interval_ms = opt_ll("interval-ms", optarg, 10, 60000);
			break;
		case 'm':
			max_s = opt_ll("max-s", optarg, 1, 86400);
			break;
		default:
			die_usage("sample: unknown option");
		}
	}
	if (pid < 0)
		die_usage("sample needs --pid");
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	char path[64], status[4096], stat[1024];
	int64_t end = mono_us() + max_s * 1000000;
	int64_t due = mono_us();
	while (!stop_sampling && mono_us() < end) {
		snprintf(path, sizeof(path), "/proc/%lld/status", pid);
		if (read_small(path, status, sizeof(status)))
			break; /* the process is gone */
		snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
		unsigned long long ticks = 0;
		if (read_small(path, stat, sizeof(stat)) || parse_stat_ticks(stat, &ticks))
			break;
		long rss = status_kb(status, "VmRSS:"), hwm = status_kb(status, "VmHWM:");
		if (rss < 0) /* a zombie has no memory lines */
			break;
		printf("%" PRId64 " %ld %ld %llu\n", wall_us() / 1000, rss, hwm, ticks);
		due += interval_ms * 1000;
		int64_t now = mono_us();
		if (due < now)
			due = now;
		sleep_until_mono_us(due);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die_usage("usage: etbench publish|count|threads|sample [options]");
	const char *cmd = argv[1];
	argv[1] = argv[0];
	argc--;
	argv++;
	if (strcmp(cmd, "publish") == 0)
		return cmd_publish(argc, argv);
	if (strcmp(cmd, "count") == 0)
		return cmd_count(argc, argv);
	if (strcmp(cmd, "threads") == 0)
		return cmd_threads(argc, argv);
	if (strcmp(cmd, "sample") == 0)
		return cmd_sample(argc, argv);
	die_usage("unknown subcommand");
	return 2;
}
