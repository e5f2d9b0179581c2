/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/alert.c: sequences of evaluations (has_data, bad %,
 * time) and the exact event, state, since and last-mail time after each,
 * including values hovering around either threshold (no flapping), data
 * going away, reminders, and the names stored in SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/alert.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define S	     1000000LL /* one second in microseconds */
#define T0	     1700000000LL * S

enum { OK = ET_AL_ST_OK, PEND = ET_AL_ST_PENDING, FIRE = ET_AL_ST_FIRING };
enum {
	NONE = ET_AL_EV_NONE,
	EV_PEND = ET_AL_EV_PENDING,
	CANCEL = ET_AL_EV_CANCELLED,
	EV_FIRE = ET_AL_EV_FIRING,
	REPEAT = ET_AL_EV_REPEAT,
	RESOLVE = ET_AL_EV_RESOLVED,
};

struct step {
	bool has_data;
	double bad;
	int64_t now; /* seconds after T0 */
	int ev, state;
	int64_t since, last_mail; /* seconds after T0; last_mail -1 = never (0) */
};

#define MAX_STEPS 16
static const struct scenario {
	const char *name;
	et_alert_params_t p; /* times in seconds, scaled by the test */
	struct step steps[MAX_STEPS];
	size_t n;
} scenarios[] = {
	{"plain life: pending, firing, reminders, resolved",
	 {5, 3, 3600, 86400},
	 {{true, 1.0, 0, NONE, OK, 0, -1},
	  {true, 6.0, 60, EV_PEND, PEND, 60, -1},
	  {true, 6.5, 1800, NONE, PEND, 60, -1},
	  {true, 7.0, 3659, NONE, PEND, 60, -1},
	  {true, 7.0, 3660, EV_FIRE, FIRE, 3660, 3660},
	  {true, 8.0, 3720, NONE, FIRE, 3660, 3660},
	  {true, 8.0, 3660 + 86399, NONE, FIRE, 3660, 3660},
	  {true, 8.0, 3660 + 86400, REPEAT, FIRE, 3660, 3660 + 86400},
	  {true, 8.0, 3660 + 86460, NONE, FIRE, 3660, 3660 + 86400},
	  {true, 4.0, 3660 + 2 * 86400, REPEAT, FIRE, 3660, 3660 + 2 * 86400},
	  {true, 3.0, 3660 + 2 * 86400 + 60, RESOLVE, OK, 3660 + 2 * 86400 + 60,
	   3660 + 2 * 86400 + 60},
	  {true, 4.9, 3660 + 3 * 86400, NONE, OK, 3660 + 2 * 86400 + 60, 3660 + 2 * 86400 + 60}},
	 12},
	{"flapping around fire_pct with a pending time: pending, cancelled, never firing",
	 {5, 3, 3600, 86400},
	 {{true, 4.9, 0, NONE, OK, 0, -1},
	  {true, 5.1, 600, EV_PEND, PEND, 600, -1},
	  {true, 4.9, 1200, CANCEL, OK, 1200, -1},
	  {true, 5.1, 1800, EV_PEND, PEND, 1800, -1},
	  {true, 4.9, 5400, CANCEL, OK, 5400, -1},
	  {true, 5.1, 6000, EV_PEND, PEND, 6000, -1},
	  {true, 4.9, 9600, CANCEL, OK, 9600, -1}},
	 7},
	{"flapping around fire_pct once firing: no mail until resolve_pct",
	 {5, 3, 0, 0},
	 {{true, 5.1, 0, EV_FIRE, FIRE, 0, 0},
	  {true, 4.9, 60, NONE, FIRE, 0, 0},
	  {true, 5.1, 120, NONE, FIRE, 0, 0},
	  {true, 4.9, 180, NONE, FIRE, 0, 0},
	  {true, 5.1, 240, NONE, FIRE, 0, 0},
	  {true, 3.01, 300, NONE, FIRE, 0, 0},
	  {true, 3.0, 360, RESOLVE, OK, 360, 360}},
	 7},
	{"flapping around resolve_pct: one resolution, quiet after",
	 {5, 3, 0, 0},
	 {{true, 9.0, 0, EV_FIRE, FIRE, 0, 0},
	  {true, 3.1, 60, NONE, FIRE, 0, 0},
	  {true, 2.9, 120, RESOLVE, OK, 120, 120},
	  {true, 3.1, 180, NONE, OK, 120, 120},
	  {true, 2.9, 240, NONE, OK, 120, 120},
	  {true, 3.1, 300, NONE, OK, 120, 120},
	  {true, 4.99, 360, NONE, OK, 120, 120}},
	 7},
	{"fire_pct is inclusive, resolve_pct is inclusive",
	 {5, 3, 0, 0},
	 {{true, 5.0, 10, EV_FIRE, FIRE, 10, 10},
	  {true, 3.0000001, 20, NONE, FIRE, 10, 10},
	  {true, 3.0, 30, RESOLVE, OK, 30, 30}},
	 3},
	{"pending_us 0 fires at once",
	 {5, 3, 0, 3600},
	 {{true, 12.0, 100, EV_FIRE, FIRE, 100, 100},
	  {true, 12.0, 3699, NONE, FIRE, 100, 100},
	  {true, 12.0, 3700, REPEAT, FIRE, 100, 3700}},
	 3},
	{"repeat_us 0: no reminders, ever",
	 {5, 3, 60, 0},
	 {{true, 6.0, 0, EV_PEND, PEND, 0, -1},
	  {true, 6.0, 60, EV_FIRE, FIRE, 60, 60},
	  {true, 6.0, 86400, NONE, FIRE, 60, 60},
	  {true, 6.0, 86400 * 365, NONE, FIRE, 60, 60},
	  {true, -1.0, 86400 * 366, RESOLVE, OK, 86400 * 366, 86400 * 366}},
	 5},
	{"data going away cancels a pending alert",
	 {5, 3, 3600, 86400},
	 {{true, 6.0, 0, EV_PEND, PEND, 0, -1},
	  {false, 6.0, 60, CANCEL, OK, 60, -1},
	  {false, 6.0, 7200, NONE, OK, 60, -1},
	  {true, 6.0, 7260, EV_PEND, PEND, 7260, -1},
	  {true, NAN, 7320, CANCEL, OK, 7320, -1}},
	 5},
	{"without data a firing alert neither resolves nor reminds",
	 {5, 3, 0, 3600},
	 {{true, 6.0, 0, EV_FIRE, FIRE, 0, 0},
	  {false, 0.0, 60, NONE, FIRE, 0, 0},
	  {false, 6.0, 3600, NONE, FIRE, 0, 0},
	  {false, 6.0, 36000, NONE, FIRE, 0, 0},
	  {true, NAN, 40000, NONE, FIRE, 0, 0},
	  /* data is back and still bad: the overdue reminder goes now */
	  {true, 6.0, 40060, REPEAT, FIRE, 0, 40060},
	  {false, 1.0, 50000, NONE, FIRE, 0, 40060},
	  {true, 1.0, 50060, RESOLVE, OK, 50060, 50060}},
	 8},
	{"no data in ok: nothing happens, even with a bad figure",
	 {5, 3, 0, 3600},
	 {{false, 50.0, 0, NONE, OK, 0, -1},
	  {true, NAN, 60, NONE, OK, 0, -1},
	  {true, 4.0, 120, NONE, OK, 0, -1}},
	 3},
	{"a negative bad (ahead of schedule) is good",
	 {5, 3, 0, 0},
	 {{true, -40.0, 0, NONE, OK, 0, -1},
	  {true, 5.5, 60, EV_FIRE, FIRE, 60, 60},
	  {true, -0.5, 120, RESOLVE, OK, 120, 120}},
	 3},
	{"infinite bad fires, like any large value",
	 {5, 3, 0, 0},
	 {{true, INFINITY, 0, EV_FIRE, FIRE, 0, 0}, {true, -INFINITY, 60, RESOLVE, OK, 60, 60}},
	 2},
	{"a clock going backwards does not fire a pending alert early",
	 {5, 3, 600, 3600},
	 {{true, 6.0, 10000, EV_PEND, PEND, 10000, -1},
	  {true, 6.0, 5000, NONE, PEND, 10000, -1},
	  {true, 6.0, 10599, NONE, PEND, 10000, -1},
	  {true, 6.0, 10600, EV_FIRE, FIRE, 10600, 10600},
	  {true, 6.0, 1000, NONE, FIRE, 10600, 10600},
	  {true, 6.0, 14200, REPEAT, FIRE, 10600, 14200}},
	 6},
	{"resolve_pct 0: only a drift of exactly 0 (or better) resolves",
	 {0.5, 0, 0, 0},
	 {{true, 0.2, 0, NONE, OK, 0, -1},
	  {true, 0.5, 60, EV_FIRE, FIRE, 60, 60},
	  {true, 0.1, 120, NONE, FIRE, 60, 60},
	  {true, 0.0, 180, RESOLVE, OK, 180, 180}},
	 4},
};

static const char *ev_name(int ev)
{
	return et_alert_event_name((enum et_alert_event)ev);
}
static const char *st_name(int st)
{
	return et_alert_state_name((enum et_alert_state)st);
}

static void test_sequences(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(scenarios); i++) {
		const struct scenario *sc = &scenarios[i];
		assert_true(sc->n > 0 && sc->n <= MAX_STEPS);
		et_alert_params_t p = sc->p;
		p.pending_us *= S;
		p.repeat_us *= S;
		assert_int_equal(et_alert_params_check(&p, NULL, 0), 0);
		/* as the daemon starts a target it has never seen */
		et_alert_t a = {.state = ET_AL_ST_OK, .since_us = T0, .last_mail_us = 0};
		for (size_t k = 0; k < sc->n; k++) {
			const struct step *s = &sc->steps[k];
			int64_t now = T0 + s->now * S;
			enum et_alert_event ev = et_alert_step(&a, &p, s->has_data, s->bad, now);
			int64_t since = T0 + s->since * S;
			int64_t last = s->last_mail < 0 ? 0 : T0 + s->last_mail * S;
			if ((int)ev != s->ev || (int)a.state != s->state || a.since_us != since ||
			    a.last_mail_us != last)
				fail_msg("%s, step %zu (data %d, bad %g, t %lld): %s -> %s since "
					 "%lld "
					 "mail %lld; want %s -> %s since %lld mail %lld",
					 sc->name, k, s->has_data, s->bad, (long long)s->now,
					 ev_name((int)ev), st_name((int)a.state),
					 (long long)((a.since_us - T0) / S),
					 (long long)(a.last_mail_us ? (a.last_mail_us - T0) / S
								    : -1),
					 ev_name(s->ev), st_name(s->state), (long long)s->since,
					 (long long)s->last_mail);
		}
	}
}

/* A mail goes out exactly on FIRING, REPEAT and RESOLVED, and each of
 * those sets last_mail_us; no other event touches it. */
static void test_notifies(void **state)
{
	(void)state;
	static const struct {
		enum et_alert_event ev;
		bool notifies;
	} t[] = {
		{ET_AL_EV_NONE, false},		  {ET_AL_EV_PENDING, false},
		{ET_AL_EV_CANCELLED, false},	  {ET_AL_EV_FIRING, true},
		{ET_AL_EV_REPEAT, true},	  {ET_AL_EV_RESOLVED, true},
		{(enum et_alert_event)99, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (et_alert_event_notifies(t[i].ev) != t[i].notifies)
			fail_msg("event %d", (int)t[i].ev);
	/* across every scenario, last_mail_us moves iff the event notifies */
	for (size_t i = 0; i < ARRAY_LEN(scenarios); i++) {
		et_alert_params_t p = scenarios[i].p;
		p.pending_us *= S;
		p.repeat_us *= S;
		et_alert_t a = {.state = ET_AL_ST_OK, .since_us = T0, .last_mail_us = 0};
		for (size_t k = 0; k < scenarios[i].n; k++) {
			const struct step *s = &scenarios[i].steps[k];
			int64_t before = a.last_mail_us;
			enum et_alert_event ev =
				et_alert_step(&a, &p, s->has_data, s->bad, T0 + s->now * S);
			bool moved = a.last_mail_us != before;
			if (moved != et_alert_event_notifies(ev))
				fail_msg("%s step %zu: event %s, last_mail moved %d",
					 scenarios[i].name, k, et_alert_event_name(ev), moved);
		}
	}
}

/* Each state started from a stored row (as the daemon reads alert_state),
 * against every kind of input. */
static void test_from_stored_state(void **state)
{
	(void)state;
	const et_alert_params_t p = {5, 3, 600 * S, 3600 * S};
	static const struct {
		int from;
		int64_t since, last; /* seconds after T0 */
		bool has_data;
		double bad;
		int64_t now;
		int ev, to;
	} t[] = {
		/* stored pending, restarted daemon, held long enough */
		{PEND, 0, 0, true, 6, 600, EV_FIRE, FIRE},
		{PEND, 0, 0, true, 6, 599, NONE, PEND},
		{PEND, 0, 0, true, 4, 10000, CANCEL, OK},
		{PEND, 0, 0, false, 6, 10000, CANCEL, OK},
		{FIRE, 0, 0, true, 6, 3600, REPEAT, FIRE},
		{FIRE, 0, 3000, true, 6, 3600, NONE, FIRE},
		{FIRE, 0, 3000, true, 6, 6600, REPEAT, FIRE},
		{FIRE, 0, 0, true, 2, 60, RESOLVE, OK},
		{FIRE, 0, 0, false, 2, 60, NONE, FIRE},
		{OK, 0, 0, true, 5, 60, EV_PEND, PEND},
		{OK, 0, 0, true, 4.999, 60, NONE, OK},
		/* a state this code does not know is taken as ok */
		{42, 0, 0, true, 1, 60, NONE, OK},
		{42, 0, 0, true, 7, 60, EV_PEND, PEND},
		{-1, 0, 0, true, 7, 60, EV_PEND, PEND},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_alert_t a = {.state = (enum et_alert_state)t[i].from,
				.since_us = T0 + t[i].since * S,
				.last_mail_us = T0 + t[i].last * S};
		enum et_alert_event ev =
			et_alert_step(&a, &p, t[i].has_data, t[i].bad, T0 + t[i].now * S);
		if ((int)ev != t[i].ev || (int)a.state != t[i].to)
			fail_msg("case %zu: %s -> %s, want %s -> %s", i, ev_name((int)ev),
				 st_name((int)a.state), ev_name(t[i].ev), st_name(t[i].to));
		if (ev == ET_AL_EV_NONE && t[i].from >= 0 && t[i].from <= 2)
			assert_int_equal(a.since_us, T0 + t[i].since * S);
		if (ev != ET_AL_EV_NONE && ev != ET_AL_EV_REPEAT)
			assert_int_equal(a.since_us, T0 + t[i].now * S);
	}
}

/* Extreme timestamps neither overflow (UBSan would stop the test) nor
 * fire early. */
static void test_extreme_times(void **state)
{
	(void)state;
	const et_alert_params_t p = {5, 3, INT64_MAX, INT64_MAX};
	et_alert_t a = {.state = ET_AL_ST_PENDING, .since_us = 1, .last_mail_us = 0};
	assert_int_equal(et_alert_step(&a, &p, true, 6, INT64_MAX), ET_AL_EV_NONE);
	assert_int_equal(a.state, ET_AL_ST_PENDING);
	a.since_us = 0;
	assert_int_equal(et_alert_step(&a, &p, true, 6, INT64_MAX), ET_AL_EV_FIRING);

	const et_alert_params_t q = {5, 3, 1, 1};
	a = (et_alert_t){.state = ET_AL_ST_PENDING, .since_us = INT64_MIN};
	assert_int_equal(et_alert_step(&a, &q, true, 6, INT64_MAX), ET_AL_EV_FIRING);
	assert_int_equal(a.last_mail_us, INT64_MAX);
	a.last_mail_us = INT64_MIN;
	assert_int_equal(et_alert_step(&a, &q, true, 6, INT64_MAX), ET_AL_EV_REPEAT);
	/* last mail in the future (clock went back): no reminder */
	a.last_mail_us = INT64_MAX;
	assert_int_equal(et_alert_step(&a, &q, true, 6, INT64_MIN), ET_AL_EV_NONE);
}

static void test_bad_pct(void **state)
{
	(void)state;
	static const struct {
		const char *kind;
		double drift, bad;
	} t[] = {
		{"about", -8.1, 8.1},
		{"about", 3.2, 3.2},
		{"about", 0, 0},
		{"at_least", -8.1, 8.1},
		{"at_least", 3.2, -3.2}, /* ahead: not bad */
		{"at_least", 0, 0},
		{"reduce_by_pct", -12.5, 12.5},
		{"reduce_by_pct", 40, -40},
		{"about", -INFINITY, INFINITY},
		{"at_least", -INFINITY, INFINITY},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		double got = et_alert_bad_pct(t[i].kind, t[i].drift);
		if (got != t[i].bad)
			fail_msg("%s %g: %g, want %g", t[i].kind, t[i].drift, got, t[i].bad);
	}
	/* NaN in, or a kind this code does not know: NaN, i.e. no data */
	static const char *const nan_kinds[] = {"About", "at least", "", "reduce_by", "at_most"};
	for (size_t i = 0; i < ARRAY_LEN(nan_kinds); i++)
		assert_true(isnan(et_alert_bad_pct(nan_kinds[i], -50)));
	assert_true(isnan(et_alert_bad_pct(NULL, -50)));
	assert_true(isnan(et_alert_bad_pct("about", NAN)));
	assert_true(isnan(et_alert_bad_pct("at_least", NAN)));
	assert_true(isnan(et_alert_bad_pct("reduce_by_pct", NAN)));
}

/* The names are stored in SQL (alert_state.state, drift_event.event) and
 * must not change; they parse back. */
static void test_names(void **state)
{
	(void)state;
	static const struct {
		enum et_alert_state s;
		const char *name;
	} st[] = {{ET_AL_ST_OK, "ok"}, {ET_AL_ST_PENDING, "pending"}, {ET_AL_ST_FIRING, "firing"}};
	for (size_t i = 0; i < ARRAY_LEN(st); i++) {
		assert_string_equal(et_alert_state_name(st[i].s), st[i].name);
		enum et_alert_state back = (enum et_alert_state)99;
		assert_int_equal(et_alert_state_parse(st[i].name, &back), 0);
		assert_int_equal(back, st[i].s);
	}
	assert_string_equal(et_alert_state_name((enum et_alert_state)3), "unknown");
	assert_string_equal(et_alert_state_name((enum et_alert_state) - 1), "unknown");
	static const char *const bad[] = {"",	 "OK",	     "Firing",	"fire",	 "firing ",
					  " ok", "resolved", "unknown", "pendin"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		enum et_alert_state s = ET_AL_ST_FIRING;
		if (et_alert_state_parse(bad[i], &s) != -EINVAL)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(s, ET_AL_ST_FIRING); /* untouched */
	}
	enum et_alert_state s = ET_AL_ST_OK;
	assert_int_equal(et_alert_state_parse(NULL, &s), -EINVAL);

	static const struct {
		enum et_alert_event ev;
		const char *name;
	} ev[] = {
		{ET_AL_EV_NONE, "none"},
		{ET_AL_EV_PENDING, "pending"},
		{ET_AL_EV_CANCELLED, "cancelled"},
		{ET_AL_EV_FIRING, "firing"},
		{ET_AL_EV_REPEAT, "repeat"},
		{ET_AL_EV_RESOLVED, "resolved"},
		{(enum et_alert_event)6, "unknown"},
		{(enum et_alert_event) - 3, "unknown"},
	};
	for (size_t i = 0; i < ARRAY_LEN(ev); i++)
		assert_string_equal(et_alert_event_name(ev[i].ev), ev[i].name);
}

static void test_params_check(void **state)
{
	(void)state;
	static const struct {
		et_alert_params_t p;
		const char *err; /* NULL: valid; else a substring of the reason */
	} t[] = {
		{{5, 3, 3600 * S, 86400 * S}, NULL},
		{{5, 0, 0, 0}, NULL},
		{{0.001, 0, 0, 0}, NULL},
		{{1000, 999.9, INT64_MAX, INT64_MAX}, NULL},
		{{5, 5, 0, 0}, "resolve_pct (5) must be smaller than fire_pct (5)"},
		{{3, 5, 0, 0}, "resolve_pct (5) must be smaller than fire_pct (3)"},
		{{0, 0, 0, 0}, "resolve_pct (0) must be smaller than fire_pct (0)"},
		{{-1, -2, 0, 0}, "fire_pct (-1)"},
		{{5, -1, 0, 0}, "resolve_pct (-1)"},
		{{NAN, 3, 0, 0}, "fire_pct (nan)"},
		{{5, NAN, 0, 0}, "resolve_pct (nan)"},
		{{INFINITY, 3, 0, 0}, "fire_pct (inf)"},
		{{5, 3, -1, 0}, "pending_us"},
		{{5, 3, 0, -1}, "repeat_us"},
		{{5, 3, INT64_MIN, 0}, "pending_us"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		char err[128] = "untouched";
		int rc = et_alert_params_check(&t[i].p, err, sizeof(err));
		if (!t[i].err) {
			if (rc != 0)
				fail_msg("case %zu: %d (%s)", i, rc, err);
			assert_string_equal(err, "untouched");
		} else {
			if (rc != -EINVAL)
				fail_msg("case %zu: %d, want -EINVAL", i, rc);
			if (!strstr(err, t[i].err))
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, t[i].err);
		}
	}
	/* a short or absent error buffer */
	et_alert_params_t p = {5, 5, 0, 0};
	char tiny[8];
	assert_int_equal(et_alert_params_check(&p, tiny, sizeof(tiny)), -EINVAL);
	assert_int_equal(strlen(tiny), 7);
	assert_int_equal(et_alert_params_check(&p, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),	  cmocka_unit_test(test_notifies),
		cmocka_unit_test(test_from_stored_state), cmocka_unit_test(test_extreme_times),
		cmocka_unit_test(test_bad_pct),		  cmocka_unit_test(test_names),
		cmocka_unit_test(test_params_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
