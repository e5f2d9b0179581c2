#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Plays systemd's side of sd_notify for the tests: binds a datagram socket
# at PATH and appends every message it receives to OUT, one per line
# (newlines inside a message become '|'). Usage: notify_sink.py PATH OUT
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data = s.recv(4096)
        f.write(data.decode("utf-8", "replace").replace("\n", "|") + "\n")
