/* SPDX-License-Identifier: MIT */
/* The alert state machine of one target (docs/architecture.md, "Targets and alerts"):
 * ok -> pending -> firing -> ok, with a smaller tolerance to resolve than to
 * fire and reminders while firing. Pure: the caller supplies the time, reads
 * and stores the state (alert_state in SQL) and sends the mails. Any thread;
 * an et_alert_t belongs to whoever evaluates its target. */
#ifndef ENERTRACK_ALERT_H
#define ENERTRACK_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum et_alert_state { ET_AL_ST_OK = 0, ET_AL_ST_PENDING, ET_AL_ST_FIRING };

/* What one evaluation did: the transition taken, or NONE. */
enum et_alert_event {
	ET_AL_EV_NONE = 0,
	ET_AL_EV_PENDING,   /* ok -> pending: the drift crossed fire_pct */
	ET_AL_EV_CANCELLED, /* pending -> ok: it went back (or the data went away) in time */
	ET_AL_EV_FIRING,    /* pending (or ok, when pending_us is 0) -> firing */
	ET_AL_EV_REPEAT,    /* firing -> firing: a reminder is due */
	ET_AL_EV_RESOLVED,  /* firing -> ok: the drift came back to resolve_pct or less */
};

typedef struct et_alert_params {
	double fire_pct;    /* bad >= fire_pct starts (and keeps) a pending alert */
	double resolve_pct; /* bad <= resolve_pct resolves a firing alert; < fire_pct */
	int64_t pending_us; /* how long bad must hold before firing; 0 fires at once */
	int64_t repeat_us;  /* reminder interval while firing; 0 = no reminders */
} et_alert_params_t;

typedef struct et_alert {
	enum et_alert_state state;
	int64_t since_us;     /* when the current state was entered */
	int64_t last_mail_us; /* when the last notifying event happened; 0 = never */
} et_alert_t;

/* How far a drift (in %, signed, (actual - expected) / expected) is in the
 * bad direction, in %: "about" -> |drift|; "at_least" and "reduce_by_pct"
 * -> -drift (only a shortfall is bad, so being ahead is negative). A NULL or
 * unknown kind, or a NaN drift, gives NaN, which et_alert_step treats as no
 * data. kind is borrowed. */
double et_alert_bad_pct(const char *kind, double drift_pct);

/* One evaluation at now_us. has_data is false when the target is too_early
 * or has insufficient_data; a NaN bad_pct counts as no data too. Updates *a
 * and returns the transition taken:
 *   ok:      bad >= fire_pct -> pending (PENDING), or straight to firing
 *            (FIRING) when pending_us is 0;
 *   pending: no data or bad < fire_pct -> ok (CANCELLED); bad >= fire_pct
 *            held for pending_us since entering pending -> firing (FIRING);
 *   firing:  bad <= resolve_pct -> ok (RESOLVED); otherwise, with data and
 *            repeat_us > 0, a reminder every repeat_us (REPEAT). Without
 *            data a firing alert neither resolves nor reminds.
 * Every transition sets since_us = now_us; every event that notifies
 * (et_alert_event_notifies) sets last_mail_us = now_us. A clock that went
 * backwards counts as no time elapsed. An unknown a->state is taken as ok.
 * p must have passed et_alert_params_check. */
enum et_alert_event et_alert_step(et_alert_t *a, const et_alert_params_t *p, bool has_data,
				  double bad_pct, int64_t now_us);

/* True for the events that send a mail: FIRING, REPEAT and RESOLVED. */
bool et_alert_event_notifies(enum et_alert_event ev);

/* "ok", "pending", "firing" (stored in SQL: stable), or "unknown". Static. */
const char *et_alert_state_name(enum et_alert_state s);
/* The inverse of et_alert_state_name (exact, case-sensitive). name is
 * borrowed. Returns 0 and *ret, or -EINVAL (and *ret unchanged). */
int et_alert_state_parse(const char *name, enum et_alert_state *ret)
	__attribute__((warn_unused_result));
/* "none", "pending", "cancelled", "firing", "repeat", "resolved" (stored in
 * SQL: stable), or "unknown". Static. */
const char *et_alert_event_name(enum et_alert_event ev);

/* Checks p: both percentages finite and >= 0, resolve_pct < fire_pct,
 * pending_us >= 0, repeat_us >= 0. Returns 0, or -EINVAL with the reason in
 * err (errlen bytes, may be NULL/0). */
int et_alert_params_check(const et_alert_params_t *p, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
