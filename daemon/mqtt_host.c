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

static void on_host_subscribed(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	host_subscribed(ctx);
}

static void on_host_subscribed5(void *ctx, MQTTAsync_successData5 *resp)
{
	(void)resp;
	host_subscribed(ctx);
}

/* paho thread: connected. */
static void on_host_connected(void *ctx, char *cause)
{
	et_mqtt_t *m = ctx;
	(void)cause;
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = m;
	if (m->cfg->mqtt_version == 5)
		ro.onSuccess5 = on_host_subscribed5;
	else
		ro.onSuccess = on_host_subscribed;
	atomic_store(&m->going_offline, false);
	atomic_store(&m->host_connecting, false);
	int qos[2] = {m->cfg->mqtt_qos, 1};
	int rc = MQTTAsync_subscribeMany(m->host, 2, m->host_filters, qos, &ro);
	if (rc != MQTTASYNC_SUCCESS)
		log_error("mqtt: sparkplug host cannot subscribe: %s", MQTTAsync_strerror(rc));
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

static void on_host_disconnected(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_HOST_DISCONNECTED);
}

static void on_host_disconnected5(void *ctx, MQTTAsync_successData5 *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_HOST_DISCONNECTED);
}

static void on_host_disconnect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_HOST_DISCONNECTED);
}

static void on_host_disconnect_failed5(void *ctx, MQTTAsync_failureData5 *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_HOST_DISCONNECTED);
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
	const et_config_t *cfg = m->cfg;
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions co5 = MQTTAsync_connectOptions_initializer5;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	MQTTAsync_connectOptions *o = &co;
	if (cfg->mqtt_version == 5) {
		/* Clean Start, and no Session Expiry property: 0 */
		o = &co5;
		o->cleanstart = 1;
		o->onFailure5 = on_host_connect_failed5;
		o->MQTTVersion = MQTTVERSION_5;
	} else {
		o->cleansession = 1;
		o->onFailure = on_host_connect_failed;
		o->MQTTVersion = MQTTVERSION_3_1_1;
	}
	o->keepAliveInterval = cfg->mqtt_keepalive_s;
	o->context = m;
	if (m->nuris > 1) {
		o->serverURIs = m->uris;
		o->serverURIcount = m->nuris;
	}
	/* not paho's automatic reconnect: each session needs a Will and a
	 * birth with a new timestamp (per broker, per session:
	 * tck-id-operational-behavior-host-application-multi-server-timestamp),
	 * and paho would reuse this connect's Will */
	o->automaticReconnect = 0;
	o->connectTimeout = 10;
	if (cfg->mqtt_username[0])
		o->username = cfg->mqtt_username;
	if (m->password)
		o->password = m->password;
	if (mqtt_uri_is_tls(cfg->mqtt_uri)) {
		ssl.trustStore = cfg->mqtt_ca_file[0] ? cfg->mqtt_ca_file : NULL;
		ssl.keyStore = cfg->mqtt_cert_file[0] ? cfg->mqtt_cert_file : NULL;
		ssl.privateKey = cfg->mqtt_key_file[0] ? cfg->mqtt_key_file : NULL;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1;
		o->ssl = &ssl;
	}
	/* the Will and the online message carry the same timestamp */
	atomic_store(&m->state_ts, (long long)(et_wall_us() / 1000));
	snprintf(m->will_payload, sizeof(m->will_payload), "{\"online\":false,\"timestamp\":%lld}",
		 (long long)atomic_load(&m->state_ts));
	will.topicName = m->state_topic;
	will.message = m->will_payload;
	will.qos = 1;
	will.retained = 1;
	o->will = &will;
	atomic_store(&m->host_connecting, true);
	int rc = MQTTAsync_connect(m->host, o);
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
	MQTTAsync_createOptions cro = MQTTAsync_createOptions_initializer;
	cro.MQTTVersion = cfg->mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	cro.sendWhileDisconnected = 0;
	int rc = MQTTAsync_createWithOptions(&m->host, m->uris[0], id, MQTTCLIENT_PERSISTENCE_NONE,
					     NULL, &cro);
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
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;
	MQTTAsync_disconnectOptions *o = m->cfg->mqtt_version == 5 ? &d5 : &d;
	o->timeout = timeout_ms;
	o->context = m;
	if (m->cfg->mqtt_version == 5) {
		o->onSuccess5 = on_host_disconnected5;
		o->onFailure5 = on_host_disconnect_failed5;
	} else {
		o->onSuccess = on_host_disconnected;
		o->onFailure = on_host_disconnect_failed;
	}
	MQTTAsync_disconnect(m->host, o);
	atomic_store(&m->host_connected, false);
}
