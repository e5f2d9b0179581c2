#!/bin/sh
# SPDX-License-Identifier: MIT
# Secured connections. A throwaway CA (openssl) signs a server
# certificate for localhost and a client certificate. mosquitto gets a TLS
# listener that requires client certificates, PostgreSQL gets ssl = on.
# The daemon connects with the right certificates (mqtts://, host name
# verified; sslmode=verify-full) and writes; it is refused, with a clear log
# line, with a client certificate from another CA, without one, and when
# the broker's certificate does not match the host name.
. "$(dirname "$0")/lib.sh"

P=$T/pki
mkdir -p "$P"
ca() { # ca NAME: a self-signed CA
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-keyout "$P/$1.key" -out "$P/$1.pem" 2>/dev/null || fail "openssl: CA $1"
}
cert() { # cert NAME CA CN [SAN]
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" -keyout "$P/$1.key" -out "$P/$1.csr" 2>/dev/null
	if [ -n "${4:-}" ]; then printf 'subjectAltName=%s\n' "$4" >"$P/$1.ext"; else : >"$P/$1.ext"; fi
	openssl x509 -req -in "$P/$1.csr" -CA "$P/$2.pem" -CAkey "$P/$2.key" -CAcreateserial -days 2 \
		-extfile "$P/$1.ext" -out "$P/$1.pem" 2>/dev/null || fail "openssl: cert $1"
}
ca ca
ca other
cert server ca localhost "DNS:localhost,IP:127.0.0.1"
cert client ca enertrack
cert rogue other enertrack
cert wrongname ca elsewhere.example "DNS:elsewhere.example"
chmod 644 "$P"/*.pem "$P"/*.key

# PostgreSQL with ssl on (its key must belong to it and be private)
cp "$P/server.key" "$P/pg.key"
[ "$(id -u)" = 0 ] && chown postgres: "$P/pg.key"
chmod 600 "$P/pg.key"
PG_OPTS="-c ssl=on -c ssl_cert_file=$P/server.pem -c ssl_key_file=$P/pg.key"
start_pg
PGCONN="host=localhost port=$PGPORT user=postgres dbname=enertrack sslmode=verify-full sslrootcert=$P/ca.pem"
[ "$(q "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")" = t ] || fail "psql did not use TLS"

# mosquitto: a TLS listener requiring a client certificate from our CA
start_mosquitto
TLSPORT=$(free_port)
BADPORT=$(free_port)
stop_mosquitto
cat >>"$T/mq/mosquitto.conf" <<EOC
listener $TLSPORT 127.0.0.1
cafile $P/ca.pem
certfile $P/server.pem
keyfile $P/server.key
require_certificate true
listener $BADPORT 127.0.0.1
cafile $P/ca.pem
certfile $P/wrongname.pem
keyfile $P/wrongname.key
require_certificate true
EOC
mosquitto -c "$T/mq/mosquitto.conf" &
MQPID=$!
PIDS="$PIDS $MQPID"
wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$TLSPORT '" || fail "mosquitto (TLS) did not start"

tls_config() { # tls_config FILE CERT [URI]
	write_config "$1"
	sed -i "s|^uri = .*|uri = ${3:-mqtts://localhost:$TLSPORT}\\nca_file = $P/ca.pem\\ncert_file = $P/$2.pem\\nkey_file = $P/$2.key|" "$1"
}
tls_config "$T/enertrack.conf" client
migrate >/dev/null
start_daemon
$PY "$REPO/tests/integration/gen_readings.py" --sites 5 --per-site 20 --prefix tls --expect /dev/null >"$T/msgs.txt"
publish <"$T/msgs.txt" 2>"$T/pub.log" || fail "publish failed: $(cat "$T/pub.log")"
wait_until 30 sh -c "[ \$(psql '$PGCONN' -XAtqc 'SELECT count(*) FROM reading') = 100 ]" ||
	fail "over TLS: $(rows) of 100 rows"
[ "$(q "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
	WHERE a.application_name = 'enertrackd' AND s.ssl")" -ge 1 ] ||
	fail "the daemon's PostgreSQL connection is not TLS: $(q "SELECT application_name, ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)")"
stop_daemon
log "ok: mqtts:// with a client certificate and sslmode=verify-full: 100 rows"

# SMTP with STARTTLS required by the server, its certificate verified
SMTP_TLS="$P/server.pem $P/server.key"
start_smtp
sed -i '/^\[smtp\]/,$d' "$T/enertrack.conf"
printf '[smtp]\nurl = smtp://localhost:%s\ntls = starttls\nca_file = %s\nto = ops@example.org\nretry_s = 1\n' \
	"$SMTPPORT" "$P/ca.pem" >>"$T/enertrack.conf"
q "INSERT INTO alert_outbox (subject, message) VALUES ('tls', E'Subject: over TLS\\r\\n\\r\\nhello\\r\\n')"
start_daemon
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 1 ]" ||
	fail "no mail over STARTTLS: $(q 'SELECT last_error FROM alert_outbox')"
stop_daemon
# the same with a CA that did not sign the server's certificate: refused, and said so
sed -i "/^\[smtp\]/,\$ s|^ca_file = $P/ca.pem\$|ca_file = $P/other.pem|" "$T/enertrack.conf"
grep -q "ca_file = $P/other.pem" "$T/enertrack.conf" || fail "test setup: smtp ca_file not replaced"
q "INSERT INTO alert_outbox (subject, message) VALUES ('tls2', E'Subject: wrong CA\\r\\n\\r\\nhello\\r\\n')"
start_daemon
wait_until 30 sh -c "psql '$PGCONN' -XAtqc \"SELECT last_error FROM alert_outbox WHERE subject = 'tls2'\" | grep -q ." ||
	fail "no error recorded for a wrong SMTP CA"
err=$(q "SELECT last_error FROM alert_outbox WHERE subject = 'tls2'")
[ "$(ls "$T/mail" | grep -c eml)" = 1 ] || fail "a mail went to a server whose certificate was not verified"
stop_daemon
log "ok: SMTP STARTTLS verified; with the wrong CA: $err"

# smtps:// (TLS from the first byte), verified
stop_smtp
SMTPPORT=$(free_port)
SMTP_TLS="$P/server.pem $P/server.key smtps"
start_smtp
sed -i "/^\[smtp\]/,\$ { s|^url = .*|url = smtps://localhost:$SMTPPORT|; s|^ca_file = .*|ca_file = $P/ca.pem| }" "$T/enertrack.conf"
q "UPDATE alert_outbox SET next_attempt_at = now() WHERE subject = 'tls2'"
start_daemon
wait_until 30 sh -c "[ \$(ls '$T/mail' | grep -c eml) -ge 2 ]" ||
	fail "no mail over smtps: $(q "SELECT last_error FROM alert_outbox WHERE subject = 'tls2'")"
stop_daemon
log "ok: smtps:// verified"

# refused: a client certificate from another CA, none, a broker whose name does not match
refused() { # refused NAME CERT [URI]: the daemon runs, never connects, says why
	tls_config "$T/$1.conf" "$2" "${3:-}"
	sed -i "s|^spool_dir = .*|spool_dir = $T/spool-$1|; s|^listen = .*|listen = 127.0.0.1:$(free_port)|" "$T/$1.conf"
	[ "$2" = none ] && sed -i '/^cert_file/d; /^key_file/d' "$T/$1.conf"
	[ "$1" = wrongca ] && sed -i "s|^ca_file = .*|ca_file = $P/other.pem|" "$T/$1.conf"
	"$BIN/enertrackd" -c "$T/$1.conf" >"$T/$1.log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	wait_until 15 grep -q "mqtt: cannot connect.*TLS handshake failed" "$T/$1.log" ||
		fail "$1: no clear error: $(cat "$T/$1.log")"
	! grep -q "mqtt: connected" "$T/$1.log" || fail "$1: connected"
	kill -TERM "$pid"
	wait "$pid" || true
	log "ok: $1 refused: $(grep -o 'mqtt: cannot connect.*' "$T/$1.log" | head -1)"
}
refused rogue rogue
refused nocert none
refused wrongname client "mqtts://localhost:$BADPORT"
refused wrongca client
grep -q "TLS: certificate verify failed" "$T/wrongca.log" || fail "wrongca: OpenSSL's reason not logged"

# a missing certificate file is named at start, with its key
tls_config "$T/typo.conf" client
sed -i "s|^cert_file = .*|cert_file = $P/nosuch.pem|" "$T/typo.conf"
rc=0
"$BIN/enertrackd" -c "$T/typo.conf" --check-config >"$T/typo.log" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "\[mqtt\] cert_file: cannot read $P/nosuch.pem: No such file" "$T/typo.log" ||
	fail "a missing cert_file was not named: $(cat "$T/typo.log")"
log "ok: $(cat "$T/typo.log")"
