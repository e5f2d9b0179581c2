#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench/run.sh's wait for rows: until `reading` holds WANT rows, on ONE
PostgreSQL session for the whole wait.

    waitrows.py CONNINFO WANT SITE METRIC TS SECONDS PID NAME

The publisher's last reading (SITE, METRIC, TS) is looked up first (an index
lookup); once it is in, the full count is checked. A new session per poll
(psql) would cost PostgreSQL tens of ms of CPU each (backend start, catalogue
caches of `reading`'s partitions) and be counted in its CPU per row.
Exit 0 when the rows are in; 1 on timeout, when PID (the writer: enertrackd or
the Node.js bridge, called NAME) is gone, or as soon as anything lands in
rejected_message (every generated reading is valid, so the count cannot be
reached). Prints the number of sessions it opened as sessions=N.
"""
import sys
import time

import psycopg2


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    conninfo, want, site, metric, ts, seconds, pid, name = sys.argv[1:9]
    want, pid = int(want), int(pid)
    end = time.monotonic() + float(seconds)
    conn = None
    sessions = 0
    i = 0
    have = "?"
    try:
        while time.monotonic() < end:
            if not alive(pid):
                print("%s is gone" % name, file=sys.stderr)
                return 1
            try:
                if conn is None:
                    conn = psycopg2.connect(conninfo)
                    conn.autocommit = True
                    sessions += 1
                cur = conn.cursor()
                cur.execute("SELECT count(*) FROM reading WHERE site_id = %s AND metric = %s AND ts = %s",
                            (site, metric, ts))
                if cur.fetchone()[0] == 1:
                    cur.execute("SELECT count(*) FROM reading")
                    have = cur.fetchone()[0]
                    if have >= want:
                        return 0
                    time.sleep(1)
                else:
                    time.sleep(0.2)
                i += 1
                if i % 5 == 0:
                    cur.execute("SELECT reason || ' x' || count(*) || ': ' || left(min(detail), 120)"
                                " FROM rejected_message GROUP BY reason")
                    rej = [r[0] for r in cur.fetchall()]
                    if rej:
                        print("%s rejected readings: %s" % (name, "; ".join(rej)), file=sys.stderr)
                        return 1
            except psycopg2.Error as e:
                print("waitrows: %s" % str(e).strip().replace("\n", " "), file=sys.stderr)
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(1)
        if conn is not None:
            try:
                cur = conn.cursor()
                cur.execute("SELECT count(*) FROM reading")
                have = cur.fetchone()[0]
            except psycopg2.Error:
                pass
        print("timeout: %s of %d rows" % (have, want), file=sys.stderr)
        return 1
    finally:
        print("sessions=%d" % sessions)
        if conn is not None:
            conn.close()


if __name__ == "__main__":
    sys.exit(main())
