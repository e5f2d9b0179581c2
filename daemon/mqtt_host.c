/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's own MQTT connection ([sparkplug] enabled). A
 * Sparkplug 3.0 host connects with Clean Session true (MQTT 5: Clean Start
 * and a Session Expiry of 0), with its STATE Will on that connection
 * (tck-id-message-flow-phid-sparkplug-clean-session-311 / -50), while the
 * v1 feed keeps its persistent session, on which its durability rests. So
 * the host has a connection of its own: client id `<client_id>/sparkplug`,
 * subscribed to spBv1.0/<group_filter>/# and its own STATE, saying online
 * after each subscribe. It needs no persistent session: Sparkplug DATA is
 * QoS 0, and a rebirth recovers a node's state. Messages take the main
 * client's path into the spool (on_mqtt_message); the loop reconnects it
 * (a new Will and birth timestamp each time). When the
 * connection is lost, a marker record in the spool (ET_SP_HOST_LOST_TOPIC)
 * tells the ingest, in order with the messages, that every edge node's
 * session is void: its sites are stale until it is born again. */
#include <MQTTAsync.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "enertrack/log.h"
#include "enertrack/sparkplug.h"
#include "mqtt_int.h"

/* paho thread: subscribed; the host says online, and only then may its
 * rebirth requests go out (its birth is the first message it publishes,
 * tck-id-host-topic-phid-birth-message). */
static void host_subscribed(et_mqtt_t *m)
{
	int rc = mqtt_send_state(m, true);
	atomic_store(&m->host_connected, true);
	if (rc != MQTTASYNC_SUCCESS)
		log_warn("mqtt: cannot publish %s: %s", m->state_topic, MQTTAsync_strerror(rc));
}

/* paho thread: connected. */
static void on_host_connected(void *ctx, char *cause)
{
	et_mqtt_t *m = ctx;
	(void)cause;
	atomic_store(&m->going_offline, false);
	atomic_store(&m->host_connecting, false);
	int qos[2] = {m->cfg->mqtt_qos, 1};
	mqtt_subscribe(m, m->host, 2, m->host_filters, qos, &m->host_subscribed, NULL, NULL,
		       "sparkplug host ");
	mqtt_post(m, EV_HOST_CONNECTED);
}

/* paho thread: the host's sessions with every edge node end here. */
static void on_host_lost(void *ctx, char *cause)
{
	et_mqtt_t *m = ctx;
	(void)cause;
	atomic_store(&m->host_connected, false);
	if (et_spool_append(m->spool, ET_SP_HOST_LOST_TOPIC, strlen(ET_SP_HOST_LOST_TOPIC), "", 0,
			    et_wall_us()) < 0)
		atomic_store(&m->host_lost_unrecorded, true);
	mqtt_post(m, EV_HOST_LOST);
}

static void on_host_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	et_mqtt_t *m = ctx;
	(void)resp;
	atomic_store(&m->host_connecting, false);
	mqtt_post(m, EV_HOST_FAILED);
}

static void on_host_connect_failed5(void *ctx, MQTTAsync_failureData5 *resp)
{
	et_mqtt_t *m = ctx;
	(void)resp;
	atomic_store(&m->host_connecting, false);
	mqtt_post(m, EV_HOST_FAILED);
}

static void on_host_retry(uv_timer_t *t)
{
	et_mqtt_t *m = t->data;
	if (!m->stopping && !m->paused)
		mqtt_host_connect(m);
}

void mqtt_host_events(et_mqtt_t *m, int ev)
{
	if (ev & EV_HOST_CONNECTED) {
		log_info("mqtt: sparkplug host connected as %s/sparkplug (clean session)",
			 m->cfg->mqtt_client_id);
		/* paused while the connect was under way */
		if (m->paused && !m->stopping)
			mqtt_host_offline(m, 1000);
	}
	if (ev & EV_HOST_LOST)
		log_warn("mqtt: sparkplug host lost the broker; the edge nodes' sites are stale "
			 "until they are born again%s",
			 atomic_load(&m->host_lost_unrecorded) ? " (not recorded: spool full)"
							       : "");
	/* resumed while the pause's disconnect was still under way */
	if ((ev & EV_HOST_DISCONNECTED) && !m->stopping && !m->paused)
		mqtt_host_connect(m);
	if ((ev & (EV_HOST_FAILED | EV_HOST_LOST)) && !m->stopping && !m->paused)
		uv_timer_start(&m->host_retry, on_host_retry, (ev & EV_HOST_LOST) ? 500 : 2000, 0);
}

void mqtt_host_connect(et_mqtt_t *m)
{
	/* one connect at a time: a second on a connecting client would
	 * drop the first */
	if (atomic_load(&m->host_connecting) || MQTTAsync_isConnected(m->host))
		return;
	MQTTAsync_connectOptions o;
	MQTTAsync_SSLOptions ssl;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	/* Clean Session (MQTT 5: Clean Start, and no Session Expiry
	 * property: 0). Not paho's automatic reconnect: each session needs a
	 * Will and a birth with a new timestamp (per broker, per session:
	 * tck-id-operational-behavior-host-application-multi-server-timestamp),
	 * and paho would reuse this connect's Will */
	mqtt_connect_options(m, &o, &ssl, 1, on_host_connect_failed, on_host_connect_failed5);
	/* the Will and the online message carry the same timestamp */
	atomic_store(&m->state_ts, (long long)(et_wall_us() / 1000));
	snprintf(m->will_payload, sizeof(m->will_payload), "{\"online\":false,\"timestamp\":%lld}",
		 (long long)atomic_load(&m->state_ts));
	will.topicName = m->state_topic;
	will.message = m->will_payload;
	will.qos = 1;
	will.retained = 1;
	o.will = &will;
	atomic_store(&m->host_connecting, true);
	int rc = MQTTAsync_connect(m->host, &o);
	if (rc != MQTTASYNC_SUCCESS) {
		atomic_store(&m->host_connecting, false);
		mqtt_post(m, EV_HOST_FAILED);
	}
}

int mqtt_host_start(et_mqtt_t *m, char *err, size_t errlen)
{
	const et_config_t *cfg = m->cfg;
	char id[512];
	snprintf(id, sizeof(id), "%s/sparkplug", cfg->mqtt_client_id);
	if (asprintf(&m->host_filters[0], "spBv1.0/%s/#", cfg->sp_group_filter) < 0) {
		m->host_filters[0] = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->host_filters[1] = m->state_topic;
	m->host_subscribed = (struct mqtt_post_ctx){m, 0, host_subscribed};
	int rc = mqtt_create(m, &m->host, id);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(err, errlen, "cannot create the Sparkplug host's MQTT client: %s",
			 MQTTAsync_strerror(rc));
		return -1;
	}
	MQTTAsync_setCallbacks(m->host, m, on_host_lost, on_mqtt_message, NULL);
	MQTTAsync_setConnected(m->host, m, on_host_connected);
	return 0;
}

/* Loop thread: a deliberate disconnect (spool full, stop): offline first
 * (tck-id-operational-behavior-host-application-termination); the
 * disconnect waits up to timeout_ms for it. */
void mqtt_host_offline(et_mqtt_t *m, int timeout_ms)
{
	if (!m->host)
		return;
	uv_timer_stop(&m->host_retry);
	atomic_store(&m->going_offline, true);
	if (!MQTTAsync_isConnected(m->host))
		return;
	mqtt_send_state(m, false);
	mqtt_disconnect_client(m, m->host, &m->post_host_disconnected, timeout_ms);
	atomic_store(&m->host_connected, false);
}
