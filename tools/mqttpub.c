/* SPDX-License-Identifier: MIT */
/* A small blocking QoS 1 publisher on paho MQTTAsync, for `enertrack sim` and
 * `enertrack publish`. It keeps its own count of unacknowledged sends and
 * never lets it pass ET_PUB_WINDOW: paho 1.3.12 stalls ~1 s whenever more
 * sends are queued than its in-flight window (docs/threads.md, upstream PR #1457).
 * No reconnect and no offline buffering: a tool reports a lost connection as
 * a failure instead of pretending the messages went out. */
#include "tools.h"

#include <MQTTAsync.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "enertrack/log.h"

#define PUB_CONNECT_TIMEOUT_S	  10
#define PUB_DRAIN_TIMEOUT_S	  30
#define PUB_DISCONNECT_TIMEOUT_MS 2000
/* The largest payload MQTT can carry (remaining length), less room for the topic. */
#define PUB_MAX_PAYLOAD (256u * 1024 * 1024 - 64 * 1024)

enum pub_state {
	PUB_ST_CONNECTING,
	PUB_ST_CONNECTED,
	PUB_ST_FAILED, /* connect refused or failed */
	PUB_ST_LOST,   /* connection lost after CONNACK */
	PUB_ST_CLOSED, /* disconnect finished */
};

struct et_pub {
	MQTTAsync client;
	int qos;
	/* Everything below is shared with paho's threads, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	enum pub_state state;
	unsigned outstanding; /* sends queued and not yet acknowledged or failed */
	uint64_t failed;      /* sends paho reported failed */
	atomic_uint_fast64_t acked;
	bool failure_logged;
	char reason[256];
};

/* Caller holds p->lock. Moves to a final state once, keeping the first reason. */
static void pub_set_state(et_pub_t *p, enum pub_state st, const char *reason)
{
	if (p->state == PUB_ST_CONNECTING || p->state == PUB_ST_CONNECTED) {
		p->state = st;
		if (reason)
			snprintf(p->reason, sizeof(p->reason), "%s", reason);
	} else if (st == PUB_ST_CLOSED) {
		p->state = st;
	}
	pthread_cond_broadcast(&p->cond);
}

/* The CONNACK return codes of MQTT 3.1.1, which paho reports as the failure code. */
static const char *connack_reason(int code)
{
	switch (code) {
	case 1:
		return "the broker refused the protocol version";
	case 2:
		return "the broker refused the client id";
	case 3:
		return "the broker is unavailable";
	case 4:
		return "bad user name or password";
	case 5:
		return "not authorised";
	default:
		return NULL;
	}
}

/* paho threads below. */

/* What paho says of a failure after lead: its message, else the code's
 * text, and the code, which is returned. */
static int failure_why(const MQTTAsync_failureData *resp, const char *lead, char *why, size_t n)
{
	int code = resp ? resp->code : MQTTASYNC_FAILURE;
	snprintf(why, n, "%s%s (code %d)", lead,
		 resp && resp->message ? resp->message : MQTTAsync_strerror(code), code);
	return code;
}

/* pub_set_state under the lock. */
static void pub_end(et_pub_t *p, enum pub_state st, const char *reason)
{
	pthread_mutex_lock(&p->lock);
	pub_set_state(p, st, reason);
	pthread_mutex_unlock(&p->lock);
}

static void on_pub_connected(void *ctx, MQTTAsync_successData *resp)
{
	et_pub_t *p = ctx;
	(void)resp;
	pthread_mutex_lock(&p->lock);
	if (p->state == PUB_ST_CONNECTING)
		p->state = PUB_ST_CONNECTED;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void on_pub_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	et_pub_t *p = ctx;
	char why[256];
	const char *refusal = connack_reason(failure_why(resp, "", why, sizeof(why)));
	if (refusal)
		snprintf(why, sizeof(why), "connection refused: %s", refusal);
	pub_end(p, PUB_ST_FAILED, why);
}

static void on_pub_lost(void *ctx, char *cause)
{
	et_pub_t *p = ctx;
	char why[256];
	snprintf(why, sizeof(why), "connection to the broker lost%s%s", cause ? ": " : "",
		 cause ? cause : "");
	pub_end(p, PUB_ST_LOST, why);
	if (cause)
		MQTTAsync_free(cause);
}

/* A publisher subscribes to nothing, but paho requires this callback. */
static int on_pub_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	(void)ctx;
	(void)topic_len;
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static void on_pub_sent(void *ctx, MQTTAsync_successData *resp)
{
	et_pub_t *p = ctx;
	(void)resp;
	atomic_fetch_add(&p->acked, 1);
	pthread_mutex_lock(&p->lock);
	p->outstanding--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void on_pub_send_failed(void *ctx, MQTTAsync_failureData *resp)
{
	et_pub_t *p = ctx;
	char why[256];
	int code = failure_why(resp, "a publish failed: ", why, sizeof(why));
	/* paho discards the sends in flight when the connection goes: say so. */
	if (code == MQTTASYNC_OPERATION_INCOMPLETE || code == MQTTASYNC_DISCONNECTED)
		snprintf(why, sizeof(why),
			 "connection to the broker lost (it may have refused "
			 "the last message)");
	pthread_mutex_lock(&p->lock);
	p->outstanding--;
	p->failed++;
	/* A failed QoS 1 send means the session is broken (clean session, no
	 * reconnect): stop sending rather than publish around a hole. */
	pub_set_state(p, PUB_ST_LOST, why);
	pthread_mutex_unlock(&p->lock);
}

static void on_pub_disconnected(void *ctx, MQTTAsync_successData *resp)
{
	et_pub_t *p = ctx;
	(void)resp;
	pub_end(p, PUB_ST_CLOSED, NULL);
}

static void on_pub_disconnect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	(void)resp;
	on_pub_disconnected(ctx, NULL);
}

/* Application thread below. */

static void pub_free(et_pub_t *p)
{
	/* After MQTTAsync_destroy no callback can run, so the mutex can go. */
	if (p->client)
		MQTTAsync_destroy(&p->client);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int et_pub_open(et_pub_t **ret, const char *uri, const char *client_id, const char *username,
		const char *password, int qos, char *err, size_t errlen)
{
	*ret = NULL;
	if (qos < 0 || qos > 2) {
		snprintf(err, errlen, "qos must be 0, 1 or 2");
		return -EINVAL;
	}
	et_pub_t *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->qos = qos;
	p->state = PUB_ST_CONNECTING;
	atomic_init(&p->acked, 0);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&p->lock, NULL);

	/* No sending while disconnected: a tool must fail loudly, not buffer. */
	MQTTAsync_createOptions cro = MQTTAsync_createOptions_initializer;
	cro.MQTTVersion = MQTTVERSION_3_1_1;
	cro.sendWhileDisconnected = 0;
	cro.maxBufferedMessages = ET_PUB_WINDOW;
	int rc = MQTTAsync_createWithOptions(&p->client, uri, client_id,
					     MQTTCLIENT_PERSISTENCE_NONE, NULL, &cro);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(err, errlen, "cannot create an MQTT client for %s: %s", uri,
			 rc == MQTTASYNC_BAD_PROTOCOL ? "unsupported scheme (tcp://, ssl://, ws://)"
						      : MQTTAsync_strerror(rc));
		p->client = NULL;
		pub_free(p);
		return -EINVAL;
	}
	rc = MQTTAsync_setCallbacks(p->client, p, on_pub_lost, on_pub_message, NULL);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(err, errlen, "cannot set the MQTT callbacks: %s", MQTTAsync_strerror(rc));
		pub_free(p);
		return -EIO;
	}

	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	co.MQTTVersion = MQTTVERSION_3_1_1;
	co.keepAliveInterval = 30;
	co.cleansession = 1;
	/* Twice our own window, so paho's window is never the limit. */
	co.maxInflight = 2 * ET_PUB_WINDOW;
	co.connectTimeout = PUB_CONNECT_TIMEOUT_S;
	co.automaticReconnect = 0;
	co.username = username;
	co.password = password;
	co.onSuccess = on_pub_connected;
	co.onFailure = on_pub_connect_failed;
	co.context = p;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	if (strncmp(uri, "ssl://", 6) == 0 || strncmp(uri, "mqtts://", 8) == 0 ||
	    strncmp(uri, "wss://", 6) == 0)
		co.ssl = &ssl; /* the system's CA store, server verified */
	rc = MQTTAsync_connect(p->client, &co);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(err, errlen, "cannot connect to %s: %s", uri, MQTTAsync_strerror(rc));
		pub_free(p);
		return -EIO;
	}

	/* paho enforces connectTimeout itself; the extra second is a backstop. */
	struct timespec deadline = et_mono_deadline_ms((PUB_CONNECT_TIMEOUT_S + 1) * 1000L);
	pthread_mutex_lock(&p->lock);
	while (p->state == PUB_ST_CONNECTING) {
		if (pthread_cond_timedwait(&p->cond, &p->lock, &deadline) == ETIMEDOUT)
			break;
	}
	enum pub_state st = p->state;
	if (st == PUB_ST_CONNECTING)
		snprintf(p->reason, sizeof(p->reason), "no CONNACK within %d s",
			 PUB_CONNECT_TIMEOUT_S);
	pthread_mutex_unlock(&p->lock);
	if (st != PUB_ST_CONNECTED) {
		snprintf(err, errlen, "cannot connect to %s: %s", uri, p->reason);
		pub_free(p);
		return st == PUB_ST_CONNECTING ? -ETIMEDOUT : -ECONNREFUSED;
	}
	*ret = p;
	return 0;
}

int et_pub_send(et_pub_t *p, const char *topic, const void *payload, size_t len)
{
	if (len > PUB_MAX_PAYLOAD) {
		log_error("mqtt: a payload of %zu bytes is more than MQTT can carry", len);
		return -EMSGSIZE;
	}
	struct timespec deadline = et_mono_deadline_ms(PUB_DRAIN_TIMEOUT_S * 1000L);
	pthread_mutex_lock(&p->lock);
	while (p->state == PUB_ST_CONNECTED && p->outstanding >= ET_PUB_WINDOW) {
		unsigned before = p->outstanding;
		int wr = pthread_cond_timedwait(&p->cond, &p->lock, &deadline);
		if (p->outstanding < before)
			deadline = et_mono_deadline_ms(PUB_DRAIN_TIMEOUT_S * 1000L);
		else if (wr == ETIMEDOUT)
			break;
	}
	if (p->state != PUB_ST_CONNECTED) {
		if (!p->failure_logged)
			log_error("mqtt: %s", p->reason);
		p->failure_logged = true;
		pthread_mutex_unlock(&p->lock);
		return -ENOTCONN;
	}
	if (p->outstanding >= ET_PUB_WINDOW) {
		pthread_mutex_unlock(&p->lock);
		log_error("mqtt: no acknowledgement from the broker for %d s", PUB_DRAIN_TIMEOUT_S);
		return -ETIMEDOUT;
	}
	p->outstanding++;
	pthread_mutex_unlock(&p->lock);

	/* Our lock is not held while calling paho: paho calls back into us with
	 * its own mutex held, and the two must never be taken in both orders. */
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	msg.payload = (void *)payload; /* paho copies it */
	msg.payloadlen = (int)len;
	msg.qos = p->qos;
	msg.retained = 0;
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.onSuccess = on_pub_sent;
	ro.onFailure = on_pub_send_failed;
	ro.context = p;
	int rc = MQTTAsync_sendMessage(p->client, topic, &msg, &ro);
	if (rc != MQTTASYNC_SUCCESS) {
		pthread_mutex_lock(&p->lock);
		p->outstanding--;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		log_error("mqtt: cannot publish to '%s': %s", topic, MQTTAsync_strerror(rc));
		/* A refused topic is the caller's input; anything else is the connection. */
		return rc == MQTTASYNC_BAD_UTF8_STRING ? -EINVAL : -ENOTCONN;
	}
	return 0;
}

uint64_t et_pub_acked(const et_pub_t *p)
{
	return atomic_load(&((et_pub_t *)p)->acked);
}

int et_pub_flush(et_pub_t *p)
{
	int rc = 0;
	struct timespec deadline = et_mono_deadline_ms(PUB_DRAIN_TIMEOUT_S * 1000L);
	pthread_mutex_lock(&p->lock);
	while (p->state == PUB_ST_CONNECTED && p->outstanding > 0) {
		if (pthread_cond_timedwait(&p->cond, &p->lock, &deadline) == ETIMEDOUT)
			break;
	}
	if (p->state != PUB_ST_CONNECTED) {
		/* Said once: a later flush or close finds the same state. */
		if (!p->failure_logged)
			log_error("mqtt: %s; %u messages not acknowledged", p->reason,
				  p->outstanding + (unsigned)p->failed);
		p->failure_logged = true;
		rc = -ENOTCONN;
	} else if (p->outstanding > 0) {
		log_error("mqtt: %u messages not acknowledged within %d s", p->outstanding,
			  PUB_DRAIN_TIMEOUT_S);
		rc = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int et_pub_close(et_pub_t *p)
{
	if (!p)
		return 0;
	int rc = et_pub_flush(p);
	pthread_mutex_lock(&p->lock);
	bool connected = p->state == PUB_ST_CONNECTED;
	pthread_mutex_unlock(&p->lock);

	if (connected) {
		MQTTAsync_disconnectOptions dopt = MQTTAsync_disconnectOptions_initializer;
		dopt.timeout = PUB_DISCONNECT_TIMEOUT_MS;
		dopt.onSuccess = on_pub_disconnected;
		dopt.onFailure = on_pub_disconnect_failed;
		dopt.context = p;
		if (MQTTAsync_disconnect(p->client, &dopt) == MQTTASYNC_SUCCESS) {
			struct timespec deadline =
				et_mono_deadline_ms(PUB_DISCONNECT_TIMEOUT_MS + 1000L);
			pthread_mutex_lock(&p->lock);
			while (p->state == PUB_ST_CONNECTED) {
				if (pthread_cond_timedwait(&p->cond, &p->lock, &deadline) ==
				    ETIMEDOUT)
					break;
			}
			pthread_mutex_unlock(&p->lock);
		}
	}
	pub_free(p);
	return rc;
}

void et_pace_wait(const struct timespec *start, uint64_t n, double rate)
{
	if (rate <= 0)
		return;
	double due = (double)n / rate;
	struct timespec t = *start;
	t.tv_sec += (time_t)due;
	t.tv_nsec += (long)((due - (double)(time_t)due) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}
