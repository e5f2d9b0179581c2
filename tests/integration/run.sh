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
#
# Before the tests, the Node.js clients are installed with `npm ci` from
# their committed lock files; during the run no test writes into what the
# others use. The run fails if any file under BUILD, or any file git tracks,
# changed while the tests ran (a relinked binary under a running test is how
# `make install` once broke the tests beside it).
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/../.."
JOBS=${JOBS:-3}
LOGS=$(mktemp -d /tmp/enertrack-runlogs.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT

# npm ci installs exactly package-lock.json into DIR/node_modules; it starts
# from scratch each time, so it runs only when the lock file is newer than
# the last install (node_modules/.package-lock.json).
npm_install() {
	local dir=$1
	[ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
	command -v npm >/dev/null || { echo "integration: npm (Node.js 20) is needed for $dir" >&2; return 1; }
	echo "integration: npm ci in $dir" >&2
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$LOGS/npm.log" 2>&1 ||
		{ echo "integration: npm ci in $dir failed:" >&2; tail -5 "$LOGS/npm.log" >&2; return 1; }
}
npm_install tests/integration/tahu || exit 1
npm_install tests/integration/sptck || exit 1
[ -n "${ET_NO_BROWSER:-}" ] || npm_install tests/browser || exit 1

# What the tests must not change: every file of the build (path, size,
# modification time) and git's view of the tracked files.
snapshot() {
	find "$BUILD" -type f -printf '%p %s %T@\n' 2>/dev/null | LC_ALL=C sort
	git status --porcelain --untracked-files=no 2>/dev/null
}
snapshot >"$LOGS/before"

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
snapshot >"$LOGS/after"
if ! diff "$LOGS/before" "$LOGS/after" >"$LOGS/changed"; then
	echo "integration: FAILED: the tests changed the build or the source tree they ran from:" >&2
	head -20 "$LOGS/changed" >&2
	failed="$failed (build changed)"
fi
[ -z "$failed" ]
