/* SPDX-License-Identifier: MIT */
/* The mailer's SMTP client: one message to its recipients through libcurl,
 * on the mail thread. Its sockets are registered in et_alerts, so that
 * stopping can shut them down and abort a mail in flight at once. Which mail
 * to send, and what to record after, is daemon/mailer.c. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alerts_int.h"
#include "db/outbox.h" /* et_split_rcpt */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t on_curl_read(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb;
	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* The mailer's sockets are known to et_alerts_stop, which shuts them down:
 * whatever curl waits for then (a reply, a TLS record, the QUIT at the end)
 * ends at once. Opened and closed under mu, so that a number is never shut
 * down after curl closed it and the system gave it to someone else. */
static curl_socket_t on_curl_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	et_alerts_t *al = ud;
	(void)purpose;
	pthread_mutex_lock(&al->mu);
	curl_socket_t fd = CURL_SOCKET_BAD;
	int slot = -1;
	for (int i = 0; i < MAX_MAIL_FDS && slot < 0; i++)
		if (al->mail_fd[i] < 0)
			slot = i;
	if (!al->stop && slot >= 0) {
		fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
		if (fd >= 0)
			al->mail_fd[slot] = fd;
	}
	pthread_mutex_unlock(&al->mu);
	return fd;
}

static int on_curl_close(void *ud, curl_socket_t fd)
{
	et_alerts_t *al = ud;
	pthread_mutex_lock(&al->mu);
	for (int i = 0; i < MAX_MAIL_FDS; i++)
		if (al->mail_fd[i] == fd)
			al->mail_fd[i] = -1;
	int rc = close(fd);
	pthread_mutex_unlock(&al->mu);
	return rc;
}

/* Called about once a second even while the server says nothing: a second
 * way out, should a wait not be on a socket of ours. */
static int on_curl_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			    curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return alerts_stopping(ud);
}

/* The replies of one transaction, from curl's debug stream: each RCPT TO's
 * reply goes to its recipient (curl sends them one at a time, in order),
 * and the last refusal of all is kept for the error. */
struct replies {
	smtp_rcpt_t *r;
	size_t n, cur; /* cur: the RCPT TO sent last, +1; 0: none yet */
	bool want;     /* a reply to that RCPT TO is due */
	char last[256];
};

static int on_curl_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	(void)h;
	struct replies *rp = ud;
	while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	if (type == CURLINFO_HEADER_OUT && size >= 8 && strncasecmp(data, "RCPT TO:", 8) == 0) {
		rp->cur++;
		rp->want = true;
		return 0;
	}
	if (type != CURLINFO_HEADER_IN || size < 3)
		return 0;
	if (rp->want && rp->cur >= 1 && rp->cur <= rp->n) {
		smtp_rcpt_t *r = &rp->r[rp->cur - 1];
		r->code = strtol(data, NULL, 10);
		snprintf(r->words, sizeof(r->words), "%.*s", (int)size, data);
		/* a multi-line reply ("250-...") goes on: its last line counts */
		rp->want = size > 3 && data[3] == '-';
	}
	if (data[0] == '4' || data[0] == '5')
		snprintf(rp->last, sizeof(rp->last), "%.*s", (int)size, data);
	return 0;
}

/* Sends one message; see alerts_int.h. Mail thread. */
int smtp_send(et_alerts_t *al, const struct alert_cfg *c, const char *const *rcpt, size_t n,
	      const char *message, smtp_rcpt_t *res, char *err, size_t errlen)
{
	struct replies reply = {.r = res, .n = n};
	for (size_t i = 0; i < n; i++)
		res[i] = (smtp_rcpt_t){0, ""};
	char from[300], addr[320];
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	struct upload u = {message, strlen(message), 0};
	if (!curl) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "<%s>", rcpt[i]);
		list = curl_slist_append(list, addr);
	}
	snprintf(from, sizeof(from), "<%s>", c->smtp_from);
	curl_easy_setopt(curl, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, list);
	/* the recipients that accept get it; the others are told apart by
	 * their replies (curl >= 7.69; spelt ALLLOWFAILS before 8.2, whose
	 * CURLOPT_MAIL_RCPT_ALLOWFAILS is the same option) */
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_curl_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)c->smtp_timeout_s);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
			 (long)(c->smtp_timeout_s < 10 ? c->smtp_timeout_s : 10));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, on_curl_open);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, al);
	curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, on_curl_close);
	curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, al);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_curl_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, al);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	if (strncmp(c->smtp_url, "smtp://", 7) == 0 && strcmp(c->smtp_tls, "starttls") == 0)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->smtp_ca_file[0])
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->smtp_ca_file);
	if (c->smtp_username[0]) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->smtp_username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, c->smtp_password ? c->smtp_password : "");
	}
	/* the server's words come through the debug callback only */
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_curl_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &reply);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		if (reply.last[0])
			snprintf(err, errlen, "%s: %s", ebuf[0] ? ebuf : curl_easy_strerror(rc),
				 reply.last);
		else
			snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
		/* what the server accepted was not delivered after all */
		for (size_t i = 0; i < n; i++)
			if (res[i].code < 400) {
				res[i].code = 0;
				snprintf(res[i].words, sizeof(res[i].words), "%s", err);
			}
	}
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	/* a mail the server accepted counts as sent, stopping or not */
	if (rc == CURLE_OK)
		return 0;
	return alerts_stopping(al) ? -EINTR : -1;
}
