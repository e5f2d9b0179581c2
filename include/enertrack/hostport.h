/* SPDX-License-Identifier: MIT */
/* HOST:PORT and [IPv6]:PORT as a configuration writes them ([http] listen):
 * the syntax only. Pure: no name is resolved here (common/net.c does that,
 * for the configuration check and for the start alike). */
#ifndef ENERTRACK_HOSTPORT_H
#define ENERTRACK_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>

/* Splits s into its host and port. Accepted: "name:PORT" and "a.b.c.d:PORT"
 * (a host name or an IPv4 address: letters, digits, '-', '.', '_'), and
 * "[IPv6]:PORT" (hex digits, ':' and '.', an optional "%zone"); PORT is
 * decimal, 1 to 65535. An IPv6 address without brackets ("::1:80") is
 * refused, since where its port starts cannot be told.
 * host (hostsz bytes, borrowed) gets the host without brackets, NUL-
 * terminated; *ret_port the port. Returns 0, or -EINVAL with one line in err
 * (errsz bytes; it says what is wrong and what would be right, without
 * repeating the key's name). host and *ret_port are unspecified on error. */
int et_hostport_parse(const char *s, char *host, size_t hostsz, uint16_t *ret_port, char *err,
		      size_t errsz) __attribute__((warn_unused_result));

#endif
