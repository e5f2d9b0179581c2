#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A mail server that hangs: it greets, answers EHLO (or HELO), then reads
# whatever comes and never says another word. Each command it swallows is
# logged ("conn N: MAIL FROM:<...>") so that a test knows a client is stuck.
# Usage: smtp_hang.py PORT
import selectors
import socket
import sys

port = int(sys.argv[1])
sel = selectors.DefaultSelector()
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(16)
sel.register(srv, selectors.EVENT_READ)
state = {}
n = 0
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is srv:
            c, _ = srv.accept()
            n += 1
            state[c] = [n, b"", False]
            c.sendall(b"220 hang.example ESMTP\r\n")
            sel.register(c, selectors.EVENT_READ)
            print("conn %d: open" % n, flush=True)
            continue
        data = s.recv(4096)
        st = state[s]
        if not data:
            print("conn %d: closed" % st[0], flush=True)
            sel.unregister(s)
            s.close()
            del state[s]
            continue
        st[1] += data
        while b"\r\n" in st[1]:
            line, st[1] = st[1].split(b"\r\n", 1)
            print("conn %d: %s" % (st[0], line.decode(errors="replace")), flush=True)
            if not st[2] and line[:4].upper() in (b"EHLO", b"HELO"):
                st[2] = True
                s.sendall(b"250 hang.example\r\n")
