/* SPDX-License-Identifier: MIT */
/* What the two halves of the MQTT adapter share: the client's state
 * (struct et_mqtt), the events paho's thread posts to the loop, and the
 * calls between daemon/mqtt.c (connection, subscription, message arrival)
 * and daemon/mqtt_stop.c (a clean stop: leaving a shared group, draining,
 * disconnecting, freeing). */
#ifndef ENERTRACK_DAEMON_MQTT_INT_H
#define ENERTRACK_DAEMON_MQTT_INT_H

#include <MQTTAsync.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "enertrack/backoff.h"
#include "mqtt.h"

/* Events from paho's thread, as bits in `events`. */
enum {
	EV_CONNECTED = 1,
	EV_CONNECT_FAILED = 2,
	EV_LOST = 4,
	EV_DISCONNECTED = 8,
	EV_SUB_FAILED = 16,
	EV_STORE_FAILED = 32,
	EV_UNSUBSCRIBED = 64,
	EV_HOST_CONNECTED = 128, /* the Sparkplug host's connection (mqtt_host.c) */
	EV_HOST_LOST = 256,
	EV_HOST_FAILED = 512,
	EV_HOST_DISCONNECTED = 1024, /* a deliberate disconnect of it ended */
};

/* The context of paho callbacks that only post an event (and, on success,
 * may call then first, on paho's thread): which client state, and which
 * event, 0 for none (daemon/mqtt_stop.c, mqtt_post_ctx_*). */
struct mqtt_post_ctx {
	struct et_mqtt *m;
	int ev;
	void (*then)(struct et_mqtt *m);
};

struct et_mqtt {
	uv_async_t async;
	uv_timer_t retry;
	uv_timer_t stop_timer;
	int open_handles;
	MQTTAsync client;
	const et_config_t *cfg;
	char *password;
	et_spool_t *spool;
	et_mqtt_wake_cb wake;
	void *ctx;
	atomic_int events;
	atomic_bool connected;
	atomic_uint_fast64_t reconnects;
	char fail_reason[640]; /* written by paho's thread before EV_CONNECT_FAILED */
	char tls_error[256];   /* OpenSSL's last error, from paho's thread */
	et_backoff_t backoff;
	unsigned connect_failures;
	bool ever_connected;
	bool stopping;
	bool paused;	 /* disconnected on purpose (spool full) */
	bool leave_paho; /* stopping while paho's thread waits: no paho call, no free */
	bool outage;	 /* lost, not back yet */
	int64_t outage_since_ms;
	unsigned outage_attempts;
	atomic_int store_errno;	   /* why the spool refused the waiting message */
	atomic_bool store_blocked; /* paho's thread waits for spool space */
	atomic_bool abandon;	   /* stopping: a waiting message is left to the broker */
	void (*stop_done)(void *ctx);
	void *stop_ctx;
	/* [mqtt] uri, split: paho's serverURIs, tried in turn at each connect
	 * (fail-over between brokers); uris[0] creates the clients */
	char **uris;
	int nuris;
	char **filters;
	int *qos;
	int nfilters;
	/* Sparkplug B host state ([sparkplug] enabled): spBv1.0/STATE/<host_id>,
	 * retained; the Will says offline, and online follows each subscribe */
	char *state_topic;
	char will_payload[96];
	/* the Will's and the online message's timestamp: Sparkplug 3.0 wants
	 * the same in both (set per connect, read on paho's thread) */
	atomic_llong state_ts;
	/* the Sparkplug host's own connection (daemon/mqtt_host.c): NULL when
	 * [sparkplug] is off */
	MQTTAsync host;
	uv_timer_t host_retry;
	char *host_filters[2]; /* spBv1.0/<group_filter>/#, state_topic (borrowed) */
	atomic_bool host_connected;
	atomic_bool host_connecting; /* a connect is under way: no second one */
	atomic_bool host_lost_unrecorded;
	atomic_bool going_offline;		/* offline said on purpose: its echo is ours */
	atomic_uint_fast64_t state_republished; /* online:true again after an online:false */
	bool shared;				/* a $share/ filter: unsubscribe at a clean stop */
	atomic_uint_fast64_t received;		/* messages stored, for the drain after UNSUBACK */
	uint64_t drain_mark;			/* loop thread: received at the last drain poll */
	uint64_t unsub_mark;			/* received at the UNSUBACK */
	int64_t drain_quiet_since;		/* loop ms */
	struct mqtt_post_ctx post_disconnected; /* EV_DISCONNECTED */
	struct mqtt_post_ctx post_host_disconnected; /* EV_HOST_DISCONNECTED */
	struct mqtt_post_ctx post_unsubscribed;	     /* EV_UNSUBSCRIBED */
	struct mqtt_post_ctx subscribed;	     /* the v1 feed's SUBACK */
	struct mqtt_post_ctx host_subscribed;	     /* the host's SUBACK: online */
};

/* paho thread: a message arrived (either connection): into the spool. */
int on_mqtt_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg);
bool mqtt_uri_is_tls(const char *uri);
/* daemon/mqtt_host.c, loop thread: the Sparkplug host's connection is
 * made (0, or -1 with err), (re)connected, told of its events, and taken
 * offline before a deliberate disconnect. */
int mqtt_host_start(et_mqtt_t *m, char *err, size_t errlen);
void mqtt_host_connect(et_mqtt_t *m);
void mqtt_host_events(et_mqtt_t *m, int ev);
void mqtt_host_offline(et_mqtt_t *m, int timeout_ms);
/* Any thread: sets ev in m->events and wakes the loop. */
void mqtt_post(et_mqtt_t *m, int ev);
/* Loop thread: the connect options both connections share ([mqtt]
 * version, keepalive, the brokers, user, password, TLS; no automatic
 * reconnect), with clean as the MQTT 3.1.1 Clean Session or MQTT 5 Clean
 * Start and fail/fail5 as the failure callbacks. ssl must outlive the
 * connect call; the caller adds what is its own (Will, properties, ...). */
void mqtt_connect_options(et_mqtt_t *m, MQTTAsync_connectOptions *o, MQTTAsync_SSLOptions *ssl,
			  int clean, MQTTAsync_onFailure *fail, MQTTAsync_onFailure5 *fail5);
/* Loop thread: creates a client (c) of m's [mqtt] version for the first
 * broker, with id as its client id. Returns paho's code. */
int mqtt_create(et_mqtt_t *m, MQTTAsync *c, const char *id);
/* Response options for m's [mqtt] version: the MQTT 3.1.1 or the MQTT 5
 * callback pair is set (NULL: none). */
void mqtt_response_options(const et_mqtt_t *m, MQTTAsync_responseOptions *ro, void *ctx,
			   MQTTAsync_onSuccess *ok, MQTTAsync_onSuccess5 *ok5,
			   MQTTAsync_onFailure *fail, MQTTAsync_onFailure5 *fail5);
/* paho thread: subscribes client c to n filters; ok is the SUBACK's
 * context, fail/fail5 a refusal's callbacks; who ("" or "sparkplug host ")
 * begins the log line when the request cannot be sent. */
void mqtt_subscribe(et_mqtt_t *m, MQTTAsync c, int n, char **filters, int *qos,
		    struct mqtt_post_ctx *ok, MQTTAsync_onFailure *fail,
		    MQTTAsync_onFailure5 *fail5, const char *who);
/* paho thread: success callbacks that call ((struct mqtt_post_ctx
 * *)ctx)->then and post its ev (either may be none). */
void mqtt_post_ctx_ok(void *ctx, MQTTAsync_successData *resp);
void mqtt_post_ctx_ok5(void *ctx, MQTTAsync_successData5 *resp);
/* Loop thread: starts a disconnect of client c; pc's event is posted when
 * it ends, however it ends. Returns paho's code. */
int mqtt_disconnect_client(et_mqtt_t *m, MQTTAsync c, struct mqtt_post_ctx *pc, int timeout_ms);
/* Publishes the retained Sparkplug host STATE (online or not). */
int mqtt_send_state(et_mqtt_t *m, bool online);
/* Starts a disconnect; EV_DISCONNECTED follows (acted on when stopping).
 * Returns paho's code. Loop thread. */
int mqtt_disconnect(et_mqtt_t *m, int timeout_ms);
/* Loop thread: the UNSUBACK came; drains what the broker had sent. */
void mqtt_start_drain(et_mqtt_t *m, int64_t now);
/* Loop thread: ends a stop (once): paho destroyed, handles closed, the
 * owner told. */
void mqtt_finish_stop(et_mqtt_t *m);

#endif
