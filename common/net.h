/* SPDX-License-Identifier: MIT */
/* Where a listener binds: [http] listen resolved to the addresses of this
 * machine (common/net.c). enertrackd --check-config and enertrackd's start
 * both call et_net_resolve_listen, so that what the check accepts, the start
 * can bind. Blocking (getaddrinfo): call it before the loop runs. */
#ifndef ENERTRACK_COMMON_NET_H
#define ENERTRACK_COMMON_NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct et_net_addr {
	struct sockaddr_storage sa; /* AF_INET or AF_INET6, with the port */
	socklen_t len;
	char text[INET6_ADDRSTRLEN + 16]; /* numeric: "127.0.0.1:9464", "[::1]:9464" */
} et_net_addr_t;

#define ET_NET_ADDR_MAX 8

/* Resolves listen ("HOST:PORT" or "[IPv6]:PORT", lib/hostport.h) with
 * getaddrinfo and keeps the addresses that are this machine's, in
 * getaddrinfo's order without duplicates: each is tried with a bind on port
 * 0, which neither needs the port nor disturbs a daemon already listening on
 * it. Fills ret[0..max) and returns how many (1 or more), or a negative
 * errno-style code with one line in err: the syntax (as the configuration
 * check says it), a name that does not resolve, or addresses none of which
 * this machine has. The port itself is not tried: it may be in use by the
 * running daemon that a check is made for. A listener that takes one address
 * binds ret[0]. */
int et_net_resolve_listen(const char *listen, et_net_addr_t *ret, size_t max, char *err,
			  size_t errlen) __attribute__((warn_unused_result));

#endif
