#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# `http_check.py HOST:PORT`: the answers of the daemon's HTTP endpoints,
# checked one by one (status, Content-Type, body); exits 1 on the first
# difference. Standard library only.
import http.client
import sys

host, port = sys.argv[1].rsplit(":", 1)
host = host.strip("[]")


def fail(msg):
    print(msg)
    sys.exit(1)


def ask(conn, method, path):
    conn.request(method, path)
    r = conn.getresponse()
    return r.status, r.getheader("Content-Type"), r.getheader("Allow"), r.read().decode()


c = http.client.HTTPConnection(host, int(port), timeout=5)
st, ct, _, body = ask(c, "GET", "/healthz")
if (st, ct, body) != (200, "text/plain; charset=utf-8", "ok\n"):
    fail("GET /healthz: %r %r %r" % (st, ct, body))
# the same connection again (HTTP/1.1 keep-alive), with a query string
st, ct, _, body = ask(c, "GET", "/metrics?x=1")
if st != 200 or ct != "text/plain; version=0.0.4; charset=utf-8" or \
        "\nenertrack_messages_received_total " not in body or not body.endswith("\n"):
    fail("GET /metrics?x=1: %r %r %r" % (st, ct, body[:200]))
st, ct, _, body = ask(c, "HEAD", "/healthz")
if (st, body) != (200, ""):
    fail("HEAD /healthz: %r %r" % (st, body))
st, ct, _, body = ask(c, "GET", "/nothing")
if (st, ct, body) != (404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz, /, /targets.json, /chart/ or /gap/\n"):
    fail("GET /nothing: %r %r %r" % (st, ct, body))
st, ct, allow, body = ask(c, "POST", "/healthz")
if (st, body, allow) != (405, "GET only\n", "GET, HEAD"):
    fail("POST /healthz: %r %r %r" % (st, body, allow))
print("ok: GET, keep-alive, query string, HEAD, 404, 405")
