/* SPDX-License-Identifier: MIT */
/* What the parts of daemon/alerts.h share, and nothing outside them sees:
 * the state of the two threads (struct et_alerts), their settings, and the
 * small helpers both threads use. The periodic jobs run on one thread
 * (daemon/jobs.c and its job_*.c adapters), the mail outbox on the other
 * (daemon/mailer.c, sending through daemon/smtp.c); daemon/alerts.c starts,
 * reconfigures and stops them on the loop thread. */
#ifndef ENERTRACK_DAEMON_ALERTS_INT_H
#define ENERTRACK_DAEMON_ALERTS_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include "enertrack/i18n.h"
#include <stdint.h>

#include "alerts.h"
#include "db/evaluate_targets.h"
#include "db/maintain.h"
#include "enertrack/alert.h"
#include "enertrack/buf.h"

/* The settings the threads read, swapped whole under the mutex on reload. */
struct alert_cfg {
	char tz[80];
	char statistics_sources[512];
	int milestone_grace_days;
	double reconcile_pct;
	int no_data_days;
	et_lang_t lang; /* of the mails */
	int eval_interval_s;
	int eval_fail_s; /* /healthz: 503 once evaluation has failed this long */
	double min_elapsed_pct;
	int stale_after_s;
	et_alert_params_t params;
	char *smtp_url, *smtp_tls, *smtp_from, *smtp_to, *smtp_username, *smtp_password,
		*smtp_ca_file;
	int smtp_timeout_s;
	int smtp_retry_s;
	int smtp_max_age_h; /* temporary refusals are given up after this */
	int member_down_alarm_s;
	int maintain_interval_s;
	et_maintain_cfg_t maintain;
	int digest_minute; /* -1: no digest */
	unsigned digest_dows;
};

/* Sockets of one SMTP attempt (happy eyeballs may open two at once). */
#define MAX_MAIL_FDS 4

/* One thread's PostgreSQL connection. */
struct db {
	PGconn *conn;
	const char *name; /* application_name */
	const char *what; /* in the log: "alerts", "alerts: mail" */
	unsigned failures;
	char err[512];
};

struct et_alerts {
	uv_async_t ended;	/* a thread ended: join them once both have */
	uv_timer_t stop_timer;	/* bounds that wait */
	int open_handles;	/* the two above, until closed */
	bool finishing, joined; /* loop thread only */
	void (*closed)(void *ctx, bool joined);
	void *closed_ctx;
	pthread_t eval_thread, mail_thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* guarded by mu */
	bool stop;
	bool mail_kick;		     /* the evaluator queued mail */
	bool eval_ended, mail_ended; /* set by each thread as it returns */
	bool abandoned;		     /* the loop gave up waiting: no more async sends */
	int mail_fd[MAX_MAIL_FDS];   /* the mailer's SMTP sockets, -1 when free */
	bool warned_no_smtp;
	struct alert_cfg *cfg; /* guarded by mu; each thread takes a copy per round */
	char *conninfo;
	char *pg_password;
	struct db eval_db, mail_db; /* each owned by its thread */
	unsigned smtp_failures;	    /* mail thread */
	bool outbox_failing;	    /* mail thread: an outbox query failed, logged once */
	/* /metrics lines of the targets: built by the thread per evaluation,
	 * swapped in under mu when it committed */
	et_buf_t tm_next, tm_state_next; /* drift lines, alert state lines: a
					  * family's lines must not interleave */
	et_buf_t tm, tm_state;		 /* guarded by mu */
	bool tm_oom;
	/* the evaluation's failures (daemon/job_evaluate.c), guarded by mu:
	 * per part ("round", "truth", a target's id) the failed rounds for
	 * enertrack_evaluation_failures_total, and since when it fails now for
	 * /healthz (0: it does not) */
	struct eval_fail {
		char part[320]; /* target id, round, truth:<kind>:<key> (db/truth_alerts.c: < 320)
				 */
		uint64_t count;
		int64_t since_us;
		char reason[200];
		bool this_round; /* eval thread: failed in the round running */
	} * fails;
	size_t nfails, capfails;
	int64_t last_eval_us; /* guarded by mu: the last round committed; 0: none */
	bool eval_failing;    /* eval thread: the round fails, logged once */
	/* the group's members (daemon/presence.c), for the member-down alarm */
	et_alerts_members_fn members; /* guarded by mu */
	void *members_ctx;
	char client_id[128];
	int session_expiry_s;
	et_member_t *mbuf;	  /* eval thread */
	int64_t next_maintain_ms; /* eval thread: when the history's upkeep runs next */
};

/* ---- daemon/alerts.c: shared by both threads ---- */

/* A private copy of the settings for one round (reload may swap al->cfg
 * meanwhile), or NULL without memory; alerts_cfg_free(NULL) does nothing. */
struct alert_cfg *alerts_cfg_take(et_alerts_t *al);
void alerts_cfg_free(struct alert_cfg *c);
/* Connects d when it is not; false (logged once) when PostgreSQL refuses. */
bool alerts_db_ensure(et_alerts_t *al, struct db *d);
/* After a failed statement: drops a connection that broke, to reconnect. */
void alerts_db_check(struct db *d);
bool alerts_stopping(et_alerts_t *al);
/* Waits up to ms, or until stopped (or, with kick, until mail was queued). */
void alerts_wait_ms(et_alerts_t *al, int64_t ms, bool *kick);
/* Each thread's last act: say so to the loop, unless it stopped waiting. */
void alerts_thread_ended(et_alerts_t *al, bool *ended);
/* Mail was committed to alert_outbox: the mailer may send it now. */
void alerts_kick_mailer(et_alerts_t *al);

/* ---- the periodic jobs' thread (daemon/jobs.c) and its jobs ---- */

void *jobs_main(void *arg);
/* Evaluates the targets (daemon/job_evaluate.c): 0 with *ret filled, or -1
 * (logged). Its per-target gauges wait in al->tm_next for the commit. */
int job_evaluate(et_alerts_t *al, const struct alert_cfg *c, et_eval_result_t *ret);
/* Makes the gauges of the last evaluation the ones /metrics shows. */
void job_evaluate_publish(et_alerts_t *al);
/* Frees what job_evaluate.c keeps (the failures and the gauges). */
void job_evaluate_free(et_alerts_t *al);
/* The daily digest, when due and no daemon made it yet
 * (daemon/job_digest.c): how many mails it queued. */
int job_digest(et_alerts_t *al, const struct alert_cfg *c);
/* The member-down alarm (daemon/job_memberalarm.c). */
void job_member_alarm(et_alerts_t *al, const struct alert_cfg *c);
/* The history's upkeep (daemon/job_maintain.c), when due. */
void job_maintain(et_alerts_t *al, const struct alert_cfg *c);

/* ---- the mailer's thread (daemon/mailer.c) and its SMTP client ---- */

void *mailer_main(void *arg);
/* One recipient's reply: its SMTP code (0: never asked, or the transfer
 * failed after it accepted) and the server's words. */
typedef struct smtp_rcpt {
	long code;
	char words[200];
} smtp_rcpt_t;

/* Sends one message to the n recipients rcpt in one SMTP transaction
 * through c's [smtp] server (daemon/smtp.c): the recipients that accept get
 * it (CURLOPT_MAIL_RCPT_ALLOWFAILS) and res[i] says what each replied.
 * Returns 0 when it went to those that accepted, or -1 with a reason in
 * err (none accepted, or the transfer failed), or -EINTR when stopping
 * interrupted it. Its sockets are in al->mail_fd while open, for
 * et_alerts_stop to shut down. Mail thread. */
int smtp_send(et_alerts_t *al, const struct alert_cfg *c, const char *const *rcpt, size_t n,
	      const char *message, smtp_rcpt_t *res, char *err, size_t errlen);

#endif
