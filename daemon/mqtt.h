/* SPDX-License-Identifier: MIT */
/* The MQTT side: a paho MQTTAsync client subscribing at the configured QoS
 * with a persistent session. paho's callbacks run on paho's thread and only
 * append messages to the spool and set flags; everything else happens
 * on the loop thread, woken through a uv_async_t. */
#ifndef ENERTRACK_DAEMON_MQTT_H
#define ENERTRACK_DAEMON_MQTT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "enertrack/config.h"
#include "spool.h"

typedef struct et_mqtt et_mqtt_t;

/* Called on the loop thread when messages wait in the spool; store_failed
 * when a message could not be appended to it. */
typedef void (*et_mqtt_wake_cb)(void *ctx, bool store_failed);

/* Creates the client and starts connecting, retrying with back-off and
 * jitter, at first and after every loss. cfg and sp are
 * borrowed and must outlive the client; password may be NULL. Returns 0, or
 * a negative code with a reason in err. */
int et_mqtt_start(et_mqtt_t **ret, uv_loop_t *loop, const et_config_t *cfg, const char *password,
		  et_spool_t *sp, et_mqtt_wake_cb wake, void *ctx, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Disconnects on purpose (the spool is full: the broker's persistent
 * session keeps the messages) or reconnects. */
void et_mqtt_pause(et_mqtt_t *m, bool pause);
/* 0, or the errno of the spool while paho's thread waits for space to
 * store a message (the disk is full). */
int et_mqtt_store_blocked(const et_mqtt_t *m);
/* True when a stop had to leave paho's thread waiting for spool space: the
 * spool must then be left open (the thread may still append to it). */
bool et_mqtt_paho_left(void);

/* Loop thread: publishes a message (not retained). 0, -ENOTCONN when not
 * connected, or -EIO when paho refused it. */
int et_mqtt_publish(et_mqtt_t *m, const char *topic, const void *payload, size_t len, int qos);

bool et_mqtt_connected(const et_mqtt_t *m);
uint64_t et_mqtt_reconnects(const et_mqtt_t *m);

/* Disconnects (no more messages arrive after `done` runs), then closes the
 * handles and frees m; `done` runs on the loop thread once the disconnect
 * completed or timed out. */
void et_mqtt_stop(et_mqtt_t *m, void (*done)(void *ctx), void *ctx);

#endif
