#!/bin/sh
# SPDX-License-Identifier: MIT
# The Debian package: built by `make deb` into this test's directory and
# checked by `make deb-check` (lintian, the install cycle, the autopkgtest);
# then on this machine, as a sysadmin installs it: `apt install
# ./enertrack_<version>_<arch>.deb`, no failed unit; the packaged binaries take a reading end to
# end (debian/tests/reading, the autopkgtest: the unit's command line,
# refusal of an unmigrated and of an older schema, migrate with the packaged
# SQL); `apt purge` leaves the machine as it was: dpkg -l, /etc/enertrack,
# /usr/share/enertrack, /usr/bin. Skips, saying why, when not root, without apt or the
# .deb, or when enertrack is on the machine already (installed, or by make
# install): the test never touches an operator's enertrack.
# integration: alone
# (it installs the package: /etc/enertrack/enertrack.conf, the tools' default
# configuration, exists while it runs, and a test beside it that runs a tool
# without -c would read it)
. "$(dirname "$0")/lib.sh"

skip() {
	log "SKIPPED: $*"
	exit 0
}
[ "$(id -u)" = 0 ] || skip "apt install needs root"
command -v apt-get >/dev/null || skip "no apt-get: not a Debian system"
ARCH=$(dpkg --print-architecture)
VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
pkg_status() { dpkg-query -W -f='${db:Status-Abbrev}' enertrack 2>/dev/null | tr -d ' ' || true; }
case "$(pkg_status)" in '' | un | pn) ;; *) skip "enertrack is installed on this machine ($(pkg_status))" ;; esac
for p in /etc/enertrack /usr/share/enertrack /usr/bin/enertrackd /usr/bin/enertrack; do
	[ ! -e "$p" ] || skip "$p exists (make install?): not replacing it"
done
export DEBIAN_FRONTEND=noninteractive

# The package, built here (into $T, never the build the other tests run) and
# checked as Debian checks it: lintian, the install/upgrade/remove/purge
# cycle and the autopkgtest (make deb-check; the unit tests ran already).
for t in dpkg-buildpackage dh lintian autopkgtest; do
	command -v $t >/dev/null || skip "no $t: scripts/deps.sh installs the Debian tools"
done
make -s -C "$REPO" deb-check DEB_DIR="$T/deb" DEB_BUILD_OPTIONS=nocheck >"$T/deb-check.log" 2>&1 ||
	fail "make deb-check: $(tail -20 "$T/deb-check.log")"
log "$(grep -E '^deb-check: ok|^check-cycle: ok' "$T/deb-check.log" | tr '\n' ' ')"
DEB=$T/deb/enertrack_${VERSION}_$ARCH.deb
[ -f "$DEB" ] || fail "make deb made no $DEB"

dpkg_list() { dpkg -l | awk 'NR > 5 { print $1, $2, $3 }' | LC_ALL=C sort; }
dpkg_list >"$T/dpkg-before"
# whatever happens, the package goes again
EXTRA=
purge() { apt-get purge -y -qq enertrack >"$T/purge.log" 2>&1; }
trap 'st=$?; case "$(pkg_status)" in i* | r*) purge || true ;; esac; cleanup; exit $st' EXIT

# apt reads a local .deb as its _apt user: a copy in $T, which it can read
cp "$DEB" "$T/"
chmod 644 "$T/$(basename "$DEB")"
# what apt would install besides the package (its libraries, when missing):
# purged with it afterwards, so that dpkg -l is as before
EXTRA=$(apt-get -s install "$T/$(basename "$DEB")" 2>/dev/null | awk '$1 == "Inst" && $2 != "enertrack" { print $2 }' | tr '\n' ' ')
[ -z "$EXTRA" ] || log "apt installs with it: $EXTRA"
purge() { apt-get purge -o DPkg::Lock::Timeout=300 -y -qq enertrack $EXTRA >"$T/purge.log" 2>&1; }
apt-get install -o DPkg::Lock::Timeout=300 -y -qq "$T/$(basename "$DEB")" >"$T/install.log" 2>&1 ||
	fail "apt install: $(tail -5 "$T/install.log")"
[ "$(pkg_status)" = ii ] || fail "not installed: $(pkg_status)"
[ "$(/usr/bin/enertrackd --version | head -1)" = "enertrackd $VERSION" ] ||
	fail "/usr/bin/enertrackd --version: $(/usr/bin/enertrackd --version | head -1)"
if [ -d /run/systemd/system ]; then
	! systemctl is-failed --quiet enertrackd.service || fail "the install left a failed unit"
	! systemctl is-active --quiet enertrackd.service || fail "the unit runs before it was configured"
	log "the unit after install: $(systemctl is-enabled enertrackd.service), $(systemctl is-active enertrackd.service)"
else
	log "no systemd running here: the unit's start at install is not exercised"
fi
log "installed: $(dpkg-query -W -f='${Package} ${Version}' enertrack)"

# the same reading end to end as the autopkgtest, in a directory of its own
REPO=$REPO TEST_NAME=test_deb/reading T= sh "$REPO/debian/tests/reading" ||
	fail "the packaged binaries did not take the reading"

purge || fail "apt purge: $(tail -5 "$T/purge.log")"
for p in /etc/enertrack /usr/share/enertrack /usr/bin/enertrackd /usr/bin/enertrack \
	/lib/systemd/system/enertrackd.service /var/lib/enertrack; do
	[ ! -e "$p" ] || fail "apt purge left $p"
done
dpkg_list >"$T/dpkg-after"
diff "$T/dpkg-before" "$T/dpkg-after" >"$T/dpkg-diff" || fail "dpkg -l differs after purge: $(cat "$T/dpkg-diff")"
log "ok: apt install, a reading end to end with the packaged binaries, apt purge; dpkg -l as before"
