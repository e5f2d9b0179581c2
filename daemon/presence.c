/* SPDX-License-Identifier: MIT */
/* The presence connection (see presence.h). Reconnecting is done here, not
 * by paho, because each connection gets a fresh Will that carries its
 * connection number: every observer, including one that starts after the
 * member died and sees only the retained Will, then names the same outage
 * the same way, and db/member_alarm.c mails it once. */
#include "presence.h"

#include <MQTTAsync.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "enertrack/log.h"

#define MAX_MEMBERS 256
#define RETRY_MS    2000

struct et_presence {
	uv_timer_t timer; /* reconnects while down */
	MQTTAsync client;
	const et_config_t *cfg;
	char *password;
	char group[64];
	char client_id[160];
	char topic[192];
	int64_t started_us;
	unsigned conn;		  /* loop thread: the connection number of the last connect */
	atomic_bool need_connect; /* set by paho's thread on a loss or a failed connect */
	atomic_bool up;
	atomic_bool disconnected; /* the clean stop's DISCONNECT completed */
	bool stopping, logged_down;
	bool held; /* loop thread: no paho calls (see et_presence_hold) */
	pthread_mutex_t mu;
	et_member_t members[MAX_MEMBERS]; /* guarded by mu */
	size_t nmembers;
};

bool et_presence_group(const char *topics, char *buf, size_t len)
{
	for (const char *p = topics; (p = strstr(p, "$share/")); p += 7) {
		if (p != topics && p[-1] != ' ' && p[-1] != '\t')
			continue;
		const char *g = p + 7, *e = strchr(g, '/');
		if (!e || e == g || (size_t)(e - g) >= len)
			continue;
		snprintf(buf, len, "%.*s", (int)(e - g), g);
		return true;
	}
	return false;
}

/* The presence payload; online false is the Will, stopped the clean stop. */
static char *payload(et_presence_t *p, const char *state)
{
	char started[40];
	time_t t = (time_t)(p->started_us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *o = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "online",
			      strcmp(state, "online") == 0, "state", state, "client_id",
			      p->cfg->mqtt_client_id, "version", ET_VERSION, "group", p->group,
			      "started", started, "started_us", (json_int_t)p->started_us, "conn",
			      (json_int_t)p->conn);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const et_member_t *)a)->id, ((const et_member_t *)b)->id);
}

/* paho thread: one presence message (retained or live) updates the table */
static void member_update(et_presence_t *p, const char *id, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *o = len ? json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	const char *state = NULL, *version = "", *group = "";
	json_int_t started = 0, conn = 0;
	if (len &&
	    (!o || json_unpack(o, "{s:s, s?s, s?s, s?I, s?I}", "state", &state, "version", &version,
			       "group", &group, "started_us", &started, "conn", &conn))) {
		log_debug("presence: ignoring a malformed message for %s", id);
		json_decref(o);
		return;
	}
	enum et_member_state st = ET_MEMBER_ONLINE;
	if (state && strcmp(state, "down") == 0)
		st = ET_MEMBER_DOWN;
	else if (state && strcmp(state, "stopped") == 0)
		st = ET_MEMBER_STOPPED;
	pthread_mutex_lock(&p->mu);
	size_t i = 0;
	while (i < p->nmembers && strcmp(p->members[i].id, id) != 0)
		i++;
	if (!len) {
		/* an empty retained message removes the member */
		if (i < p->nmembers)
			p->members[i] = p->members[--p->nmembers];
	} else if (i < p->nmembers || p->nmembers < MAX_MEMBERS) {
		et_member_t *m = &p->members[i];
		bool changed = i == p->nmembers || m->state != st ||
			       m->started_us != (int64_t)started || m->conn != (unsigned)conn;
		if (i == p->nmembers) {
			memset(m, 0, sizeof(*m));
			p->nmembers++;
		}
		snprintf(m->id, sizeof(m->id), "%s", id);
		snprintf(m->version, sizeof(m->version), "%s", version);
		snprintf(m->group, sizeof(m->group), "%s", group);
		if (changed) {
			log_info("presence: %s is %s (started_us %lld, connection %lld)", id,
				 et_member_state_name(st), (long long)started, (long long)conn);
			m->since_us = et_wall_us();
		}
		m->state = st;
		m->started_us = started;
		m->conn = (unsigned)conn;
	}
	qsort(p->members, p->nmembers, sizeof(et_member_t), cmp_member);
	pthread_mutex_unlock(&p->mu);
	json_decref(o);
}

/* paho thread */
static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	et_presence_t *p = ctx;
	size_t tl = topic_len > 0 ? (size_t)topic_len : strlen(topic);
	size_t pl = strlen(ET_PRESENCE_PREFIX);
	if (tl > pl && tl - pl < 128 && memcmp(topic, ET_PRESENCE_PREFIX, pl) == 0) {
		char id[128];
		snprintf(id, sizeof(id), "%.*s", (int)(tl - pl), topic + pl);
		member_update(p, id, msg->payload, (size_t)msg->payloadlen);
	}
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static void publish_state(et_presence_t *p, const char *state, MQTTAsync_responseOptions *ro)
{
	char *s = payload(p, state);
	if (!s)
		return;
	int rc = MQTTAsync_send(p->client, p->topic, (int)strlen(s), s, 1, 1, ro);
	if (rc != MQTTASYNC_SUCCESS)
		log_warn("presence: cannot publish %s: %s", state, MQTTAsync_strerror(rc));
	free(s);
}

/* paho thread, after each connect: say so, and follow the others */
static void on_connected(void *ctx, char *cause)
{
	et_presence_t *p = ctx;
	(void)cause;
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	publish_state(p, "online", &ro);
	MQTTAsync_responseOptions so = MQTTAsync_responseOptions_initializer;
	int rc = MQTTAsync_subscribe(p->client, ET_PRESENCE_PREFIX "+", 1, &so);
	if (rc != MQTTASYNC_SUCCESS)
		log_warn("presence: cannot subscribe: %s", MQTTAsync_strerror(rc));
	atomic_store(&p->up, true);
}

static void on_lost(void *ctx, char *cause)
{
	et_presence_t *p = ctx;
	(void)cause;
	atomic_store(&p->up, false);
	atomic_store(&p->need_connect, true);
}

static void on_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	et_presence_t *p = ctx;
	(void)resp;
	atomic_store(&p->need_connect, true);
}

/* Loop thread: one connect, with a Will for this connection number. */
static void presence_connect(et_presence_t *p)
{
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	const et_config_t *cfg = p->cfg;
	p->conn++;
	char *down = payload(p, "down");
	if (!down) {
		atomic_store(&p->need_connect, true);
		return;
	}
	will.topicName = p->topic;
	will.payload.data = down;
	will.payload.len = (int)strlen(down);
	will.message = NULL;
	will.retained = 1;
	will.qos = 1;
	co.will = &will;
	co.cleansession = 1;
	co.keepAliveInterval = cfg->mqtt_keepalive_s;
	co.connectTimeout = 10;
	co.automaticReconnect = 0;
	co.MQTTVersion = MQTTVERSION_3_1_1;
	co.onFailure = on_connect_failed;
	co.context = p;
	if (cfg->mqtt_username[0])
		co.username = cfg->mqtt_username;
	if (p->password)
		co.password = p->password;
	if (strncmp(cfg->mqtt_uri, "ssl://", 6) == 0 ||
	    strncmp(cfg->mqtt_uri, "mqtts://", 8) == 0 ||
	    strncmp(cfg->mqtt_uri, "wss://", 6) == 0) {
		ssl.trustStore = cfg->mqtt_ca_file[0] ? cfg->mqtt_ca_file : NULL;
		ssl.keyStore = cfg->mqtt_cert_file[0] ? cfg->mqtt_cert_file : NULL;
		ssl.privateKey = cfg->mqtt_key_file[0] ? cfg->mqtt_key_file : NULL;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1;
		co.ssl = &ssl;
	}
	int rc = MQTTAsync_connect(p->client, &co);
	free(down); /* paho copied the Will */
	if (rc != MQTTASYNC_SUCCESS)
		atomic_store(&p->need_connect, true);
}

static void on_timer(uv_timer_t *t)
{
	et_presence_t *p = t->data;
	if (p->stopping || p->held)
		return;
	bool up = atomic_load(&p->up);
	if (up && p->logged_down) {
		log_info("presence: connected again");
		p->logged_down = false;
	}
	if (!atomic_exchange(&p->need_connect, false))
		return;
	if (!p->logged_down && p->conn > 0) {
		log_warn("presence: not connected to the broker; retrying every %d s (logged once)",
			 RETRY_MS / 1000);
		p->logged_down = true;
	}
	presence_connect(p);
}

int et_presence_start(et_presence_t **ret, uv_loop_t *loop, const et_config_t *cfg,
		      const char *password, char *err, size_t errlen)
{
	et_presence_t *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->cfg = cfg;
	p->started_us = et_wall_us();
	pthread_mutex_init(&p->mu, NULL);
	et_presence_group(cfg->mqtt_topics, p->group, sizeof(p->group));
	snprintf(p->client_id, sizeof(p->client_id), "%s/presence", cfg->mqtt_client_id);
	snprintf(p->topic, sizeof(p->topic), ET_PRESENCE_PREFIX "%s", cfg->mqtt_client_id);
	if (password && !(p->password = strdup(password))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	MQTTAsync_createOptions cro = MQTTAsync_createOptions_initializer;
	cro.MQTTVersion = MQTTVERSION_3_1_1;
	int rc = MQTTAsync_createWithOptions(&p->client, cfg->mqtt_uri, p->client_id,
					     MQTTCLIENT_PERSISTENCE_NONE, NULL, &cro);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(err, errlen, "presence: cannot create the MQTT client: %s",
			 MQTTAsync_strerror(rc));
		goto fail;
	}
	MQTTAsync_setCallbacks(p->client, p, on_lost, on_message, NULL);
	MQTTAsync_setConnected(p->client, p, on_connected);
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	presence_connect(p);
	uv_timer_start(&p->timer, on_timer, RETRY_MS, RETRY_MS);
	log_info("presence: announcing %s in group %s on " ET_PRESENCE_PREFIX "%s",
		 cfg->mqtt_client_id, p->group, cfg->mqtt_client_id);
	*ret = p;
	return 0;
fail:
	pthread_mutex_destroy(&p->mu);
	free(p->password);
	free(p);
	return -EINVAL;
}

static void on_disconnected(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	atomic_store(&((et_presence_t *)ctx)->disconnected, true);
}

static void on_disconnect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	(void)resp;
	atomic_store(&((et_presence_t *)ctx)->disconnected, true);
}

static void on_timer_closed(uv_handle_t *h)
{
	(void)h;
}

void et_presence_stop(et_presence_t *p)
{
	if (!p || p->stopping)
		return;
	p->stopping = true;
	uv_timer_stop(&p->timer);
	uv_close((uv_handle_t *)&p->timer, on_timer_closed);
	if (p->held || !atomic_load(&p->up) || !MQTTAsync_isConnected(p->client)) {
		atomic_store(&p->disconnected, true);
		return;
	}
	/* "stopped" replaces the retained "online"; a clean DISCONNECT then
	 * discards the Will. paho's disconnect waits for the PUBACK. */
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	publish_state(p, "stopped", &ro);
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	d.timeout = 1000;
	d.context = p;
	d.onSuccess = on_disconnected;
	d.onFailure = on_disconnect_failed;
	if (MQTTAsync_disconnect(p->client, &d) != MQTTASYNC_SUCCESS)
		atomic_store(&p->disconnected, true);
}

void et_presence_hold(et_presence_t *p, bool hold)
{
	if (p)
		p->held = hold;
}

void et_presence_free(et_presence_t *p)
{
	if (!p || p->held)
		return; /* paho's thread may be stuck holding its mutex: the exit ends it */
	/* after the loop: a short wait here is harmless, and destroying the
	 * client before the DISCONNECT went out would make the broker send the
	 * Will, as if this instance had died */
	for (int i = 0; i < 150 && !atomic_load(&p->disconnected); i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MQTTAsync_destroy(&p->client);
	pthread_mutex_destroy(&p->mu);
	if (p->password) {
		memset(p->password, 0, strlen(p->password));
		free(p->password);
	}
	free(p);
}

size_t et_presence_members(et_presence_t *p, et_member_t *out, size_t max)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->nmembers;
	memcpy(out, p->members, (n < max ? n : max) * sizeof(et_member_t));
	pthread_mutex_unlock(&p->mu);
	return n;
}

void et_presence_metrics(et_presence_t *p, et_buf_t *out)
{
	static et_member_t m[MAX_MEMBERS]; /* loop thread only */
	size_t n = et_presence_members(p, m, MAX_MEMBERS), count[3] = {0, 0, 0};
	for (size_t i = 0; i < n; i++)
		count[m[i].state]++;
	char line[600];
	int k = snprintf(line, sizeof(line),
			 "# HELP enertrack_group_members Members of this instance's shared "
			 "subscription group, by state (from their presence messages).\n"
			 "# TYPE enertrack_group_members gauge\n"
			 "enertrack_group_members{group=\"%s\",state=\"online\"} %zu\n"
			 "enertrack_group_members{group=\"%s\",state=\"down\"} %zu\n"
			 "enertrack_group_members{group=\"%s\",state=\"stopped\"} %zu\n"
			 "# HELP enertrack_presence_up 1 when the presence connection is up.\n"
			 "# TYPE enertrack_presence_up gauge\n"
			 "enertrack_presence_up %d\n",
			 p->group, count[0], p->group, count[1], p->group, count[2],
			 atomic_load(&p->up) ? 1 : 0);
	if (k > 0 && (size_t)k < sizeof(line) && et_buf_append(out, line, (size_t)k))
		return;
}

void et_presence_health(et_presence_t *p, et_buf_t *out)
{
	static et_member_t m[MAX_MEMBERS]; /* loop thread only */
	size_t n = et_presence_members(p, m, MAX_MEMBERS);
	int64_t now = et_wall_us();
	char line[300];
	int k = snprintf(line, sizeof(line), "group %s: %zu members\n", p->group, n);
	if (k > 0 && et_buf_append(out, line, (size_t)k))
		return;
	for (size_t i = 0; i < n && i < MAX_MEMBERS; i++) {
		k = snprintf(line, sizeof(line), "  %s %s for %lld s%s\n", m[i].id,
			     et_member_state_name(m[i].state),
			     (long long)((now - m[i].since_us) / 1000000),
			     m[i].state == ET_MEMBER_DOWN ? " (its share is queued at the broker)"
							  : "");
		if (k > 0 && et_buf_append(out, line,
					   (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1))
			return;
	}
}
