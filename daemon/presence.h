/* SPDX-License-Identifier: MIT */
/* Members of a shared subscription group. A small MQTT connection of its
 * own (client id "<client_id>/presence", clean session) publishes the
 * retained message enertrack/instance/<client_id> saying this instance is
 * online (version, group, start time, connection number), with a Will that
 * says it went down, and follows enertrack/instance/+ to know the others.
 * It is separate from the main connection because that one's single Will is
 * the Sparkplug host STATE. paho's callbacks update the member table under
 * a mutex; any thread may read it. Not here: the alarm mail
 * (db/member_alarm.c). */
#ifndef ENERTRACK_DAEMON_PRESENCE_H
#define ENERTRACK_DAEMON_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "enertrack/buf.h"
#include "enertrack/config.h"
#include "enertrack/membermail.h"

typedef struct et_presence et_presence_t;

#define ET_PRESENCE_PREFIX "enertrack/instance/"

/* The group of the first "$share/<group>/..." filter of topics, copied into
 * buf; false when none is shared (presence is then not started). */
bool et_presence_group(const char *topics, char *buf, size_t len);

/* Starts connecting (retries every few seconds while down). cfg is
 * borrowed and must outlive p; password may be NULL. Returns 0 or a
 * negative code with a reason in err. Loop thread. */
int et_presence_start(et_presence_t **ret, uv_loop_t *loop, const et_config_t *cfg,
		      const char *password, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* While held, no paho call is made from the loop: paho's receive thread,
 * which both connections share, holds paho's global mutex while the main
 * connection waits for spool space (mqtt.c), and any paho call would wait
 * for it. A stop while held leaves the Will to the broker and the client
 * to the process's exit. Loop thread. */
void et_presence_hold(et_presence_t *p, bool hold);

/* A clean stop: publishes "stopped" (retained) and disconnects, waiting at
 * most a second; the Will is not sent. Closes the loop's handle; the
 * client is destroyed by et_presence_free. Loop thread. NULL-safe. */
void et_presence_stop(et_presence_t *p);

/* After the loop ended: destroys the client and frees p. NULL-safe. */
void et_presence_free(et_presence_t *p);

/* Copies at most max members, sorted by id, into out; returns how many
 * there are. Any thread. */
size_t et_presence_members(et_presence_t *p, et_member_t *out, size_t max);

/* /metrics lines (enertrack_group_members{state=...}) and the /healthz
 * detail lines ("group et: a online, b down 42 s, ..."). Loop thread. */
void et_presence_metrics(et_presence_t *p, et_buf_t *out);
void et_presence_health(et_presence_t *p, et_buf_t *out);

#endif
