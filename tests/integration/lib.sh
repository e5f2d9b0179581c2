# SPDX-License-Identifier: MIT
# Integration tests source this: the service helpers of scripts/services.sh.
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/scripts/services.sh"

# samples_agree YEAR: target_progress_samples (the charts' sampler) gives
# target_progress_at's expected and actual, within 1e-9, at the charts'
# instants of YEAR and odd ones (tests/integration/samples_check.sql).
# The line it logs is left in $got (what the instants exercised).
samples_agree() {
	got=$(psql "$PGCONN" -XAtq -v ON_ERROR_STOP=1 -v year="$1" -f "$REPO/tests/integration/samples_check.sql") ||
		fail "samples_check.sql failed"
	case $got in
	"0 compared"*) fail "the charts' sampler: no target in $1" ;;
	*" compared, 0 differ;"*) log "ok: the charts' sampler: $got" ;;
	*) fail "the charts' sampler against target_progress_at in $1: $got" ;;
	esac
}

# healthz: one answer of /healthz at $HTTP, as "CODE first-line".
healthz() {
	$PY -c 'import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://" + sys.argv[1] + "/healthz", timeout=5); print(r.status, r.read().decode().splitlines()[0])
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().splitlines()[0])' "$HTTP"
}

# healthz_503: asks /healthz every 0.2 s for up to 10 s and prints the
# first 503 answer (or the last answer).
healthz_503() {
	for i in $(seq 1 50); do
		h=$(healthz)
		case "$h" in 503*) break ;; esac
		sleep 0.2
	done
	echo "$h"
}
