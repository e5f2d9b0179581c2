/* SPDX-License-Identifier: MIT */
/* The languages and the message catalogue (include/enertrack/i18n.h): the
 * table is made from include/enertrack/i18n_catalogue.h and indexed by
 * et_msg_t; lookups by key or English text scan it (a few hundred entries,
 * and only for words that come as data). */
#include "enertrack/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct msg {
	const char *key;
	const char *text[ET_LANG_N];
};

static const struct msg catalogue[ET_MSG_N] = {
#define ET_MSG_DEF(id, k, en, zh) [ET_MSG_##id] = {k, {en, zh}},
#include "enertrack/i18n_catalogue.h"
#undef ET_MSG_DEF
};

int et_lang_parse(const char *s, et_lang_t *ret)
{
	if (!s)
		return -EINVAL;
	if (strcasecmp(s, "en") == 0) {
		*ret = ET_LANG_EN;
		return 0;
	}
	if (strcasecmp(s, "zh-CN") == 0 || strcasecmp(s, "zh_CN") == 0 ||
	    strcasecmp(s, "zh") == 0) {
		*ret = ET_LANG_ZH_CN;
		return 0;
	}
	return -EINVAL;
}

const char *et_lang_tag(et_lang_t lang)
{
	return lang == ET_LANG_ZH_CN ? "zh-CN" : "en";
}

static et_lang_t valid(et_lang_t lang)
{
	return (unsigned)lang < ET_LANG_N ? lang : ET_LANG_EN;
}

const char *et_msg(et_lang_t lang, et_msg_t id)
{
	if ((unsigned)id >= ET_MSG_N)
		return "";
	return catalogue[id].text[valid(lang)];
}

/* the message of a key, or NULL */
static const struct msg *by_key(const char *key)
{
	for (size_t i = 0; i < ET_MSG_N; i++)
		if (strcmp(catalogue[i].key, key) == 0)
			return &catalogue[i];
	return NULL;
}

int et_msg_fill(char *out, size_t len, et_lang_t lang, et_msg_t id, int n, ...)
{
	const char *args[9] = {0};
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n && i < 9; i++)
		args[i] = va_arg(ap, const char *);
	va_end(ap);
	size_t o = 0; /* the whole length; bytes written while o < len - 1 */
	for (const char *p = et_msg(lang, id); *p;) {
		const char *piece = p;
		size_t k = 1;
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}' && p[1] - '1' < n) {
			piece = args[p[1] - '1'] ? args[p[1] - '1'] : "";
			k = strlen(piece);
			p += 3;
		} else {
			p++;
		}
		for (size_t i = 0; i < k; i++, o++)
			if (len && o < len - 1)
				out[o] = piece[i];
	}
	if (len) {
		size_t end = o < len - 1 ? o : len - 1;
		if (o > len - 1 && end > 0) {
			/* cut: drop a last character that did not fit whole */
			size_t lead = end - 1;
			while (lead > 0 && ((unsigned char)out[lead] & 0xC0) == 0x80)
				lead--;
			unsigned char c = (unsigned char)out[lead];
			size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
			if (end - lead < need)
				end = lead;
		}
		out[end] = '\0';
	}
	return (int)o;
}

const char *et_tr(et_lang_t lang, const char *key)
{
	if (!key)
		return "";
	const struct msg *m = by_key(key);
	return m ? m->text[valid(lang)] : key;
}

const char *et_status_text(et_lang_t lang, const char *status)
{
	if (!status)
		return "";
	char key[64];
	int n = snprintf(key, sizeof(key), "status.%s", status);
	if (n < 0 || (size_t)n >= sizeof(key))
		return status;
	const struct msg *m = by_key(key);
	return m ? m->text[valid(lang)] : status;
}

const char *et_plan_status_text(et_lang_t lang, const char *status)
{
	if (status && strcmp(status, "ahead") == 0)
		return et_msg(lang, ET_MSG_PLAN_AHEAD);
	if (status && strcmp(status, "behind") == 0)
		return et_msg(lang, ET_MSG_PLAN_BEHIND);
	if (status && strcmp(status, "on_track") == 0)
		return et_msg(lang, ET_MSG_PLAN_ON_TRACK);
	return et_status_text(lang, status);
}

const char *et_tr_text(et_lang_t lang, const char *prefix, const char *en)
{
	if (!en)
		return "";
	size_t plen = prefix ? strlen(prefix) : 0;
	for (size_t i = 0; i < ET_MSG_N; i++)
		if (strncmp(catalogue[i].key, prefix ? prefix : "", plen) == 0 &&
		    strcmp(catalogue[i].text[ET_LANG_EN], en) == 0)
			return catalogue[i].text[valid(lang)];
	return en;
}

/* For the unit test: the i-th key (NULL past the end). */
const char *et_i18n_key_at(size_t i);
const char *et_i18n_key_at(size_t i)
{
	return i < ET_MSG_N ? catalogue[i].key : NULL;
}

void et_scope_text(et_lang_t lang, const char *scope, char *out, size_t len)
{
	if (!len)
		return;
	const char *s = scope ? scope : "";
	if (strcmp(s, "city") == 0)
		s = et_msg(lang, ET_MSG_SCOPE_CITY);
	else if (strncmp(s, "county:", 7) == 0)
		s += 7;
	else if (strncmp(s, "site:", 5) == 0)
		s += 5;
	size_t n = strlen(s);
	if (n >= len) {
		n = len - 1;
		/* not in the middle of a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}
