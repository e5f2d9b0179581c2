#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A mail's HTML part as a page a browser opens alone: its inline images
# (cid:) as data: URLs. usage: mail_html.py MAIL.eml OUT.html
# Exit status 1 when the mail has no HTML part or an image it names is
# missing.
import base64
import sys
from email import policy
from email.parser import BytesParser

msg = BytesParser(policy=policy.default).parsebytes(open(sys.argv[1], "rb").read())
body = msg.get_body(("html",))
if body is None:
    sys.exit("%s: no HTML part" % sys.argv[1])
html = body.get_content()
for part in msg.walk():
    if part.get_content_type() == "image/png" and part["Content-ID"]:
        cid = part["Content-ID"].strip("<>")
        html = html.replace("cid:" + cid, "data:image/png;base64," +
                            base64.b64encode(part.get_content()).decode())
if "cid:" in html:
    sys.exit("%s: an image the HTML names is not in the mail" % sys.argv[1])
open(sys.argv[2], "w").write(html)
