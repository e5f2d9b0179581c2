#!/bin/sh
# SPDX-License-Identifier: MIT
# LoadCredential: with [mqtt] password_file left empty, the daemon
# reads $CREDENTIALS_DIRECTORY/mqtt-password (where systemd's LoadCredential=
# puts it). A broker that requires a password lets it in with the
# credential, and refuses it, with a clear log line, without one.
. "$(dirname "$0")/lib.sh"

start_pg
start_mosquitto
stop_mosquitto
mosquitto_passwd -b -c "$T/mq/passwd" etd 's3cret;pass' 2>/dev/null || fail "mosquitto_passwd failed"
sed -i 's/^allow_anonymous true$/allow_anonymous false/' "$T/mq/mosquitto.conf"
printf 'password_file %s\n' "$T/mq/passwd" >>"$T/mq/mosquitto.conf"
mosquitto -c "$T/mq/mosquitto.conf" &
MQPID=$!
PIDS="$PIDS $MQPID"
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$MQPORT '" || fail "mosquitto did not restart"
write_config "$T/enertrack.conf"
sed -i 's/^qos = 1$/qos = 1\nusername = etd\npassword_file =/' "$T/enertrack.conf"
migrate >/dev/null
mkdir -p "$T/creds"
printf 's3cret;pass\n' >"$T/creds/mqtt-password"
chmod 400 "$T/creds/mqtt-password"
CREDENTIALS_DIRECTORY=$T/creds start_daemon
printf 'energy/mine/cred-1/raw_coal\t{"ts":"2024-01-01T00:00:00Z","value":1,"unit":"t"}\n' |
	"$BIN/enertrack" publish --uri "$MQURI" --qos 1 --username etd --password-file "$T/creds/mqtt-password" 2>/dev/null ||
	fail "publish with the password failed"
wait_until 30 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') = 1 ]" || fail "no reading arrived"
stop_daemon
log "ok: connected with the password from \$CREDENTIALS_DIRECTORY/mqtt-password"

# without the credential: refused, and said so
sed -i "s|^spool_dir = .*|spool_dir = $T/spool-2|" "$T/enertrack.conf"
"$BIN/enertrackd" -c "$T/enertrack.conf" >"$T/nocred.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_until 15 grep -q "mqtt: cannot connect.*not authorized" "$T/nocred.log" || fail "no error without the credential: $(cat "$T/nocred.log")"
kill -TERM "$pid"
wait "$pid" || true
log "ok: without it: $(grep -o 'mqtt: cannot connect.*' "$T/nocred.log" | head -1)"
