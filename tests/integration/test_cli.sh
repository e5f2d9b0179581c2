#!/bin/sh
# SPDX-License-Identifier: MIT
# The command lines: --check-config names file, line and key for each error
# and exits 1; a good file exits 0; --version names the libraries; the
# sample configuration in etc/ is valid.
. "$(dirname "$0")/lib.sh"

cat >"$T/bad.conf" <<'EOC'
[mqtt]
uri = tcp://127.0.0.1:1883
qos = 7
[ingest]
batch_rows = many
colour = blue
[alerts]
fire_pct = 2
resolve_pct = 3
EOC
rc=0
"$BIN/enertrackd" -c "$T/bad.conf" --check-config 2>"$T/err.txt" || rc=$?
[ "$rc" = 1 ] || fail "--check-config on a bad file exited $rc"
for want in "$T/bad.conf:3: [mqtt] qos: is out of range" \
	"$T/bad.conf:5: [ingest] batch_rows: must be a whole number" \
	"$T/bad.conf:6: [ingest] colour: unknown key" \
	"$T/bad.conf:9: [alerts] resolve_pct: must be smaller than fire_pct"; do
	grep -qF "$want" "$T/err.txt" || fail "missing error line '$want' in: $(cat "$T/err.txt")"
done
# the daemon refuses to start on it too, with the same lines
rc=0
"$BIN/enertrackd" -c "$T/bad.conf" 2>"$T/err2.txt" || rc=$?
[ "$rc" = 1 ] && grep -qF "$T/bad.conf:6: [ingest] colour: unknown key" "$T/err2.txt" || fail "daemon started on a bad file"
"$BIN/enertrackd" -c "$REPO/etc/enertrack.conf" --check-config >/dev/null || fail "etc/enertrack.conf is not valid"
"$BIN/enertrackd" --version | grep -q "paho-mqtt-c" || fail "--version"
"$BIN/enertrack" --version | grep -q "libpq" || fail "enertrack --version"
rc=0
"$BIN/enertrackd" -c "$T/missing.conf" 2>"$T/err3.txt" || rc=$?
[ "$rc" = 1 ] && grep -q "missing.conf: No such file" "$T/err3.txt" || fail "missing file: $(cat "$T/err3.txt")"
log "ok"
