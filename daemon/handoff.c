/* SPDX-License-Identifier: MIT */
/* Hand-over between paho's thread and the loop. */
#include "handoff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int et_handoff_init(et_handoff_t *h, size_t high_water)
{
	memset(h, 0, sizeof(*h));
	h->high_water = high_water ? high_water : 1;
	if (pthread_mutex_init(&h->mu, NULL))
		return -EAGAIN;
	return 0;
}

void et_msgvec_clear(et_msgvec_t *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
	v->bytes = 0;
}

void et_msgvec_free(et_msgvec_t *v)
{
	et_msgvec_clear(v);
	free(v->v);
	v->v = NULL;
	v->cap = 0;
}

void et_handoff_destroy(et_handoff_t *h)
{
	et_msgvec_free(&h->in);
	pthread_mutex_destroy(&h->mu);
}

int et_handoff_push(et_handoff_t *h, const char *topic, size_t topic_len, const void *payload,
		    size_t len, int64_t recv_us)
{
	if (topic_len > UINT32_MAX || len > UINT32_MAX)
		return -E2BIG;
	et_msg_t *m = malloc(sizeof(*m) + topic_len + len);
	if (!m)
		return -ENOMEM;
	m->recv_us = recv_us;
	m->topic_len = (uint32_t)topic_len;
	m->len = (uint32_t)len;
	memcpy(m->data, topic, topic_len);
	if (len)
		memcpy(m->data + topic_len, payload, len);

	pthread_mutex_lock(&h->mu);
	if (h->in.n == h->in.cap) {
		size_t cap = h->in.cap ? h->in.cap * 2 : 1024;
		et_msg_t **v = realloc(h->in.v, cap * sizeof(*v));
		if (!v) {
			pthread_mutex_unlock(&h->mu);
			free(m);
			return -ENOMEM;
		}
		h->in.v = v;
		h->in.cap = cap;
	}
	h->in.v[h->in.n++] = m;
	h->in.bytes += topic_len + len;
	h->received++;
	int wake = h->in.n == h->high_water;
	pthread_mutex_unlock(&h->mu);
	return wake;
}

void et_handoff_take(et_handoff_t *h, et_msgvec_t *out)
{
	pthread_mutex_lock(&h->mu);
	et_msgvec_t tmp = h->in;
	h->in = *out;
	h->in.n = 0;
	h->in.bytes = 0;
	pthread_mutex_unlock(&h->mu);
	*out = tmp;
}
