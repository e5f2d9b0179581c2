#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every integration test (tests/integration/test_*.sh) against the
# binaries in BUILD (default build/). Each test starts and stops its own
# PostgreSQL, mosquitto and SMTP sink on free loopback ports and in its own
# directory, so tests run side by side: JOBS at a time (default 3; most of
# a test's time is spent waiting for services). A test whose file has the
# line "# integration: alone" (it measures time, or loads the machine) runs
# by itself after the others. ONLY=text runs the tests whose name holds it.
# Each test's output is printed whole when it ends.
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/../.."
JOBS=${JOBS:-3}
LOGS=$(mktemp -d /tmp/enertrack-runlogs.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT

pass=0
failed=""
together=()
alone=()
for t in tests/integration/test_*.sh; do
	[ -n "${ONLY:-}" ] && case "$t" in *"$ONLY"*) ;; *) continue ;; esac
	if grep -q '^# integration: alone' "$t"; then alone+=("$t"); else together+=("$t"); fi
done

declare -A started=()
declare -A pid_of=()

# Runs test $1 in the background, its output into its log.
launch() {
	local t=$1 log
	log=$LOGS/$(basename "$t").log
	started[$t]=$(date +%s)
	(sh "$t" >"$log" 2>&1; echo $? >"$log.rc") &
	pid_of[$t]=$!
}

# Prints the result of test $1, which has ended.
report() {
	local t=$1 log rc
	log=$LOGS/$(basename "$t").log
	wait "${pid_of[$t]}" 2>/dev/null
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	echo "== $t"
	cat "$log"
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "== $t: ok ($(($(date +%s) - started[$t])) s)"
	else
		failed="$failed $t"
		echo "== $t: FAILED ($(($(date +%s) - started[$t])) s)"
	fi
	unset "pid_of[$t]"
}

# Runs the tests given, n at a time.
run_all() {
	local n=$1 t
	shift
	local queue=("$@")
	while [ ${#queue[@]} -gt 0 ] || [ ${#pid_of[@]} -gt 0 ]; do
		while [ ${#queue[@]} -gt 0 ] && [ ${#pid_of[@]} -lt "$n" ]; do
			launch "${queue[0]}"
			queue=("${queue[@]:1}")
		done
		for t in "${!pid_of[@]}"; do
			[ -f "$LOGS/$(basename "$t").log.rc" ] && report "$t"
		done
		sleep 0.2
	done
}

begin=$(date +%s)
run_all "$JOBS" "${together[@]}"
run_all 1 "${alone[@]}"
echo "integration: $pass passed${failed:+, failed:$failed} ($(($(date +%s) - begin)) s, $JOBS at a time)"
[ -z "$failed" ]
