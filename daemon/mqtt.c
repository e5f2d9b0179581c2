/* SPDX-License-Identifier: MIT */
/* paho MQTTAsync adapter: connecting (with back-off), subscribing, and
 * message arrival; the clean stop is daemon/mqtt_stop.c.
 * Facts this relies on (docs/threads.md): messageArrived
 * runs on paho's thread with paho's global mutex held and the PUBACK goes
 * out when it returns, so it must be quick and must keep the message; the
 * callbacks are registered before connecting, because a persistent
 * session's queued messages arrive right after CONNACK. */
#include "mqtt.h"
#include "mqtt_int.h"

#include <MQTTAsync.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "enertrack/backoff.h"
#include "enertrack/log.h"

/* {"online":...,"timestamp":<ms>} (Sparkplug 3.0 host application state). */
static void state_payload(char *buf, size_t len, bool online, long long ts_ms)
{
	snprintf(buf, len, "{\"online\":%s,\"timestamp\":%lld}", online ? "true" : "false", ts_ms);
}

int mqtt_send_state(et_mqtt_t *m, bool online)
{
	char payload[96];
	state_payload(payload, sizeof(payload), online,
		      online ? atomic_load(&m->state_ts) : (long long)(et_wall_us() / 1000));
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	msg.payload = payload;
	msg.payloadlen = (int)strlen(payload);
	msg.qos = 1;
	msg.retained = 1;
	return MQTTAsync_sendMessage(m->host ? m->host : m->client, m->state_topic, &msg, NULL);
}

/* True when a STATE payload says {"online":false,...} (spaces allowed). */
static bool state_says_offline(const char *p, size_t len)
{
	const char *end = p + len, *k = memmem(p, len, "\"online\"", 8);
	if (!k)
		return false;
	for (k += 8; k < end && (*k == ' ' || *k == '\t' || *k == ':'); k++)
		;
	return (size_t)(end - k) >= 5 && memcmp(k, "false", 5) == 0;
}

/* paho thread: an online:false for this host arrived (a stale retained Will,
 * or another process with our host_id) while it runs, so it says online
 * again (tck-id-message-flow-hid-sparkplug-state-message-delivered); not
 * while it is going offline on purpose, which is its own echo. */
static void check_own_state(et_mqtt_t *m, const char *topic, size_t tl, const void *payload,
			    size_t len)
{
	if (!m->state_topic || tl != strlen(m->state_topic) ||
	    memcmp(topic, m->state_topic, tl) != 0 || atomic_load(&m->going_offline) ||
	    !state_says_offline(payload, len))
		return;
	int rc = mqtt_send_state(m, true);
	atomic_fetch_add(&m->state_republished, 1);
	if (rc != MQTTASYNC_SUCCESS)
		log_warn("mqtt: cannot publish %s: %s", m->state_topic, MQTTAsync_strerror(rc));
}

void mqtt_post(et_mqtt_t *m, int ev)
{
	atomic_fetch_or(&m->events, ev);
	uv_async_send(&m->async);
}

/* paho thread */
int on_mqtt_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	et_mqtt_t *m = ctx;
	size_t tl = topic_len > 0 ? (size_t)topic_len : strlen(topic);
	int64_t recv_us = et_wall_us();
	int rc;
	check_own_state(m, topic, tl, msg->payload, (size_t)msg->payloadlen);
	/* Not stored (disk full, I/O error): wait here until it is. paho sends
	 * the PUBACK when this returns, whatever it returns (docs/threads.md), so
	 * returning without the message stored would lose it; waiting keeps
	 * it unacknowledged at the broker (which redelivers it should the
	 * connection drop meanwhile) while the loop drains the spool. */
	while ((rc = et_spool_append(m->spool, topic, tl, msg->payload, (size_t)msg->payloadlen,
				     recv_us)) < 0) {
		if (!atomic_load(&m->store_blocked)) {
			atomic_store(&m->store_errno, -rc);
			atomic_store(&m->store_blocked, true);
			mqtt_post(m, EV_STORE_FAILED);
		}
		if (atomic_load(&m->abandon)) {
			/* the daemon is stopping: never return, never touch the
			 * spool again; the message stays at the broker */
			for (;;)
				pause();
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&m->store_blocked)) {
		atomic_store(&m->store_blocked, false);
		mqtt_post(m, EV_STORE_FAILED);
	}
	atomic_fetch_add(&m->received, 1);
	if (rc > 0)
		uv_async_send(&m->async);
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

/* paho thread: subscribed (the Sparkplug host says online on its own
 * connection, daemon/mqtt_host.c). */
static void subscribed(et_mqtt_t *m)
{
	(void)m;
	log_debug("mqtt: subscribed");
}

static void on_mqtt_subscribed(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	subscribed(ctx);
}

static void on_mqtt_subscribed5(void *ctx, MQTTAsync_successData5 *resp)
{
	(void)resp;
	subscribed(ctx);
}

static void on_mqtt_subscribe_failed(void *ctx, MQTTAsync_failureData *resp)
{
	et_mqtt_t *m = ctx;
	log_error("mqtt: subscribe failed (code %d): %s", resp ? resp->code : 0,
		  resp && resp->message ? resp->message : "refused by the broker");
	mqtt_post(m, EV_SUB_FAILED);
}

static void on_mqtt_subscribe_failed5(void *ctx, MQTTAsync_failureData5 *resp)
{
	et_mqtt_t *m = ctx;
	log_error("mqtt: subscribe failed (reason %d): %s", resp ? (int)resp->reasonCode : 0,
		  resp && resp->message ? resp->message : "refused by the broker");
	mqtt_post(m, EV_SUB_FAILED);
}

/* paho thread: called after every successful connect, the first and each
 * automatic reconnect. Subscribing again is harmless with a persistent
 * session and repairs a broker that lost it. */
static void on_mqtt_connected(void *ctx, char *cause)
{
	et_mqtt_t *m = ctx;
	(void)cause;
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = m;
	if (m->cfg->mqtt_version == 5) {
		ro.onSuccess5 = on_mqtt_subscribed5;
		ro.onFailure5 = on_mqtt_subscribe_failed5;
	} else {
		ro.onSuccess = on_mqtt_subscribed;
		ro.onFailure = on_mqtt_subscribe_failed;
	}
	atomic_store(&m->going_offline, false);
	int rc = MQTTAsync_subscribeMany(m->client, m->nfilters, m->filters, m->qos, &ro);
	if (rc != MQTTASYNC_SUCCESS)
		log_error("mqtt: cannot subscribe: %s", MQTTAsync_strerror(rc));
	atomic_store(&m->connected, true);
	mqtt_post(m, EV_CONNECTED);
}

static void on_mqtt_lost(void *ctx, char *cause)
{
	et_mqtt_t *m = ctx;
	atomic_store(&m->connected, false);
	snprintf(m->fail_reason, sizeof(m->fail_reason), "%s", cause ? cause : "connection lost");
	mqtt_post(m, EV_LOST);
}

bool mqtt_uri_is_tls(const char *uri)
{
	return strncmp(uri, "ssl://", 6) == 0 || strncmp(uri, "mqtts://", 8) == 0 ||
	       strncmp(uri, "wss://", 6) == 0;
}

/* paho thread: OpenSSL's reason for a failed handshake ("certificate
 * verify failed", "tlsv13 alert certificate required", ...), kept for the
 * connect failure that follows. */
static int on_tls_error(const char *str, size_t len, void *ctx)
{
	et_mqtt_t *m = ctx;
	/* OpenSSL 3: "...:error:0A000086:SSL routines:FUNC:REASON:FILE:LINE" */
	const char *end = str + len, *why = str, *p = memmem(str, len, "error:", 6);
	int colons = 0;
	for (; p && p < end; p++) {
		if (*p == ':' && ++colons == 4) {
			why = p + 1;
			break;
		}
	}
	size_t n = why == str ? len : strcspn(why, ":\n");
	if (n > (size_t)(end - why))
		n = (size_t)(end - why);
	snprintf(m->tls_error, sizeof(m->tls_error), "%.*s", (int)n, why);
	return 0;
}

static void connect_failed(et_mqtt_t *m, const char *msg, int code, int reason)
{
	char rs[32] = "";
	if (reason)
		snprintf(rs, sizeof(rs), ", reason %d", reason);
	const char *hint = "";
	/* MQTT 3.1.1 CONNACK return codes, as paho reports them */
	static const char *const connack[] = {
		NULL,
		"; the broker refused: unacceptable protocol version (try [mqtt] version)",
		"; the broker refused the client id",
		"; the broker refused: server unavailable",
		"; the broker refused: bad user name or password",
		"; the broker refused: not authorized (user name, password or client "
		"certificate)",
	};
	if (strstr(msg, "CONNACK") && code > 0 && code <= 5)
		hint = connack[code];
	else if (mqtt_uri_is_tls(m->cfg->mqtt_uri) &&
		 (strstr(msg, "TLS") || strstr(msg, "completion")))
		hint = "; if the broker is up, the TLS handshake failed: its certificate must be "
		       "signed by ca_file and name the URI's host, and a broker that wants a "
		       "client certificate must accept cert_file";
	snprintf(m->fail_reason, sizeof(m->fail_reason), "%s (code %d%s)%s%s%s", msg, code, rs,
		 m->tls_error[0] ? "; TLS: " : "", m->tls_error, hint);
	m->tls_error[0] = '\0';
	mqtt_post(m, EV_CONNECT_FAILED);
}

static void on_mqtt_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	connect_failed(ctx,
		       resp && resp->message ? resp->message
					     : MQTTAsync_strerror(resp ? resp->code : -1),
		       resp ? resp->code : 0, 0);
}

static void on_mqtt_connect_failed5(void *ctx, MQTTAsync_failureData5 *resp)
{
	connect_failed(ctx,
		       resp && resp->message ? resp->message
					     : MQTTAsync_strerror(resp ? resp->code : -1),
		       resp ? resp->code : 0, resp ? (int)resp->reasonCode : 0);
}

/* Loop thread: (re)issues a connect. */
static void mqtt_connect(et_mqtt_t *m)
{
	const et_config_t *cfg = m->cfg;
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions co5 = MQTTAsync_connectOptions_initializer5;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	MQTTProperties props = MQTTProperties_initializer;
	MQTTAsync_connectOptions *o = &co;

	if (cfg->mqtt_version == 5) {
		o = &co5;
		o->cleanstart = 0;
		/* Keep the session (and its queued messages) across outages for
		 * session_expiry_s: longer loses less, but a member that never
		 * returns holds its share of a shared group that long. */
		MQTTProperty p = {.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL};
		p.value.integer4 = (unsigned)cfg->mqtt_session_expiry_s;
		MQTTProperties_add(&props, &p);
		o->connectProperties = &props;
		o->onSuccess5 = NULL;
		o->onFailure5 = on_mqtt_connect_failed5;
		o->MQTTVersion = MQTTVERSION_5;
	} else {
		o->cleansession = 0;
		o->onFailure = on_mqtt_connect_failed;
		o->MQTTVersion = MQTTVERSION_3_1_1;
	}
	o->keepAliveInterval = cfg->mqtt_keepalive_s;
	o->context = m;
	if (m->nuris > 1) {
		o->serverURIs = m->uris;
		o->serverURIcount = m->nuris;
	}
	/* Reconnecting is ours (back-off with jitter, one log line per outage),
	 * not paho's automatic reconnect. */
	o->automaticReconnect = 0;
	o->connectTimeout = 10;
	o->maxInflight = 65535;
	if (cfg->mqtt_username[0])
		o->username = cfg->mqtt_username;
	if (m->password)
		o->password = m->password;
	if (mqtt_uri_is_tls(cfg->mqtt_uri)) {
		ssl.trustStore = cfg->mqtt_ca_file[0] ? cfg->mqtt_ca_file : NULL;
		ssl.keyStore = cfg->mqtt_cert_file[0] ? cfg->mqtt_cert_file : NULL;
		ssl.privateKey = cfg->mqtt_key_file[0] ? cfg->mqtt_key_file : NULL;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1; /* host name check */
		ssl.ssl_error_cb = on_tls_error;
		ssl.ssl_error_context = m;
		o->ssl = &ssl;
	}
	(void)will;
	int rc = MQTTAsync_connect(m->client, o);
	MQTTProperties_free(&props);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(m->fail_reason, sizeof(m->fail_reason), "%s", MQTTAsync_strerror(rc));
		mqtt_post(m, EV_CONNECT_FAILED);
	}
}

static void on_retry_timer(uv_timer_t *t)
{
	et_mqtt_t *m = t->data;
	if (!m->stopping && !m->paused)
		mqtt_connect(m);
}

static void schedule_retry(et_mqtt_t *m)
{
	uint32_t delay = et_backoff_next(&m->backoff, (uint32_t)rand());
	uv_timer_start(&m->retry, on_retry_timer, delay, 0);
}

static void on_paho_events(uv_async_t *a)
{
	et_mqtt_t *m = a->data;
	int ev = atomic_exchange(&m->events, 0);
	int64_t now = (int64_t)uv_now(a->loop);
	if (m->host)
		mqtt_host_events(m, ev);

	if (ev & EV_CONNECTED) {
		if (m->outage)
			log_info("mqtt: reconnected to %s after %.1f s and %u attempts; the "
				 "persistent session resumes",
				 m->cfg->mqtt_uri, (now - m->outage_since_ms) / 1000.0,
				 m->outage_attempts + 1);
		else if (m->connect_failures)
			log_info("mqtt: connected to %s after %u failed attempts", m->cfg->mqtt_uri,
				 m->connect_failures);
		else if (m->ever_connected)
			log_info("mqtt: reconnected to %s", m->cfg->mqtt_uri);
		else
			log_info("mqtt: connected to %s as %s", m->cfg->mqtt_uri,
				 m->cfg->mqtt_client_id);
		if (m->ever_connected)
			atomic_fetch_add(&m->reconnects, 1);
		m->ever_connected = true;
		m->outage = false;
		m->connect_failures = 0;
		et_backoff_reset(&m->backoff);
		if (m->paused) {
			/* paused while a connect was under way */
			et_mqtt_pause(m, true);
		}
	}
	if ((ev & EV_LOST) && !m->stopping && !m->paused) {
		log_warn("mqtt: lost the connection to the broker (%s); reconnecting with "
			 "back-off (logged once per outage)",
			 m->fail_reason);
		m->outage = true;
		m->outage_since_ms = now;
		m->outage_attempts = 0;
		schedule_retry(m);
	}
	if ((ev & EV_CONNECT_FAILED) && !m->stopping && !m->paused) {
		if (m->outage)
			m->outage_attempts++;
		if (m->outage || m->connect_failures++ > 0)
			log_debug("mqtt: connect attempt failed: %s", m->fail_reason);
		else
			log_error("mqtt: cannot connect to %s: %s (retrying with back-off; logged "
				  "once)",
				  m->cfg->mqtt_uri, m->fail_reason);
		schedule_retry(m);
	}
	if ((ev & EV_UNSUBSCRIBED) && m->stopping)
		mqtt_start_drain(m, now);
	if ((ev & EV_DISCONNECTED) && m->stopping) {
		uv_timer_stop(&m->stop_timer);
		mqtt_finish_stop(m);
	}
	/* messages: the owner reads the spool */
	m->wake(m->ctx, (ev & EV_STORE_FAILED) != 0);
}

void et_mqtt_pause(et_mqtt_t *m, bool pause)
{
	/* paho's global mutex is held by a callback that waits for space */
	if (m->stopping || atomic_load(&m->store_blocked))
		return;
	if (!pause) {
		if (m->paused) {
			m->paused = false;
			et_backoff_reset(&m->backoff);
			mqtt_connect(m);
			if (m->host)
				mqtt_host_connect(m);
		}
		return;
	}
	m->paused = true;
	uv_timer_stop(&m->retry);
	/* a deliberate disconnect: the host says offline first
	 * (tck-id-operational-behavior-host-application-termination); the
	 * disconnect waits for it */
	mqtt_host_offline(m, 1000);
	mqtt_disconnect(m, 1000); /* fails when not connected: nothing to do then */
	atomic_store(&m->connected, false);
}

int et_mqtt_store_blocked(const et_mqtt_t *m)
{
	et_mqtt_t *mm = (et_mqtt_t *)m;
	return atomic_load(&mm->store_blocked) ? atomic_load(&mm->store_errno) : 0;
}

int et_mqtt_start(et_mqtt_t **ret, uv_loop_t *loop, const et_config_t *cfg, const char *password,
		  et_spool_t *sp, et_mqtt_wake_cb wake, void *ctx, char *err, size_t errlen)
{
	et_mqtt_t *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->cfg = cfg;
	m->spool = sp;
	m->wake = wake;
	m->ctx = ctx;
	m->backoff = (et_backoff_t){.base_ms = 500, .max_ms = 30000};
	if (password && !(m->password = strdup(password)))
		goto nomem;

	/* the brokers: space-separated, tried in turn */
	char *copy = strdup(cfg->mqtt_uri);
	if (!copy || !(m->uris = calloc(strlen(cfg->mqtt_uri) / 2 + 2, sizeof(char *)))) {
		free(copy);
		goto nomem;
	}
	for (char *save = NULL, *t = strtok_r(copy, " \t,", &save); t;
	     t = strtok_r(NULL, " \t,", &save)) {
		if (!(m->uris[m->nuris++] = strdup(t))) {
			free(copy);
			goto nomem;
		}
	}
	free(copy);
	if (!m->nuris) {
		snprintf(err, errlen, "[mqtt] uri is empty");
		goto fail;
	}

	/* the filters: space-separated */
	copy = strdup(cfg->mqtt_topics);
	if (!copy)
		goto nomem;
	for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save))
		m->nfilters++;
	free(copy);
	/* and spBv1.0/<group_filter>/# for Sparkplug B */
	m->filters = calloc((size_t)m->nfilters + 1, sizeof(char *));
	m->qos = calloc((size_t)m->nfilters + 1, sizeof(int));
	copy = strdup(cfg->mqtt_topics);
	if (!m->filters || !m->qos || !copy) {
		free(copy);
		goto nomem;
	}
	int i = 0;
	for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		m->filters[i] = strdup(t);
		m->shared |= strncmp(t, "$share/", 7) == 0;
		m->qos[i] = cfg->mqtt_qos;
		if (!m->filters[i++]) {
			free(copy);
			goto nomem;
		}
	}
	free(copy);
	/* Sparkplug B has a connection of its own (daemon/mqtt_host.c),
	 * subscribed to its own STATE too, whatever group_filter is: to see
	 * an online:false for itself and answer it */
	if (cfg->sp_enabled) {
		if (asprintf(&m->state_topic, "spBv1.0/STATE/%s", cfg->sp_host_id) < 0) {
			m->state_topic = NULL;
			goto nomem;
		}
	}

	MQTTAsync_createOptions cro = MQTTAsync_createOptions_initializer;
	cro.MQTTVersion = cfg->mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	cro.sendWhileDisconnected = 0;
	int rc = MQTTAsync_createWithOptions(&m->client, m->uris[0], cfg->mqtt_client_id,
					     MQTTCLIENT_PERSISTENCE_NONE, NULL, &cro);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(err, errlen, "cannot create the MQTT client for %s: %s%s", cfg->mqtt_uri,
			 MQTTAsync_strerror(rc),
			 rc == MQTTASYNC_BAD_PROTOCOL ? " (is the URI scheme right?)" : "");
		goto fail;
	}
	if (cfg->sp_enabled && mqtt_host_start(m, err, errlen))
		goto fail;
	/* callbacks before connect (docs/threads.md) */
	MQTTAsync_setCallbacks(m->client, m, on_mqtt_lost, on_mqtt_message, NULL);
	MQTTAsync_setConnected(m->client, m, on_mqtt_connected);

	uv_async_init(loop, &m->async, on_paho_events);
	m->async.data = m;
	uv_timer_init(loop, &m->retry);
	m->retry.data = m;
	uv_timer_init(loop, &m->stop_timer);
	m->stop_timer.data = m;
	m->open_handles = 3;
	if (m->host) {
		uv_timer_init(loop, &m->host_retry);
		m->host_retry.data = m;
		m->open_handles++;
		mqtt_host_connect(m);
	}
	mqtt_connect(m);
	*ret = m;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (m->client)
		MQTTAsync_destroy(&m->client);
	if (m->host)
		MQTTAsync_destroy(&m->host);
	free(m->host_filters[0]);
	for (int k = 0; k < m->nuris; k++)
		free(m->uris[k]);
	free(m->uris);
	for (int k = 0; k < m->nfilters && m->filters; k++)
		free(m->filters[k]);
	free(m->filters);
	free(m->qos);
	free(m->password);
	free(m->state_topic);
	free(m);
	return -EINVAL;
}

int et_mqtt_publish(et_mqtt_t *m, const char *topic, const void *payload, size_t len, int qos)
{
	/* Sparkplug commands go out on the host's connection */
	MQTTAsync c = m->host ? m->host : m->client;
	if (m->stopping || !atomic_load(m->host ? &m->host_connected : &m->connected))
		return -ENOTCONN;
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	msg.payload = (void *)payload;
	msg.payloadlen = (int)len;
	msg.qos = qos;
	int rc = MQTTAsync_sendMessage(c, topic, &msg, NULL);
	return rc == MQTTASYNC_SUCCESS ? 0 : -EIO;
}

bool et_mqtt_connected(const et_mqtt_t *m)
{
	return atomic_load(&((et_mqtt_t *)m)->connected);
}

uint64_t et_mqtt_reconnects(const et_mqtt_t *m)
{
	return atomic_load(&((et_mqtt_t *)m)->reconnects);
}
