/* SPDX-License-Identifier: MIT */
/* The MQTT adapter's clean stop: in a shared group, unsubscribe first and
 * take what the broker had already sent us (so that our share goes to the
 * others instead of waiting in our session), say the Sparkplug host is
 * offline, disconnect, and free the client once its handles closed. Each
 * wait is bounded by the stop timer. Loop thread, except paho's
 * callbacks, which only post events. */
#include <MQTTAsync.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/log.h"
#include "mqtt_int.h"

/* A clean stop in a shared group: after the UNSUBACK, messages already
 * sent to us are taken until none came for this long (bounded by the stop
 * timer), so that none stays queued in our session. */
#define DRAIN_QUIET_MS 300

static void on_stop_timeout(uv_timer_t *t);

static void on_mqtt_disconnected(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_DISCONNECTED);
}

static void on_mqtt_disconnected5(void *ctx, MQTTAsync_successData5 *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_DISCONNECTED);
}

static void on_mqtt_disconnect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_DISCONNECTED);
}

static void on_mqtt_disconnect_failed5(void *ctx, MQTTAsync_failureData5 *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_DISCONNECTED);
}

/* Starts a disconnect; EV_DISCONNECTED follows (acted on when stopping). */
int mqtt_disconnect(et_mqtt_t *m, int timeout_ms)
{
	MQTTAsync_disconnectOptions dopts = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions dopts5 = MQTTAsync_disconnectOptions_initializer5;
	MQTTAsync_disconnectOptions *d = m->cfg->mqtt_version == 5 ? &dopts5 : &dopts;
	d->timeout = timeout_ms;
	d->context = m;
	if (m->cfg->mqtt_version == 5) {
		d->onSuccess5 = on_mqtt_disconnected5;
		d->onFailure5 = on_mqtt_disconnect_failed5;
	} else {
		d->onSuccess = on_mqtt_disconnected;
		d->onFailure = on_mqtt_disconnect_failed;
	}
	return MQTTAsync_disconnect(m->client, d);
}

static void on_unsubscribed(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_UNSUBSCRIBED);
}

static void on_unsubscribed5(void *ctx, MQTTAsync_successData5 *resp)
{
	(void)resp;
	mqtt_post(ctx, EV_UNSUBSCRIBED);
}

static void on_unsubscribe_failed(void *ctx, MQTTAsync_failureData *resp)
{
	log_warn("mqtt: unsubscribe failed (code %d); disconnecting: the broker keeps our share "
		 "in our session",
		 resp ? resp->code : 0);
	mqtt_post(ctx, EV_UNSUBSCRIBED);
}

static void on_unsubscribe_failed5(void *ctx, MQTTAsync_failureData5 *resp)
{
	log_warn("mqtt: unsubscribe failed (reason %d); disconnecting: the broker keeps our "
		 "share in our session",
		 resp ? (int)resp->reasonCode : 0);
	mqtt_post(ctx, EV_UNSUBSCRIBED);
}

static void on_drain_timer(uv_timer_t *t)
{
	et_mqtt_t *m = t->data;
	int64_t now = (int64_t)uv_now(t->loop);
	uint64_t got = atomic_load(&m->received);
	if (got != m->drain_mark) {
		m->drain_mark = got;
		m->drain_quiet_since = now;
		return;
	}
	if (now - m->drain_quiet_since < DRAIN_QUIET_MS)
		return;
	uv_timer_stop(t);
	log_info("mqtt: left the shared group; %llu messages already sent to us arrived after "
		 "the unsubscribe",
		 (unsigned long long)(got - m->unsub_mark));
	uv_timer_stop(&m->stop_timer);
	if (mqtt_disconnect(m, 2000) != MQTTASYNC_SUCCESS) {
		mqtt_finish_stop(m);
		return;
	}
	uv_timer_start(&m->stop_timer, on_stop_timeout, 3000, 0);
}

/* Loop thread: the UNSUBACK came; the others get every new message of
 * the group now. What the broker had already sent us still arrives. */
void mqtt_start_drain(et_mqtt_t *m, int64_t now)
{
	if (!m->stop_done)
		return;
	m->unsub_mark = m->drain_mark = atomic_load(&m->received);
	m->drain_quiet_since = now;
	uv_timer_start(&m->retry, on_drain_timer, 50, 50);
}

/* Set once a stop left paho's thread waiting for spool space: the process
 * must then not free what that thread may still touch (m, the spool). */
static atomic_bool paho_left;

bool et_mqtt_paho_left(void)
{
	return atomic_load(&paho_left);
}

static void on_handle_closed(uv_handle_t *h)
{
	et_mqtt_t *m = h->data;
	if (--m->open_handles > 0)
		return;
	if (m->leave_paho)
		return; /* paho's thread may still read it; the exit frees it */
	for (int k = 0; k < m->nfilters; k++)
		free(m->filters[k]);
	free(m->filters);
	free(m->qos);
	free(m->state_topic);
	free(m->host_filters[0]);
	for (int k = 0; k < m->nuris; k++)
		free(m->uris[k]);
	free(m->uris);
	if (m->password) {
		memset(m->password, 0, strlen(m->password));
		free(m->password);
	}
	free(m);
}

void mqtt_finish_stop(et_mqtt_t *m)
{
	void (*done)(void *) = m->stop_done;
	void *ctx = m->stop_ctx;
	if (!done)
		return; /* already finished */
	m->stop_done = NULL;
	/* paho's threads are gone after destroy: no callback can touch m.
	 * Not when one waits for spool space holding paho's mutex: it never
	 * touches m or the spool again (abandon), and the exit ends it. */
	if (!m->leave_paho && !atomic_load(&m->store_blocked)) {
		MQTTAsync_destroy(&m->client);
		if (m->host)
			MQTTAsync_destroy(&m->host);
	} else
		m->leave_paho = true;
	if (m->leave_paho)
		atomic_store(&paho_left, true);
	atomic_store(&m->connected, false);
	/* the last messages paho handed over wait in the spool */
	m->wake(m->ctx, false);
	uv_close((uv_handle_t *)&m->async, on_handle_closed);
	uv_close((uv_handle_t *)&m->retry, on_handle_closed);
	uv_close((uv_handle_t *)&m->stop_timer, on_handle_closed);
	if (m->host_retry.data)
		uv_close((uv_handle_t *)&m->host_retry, on_handle_closed);
	done(ctx);
}

static void on_stop_timeout(uv_timer_t *t)
{
	et_mqtt_t *m = t->data;
	log_warn("mqtt: the broker did not confirm the disconnect in time; closing anyway");
	mqtt_finish_stop(m);
}

void et_mqtt_stop(et_mqtt_t *m, void (*done)(void *ctx), void *ctx)
{
	m->stopping = true;
	m->stop_done = done;
	m->stop_ctx = ctx;
	uv_timer_stop(&m->retry);
	atomic_store(&m->abandon, true);
	if (atomic_load(&m->store_blocked)) {
		/* paho's thread holds its mutex while it waits for spool space:
		 * no paho call can return; leave it (and its message, still
		 * unacknowledged at the broker) to the process's exit */
		log_warn("mqtt: a message waits for spool space; it stays at the broker for the "
			 "next start");
		m->leave_paho = true;
		mqtt_finish_stop(m);
		return;
	}
	/* a clean stop sends no Will: say offline ourselves (the disconnect
	 * waits for it) */
	mqtt_host_offline(m, 1000);
	if (m->shared && atomic_load(&m->connected)) {
		/* leave the group first, so that our share goes to the others
		 * instead of waiting in our session for the next start */
		MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
		ro.context = m;
		if (m->cfg->mqtt_version == 5) {
			ro.onSuccess5 = on_unsubscribed5;
			ro.onFailure5 = on_unsubscribe_failed5;
		} else {
			ro.onSuccess = on_unsubscribed;
			ro.onFailure = on_unsubscribe_failed;
		}
		if (MQTTAsync_unsubscribeMany(m->client, m->nfilters, m->filters, &ro) ==
		    MQTTASYNC_SUCCESS) {
			/* the UNSUBACK, the drain and the disconnect, bounded */
			uv_timer_start(&m->stop_timer, on_stop_timeout, 8000, 0);
			return;
		}
	}
	if (mqtt_disconnect(m, 2000) != MQTTASYNC_SUCCESS) {
		/* not connected: nothing to wait for */
		mqtt_finish_stop(m);
		return;
	}
	uv_timer_start(&m->stop_timer, on_stop_timeout, 3000, 0);
}
