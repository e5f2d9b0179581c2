#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A loopback SMTP sink for the tests (python3-aiosmtpd from Debian): every
# message received is written to DIR/NNNNNN.eml, exactly as it arrived, with
# the envelope in DIR/NNNNNN.env. Usage: smtp_sink.py PORT DIR [CERT KEY [smtps]]:
# with a certificate and key, the client must STARTTLS before anything else,
# or, with "smtps", speak TLS from the first byte.
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller

port, outdir = int(sys.argv[1]), sys.argv[2]
os.makedirs(outdir, exist_ok=True)
lock = threading.Lock()


class Sink:
    # mailboxes the sink refuses, to test per-recipient delivery: gone@
    # for good (550), busy@ for the time being (450)
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local == "gone":
            return "550 5.1.1 <%s>: no such mailbox" % address
        if local == "busy":
            return "450 4.2.1 <%s>: mailbox busy, try later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with lock:
            n = len([f for f in os.listdir(outdir) if f.endswith(".eml")])
            base = os.path.join(outdir, "%06d" % n)
            with open(base + ".env", "w") as f:
                f.write("from %s\n" % envelope.mail_from)
                for r in envelope.rcpt_tos:
                    f.write("to %s\n" % r)
            with open(base + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


if len(sys.argv) > 4:
    import ssl
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(sys.argv[3], sys.argv[4])
    if len(sys.argv) > 5 and sys.argv[5] == "smtps":
        # implicit TLS from the first byte (smtps://)
        ctl = Controller(Sink(), hostname="127.0.0.1", port=port, ssl_context=tls)
    else:
        ctl = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=tls,
                         require_starttls=True)
else:
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port)
ctl.start()
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: done.set())
signal.signal(signal.SIGINT, lambda *a: done.set())
print("listening", flush=True)
done.wait()
ctl.stop()
