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
