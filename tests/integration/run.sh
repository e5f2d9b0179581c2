#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every integration test (tests/integration/test_*.sh) against the
# binaries in BUILD (default build/). Each test starts and stops its own
# PostgreSQL, mosquitto and SMTP sink on free loopback ports.
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/../.."
pass=0
failed=""
for t in tests/integration/test_*.sh; do
	[ -n "${ONLY:-}" ] && case "$t" in *"$ONLY"*) ;; *) continue ;; esac
	start=$(date +%s)
	echo "== $t"
	if sh "$t"; then
		pass=$((pass + 1))
		echo "== $t: ok ($(($(date +%s) - start)) s)"
	else
		failed="$failed $t"
		echo "== $t: FAILED ($(($(date +%s) - start)) s)"
	fi
done
echo "integration: $pass passed${failed:+, failed:$failed}"
[ -z "$failed" ]
