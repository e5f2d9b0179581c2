/* SPDX-License-Identifier: MIT */
/* Configuration: one table of keys (config.c) drives defaults, parsing,
 * validation and what a reload may change. Parsing takes the file's text,
 * not a path, so that it stays pure; errors name file, line and key. */
#ifndef ENERTRACK_CONFIG_H
#define ENERTRACK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "enertrack/buf.h"
#include "enertrack/decode.h"
#include "enertrack/i18n.h"

typedef struct et_config {
	/* [mqtt] */
	char *mqtt_uri;
	char *mqtt_client_id;
	char *mqtt_topics; /* space-separated filters */
	char *mqtt_topic_layout;
	int mqtt_qos;
	int mqtt_version; /* 3 (3.1.1) or 5 */
	char *mqtt_username;
	char *mqtt_password_file;
	int mqtt_keepalive_s;
	char *mqtt_ca_file;
	char *mqtt_cert_file;
	char *mqtt_key_file;
	int mqtt_session_expiry_s;    /* MQTT 5 session expiry the broker keeps our queue */
	int mqtt_member_down_alarm_s; /* mail when a group member is offline this long; 0: never */
	/* [postgres] */
	char *pg_conninfo;
	char *pg_password_file;
	char *pg_reader_conninfo; /* the read path (status, reports); "": conninfo */
	/* [ingest] */
	int batch_rows;
	int flush_ms;
	int max_payload_bytes;
	int max_readings;
	int max_topic_bytes;
	int max_future_s;
	int max_past_s;
	int max_rejects_per_message;
	int max_json_depth;
	int max_site_readings_per_s; /* 0: no limit */
	char *spool_dir;
	int spool_sync_ms; /* fdatasync interval; 0: after every message */
	int spool_max_mb;
	char *counter_reset;   /* a totaliser that goes down without a rollover: restart or hold */
	double counter_jitter; /* a step back of at most this is jitter, not a wrap */
	/* [log] */
	char *log_level;
	/* [http] */
	char *http_listen;	/* "" disables /metrics and /healthz */
	int http_quiet_alarm_s; /* /healthz fails after this long without a message; 0: never */
	/* [targets] */
	char *tz;
	int eval_interval_s;
	double min_elapsed_pct;
	int stale_after_s;
	char *statistics_sources; /* comma/space-separated, first preferred; "": all */
	/* [alerts] */
	double fire_pct;
	double resolve_pct;
	int pending_s;
	int repeat_s;
	int milestone_grace_days; /* a project overdue longer than this is mailed, once */
	double reconcile_pct;	  /* a county's telemetry off its statistics by more: a mail */
	char *language;	   /* of mails, the status page and `enertrack status`: en or zh-CN */
	et_lang_t lang;	   /* `language` parsed, once, by the configuration: use this one */
	char *units;	   /* local (the bureau's units in zh-CN: 万吨, 万千瓦, ...) or si */
	bool units_bureau; /* `units` and `language` together: show the bureau's units */
	int no_data_days;  /* a target without data this long: one mail (0: never) */
	int eval_fail_s;   /* /healthz fails when evaluation has failed this long */
	/* [smtp] */
	char *smtp_url;
	char *smtp_tls; /* starttls or none (smtps:// URLs are always TLS) */
	char *smtp_from;
	char *smtp_to; /* space- or comma-separated */
	char *smtp_username;
	char *smtp_password_file;
	char *smtp_ca_file;
	int smtp_timeout_s;
	int smtp_retry_s;   /* first back-off after a failed send; doubles up to an hour */
	int smtp_max_age_h; /* a recipient refused for the time being is given up after this */
	/* [sparkplug] */
	int sp_enabled;		       /* 0 or 1 */
	char *sp_group_filter;	       /* a group id or "+" */
	char *sp_host_id;	       /* spBv1.0/STATE/<host_id> */
	int sp_rebirth_min_interval_s; /* at most one rebirth request per node this often */
	int sp_max_nodes;	       /* edge nodes alive at once */
	int sp_max_birth_metrics;      /* metrics in one birth */
	int sp_max_birth_bytes;	       /* one edge node's births together */
	int sp_reorder_timeout_ms;     /* a seq gap waits this long before a rebirth */
	int sp_max_rebirths_per_s;     /* rebirth requests in all */
	/* [retention]: enertrack_maintain() every interval_s (0: never) */
	int ret_interval_s;
	int ret_ahead_months, ret_raw_months, ret_rollup_months;
	int ret_rejected_days, ret_corrections_days;
	/* [digest] */
	char *digest_at;   /* "08:30" local time of [targets] timezone; "": no digest */
	char *digest_days; /* "mon..sun", "mon..fri", "mon,wed,fri" */

	/* derived by et_config_parse */
	et_topic_layout_t layout;
	int digest_minute;    /* minutes after local midnight; -1: no digest */
	int tz_line;	      /* the line of [targets] timezone (0: the default), for
			       * the check against the tz database (common/tzcheck.c) */
	unsigned digest_dows; /* bit d set: a digest on ISO weekday d (1 Monday .. 7 Sunday) */
} et_config_t;

/* Fills cfg with the defaults. Returns 0 or -ENOMEM. */
int et_config_init(et_config_t *cfg) __attribute__((warn_unused_result));

/* Parses text[0..len) (the contents of `file`, used in messages) over the
 * defaults already in cfg, then validates. Every problem appends one line
 * "FILE:LINE: [section] key: message\n" to errs (line 0 when the problem is
 * not on one line). Returns 0, or -EINVAL when there was any error (cfg then
 * holds a partial result: free it). Not thread-safe (libinih's settings are
 * process-wide); call from one thread. */
int et_config_parse(et_config_t *cfg, const char *file, const char *text, size_t len,
		    et_buf_t *errs) __attribute__((warn_unused_result));

/* Frees the strings; cfg may be re-initialised afterwards. NULL-safe. */
void et_config_free(et_config_t *cfg);

/* Appends one line per key that differs between a and b and cannot change
 * at run time ("[mqtt] uri cannot change without a restart"). Returns the
 * number of such keys. */
int et_config_diff_fixed(const et_config_t *a, const et_config_t *b, et_buf_t *out);

/* "HH:MM" (00:00 to 23:59) into minutes after midnight in *ret; 0 or
 * -EINVAL. */
int et_config_clock_parse(const char *s, int *ret) __attribute__((warn_unused_result));

/* Weekdays: a list of days or ranges separated by commas, "mon..fri,sun"
 * ("mon".."sun", a range may wrap: "sat..mon"), into *ret, bit d for ISO
 * weekday d (1 Monday .. 7 Sunday). 0 or -EINVAL. */
int et_config_days_parse(const char *s, unsigned *ret) __attribute__((warn_unused_result));

/* The decoder's limits as configured. */
void et_config_limits(const et_config_t *cfg, et_decode_limits_t *ret);

#endif
