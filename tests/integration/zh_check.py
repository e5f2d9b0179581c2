#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The zh-CN English check: reads outputs rendered with [alerts] language =
# zh-CN and fails on a word of English (three or more Latin letters) that is
# not an id, a unit, an SQL name or a product name (the allowlist below, and
# --allow WORD for a test's own data such as a site's id). Files: .html
# (tags, attributes and styles left out), .eml (every text and HTML part),
# .xlsx (the cells), .pdf (pdftotext), anything else as UTF-8 text.
# usage: zh_check.py [--allow WORD]... FILE...
import re, subprocess, sys, zipfile
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser

ALLOW = {
    # the product, its programs and its SQL names
    "enertrack", "enertrackd", "enertrack_reader", "alert_outbox", "alert_silence", "json",
    "HTML", "PDF", "SQL", "CSV", "MQTT", "GDP",
    # units (SI, kept as an option) and formats
    "Mtce", "GWh", "MWh", "kWh", "tce", "xlsx", "html", "pdf", "png",
    # time zones (names of the IANA database)
    "Asia", "Shanghai", "UTC",
    # what a value or a mail header says as data
    "n/a",
}

class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.out, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")
        # what a person reads in an attribute: alt and title texts
        self.out += [v for k, v in attrs if k in ("alt", "title", "data-label") and v]
    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script") and self.skip > 0
    def handle_data(self, d):
        if not self.skip:
            self.out.append(d)

def html_text(s):
    p = Text()
    p.feed(s)
    return "\n".join(p.out)

def texts(path):
    if path.endswith(".html"):
        yield html_text(open(path, encoding="utf-8").read())
    elif path.endswith(".eml"):
        m = BytesParser(policy=policy.default).parsebytes(open(path, "rb").read())
        yield str(m["Subject"])
        for part in m.walk():
            if part.get_content_type() == "text/plain":
                yield part.get_content()
            elif part.get_content_type() == "text/html":
                yield html_text(part.get_content())
    elif path.endswith(".xlsx"):
        z = zipfile.ZipFile(path)
        for n in z.namelist():
            if n == "xl/sharedStrings.xml" or re.match(r"xl/(worksheets/sheet|charts/chart)\d+\.xml$", n) \
                    or n == "xl/workbook.xml":
                x = z.read(n).decode("utf-8")
                yield "\n".join(re.findall(r"<(?:t|c:v)[^>]*>([^<]*)</(?:t|c:v)>", x))
                yield "\n".join(re.findall(r'<sheet name="([^"]*)"', x))
    elif path.endswith(".pdf"):
        yield subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                             capture_output=True, text=True).stdout
    else:
        yield open(path, encoding="utf-8").read()

def main(argv):
    allow, files = set(ALLOW), []
    it = iter(argv)
    for a in it:
        if a == "--allow":
            allow.add(next(it))
        else:
            files.append(a)
    bad = []
    for f in files:
        for t in texts(f):
            for line in t.splitlines():
                # file names and addresses are data, not words
                words = re.sub(r"\S*[/@]\S*", " ", line)
                for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", words):
                    if w not in allow:
                        bad.append("%s: %r in: %s" % (f, w, line.strip()[:120]))
    for b in bad[:40]:
        print(b)
    print("zh_check: %d file(s), %d English word(s) outside the allowlist" % (len(files), len(bad)))
    return 1 if bad else 0

sys.exit(main(sys.argv[1:]))
