#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# `mail_check.py OUTDIR MAIL.eml...`: each alert mail is well-formed MIME as
# Python's email package reads it: multipart/alternative of a text/plain
# part and a multipart/related holding the text/html part and one image/png
# (inline, with a Content-ID), the HTML shows that image by "cid:" with an
# alt text, the PNG is a whole PNG, and the text part reads on its own.
# Writes OUTDIR/mail-N.html with the image as a data: URL (for the browser
# test) and prints each mail's subject and first lines. Standard library.
import base64
import email
import re
import struct
import sys
import zlib
from email import policy


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def png_ok(data):
    """A PNG signature, chunks with good CRCs up to IEND; returns (w, h)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("the image part is not a PNG")
    i, size = 8, None
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        crc, = struct.unpack(">I", data[i + 8 + n:i + 12 + n])
        if zlib.crc32(kind + body) != crc:
            fail("a PNG chunk with a bad CRC")
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        i += 12 + n
        if kind == b"IEND":
            return size
    fail("the PNG has no IEND")


outdir = sys.argv[1]
for k, path in enumerate(sys.argv[2:], 1):
    raw = open(path, "rb").read()
    m = email.message_from_bytes(raw, policy=policy.default)
    for part in m.walk():
        if part.defects:
            fail("%s: defects %r in %s" % (path, part.defects, part.get_content_type()))
    if m.get_content_type() != "multipart/alternative":
        fail("%s: top part %s" % (path, m.get_content_type()))
    alt = list(m.iter_parts())
    kinds = [p.get_content_type() for p in alt]
    if kinds != ["text/plain", "multipart/related"]:
        fail("%s: alternative parts %r" % (path, kinds))
    rel = list(alt[1].iter_parts())
    kinds = [p.get_content_type() for p in rel]
    if kinds != ["text/html", "image/png"]:
        fail("%s: related parts %r" % (path, kinds))
    if alt[1].get_param("type") != "text/html":
        fail("%s: multipart/related without type=text/html" % path)
    img = rel[1]
    cid = img["Content-ID"]
    if not cid or not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", cid):
        fail("%s: Content-ID %r" % (path, cid))
    if img.get_content_disposition() != "inline":
        fail("%s: the image is not inline" % path)
    png = img.get_content()
    w, h = png_ok(png)
    html = rel[0].get_content()
    tag = re.search(r'<img src="cid:([^"]+)" alt="([^"]+)"', html)
    if not tag or "<" + tag.group(1) + ">" != cid:
        fail("%s: the HTML does not show the image %s" % (path, cid))
    text = alt[0].get_content()
    for want in ("序时应完成", "实际", "偏差", "进度图"):
        if want not in text:
            fail("%s: the text part lacks %r" % (path, want))
    if not m["Subject"].startswith("[enertrack] "):
        fail("%s: subject %r" % (path, m["Subject"]))
    inline = html.replace("cid:" + tag.group(1),
                          "data:image/png;base64," + base64.b64encode(png).decode())
    open("%s/mail-%d.html" % (outdir, k), "w").write(inline)
    print("mail %d: %s" % (k, m["Subject"]))
    print("  PNG %d bytes, %dx%d, Content-ID %s, alt %r" % (len(png), w, h, cid, tag.group(2)))
    for line in text.splitlines()[:8]:
        print("  | " + line)
print("ok: %d mails" % (len(sys.argv) - 2))
