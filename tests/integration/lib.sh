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
