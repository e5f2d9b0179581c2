/* SPDX-License-Identifier: MIT */
/* HOST:PORT and [IPv6]:PORT, syntax only (see hostport.h). Every refusal
 * says what would be accepted, because the operator reads it in
 * --check-config and fixes the line from it. */
#include "enertrack/hostport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (errsz)
		vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
	       c == '.' || c == '_';
}

/* The text after the host's ':'. At most 5 digits, so that no overflow is
 * possible and "080" still reads as 80. */
static int parse_port(const char *p, uint16_t *ret_port, char *err, size_t errsz)
{
	size_t n = strlen(p);
	if (n == 0)
		return fail(err, errsz, "needs a port after ':' (1 to 65535), e.g. 127.0.0.1:9464");
	if (strspn(p, "0123456789") != n)
		return fail(err, errsz, "port '%.32s' must be a number from 1 to 65535", p);
	while (n > 1 && *p == '0') {
		p++;
		n--;
	}
	long v = 0;
	if (n > 5)
		v = 100000;
	else
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (p[i] - '0');
	if (v < 1 || v > 65535)
		return fail(err, errsz, "port %.32s is out of range (1 to 65535)", p);
	*ret_port = (uint16_t)v;
	return 0;
}

static int copy_host(const char *h, size_t n, char *host, size_t hostsz, char *err, size_t errsz)
{
	if (n >= hostsz || n > 253)
		return fail(err, errsz, "the host is longer than %zu characters",
			    (hostsz - 1 < 253 ? hostsz - 1 : 253));
	memcpy(host, h, n);
	host[n] = '\0';
	return 0;
}

int et_hostport_parse(const char *s, char *host, size_t hostsz, uint16_t *ret_port, char *err,
		      size_t errsz)
{
	if (hostsz == 0)
		return fail(err, errsz, "no room for the host");
	if (s[0] == '\0')
		return fail(err, errsz,
			    "must be HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9464 or [::1]:9464");
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return fail(
				err, errsz,
				"'[' without a closing ']': write [IPv6]:PORT, e.g. [::1]:9464");
		const char *a = s + 1;
		size_t n = (size_t)(close - a);
		if (n == 0)
			return fail(err, errsz, "no address between '[' and ']', e.g. [::1]:9464");
		/* the address, then an optional %zone (fe80::1%eth0) */
		size_t addr_n = strcspn(a, "%]");
		size_t colons = 0;
		int chars_ok = 1;
		for (size_t i = 0; i < addr_n; i++) {
			colons += a[i] == ':';
			chars_ok &= is_hex(a[i]) || a[i] == ':' || a[i] == '.';
		}
		int zone_ok = 1;
		if (addr_n < n) {
			zone_ok = n - addr_n > 1;
			for (size_t i = addr_n + 1; i < n; i++)
				zone_ok &= is_name_char(a[i]);
		}
		if (colons < 2 || !chars_ok || !zone_ok)
			return fail(err, errsz,
				    "'%.*s' is not an IPv6 address: only an IPv6 address goes in "
				    "brackets (a name or an IPv4 address goes without: HOST:PORT)",
				    (int)(n > 64 ? 64 : n), a);
		if (close[1] == '\0')
			return fail(err, errsz,
				    "needs a port after ']': [%.*s]:PORT, e.g. [::1]:9464",
				    (int)(n > 64 ? 64 : n), a);
		if (close[1] != ':')
			return fail(err, errsz, "expects ':PORT' right after ']', e.g. [::1]:9464");
		if (copy_host(a, n, host, hostsz, err, errsz))
			return -EINVAL;
		return parse_port(close + 2, ret_port, err, errsz);
	}
	const char *colon = strchr(s, ':');
	if (!colon)
		return fail(err, errsz, "needs a port: HOST:PORT, e.g. %.64s:9464", s);
	if (strstr(s, "://"))
		return fail(err, errsz, "is HOST:PORT, not a URL, e.g. localhost:9464");
	if (strchr(colon + 1, ':')) {
		/* "::1:80", "fe80::1:9464": say where the brackets go */
		const char *last = strrchr(s, ':');
		if (last[-1] == ':' || strspn(last + 1, "0123456789") != strlen(last + 1))
			return fail(err, errsz,
				    "an IPv6 address goes in brackets, with the port after them: "
				    "[IPv6]:PORT, e.g. [::1]:9464");
		return fail(err, errsz,
			    "an IPv6 address goes in brackets, e.g. [%.*s]:%.8s (the part after "
			    "the last ':' is the port)",
			    (int)(last - s > 64 ? 64 : last - s), s, last + 1);
	}
	size_t n = (size_t)(colon - s);
	if (n == 0)
		return fail(err, errsz,
			    "needs a host before ':PORT': 127.0.0.1 or localhost for this machine "
			    "only, 0.0.0.0 or [::] for every address");
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return fail(err, errsz, "host '%.*s' is not a host name or an IPv4 address",
				    (int)(n > 64 ? 64 : n), s);
	if (copy_host(s, n, host, hostsz, err, errsz))
		return -EINVAL;
	return parse_port(colon + 1, ret_port, err, errsz);
}
