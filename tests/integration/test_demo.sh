#!/bin/sh
# SPDX-License-Identifier: MIT
# integration: alone
# `make demo` from a clone where a newcomer makes one: inside a mode-700
# directory (root's home, mktemp -d), in a path with a space. As root,
# PostgreSQL runs as the postgres user, which cannot enter such a directory.
# The start-up path only (DEMO_QUICK: services, migrate, the daemon
# connects, two simulated days land), three times: interrupted by Ctrl-C
# (SIGINT to its process group, as a terminal sends it), then to the end,
# then, when the test runs as root, as an ordinary user (nobody). Each run
# must leave no process behind.
. "$(dirname "$0")/lib.sh"

# copy_clone DIR: the repository's files (what git tracks, or everything
# but the build directories) and the build, with their times, into DIR
copy_clone() {
	mkdir -p "$1"
	if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$REPO" ls-files -z | tar -C "$REPO" --null -T - -cf - | tar -C "$1" -xf -
	else
		tar -C "$REPO" --exclude='./build*' --exclude=./demo -cf - . | tar -C "$1" -xf -
	fi
	cp -a "$REPO/$BUILD" "$1/build"
}

# left DIR: the processes whose command line names DIR
left() { pgrep -af -- "$1" || true; }
none_left() { [ -z "$(left "$1")" ]; }

# demo_run DIR [USER]: make demo in DIR (as USER), quick; its output in $T
demo_run() {
	if [ -n "${2:-}" ]; then
		(cd "$1" && runuser -u "$2" -- env HOME="$1" DEMO_QUICK=1 make demo) >"$T/demo.out" 2>&1
	else
		(cd "$1" && DEMO_QUICK=1 make demo) >"$T/demo.out" 2>&1
	fi
}

# demo_ok DIR: the run landed every reading it published and stopped everything
demo_ok() {
	landed=$(sed -n 's/^\([0-9]*\) messages published, \([0-9]*\) readings stored.*/\1 \2/p' "$T/demo.out")
	set -- "$1" $landed
	[ -n "${2:-}" ] && [ "$2" -gt 0 ] && [ "$2" = "$3" ] ||
		fail "the demo in $1 did not land what it published: $(tail -20 "$T/demo.out")"
	grep -q "PostgreSQL:  .*/data" "$T/demo.out" || fail "the demo did not say where its files are"
	none_left "$1" || fail "the demo left processes running: $(left "$1")"
	[ ! -e "$1/demo/pg/data/postmaster.pid" ] || fail "the demo left PostgreSQL running"
}

home=$T/home
mkdir -m 700 "$home"
C="$home/a clone"
copy_clone "$C"
log "clone in $C (mode 700 above it), as $(id -un)"

# 1. interrupted with Ctrl-C while the simulator publishes (slowly, so that
#    the signal comes in the middle)
(cd "$C" && DEMO_QUICK=1 DEMO_RATE=40 exec setsid make demo) >"$T/demo-int.out" 2>&1 &
MAKEPID=$!
PIDS="$PIDS -$MAKEPID" # its process group, should the test fail
wait_until 60 grep -q "readings in PostgreSQL" "$T/demo-int.out" ||
	fail "the demo did not get to the simulator: $(tail -20 "$T/demo-int.out")"
kill -INT "-$MAKEPID"
wait_until 30 sh -c "! kill -0 $MAKEPID" || fail "make demo did not stop on SIGINT"
wait "$MAKEPID" 2>/dev/null || true
wait_until 10 none_left "$C" ||
	fail "Ctrl-C left processes running: $(left "$C")"
[ ! -e "$C/demo/pg/data/postmaster.pid" ] || fail "Ctrl-C left PostgreSQL running"
log "Ctrl-C: everything stopped"

# 2. the next run starts and finishes
demo_run "$C" || fail "make demo after a Ctrl-C failed: $(tail -20 "$T/demo.out")"
demo_ok "$C"
pghome=$(cd "$C/demo/pg" && pwd -P)
log "make demo: $(grep 'messages published' "$T/demo.out"); PostgreSQL in $pghome"
# the demo's page afterwards: make demo-page starts its services again,
# prints the URL, and (PAGE_ONCE) checks that the page answers and stops
(cd "$C" && PAGE_ONCE=1 make demo-page) >"$T/demo-page.out" 2>&1 ||
	fail "make demo-page: $(tail -20 "$T/demo-page.out")"
grep -q "http://127.0.0.1:[0-9]*/ .*the latest year with targets (2024)" "$T/demo-page.out" &&
	grep -q "(it answers)" "$T/demo-page.out" || fail "make demo-page: $(tail -20 "$T/demo-page.out")"
wait_until 10 none_left "$C" || fail "make demo-page left processes running: $(left "$C")"
[ ! -e "$C/demo/pg/data/postmaster.pid" ] || fail "make demo-page left PostgreSQL running"
log "make demo-page: $(grep -m1 'http://' "$T/demo-page.out" | tr -s ' ')"
if [ "$(id -u)" = 0 ]; then
	case "$pghome" in "$C"/*) fail "PostgreSQL's files under the mode-700 clone" ;; esac
	rm -rf "$C/demo" "$pghome"
fi

# 3. an ordinary user who has the packages: PostgreSQL runs as that user,
#    its files in the clone's demo/
if [ "$(id -u)" = 0 ]; then
	uhome=$T/user
	mkdir -m 700 "$uhome"
	U="$uhome/a clone"
	copy_clone "$U"
	chown -R nobody "$uhome"
	demo_run "$U" nobody || fail "make demo as nobody failed: $(tail -20 "$T/demo.out")"
	demo_ok "$U"
	[ "$(stat -c %U "$U/demo/pg/data")" = nobody ] || fail "PostgreSQL's files do not belong to nobody"
	log "make demo as nobody: $(grep 'messages published' "$T/demo.out")"
fi
log "ok"
