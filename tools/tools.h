/* SPDX-License-Identifier: MIT */
/* The operator tool's MQTT side: `enertrack publish`, and the small QoS 1
 * publisher it and enertrack-sim (sim/) use (tools/mqttpub.c). Not for the daemon:
 * it blocks the calling thread, which is what a command-line tool wants. */
#ifndef ENERTRACK_TOOLS_TOOLS_H
#define ENERTRACK_TOOLS_TOOLS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The subcommand. argv[0] is the subcommand's name ("publish").
 * It returns the process exit status: 0 on success, 1 on failure, 2 on a
 * usage error. */
int publish_main(int argc, char **argv);
int sparkplug_main(int argc, char **argv);

/* A blocking publisher on paho MQTTAsync (MQTT 3.1.1, clean session).
 * One application thread calls et_pub_*; paho's callbacks run on paho's
 * threads and only update counters under the publisher's own mutex. */
typedef struct et_pub et_pub_t;

/* Sends allowed in flight at once. Kept well under paho's in-flight window,
 * so that paho 1.3.12's ~1 s stall on a full window (docs/threads.md) never happens. */
#define ET_PUB_WINDOW 200

/* Creates a client for uri ("tcp://host:port", "ssl://...") and connects,
 * blocking until CONNACK or an error (timeout 10 s). client_id, username and
 * password are borrowed for the call only; username and password may be NULL.
 * qos is 0, 1 or 2. On success *ret is the publisher; on failure *ret is NULL,
 * err gets a one-line reason and a negative errno-style code is returned. */
int et_pub_open(et_pub_t **ret, const char *uri, const char *client_id, const char *username,
		const char *password, int qos, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Queues one publish (topic and payload are copied). Blocks while
 * ET_PUB_WINDOW sends are unacknowledged (at most 30 s without progress).
 * Returns 0, -ENOTCONN once the connection is lost or a send failed,
 * -ETIMEDOUT, -EMSGSIZE or -EINVAL (topic refused by paho); the reason is
 * logged. */
int et_pub_send(et_pub_t *p, const char *topic, const void *payload, size_t len)
	__attribute__((warn_unused_result));

/* Waits until every send so far is acknowledged (at most 30 s). Returns 0,
 * or negative if one failed, the connection was lost or time ran out (the
 * reason is logged). */
int et_pub_flush(et_pub_t *p) __attribute__((warn_unused_result));

/* Waits until every send is acknowledged (et_pub_flush), disconnects and
 * frees p. Returns 0 if every message was delivered, negative otherwise (the
 * reason is logged). et_pub_close(NULL) returns 0. */
int et_pub_close(et_pub_t *p);

/* Messages the broker acknowledged so far (for QoS 0: handed to the socket). */
uint64_t et_pub_acked(const et_pub_t *p);

/* Paces a stream to `rate` messages a second from `start` (CLOCK_MONOTONIC):
 * sleeps until message number n (from 0) is due. rate <= 0 returns at once. */
void et_pace_wait(const struct timespec *start, uint64_t n, double rate);

#endif
