/* SPDX-License-Identifier: MIT */
/* The hand-over of received messages from paho's thread to the loop: a
 * mutex-protected vector that the loop swaps out whole. The producer wakes
 * the loop only when the vector crosses a high-water mark; otherwise the
 * loop drains it on a short timer (FACTS.md: a wake-up per message costs
 * more than paho itself). No libuv, no paho: callers do the waking. */
#ifndef ENERTRACK_DAEMON_HANDOFF_H
#define ENERTRACK_DAEMON_HANDOFF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One message: topic bytes, then payload bytes, in one allocation. */
typedef struct et_msg {
	int64_t recv_us; /* wall clock when paho handed it over */
	uint32_t topic_len;
	uint32_t len;
	char data[]; /* topic_len + len bytes */
} et_msg_t;

static inline const char *et_msg_topic(const et_msg_t *m) { return m->data; }
static inline const char *et_msg_payload(const et_msg_t *m) { return m->data + m->topic_len; }

typedef struct et_msgvec {
	et_msg_t **v;
	size_t n, cap;
	size_t bytes;
} et_msgvec_t;

typedef struct et_handoff {
	pthread_mutex_t mu;
	et_msgvec_t in; /* guarded by mu */
	size_t high_water;
	uint64_t received; /* guarded by mu */
} et_handoff_t;

int et_handoff_init(et_handoff_t *h, size_t high_water) __attribute__((warn_unused_result));
/* Frees any messages still queued. */
void et_handoff_destroy(et_handoff_t *h);

/* Producer (any thread): copies the message in. Returns 1 when the loop
 * should be woken now, 0 when the timer will do, -ENOMEM on failure. */
int et_handoff_push(et_handoff_t *h, const char *topic, size_t topic_len, const void *payload,
		    size_t len, int64_t recv_us);

/* Consumer (loop thread): swaps the queued messages into *out, which must
 * be empty (n == 0); out's old array is reused by the producer. */
void et_handoff_take(et_handoff_t *h, et_msgvec_t *out);

/* Frees the messages in v and empties it (keeps the array). */
void et_msgvec_clear(et_msgvec_t *v);
void et_msgvec_free(et_msgvec_t *v);

#endif
