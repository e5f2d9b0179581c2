/* SPDX-License-Identifier: MIT */
/* [http] listen to socket addresses: getaddrinfo, then a bind on port 0 to
 * each address to learn whether it is this machine's. Shared by enertrackd's
 * --check-config and its start, so that the two cannot disagree. Not part of
 * lib/: it resolves names and opens sockets. */
#include "common/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "enertrack/hostport.h"

static void addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port;
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", ip, port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", ip, port);
	}
}

/* Binds a throw-away socket to sa with port 0; returns 0 or an errno. */
static int probe_bind(const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_storage ss;
	memcpy(&ss, sa, len);
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	else
		((struct sockaddr_in *)&ss)->sin_port = 0;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int one = 1;
	/* [::] alone, as a listener on it with IPV6_V6ONLY would be */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	int rc = bind(fd, (struct sockaddr *)&ss, len) ? errno : 0;
	close(fd);
	return rc;
}

int et_net_resolve_listen(const char *listen, et_net_addr_t *ret, size_t max, char *err,
			  size_t errlen)
{
	char host[256], why[256], portstr[8];
	uint16_t port;
	if (et_hostport_parse(listen, host, sizeof(host), &port, why, sizeof(why))) {
		snprintf(err, errlen, "'%s': %s", listen, why);
		return -EINVAL;
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int g = getaddrinfo(host, portstr, &hints, &res);
	if (g) {
		snprintf(err, errlen, "'%s': cannot resolve %s: %s", listen, host,
			 g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
		return -EADDRNOTAVAIL;
	}
	size_t n = 0;
	int first_err = 0;
	char tried[200] = "";
	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(ret[0].sa))
			continue;
		char text[sizeof(ret[0].text)];
		addr_text(ai->ai_addr, text, sizeof(text));
		int dup = 0;
		for (size_t i = 0; i < n; i++)
			dup |= strcmp(ret[i].text, text) == 0;
		if (dup || strstr(tried, text))
			continue;
		int e = probe_bind(ai->ai_addr, ai->ai_addrlen);
		if (e) {
			if (!first_err)
				first_err = e;
			size_t tl = strlen(tried);
			snprintf(tried + tl, sizeof(tried) - tl, "%s%s", tl ? ", " : "", text);
			continue;
		}
		memcpy(&ret[n].sa, ai->ai_addr, ai->ai_addrlen);
		ret[n].len = ai->ai_addrlen;
		snprintf(ret[n].text, sizeof(ret[n].text), "%s", text);
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		if (!first_err)
			snprintf(err, errlen, "'%s': %s has no IPv4 or IPv6 address", listen, host);
		else if (first_err == EADDRNOTAVAIL)
			snprintf(err, errlen, "'%s': not an address of this machine (%s: %s)",
				 listen, tried, strerror(first_err));
		else
			snprintf(err, errlen, "'%s': cannot bind %s: %s", listen, tried,
				 strerror(first_err));
		return first_err ? -first_err : -EADDRNOTAVAIL;
	}
	return (int)n;
}
