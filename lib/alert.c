/* SPDX-License-Identifier: MIT */
/* The alert state machine. It decides; it does not store, log or mail: the
 * alerts thread (daemon/alerts.c) does that with what this returns. The gap
 * between resolve_pct and fire_pct is the hysteresis that keeps a drift
 * hovering near one threshold from sending a mail per evaluation. */
#include "enertrack/alert.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

double et_alert_bad_pct(const char *kind, double drift_pct)
{
	if (!kind)
		return NAN;
	if (strcmp(kind, "about") == 0)
		return fabs(drift_pct);
	if (strcmp(kind, "at_least") == 0 || strcmp(kind, "reduce_by_pct") == 0)
		return -drift_pct;
	return NAN;
}

/* Whether d microseconds have passed from since to now. Computed in
 * unsigned arithmetic so that no pair of timestamps can overflow; a clock
 * that went backwards counts as nothing elapsed. */
static bool reached(int64_t now, int64_t since, int64_t d)
{
	if (now < since)
		return d <= 0;
	return (uint64_t)now - (uint64_t)since >= (uint64_t)d;
}

static enum et_alert_event go(et_alert_t *a, enum et_alert_state to, enum et_alert_event ev,
			      int64_t now)
{
	a->state = to;
	a->since_us = now;
	if (et_alert_event_notifies(ev))
		a->last_mail_us = now;
	return ev;
}

enum et_alert_event et_alert_step(et_alert_t *a, const et_alert_params_t *p, bool has_data,
				  double bad_pct, int64_t now_us)
{
	if (isnan(bad_pct))
		has_data = false;
	bool bad = has_data && bad_pct >= p->fire_pct;
	switch (a->state) {
	case ET_AL_ST_PENDING:
		if (!bad)
			return go(a, ET_AL_ST_OK, ET_AL_EV_CANCELLED, now_us);
		if (reached(now_us, a->since_us, p->pending_us))
			return go(a, ET_AL_ST_FIRING, ET_AL_EV_FIRING, now_us);
		return ET_AL_EV_NONE;
	case ET_AL_ST_FIRING:
		/* Without data nothing is known: the alert stays as it is, and
		 * reminding about a figure nobody can see would be noise. */
		if (!has_data)
			return ET_AL_EV_NONE;
		if (bad_pct <= p->resolve_pct)
			return go(a, ET_AL_ST_OK, ET_AL_EV_RESOLVED, now_us);
		if (p->repeat_us > 0 && reached(now_us, a->last_mail_us, p->repeat_us)) {
			a->last_mail_us = now_us; /* still firing since the same time */
			return ET_AL_EV_REPEAT;
		}
		return ET_AL_EV_NONE;
	case ET_AL_ST_OK:
	default:
		if (a->state != ET_AL_ST_OK) {
			/* A state read from elsewhere that this code does not know. */
			a->state = ET_AL_ST_OK;
			a->since_us = now_us;
		}
		if (!bad)
			return ET_AL_EV_NONE;
		if (p->pending_us <= 0)
			return go(a, ET_AL_ST_FIRING, ET_AL_EV_FIRING, now_us);
		return go(a, ET_AL_ST_PENDING, ET_AL_EV_PENDING, now_us);
	}
}

bool et_alert_event_notifies(enum et_alert_event ev)
{
	return ev == ET_AL_EV_FIRING || ev == ET_AL_EV_REPEAT || ev == ET_AL_EV_RESOLVED;
}

static const char *const state_names[] = {
	[ET_AL_ST_OK] = "ok",
	[ET_AL_ST_PENDING] = "pending",
	[ET_AL_ST_FIRING] = "firing",
};

static const char *const event_names[] = {
	[ET_AL_EV_NONE] = "none",	    [ET_AL_EV_PENDING] = "pending",
	[ET_AL_EV_CANCELLED] = "cancelled", [ET_AL_EV_FIRING] = "firing",
	[ET_AL_EV_REPEAT] = "repeat",	    [ET_AL_EV_RESOLVED] = "resolved",
};

const char *et_alert_state_name(enum et_alert_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[s];
}

int et_alert_state_parse(const char *name, enum et_alert_state *ret)
{
	if (!name)
		return -EINVAL;
	for (unsigned i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*ret = (enum et_alert_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *et_alert_event_name(enum et_alert_event ev)
{
	if ((unsigned)ev >= sizeof(event_names) / sizeof(event_names[0]))
		return "unknown";
	return event_names[ev];
}

int et_alert_params_check(const et_alert_params_t *p, char *err, size_t errlen)
{
	const char *why = NULL;
	char tmp[160];
	if (!isfinite(p->fire_pct) || p->fire_pct < 0) {
		snprintf(tmp, sizeof(tmp), "fire_pct (%g) must be a finite number >= 0",
			 p->fire_pct);
		why = tmp;
	} else if (!isfinite(p->resolve_pct) || p->resolve_pct < 0) {
		snprintf(tmp, sizeof(tmp), "resolve_pct (%g) must be a finite number >= 0",
			 p->resolve_pct);
		why = tmp;
	} else if (!(p->resolve_pct < p->fire_pct)) {
		snprintf(tmp, sizeof(tmp), "resolve_pct (%g) must be smaller than fire_pct (%g)",
			 p->resolve_pct, p->fire_pct);
		why = tmp;
	} else if (p->pending_us < 0) {
		why = "pending_us must be >= 0";
	} else if (p->repeat_us < 0) {
		why = "repeat_us must be >= 0 (0 = no reminders)";
	}
	if (!why)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return -EINVAL;
}
