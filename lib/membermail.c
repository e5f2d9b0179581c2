/* SPDX-License-Identifier: MIT */
/* The mail about a group member that has been down longer than
 * member_down_alarm_s. Plain text only: it is a short operational notice.
 * Everything that came from presence messages (ids, versions, groups) goes
 * through et_mail_header_sanitize, so no control character reaches a header
 * or the body. Not here: SMTP, the outbox, deciding when to send. */
#include "enertrack/membermail.h"
#include "enertrack/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "enertrack/mail.h"

const char *et_member_state_name(enum et_member_state s)
{
	switch (s) {
	case ET_MEMBER_ONLINE:
		return "online";
	case ET_MEMBER_DOWN:
		return "down";
	case ET_MEMBER_STOPPED:
		return "stopped";
	}
	return "?";
}

/* "42 s", "3 min", "2.5 h", "4.0 days" */
static void human_dur(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%lld s", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lld min", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", s / 3600.0);
	else
		snprintf(buf, len, "%.1f days", s / 86400.0);
}

/* "2026-11-30 12:00:00 UTC", or the RFC 5322 date with rfc */
static void utc(int64_t us, bool rfc, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = rfc ? strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm)
		       : strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (!n && len)
		buf[0] = '\0';
}

int et_member_mail_subject(const et_member_mail_t *m, char *buf, size_t len)
{
	char id[128], group[64], dur[32];
	et_mail_header_sanitize(m->down->id, id, sizeof(id));
	et_mail_header_sanitize(m->down->group, group, sizeof(group));
	human_dur((m->date_us - m->down->since_us) / 1000000, dur, sizeof(dur));
	int n = snprintf(buf, len,
			 "[enertrack] group %s: member %s down for %s; its share is queued at "
			 "the broker",
			 group, id, dur);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int et_member_mail_build(const et_member_mail_t *m, et_buf_t *out)
{
	if (!m->nto)
		return -EINVAL;
	size_t start = out->len;
	et_text_t w = et_text_on(out);
	char date[64], subject[512], from[320], addr[320], id[128], group[64], version[32];
	char started[40], since[40], dur[32], alarm[32], expiry[32], obs[128];
	utc(m->date_us, true, date, sizeof(date));
	if (et_member_mail_subject(m, subject, sizeof(subject)) < 0)
		return -EINVAL;
	et_mail_header_sanitize(m->from, from, sizeof(from));
	et_mail_header_sanitize(m->down->id, id, sizeof(id));
	et_mail_header_sanitize(m->down->group, group, sizeof(group));
	et_mail_header_sanitize(m->down->version, version, sizeof(version));
	et_mail_header_sanitize(m->observer, obs, sizeof(obs));
	utc(m->down->started_us, false, started, sizeof(started));
	utc(m->down->since_us, false, since, sizeof(since));
	human_dur((m->date_us - m->down->since_us) / 1000000, dur, sizeof(dur));
	human_dur(m->alarm_s, alarm, sizeof(alarm));
	human_dur(m->session_expiry_s, expiry, sizeof(expiry));

	et_text_printf(&w, "Date: %s\r\nFrom: %s\r\nTo: ", date, from);
	for (size_t i = 0; i < m->nto; i++) {
		et_mail_header_sanitize(m->to[i], addr, sizeof(addr));
		et_text_printf(&w, "%s%s", i ? ",\r\n " : "", addr);
	}
	/* the subject is ASCII but for data; RFC 6532 lets UTF-8 through
	 * and every mail reader of the bureau shows it */
	et_text_printf(&w,
		       "\r\nSubject: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
		       "Auto-Submitted: auto-generated\r\n"
		       "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
		       "8bit\r\n\r\n",
		       subject, m->message_id);
	et_text_printf(&w,
		       "The enertrack instance %s of the shared group %s has been down since %s\r\n"
		       "(%s, longer than [mqtt] member_down_alarm_s, %s).\r\n\r\n",
		       id, group, since, dur, alarm);
	et_text_printf(
		&w,
		"It went away without unsubscribing (the broker published its Will), so the\r\n"
		"broker still counts it as a member of the group: its share of the group's\r\n"
		"messages is queued at the broker, in its session, and nothing of that share\r\n"
		"reaches PostgreSQL until it comes back. Its session expires %s after it\r\n"
		"left ([mqtt] session_expiry_s); whatever is queued then is lost.\r\n\r\n",
		expiry);
	et_text_printf(
		&w,
		"What to do: restart it (same [mqtt] client_id); it then drains its queue. If\r\n"
		"its machine is gone, start an enertrackd with client_id %s anywhere, let it\r\n"
		"drain, and stop it with SIGTERM (it unsubscribes).\r\n\r\n",
		id);
	et_text_printf(&w, "Instance: %s, enertrackd %s, started %s, connection %u\r\n", id,
		       version, started, m->down->conn);
	et_text_printf(&w, "The group as %s sees it:\r\n", obs);
	for (size_t i = 0; i < m->nmembers; i++) {
		const et_member_t *x = &m->members[i];
		char xid[128], xs[40];
		et_mail_header_sanitize(x->id, xid, sizeof(xid));
		human_dur((m->date_us - x->since_us) / 1000000, xs, sizeof(xs));
		et_text_printf(&w, "  %-32s %-8s for %s\r\n", xid, et_member_state_name(x->state),
			       xs);
	}
	et_text_printf(&w, "\r\n-- \r\nenertrack, %s\r\n", obs);
	if (et_text_error(&w)) {
		out->len = start;
		return -ENOMEM;
	}
	return 0;
}
