/* SPDX-License-Identifier: MIT */
/* One evaluation of every target of the year at one instant: read the
 * targets (db/progress.c), step each target's alert state machine
 * (lib/alert.c), and record each change in drift_event and each mail,
 * pending, in alert_outbox (db/outbox.c), all in one transaction under an
 * advisory lock so that of several daemons exactly one evaluates. Each
 * target runs in a savepoint: one bad row rolls back only its own target,
 * recorded in evaluation_failure, and the others go on. The mails
 * are drawn and built after COMMIT (db/eval_mails.c), never under the lock.
 * Used by enertrackd (at now()) and by `enertrack evaluate` (at any
 * instant, to replay a past year). */
#include "db/evaluate_targets.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/eval_mails.h"
#include "db/outbox.h"
#include "db/pq.h"
#include "db/progress.h"
#include "db/truth_alerts.h"
#include "enertrack/i18n.h"
#include "enertrack/log.h"
#include "enertrack/mail.h"

#define EVAL_LOCK "hashtext('enertrack.evaluate')"

struct eval_ctx {
	PGconn *conn;
	const et_eval_cfg_t *c;
	const char *at; /* "now": the transaction's time */
	et_lang_t lang;
	char err[512];
	bool busy;
	int events, mails;
	/* the revisions of the official statistics (statistic_revision) new
	 * to this round: replaced after mark (NULL: after the beginning of
	 * time), when there was a round before (have_mark); upto is the
	 * newest this round saw, the mark of the next */
	bool have_mark;
	char mark[64], upto[64];
	/* the parts that failed this round, as a PostgreSQL array literal */
	char failed[16384];
	int nfailed;
	bool failed_cut; /* failed[] could not hold them all */
};

static bool exec_ok(struct eval_ctx *al, const char *sql)
{
	return et_pq_exec(al->conn, sql, al->err, sizeof(al->err)) == 0;
}

/* Runs a statement with parameters that returns nothing or a row; the
 * first value of the first row, if any, into ret (retlen bytes). */
static bool run(struct eval_ctx *al, const char *sql, int n, const char *const *p, char *ret,
		size_t retlen)
{
	PGresult *r = PQexecParams(al->conn, sql, n, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
	else if (ret)
		snprintf(ret, retlen, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return ok;
}

static bool store_state(struct eval_ctx *al, const et_progress_t *p, const et_alert_t *now_st)
{
	char state_buf[16], since[40], lastmail[40];
	snprintf(state_buf, sizeof(state_buf), "%s", et_alert_state_name(now_st->state));
	snprintf(since, sizeof(since), "%.6f", now_st->since_us / 1e6);
	snprintf(lastmail, sizeof(lastmail), "%.6f", now_st->last_mail_us / 1e6);
	const char *up[4] = {p->id, state_buf, since, now_st->last_mail_us ? lastmail : NULL};
	return run(al,
		   "INSERT INTO alert_state (target_id, state, since, last_mail_at, drift_pct,"
		   " updated_at) VALUES ($1, $2, to_timestamp($3), to_timestamp($4), NULL, now())"
		   " ON CONFLICT (target_id) DO UPDATE SET state = EXCLUDED.state,"
		   " since = EXCLUDED.since, last_mail_at = EXCLUDED.last_mail_at,"
		   " updated_at = now()",
		   4, up, NULL, 0);
}

static void num_text(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.17g", v);
}

/* The drift_event row; its id into eid. */
static bool insert_event(struct eval_ctx *al, const et_progress_t *p, const et_alert_t *old,
			 const et_alert_t *now_st, enum et_alert_event ev, const char *silenced,
			 char *eid, size_t eidlen)
{
	char drift[32], expected[32], actual[32];
	num_text(drift, sizeof(drift), p->drift_pct);
	num_text(expected, sizeof(expected), p->expected);
	num_text(actual, sizeof(actual), p->actual);
	const char *ep[10] = {p->id,
			      et_alert_state_name(old->state),
			      et_alert_state_name(now_st->state),
			      et_alert_event_name(ev),
			      p->status,
			      isnan(p->drift_pct) ? NULL : drift,
			      isnan(p->expected) ? NULL : expected,
			      isnan(p->actual) ? NULL : actual,
			      al->at,
			      silenced};
	bool ok = run(al,
		      "INSERT INTO drift_event (target_id, from_state, to_state, event, status,"
		      " drift_pct, expected, actual, at, silenced_by)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $10) RETURNING id",
		      10, ep, eid, eidlen);
	log_info("alerts: %s %d [%s]: %s -> %s (%s, drift %.1f %%)", p->label, p->year, p->scope,
		 et_alert_state_name(old->state), et_alert_state_name(now_st->state), p->status,
		 p->drift_pct);
	return ok;
}

/* The revisions behind a change (drift_event_revision): the figures the
 * target uses (its metric or the parts of its ratio, in its scope, of its
 * year, and of the year before for a ratio) that an import revised since
 * the round before, and usable at the instant evaluated; the value each had
 * before this round's first revision of it, and its value now. A firing
 * after pending keeps those of its pending, which is when the status
 * changed. Their number into *n. */
static const char revisions_sql[] =
	"INSERT INTO drift_event_revision (drift_event_id, scope, metric, period, source,"
	"  old_value_in, old_unit_in, new_value_in, new_unit_in)"
	" SELECT DISTINCT ON (r.scope, r.metric, r.period, r.source) $1::bigint, r.scope,"
	"  r.metric, r.period, r.source, r.value_in, r.unit_in, s.value_in, s.unit_in"
	" FROM target t JOIN metric x ON x.name = t.metric"
	" JOIN statistic_revision r ON r.scope = t.scope"
	"  AND r.metric IN (t.metric, x.ratio_num, x.ratio_den, x.ratio_growth)"
	"  AND (r.period LIKE t.year || '%'"
	"   OR (x.ratio_num IS NOT NULL AND r.period LIKE (t.year - 1) || '%'))"
	" JOIN statistic s ON (s.scope, s.metric, s.period, s.source)"
	"  = (r.scope, r.metric, r.period, r.source)"
	" WHERE t.id = $2::integer AND $3::boolean"
	"  AND r.replaced_at > coalesce($4::timestamptz, '-infinity')"
	"  AND (s.published IS NULL OR s.published <= ($5::timestamptz AT TIME ZONE"
	"   (SELECT timezone FROM target_setting))::date)"
	" ORDER BY r.scope, r.metric, r.period, r.source, r.revision"
	" ON CONFLICT DO NOTHING";

static bool note_revisions(struct eval_ctx *al, const et_progress_t *p, const et_alert_t *old,
			   enum et_alert_event ev, const char *eid, int *n)
{
	*n = 0;
	if (ev != ET_AL_EV_PENDING && ev != ET_AL_EV_FIRING && ev != ET_AL_EV_RESOLVED)
		return true;
	if (ev == ET_AL_EV_FIRING && old->state == ET_AL_ST_PENDING) {
		const char *cp[2] = {eid, p->id};
		if (!run(al,
			 "INSERT INTO drift_event_revision SELECT $1::bigint, scope, metric,"
			 " period, source, old_value_in, old_unit_in, new_value_in, new_unit_in"
			 " FROM drift_event_revision WHERE drift_event_id = (SELECT max(id)"
			 "  FROM drift_event WHERE target_id = $2::integer AND event = 'pending'"
			 "  AND id < $1::bigint)",
			 2, cp, NULL, 0))
			return false;
	}
	const char *rp[5] = {eid, p->id, al->have_mark ? "true" : "false",
			     al->mark[0] ? al->mark : NULL, al->at};
	if (!run(al, revisions_sql, 5, rp, NULL, 0))
		return false;
	char count[16];
	const char *cp[1] = {eid};
	if (!run(al, "SELECT count(*) FROM drift_event_revision WHERE drift_event_id = $1::bigint",
		 1, cp, count, sizeof(count)))
		return false;
	*n = atoi(count);
	if (*n)
		log_info(
			"alerts: target %s changed after %d revision(s) of the official statistics",
			p->id, *n);
	return true;
}

/* The change's mail, pending: routed and queued now, in the transaction,
 * with its subject; drawn and built after COMMIT (db/eval_mails.c).
 * nrevisions: the revised figures behind the change (the subject says so). */
static bool queue_mail(struct eval_ctx *al, const et_progress_t *p, enum et_alert_event ev,
		       const char *eid, int nrevisions)
{
	et_mail_report_t rep = et_eval_mail_report(p, ev, al->lang);
	rep.nrevisions = (size_t)nrevisions;
	char subject[512], id[32];
	if (et_mail_subject(&rep, subject, sizeof(subject)) < 0) {
		snprintf(al->err, sizeof(al->err), "cannot word the subject of target %s", p->id);
		return false;
	}
	et_outbox_mail_t m = {.drift_event_id = eid,
			      .scope = p->scope,
			      .base_to = al->c->smtp_to,
			      .subject = subject,
			      .pending_text = ""};
	int rc = et_outbox_queue(al->conn, &m, id, sizeof(id), al->err, sizeof(al->err));
	if (rc == 0)
		/* no recipients configured: the change is recorded, no mail is queued */
		log_warn("alerts: no [smtp] to and no alert_route for %s: no mail for this change",
			 p->scope);
	return rc >= 0;
}

/* Writes the state, the event and (when it notifies) the mail of one target. */
static bool record_change(struct eval_ctx *al, const et_progress_t *p, const et_alert_t *old,
			  const et_alert_t *now_st, enum et_alert_event ev)
{
	if (!store_state(al, p, now_st))
		return false;
	if (ev == ET_AL_EV_NONE)
		return true;
	/* a reminder while a silence or an acknowledgement holds: recorded, not mailed */
	const char *silenced = ev == ET_AL_EV_REPEAT ? p->silenced_by : NULL;
	char eid[32];
	int nrev;
	if (!insert_event(al, p, old, now_st, ev, silenced, eid, sizeof(eid)) ||
	    !note_revisions(al, p, old, ev, eid, &nrev))
		return false;
	if (ev == ET_AL_EV_RESOLVED) {
		/* an acknowledgement lasts until its alert resolves */
		const char *ap[2] = {p->id, al->at};
		if (!run(al,
			 "UPDATE alert_silence SET ended_at = $2::timestamptz"
			 " WHERE target_id = $1 AND kind = 'ack' AND ended_at IS NULL",
			 2, ap, NULL, 0))
			return false;
	}
	if (!et_alert_event_notifies(ev))
		return true;
	if (silenced) {
		log_info("alerts: reminder not mailed: silenced (alert_silence %s)", silenced);
		return true;
	}
	return queue_mail(al, p, ev, eid, nrev);
}

/* Steps one target's state machine and records what changed. */
static bool step_target(struct eval_ctx *al, const et_progress_t *p, int64_t now_us)
{
	const et_eval_cfg_t *c = al->c;
	et_alert_t a = {.state = ET_AL_ST_OK, .since_us = now_us, .last_mail_us = 0};
	bool known = p->alert_state != NULL;
	if (known) {
		if (et_alert_state_parse(p->alert_state, &a.state))
			a.state = ET_AL_ST_OK;
		a.since_us = p->alert_since_us;
		a.last_mail_us = p->alert_last_mail_us;
	}
	bool has_data = strcmp(p->status, "too_early") != 0 &&
			strcmp(p->status, "insufficient_data") != 0 && !isnan(p->drift_pct);
	double bad = has_data ? et_alert_bad_pct(p->kind, p->drift_pct) : NAN;
	et_alert_t old = a;
	/* a target with milestones mails per late project (truth_alerts.c) and
	 * has no drift alert state */
	if (strcmp(p->schedule_used, "milestones") != 0) {
		enum et_alert_event ev = et_alert_step(&a, &c->params, has_data, bad, now_us);
		if (!known || ev != ET_AL_EV_NONE || a.last_mail_us != old.last_mail_us) {
			if (!record_change(al, p, &old, &a, ev))
				return false;
			if (ev != ET_AL_EV_NONE)
				al->events++;
			if (et_alert_event_notifies(ev))
				al->mails++;
		}
	}
	if (c->on_target) {
		char year[16];
		snprintf(year, sizeof(year), "%d", p->year);
		et_eval_target_t t = {.id = p->id,
				      .label = p->label,
				      .metric = p->metric,
				      .year = year,
				      .scope = p->scope,
				      .kind = p->kind,
				      .status = p->status,
				      .drift_pct = p->drift_pct,
				      .state = et_alert_state_name(a.state)};
		c->on_target(c->ctx, &t);
	}
	return true;
}

/* Records a part that failed with al->err (its work rolled back already)
 * in evaluation_failure, logs it when it starts failing and tells
 * on_failure. false when the transaction is gone (the round fails). */
static bool record_failure(struct eval_ctx *al, const char *part, const char *target_id)
{
	char reason[512], rounds[16] = "";
	snprintf(reason, sizeof(reason), "%s", al->err);
	/* PostgreSQL's messages end in a newline */
	for (size_t n = strlen(reason); n && (reason[n - 1] == '\n' || reason[n - 1] == ' ');)
		reason[--n] = '\0';
	const char *p[3] = {part, target_id, reason};
	if (!run(al,
		 "INSERT INTO evaluation_failure AS f (part, target_id, reason)"
		 " VALUES ($1, $2::integer, $3) ON CONFLICT (part) DO UPDATE"
		 " SET reason = EXCLUDED.reason, last_at = now(), rounds = f.rounds + 1"
		 " RETURNING rounds",
		 3, p, rounds, sizeof(rounds)))
		return false;
	if (strcmp(rounds, "1") == 0)
		log_error("alerts: %s fails, the others go on (logged once; see the view "
			  "evaluation_failures): %s",
			  part, reason);
	else
		log_debug("alerts: %s still fails: %s", part, reason);
	/* an element of a PostgreSQL array literal, quoted: a truth row's part
	 * holds its key, which may hold a county's name, a comma or a quote */
	char el[2 * 320 + 4];
	size_t k = 0;
	el[k++] = '"';
	for (const char *c = part; *c && k + 3 < sizeof(el); c++) {
		if (*c == '"' || *c == '\\')
			el[k++] = '\\';
		el[k++] = *c;
	}
	el[k++] = '"';
	el[k] = '\0';
	size_t len = strlen(al->failed);
	if (len + k + 2 < sizeof(al->failed))
		snprintf(al->failed + len, sizeof(al->failed) - len, "%s%s", al->nfailed ? "," : "",
			 el);
	else
		al->failed_cut = true; /* then nothing is cleared this round */
	al->nfailed++;
	if (al->c->on_failure)
		al->c->on_failure(al->c->ctx, part, target_id, reason);
	return true;
}

/* After a part (a target) failed with al->err: rolls it back to its
 * savepoint and records it. false when the connection or the transaction
 * itself is gone (the round fails). */
static bool part_failed(struct eval_ctx *al, const char *sp, const char *part,
			const char *target_id)
{
	char rb[96], err[sizeof(al->err)];
	if (PQstatus(al->conn) != CONNECTION_OK)
		return false;
	snprintf(err, sizeof(err), "%s", al->err);
	/* released too: a savepoint left open per failed target would nest */
	snprintf(rb, sizeof(rb), "ROLLBACK TO SAVEPOINT %s; RELEASE SAVEPOINT %s", sp, sp);
	if (!exec_ok(al, rb))
		return false;
	snprintf(al->err, sizeof(al->err), "%s", err);
	return record_failure(al, part, target_id);
}

/* et_truth_cfg_t.on_failure: a truth row (or kind) rolled back already */
static bool on_truth_failure(void *ctx, const char *part, const char *reason)
{
	struct eval_ctx *al = ctx;
	snprintf(al->err, sizeof(al->err), "%s", reason);
	return record_failure(al, part, NULL);
}

/* Evaluates one target in its own savepoint; false when the round must
 * fail (the connection or the transaction is gone). */
static bool target_in_savepoint(struct eval_ctx *al, const et_progress_t *p, int64_t now_us)
{
	if (!exec_ok(al, "SAVEPOINT et_target"))
		return false;
	if (step_target(al, p, now_us))
		return exec_ok(al, "RELEASE SAVEPOINT et_target");
	char part[48];
	snprintf(part, sizeof(part), "target:%s", p->id);
	return part_failed(al, "et_target", part, p->id);
}

/* The milestone, reconciliation, register, no-data and county-sum mails:
 * each row in a savepoint of its own (db/truth_alerts.c), which records a
 * failure through on_truth_failure; all of them in another, for what no
 * row's savepoint catches. */
static bool truth_in_savepoint(struct eval_ctx *al)
{
	const et_eval_cfg_t *c = al->c;
	et_truth_cfg_t tc = {.smtp_to = c->smtp_to,
			     .milestone_grace_days = c->milestone_grace_days,
			     .reconcile_pct = c->reconcile_pct,
			     .no_data_days = c->no_data_days,
			     .lang = al->lang,
			     .on_failure = on_truth_failure,
			     .ctx = al};
	if (!exec_ok(al, "SAVEPOINT et_truth"))
		return false;
	if (et_truth_evaluate(al->conn, &tc, al->at, &al->mails, al->err, sizeof(al->err)) == 0)
		return exec_ok(al, "RELEASE SAVEPOINT et_truth");
	return part_failed(al, "et_truth", "truth", NULL);
}

/* What evaluates again is no longer a failure: its row goes, logged. */
static bool clear_recovered(struct eval_ctx *al)
{
	if (al->failed_cut)
		return true; /* what failed is not all known: cleared next round */
	char arr[sizeof(al->failed) + 2];
	snprintf(arr, sizeof(arr), "{%s}", al->failed);
	const char *p[1] = {arr};
	PGresult *r = PQexecParams(al->conn,
				   "DELETE FROM evaluation_failure WHERE part <> ALL($1::text[])"
				   " RETURNING part",
				   1, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
	for (int i = 0; ok && i < PQntuples(r); i++)
		log_info("alerts: %s evaluates again", PQgetvalue(r, i, 0));
	PQclear(r);
	return ok;
}

/* A round that failed as a whole, recorded after its ROLLBACK (best
 * effort: without a connection there is nowhere to write it). */
static void round_failed(struct eval_ctx *al)
{
	if (PQstatus(al->conn) != CONNECTION_OK)
		return;
	const char *p[1] = {al->err};
	PGresult *r = PQexecParams(
		al->conn,
		"INSERT INTO evaluation_failure AS f (part, reason)"
		" VALUES ('round', $1) ON CONFLICT (part) DO UPDATE"
		" SET reason = EXCLUDED.reason, last_at = now(), rounds = f.rounds + 1",
		1, NULL, p, NULL, NULL, 0);
	PQclear(r);
}

/* How far the round before had seen the revisions of the statistics, and
 * how far this one sees them (read before any target, so that a revision
 * committed while the round runs stays new to the next). */
static bool read_mark(struct eval_ctx *al)
{
	PGresult *r = PQexec(al->conn, "SELECT (SELECT revisions_upto FROM evaluation_mark),"
				       " EXISTS (SELECT 1 FROM evaluation_mark),"
				       " (SELECT max(replaced_at) FROM statistic_revision)");
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	if (!ok) {
		snprintf(al->err, sizeof(al->err), "%s", PQresultErrorMessage(r));
	} else {
		snprintf(al->mark, sizeof(al->mark), "%s", PQgetvalue(r, 0, 0));
		al->have_mark = PQgetvalue(r, 0, 1)[0] == 't';
		snprintf(al->upto, sizeof(al->upto), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	return ok;
}

static bool write_mark(struct eval_ctx *al)
{
	const char *p[1] = {al->upto[0] ? al->upto : NULL};
	return run(al,
		   "INSERT INTO evaluation_mark (one, revisions_upto, evaluated_at)"
		   " VALUES (true, $1::timestamptz, now()) ON CONFLICT (one) DO UPDATE"
		   " SET revisions_upto = EXCLUDED.revisions_upto, evaluated_at = now()",
		   1, p, NULL, 0);
}

/* Returns false on a database error (rolled back); true when committed or
 * when another daemon held the lock (al->busy). */
static bool evaluate(struct eval_ctx *al)
{
	const et_eval_cfg_t *c = al->c;
	et_progress_set_t set = ET_PROGRESS_SET_INIT;
	char locked[8];
	if (!exec_ok(al, "BEGIN"))
		return false;
	if (!run(al, "SELECT pg_try_advisory_xact_lock(" EVAL_LOCK ")", 0, NULL, locked,
		 sizeof(locked)))
		goto fail;
	if (locked[0] != 't') {
		/* another daemon evaluates this round */
		exec_ok(al, "ROLLBACK");
		al->busy = true;
		return true;
	}
	if (et_pq_use_settings(al->conn, c->tz, c->min_elapsed_pct, c->stale_after_s, true,
			       c->store_settings, al->err, sizeof(al->err)) ||
	    et_truth_use_sources(al->conn, c->statistics_sources, true, c->store_settings, al->err,
				 sizeof(al->err)))
		goto fail;
	if (!read_mark(al))
		goto fail;
	/* the last_year profiles, kept an hour rather than read each time */
	const char *ap[1] = {al->at};
	if (!run(al, "SELECT target_profile_refresh($1::timestamptz)", 1, ap, NULL, 0))
		goto fail;
	if (et_progress_load(al->conn, al->at, al->lang, &set, al->err, sizeof(al->err)))
		goto fail;
	for (size_t i = 0; i < set.n; i++)
		if (!target_in_savepoint(al, &set.rows[i], set.at_us))
			goto fail;
	et_progress_free(&set);
	if (!truth_in_savepoint(al) || !clear_recovered(al) || !write_mark(al))
		goto fail;
	if (!exec_ok(al, "COMMIT"))
		goto fail;
	return true;
fail:
	et_progress_free(&set);
	PQclear(PQexec(al->conn, "ROLLBACK"));
	round_failed(al);
	return false;
}

int et_evaluate(PGconn *conn, const et_eval_cfg_t *c, const char *at, et_eval_result_t *ret,
		char *err, size_t errlen)
{
	/* "now" is PostgreSQL's transaction time, the same as now() */
	struct eval_ctx ctx = {.conn = conn, .c = c, .at = at ? at : "now", .lang = c->lang};
	bool ok = evaluate(&ctx);
	if (ret) {
		ret->busy = ctx.busy;
		ret->events = ctx.events;
		ret->mails = ctx.mails;
		ret->failed = ctx.nfailed;
	}
	if (!ok) {
		snprintf(err, errlen, "%s", ctx.err);
		return -EIO;
	}
	if (ctx.busy)
		return 0;
	/* committed: now the charts and the messages, with no lock held */
	et_eval_mail_cfg_t mc = {.tz = c->tz,
				 .min_elapsed_pct = c->min_elapsed_pct,
				 .stale_after_s = c->stale_after_s,
				 .statistics_sources = c->statistics_sources,
				 .smtp_from = c->smtp_from,
				 .lang = ctx.lang};
	if (et_eval_mails_finish(conn, &mc, ctx.err, sizeof(ctx.err)) < 0) {
		snprintf(err, errlen, "the changes are recorded; their mails wait: %s", ctx.err);
		return -EIO;
	}
	return 0;
}
