#!/bin/sh
# SPDX-License-Identifier: MIT
# A full disk (not the spool's own cap): spool_dir on a 2 MB
# tmpfs, PostgreSQL down, 30 000 readings published. When the disk refuses
# a record the daemon says so once and paho's thread holds that message,
# unacknowledged (the broker keeps the rest), until PostgreSQL is back and
# the spool drained; then it stores again. A SIGTERM while it waits (with
# PostgreSQL down) exits 0 and leaves that message to the broker. Every
# reading is written once.
# Needs to mount a tmpfs (root); says so and passes without it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/small"
if ! mount -t tmpfs -o size=2m tmpfs "$T/small" 2>/dev/null; then
	log "skipped: cannot mount a tmpfs here (not root?)"
	exit 0
fi
cleanup_mount() { umount "$T/small" 2>/dev/null || umount -l "$T/small" 2>/dev/null || true; }
start_pg
start_mosquitto
write_config "$T/enertrack.conf"
sed -i "s|^spool_dir = .*|spool_dir = $T/small/spool\nspool_max_mb = 100|" "$T/enertrack.conf"
migrate >/dev/null
pg_stop
start_daemon
$PY "$REPO/tests/integration/gen_readings.py" --sites 30 --per-site 1000 --prefix df \
	--expect "$T/expect.tsv" >"$T/msgs.txt"
publish <"$T/msgs.txt" 2>"$T/pub.log" || { cleanup_mount; fail "publish failed: $(tail -2 "$T/pub.log")"; }
wait_until $((30 * WAIT_SCALE)) grep -q "spool: cannot append to .*No space left on device" "$T/daemon.log" || {
	cleanup_mount
	fail "the full disk was not noticed: $(df -h "$T/small" | tail -1)"
}
log "disk full: $(grep -o 'spool: cannot append.*' "$T/daemon.log" | head -1)"
# SIGTERM now, PostgreSQL still down: the waiting message is left
# unacknowledged at the broker, the rest stays in the spool; exit 0
t0=$(date +%s)
stop_daemon
grep -q "a message waits for spool space" "$T/daemon.log" || {
	cleanup_mount
	fail "the stop did not leave the waiting message to the broker"
}
log "stopped in $(($(date +%s) - t0)) s with the disk full and PostgreSQL down"
pg_start
start_daemon
wait_until 90 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') -ge 30000 ]" || {
	cleanup_mount
	fail "after the disk freed up: $(rows) of 30000 rows"
}
sleep 1
n=$(rows)
stop_daemon
cleanup_mount
[ "$n" = 30000 ] || fail "expected 30000 rows, have $n"
bad=$(expect_missing "$T/expect.tsv")
[ "$bad" = 0 ] || fail "$bad readings missing or wrong"
grep -q "spool: storing messages again" "$T/daemon.log" || fail "no recovery logged after the disk freed up"
# each episode logged once each way (the first ended by the stop), not per attempt
full=$(grep -c "spool: cannot append" "$T/daemon.log")
again=$(grep -c "spool: storing messages again" "$T/daemon.log")
[ "$full" -le $((again + 1)) ] && [ "$full" -le 20 ] || fail "$full full-disk lines, $again recoveries"
[ "$(grep -c "cannot record the checkpoint" "$T/daemon.log")" -le "$full" ] || fail "checkpoint failures logged per commit"
log "ok: 30 000 readings through a 2 MB disk ($full times full): all written once"
