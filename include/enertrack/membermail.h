/* SPDX-License-Identifier: MIT */
/* Members of a shared subscription group as the presence messages describe
 * them, and the mail that says one has been down too long: subject and
 * whole RFC 5322 message (plain text, UTF-8). Pure: the caller supplies the
 * members and the time; the presence connection is daemon/presence.c, the
 * event and the outbox db/member_alarm.c. Any thread. */
#ifndef ENERTRACK_MEMBERMAIL_H
#define ENERTRACK_MEMBERMAIL_H

#include <stddef.h>
#include <stdint.h>

#include "enertrack/buf.h"

enum et_member_state {
	ET_MEMBER_ONLINE,
	ET_MEMBER_DOWN,	   /* its Will: gone without unsubscribing; its share waits */
	ET_MEMBER_STOPPED, /* stopped cleanly: unsubscribed, nothing waits for it */
};

/* One member as the last presence message described it. */
typedef struct et_member {
	char id[128];	  /* its [mqtt] client_id */
	char group[64];	  /* the $share group it consumes in */
	char version[32]; /* enertrackd version */
	int64_t started_us;
	unsigned conn; /* connection number within that start: with id and started_us, one outage */
	enum et_member_state state;
	int64_t since_us; /* wall clock when the observer saw this state begin */
} et_member_t;

const char *et_member_state_name(enum et_member_state s);

/* What the mail about one member says. Pointers borrowed for the call. */
typedef struct et_member_mail {
	const et_member_t *down;    /* the member that is down */
	const et_member_t *members; /* the whole group as the observer sees it */
	size_t nmembers;
	int alarm_s;	      /* [mqtt] member_down_alarm_s */
	int session_expiry_s; /* [mqtt] session_expiry_s */
	const char *observer; /* the client_id that noticed */
	const char *from;
	const char *const *to;
	size_t nto;
	int64_t date_us;
	const char *message_id; /* without <> */
} et_member_mail_t;

/* The subject, sanitised: "[enertrack] group et: member b down for 2 min;
 * its share is queued at the broker". Returns its length, or -ENOSPC. */
int et_member_mail_subject(const et_member_mail_t *m, char *buf, size_t len);

/* Appends the whole message (CRLF line ends, Date, From, To, Subject,
 * Message-ID, MIME-Version, Auto-Submitted, text/plain UTF-8 8bit body) to
 * out. Returns 0, -EINVAL (no recipient) or -ENOMEM. */
int et_member_mail_build(const et_member_mail_t *m, et_buf_t *out)
	__attribute__((warn_unused_result));

#endif
