#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs libFuzzer harnesses one after another and prints one summary line
# each: executions, executions/s, time, crashes. Called by mk/fuzz.mk:
#   fuzz/run.sh BUILD SECONDS TARGET:MAX_LEN...
# Each target fuzzes BUILD/corpus/TARGET, seeded from tests/fuzz/TARGET/ (the
# seeds are copied in; what the fuzzer finds stays in BUILD, never in
# tests/), with fuzz/TARGET.dict when there is one. A crash, leak, timeout
# or invariant violation leaves its input in BUILD/crashes/TARGET/ and the
# output in BUILD/logs/TARGET.log. Exits 1 when any target failed.
# FUZZ_ARGS adds libFuzzer options (e.g. -use_value_profile=1).
set -u

build=$1
seconds=$2
shift 2

failed=0
total_execs=0
total_crashes=0
printf '%-8s %12s %9s %8s %8s\n' target executions exec/s seconds crashes
for spec in "$@"; do
	t=${spec%%:*}
	max_len=${spec#*:}
	bin=$build/fuzz_$t
	corpus=$build/corpus/$t
	crashes=$build/crashes/$t
	log=$build/logs/$t.log
	mkdir -p "$corpus" "$crashes" "$build/logs"
	if [ -d "tests/fuzz/$t" ]; then
		cp -p "tests/fuzz/$t"/* "$corpus"/ 2>/dev/null || true
	fi
	dict=
	[ -f "fuzz/$t.dict" ] && dict=-dict=fuzz/$t.dict
	before=$(find "$crashes" -type f | wc -l)
	start=$(date +%s.%N)
	# halt_on_error: a UBSan report is a crash, not a line in the log.
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
		$dict ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1
	rc=$?
	end=$(date +%s.%N)
	after=$(find "$crashes" -type f | wc -l)
	found=$((after - before))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ -z "$execs" ]; then
		# no final stats (killed?): the last "#N" status line
		execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	fi
	execs=${execs:-0}
	elapsed=$(echo "$end $start" | awk '{printf "%.1f", $1 - $2}')
	rate=$(echo "$execs $elapsed" | awk '{printf "%d", ($2 > 0 ? $1 / $2 : 0)}')
	printf '%-8s %12s %9s %8s %8s\n' "$t" "$execs" "$rate" "$elapsed" "$found"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		failed=1
		[ "$found" -eq 0 ] && found=1
		echo "  FAILED (exit $rc): see $log" >&2
		grep -m 3 -E 'ERROR: |invariant violated|runtime error|deadly signal|SUMMARY' "$log" |
			sed 's/^/  /' >&2
		sed -n 's/.*Test unit written to /  input: /p' "$log" >&2
	fi
	total_execs=$((total_execs + execs))
	total_crashes=$((total_crashes + found))
done
echo "fuzz: $# targets, $total_execs executions, $total_crashes crashes"
exit $failed
