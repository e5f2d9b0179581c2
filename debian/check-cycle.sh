#!/bin/sh
# SPDX-License-Identifier: MIT
# What piuparts checks, on this machine, with no chroot and no network
# (piuparts needs a base system it would download or copy whole): the
# package installs, upgrades (the operator's edits kept, the new
# configuration beside them), removes (configuration and spool kept),
# purges, installs again and purges with unsent readings in its spool (kept,
# and purge says where), and afterwards no file is left that was not there
# before. Run by
# `make deb-check` as root: check-cycle.sh DIR-WITH-DEBS VERSION.
set -eu
DIR=$1
VERSION=$2
export DEBIAN_FRONTEND=noninteractive
T=$(mktemp -d /tmp/enertrack-cycle.XXXXXX)
chmod 755 "$T"
made_private=0
started=0
[ -d /var/lib/private ] || made_private=1
fail() {
	echo "check-cycle: FAIL: $*" >&2
	exit 1
}
cleanup() {
	st=$?
	if dpkg-query -W -f='${db:Status-Abbrev}' enertrack 2>/dev/null | grep -q '^[ir]'; then
		apt-get purge -y -qq enertrack >/dev/null 2>&1 || true
	fi
	# none of them was there before the run (checked below)
	[ "$started" = 1 ] && rm -rf /etc/enertrack /var/lib/private/enertrack /var/lib/enertrack
	[ "$made_private" = 1 ] && rmdir /var/lib/private 2>/dev/null || true
	[ "$st" = 0 ] && rm -rf "$T" || echo "check-cycle: files kept in $T" >&2
}
trap cleanup EXIT

# every path outside the places that change on their own (dpkg's and
# apt's databases, caches, logs, temporary and home directories)
snapshot() {
	find /etc /usr /var /opt /srv \
		\( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache -o -path /var/log \
		-o -path /var/tmp -o -path /var/backups -o -path /var/lib/postgresql -o -path /var/mail \) -prune \
		-o -print 2>/dev/null | LC_ALL=C sort
}
# compare BEFORE: what appeared or went since, less what belongs to another
# package (another job may be installing packages at the same time)
compare() {
	snapshot >"$T/after"
	LC_ALL=C comm -13 "$1" "$T/after" >"$T/new" || true
	LC_ALL=C comm -23 "$1" "$T/after" >"$T/gone" || true
	: >"$T/left"
	while read -r p; do
		dpkg -S "$p" >/dev/null 2>&1 || echo "$p" >>"$T/left"
	done <"$T/new"
	[ -s "$T/left" ] && fail "left behind: $(head -20 "$T/left" | tr '\n' ' ')"
	grep enertrack "$T/gone" >"$T/lost" && fail "gone: $(head -20 "$T/lost" | tr '\n' ' ')"
	return 0
}
status() { dpkg-query -W -f='${db:Status-Abbrev}' enertrack 2>/dev/null | tr -d ' ' || true; }

case "$(status)" in '' | un | pn) ;; *) fail "enertrack is on this machine already ($(status))" ;; esac
[ ! -e /etc/enertrack ] && [ ! -e /usr/bin/enertrackd ] ||
	fail "/etc/enertrack or /usr/bin/enertrackd exists (make install?): not touching them"
[ ! -e /var/lib/enertrack ] && [ ! -e /var/lib/private/enertrack ] ||
	fail "/var/lib/enertrack exists: an enertrack ran here, not touching its spool"
started=1
# apt reads a local .deb as its _apt user: a copy it can read
cp "$DIR"/enertrack_"$VERSION"_*.deb "$T/"
chmod 644 "$T"/*.deb
DEB=$(ls "$T"/enertrack_"$VERSION"_*.deb)
snapshot >"$T/before"

echo "check-cycle: install $DEB" >&2
apt-get install -o DPkg::Lock::Timeout=300 -y -qq "$DEB" >"$T/install.log" 2>&1 || fail "install: $(tail -5 "$T/install.log")"
[ "$(status)" = ii ] || fail "not installed after install: $(status)"
[ "$(/usr/bin/enertrackd --version | head -1)" = "enertrackd $VERSION" ] || fail "enertrackd --version"
dpkg-query -W -f='${Conffiles}\n' enertrack | grep -q ' /etc/enertrack/enertrack.conf ' ||
	fail "/etc/enertrack/enertrack.conf is not a conffile"
[ -L /etc/systemd/system/multi-user.target.wants/enertrackd.service ] || fail "the unit is not enabled"
if [ -d /run/systemd/system ]; then
	! systemctl is-failed --quiet enertrackd || fail "the install left a failed unit"
	! systemctl is-active --quiet enertrackd || fail "the unit runs though it was never configured"
fi
# what the operator and the service make: the marker, the state directory
touch /etc/enertrack/configured
mkdir -p -m 700 /var/lib/private/enertrack/spool
ln -s private/enertrack /var/lib/enertrack
echo 00000000000000000003 >/var/lib/private/enertrack/spool/committed
echo "# edited" >>/etc/enertrack/enertrack.conf

# an upgrade whose configuration changed keeps the operator's edits (dpkg
# asks; --force-confold answers as an operator who keeps theirs would) and
# puts the new one beside it: the same package, one version up, with one
# more line in its conffile
dpkg-deb -R "$DEB" "$T/up"
sed -i "s/^Version: .*/Version: $VERSION+up1/" "$T/up/DEBIAN/control"
echo "; a line the next version adds" >>"$T/up/etc/enertrack/enertrack.conf"
dpkg-deb -b "$T/up" "$T/enertrack_up.deb" >/dev/null
chmod 644 "$T/enertrack_up.deb"
echo "check-cycle: upgrade to $VERSION+up1, its configuration changed" >&2
apt-get install -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold -y -qq "$T/enertrack_up.deb" \
	>"$T/upgrade.log" 2>&1 || fail "upgrade: $(tail -5 "$T/upgrade.log")"
[ "$(dpkg-query -W -f='${Version}' enertrack)" = "$VERSION+up1" ] || fail "not upgraded"
grep -q "# edited" /etc/enertrack/enertrack.conf || fail "the upgrade lost the operator's edit"
grep -q "a line the next version adds" /etc/enertrack/enertrack.conf.dpkg-dist ||
	fail "the upgrade did not leave the new configuration beside it (.dpkg-dist)"
[ -f /etc/enertrack/configured ] && [ -f /var/lib/enertrack/spool/committed ] ||
	fail "the upgrade lost the marker or the spool"

echo "check-cycle: remove" >&2
apt-get remove -o DPkg::Lock::Timeout=300 -y -qq enertrack >"$T/remove.log" 2>&1 || fail "remove: $(tail -5 "$T/remove.log")"
[ "$(status)" = rc ] || fail "after remove: $(status), not rc"
[ ! -e /usr/bin/enertrackd ] || fail "remove left /usr/bin/enertrackd"
grep -q "# edited" /etc/enertrack/enertrack.conf || fail "remove did not keep the configuration"
[ -f /var/lib/enertrack/spool/committed ] || fail "remove did not keep the spool"

echo "check-cycle: purge" >&2
apt-get purge -o DPkg::Lock::Timeout=300 -y -qq enertrack >"$T/purge.log" 2>&1 || fail "purge: $(tail -5 "$T/purge.log")"
[ -z "$(status)" ] || [ "$(status)" = un ] || [ "$(status)" = pn ] || fail "after purge: $(status)"
[ ! -e /etc/enertrack ] && [ ! -e /var/lib/enertrack ] && [ ! -e /var/lib/private/enertrack ] ||
	fail "purge left /etc/enertrack or the state directory"
# /var/lib/private is systemd's, not the package's: made here, removed here
[ "$made_private" = 1 ] && rmdir /var/lib/private
compare "$T/before"

echo "check-cycle: install again, purge with unsent readings in the spool" >&2
apt-get install -o DPkg::Lock::Timeout=300 -y -qq "$DEB" >"$T/install2.log" 2>&1 || fail "second install: $(tail -5 "$T/install2.log")"
[ "$(status)" = ii ] || fail "not installed after the second install"
mkdir -p -m 700 /var/lib/private/enertrack/spool
ln -s private/enertrack /var/lib/enertrack
printf 'ETR1' >/var/lib/private/enertrack/spool/0000000000000004.seg
apt-get purge -o DPkg::Lock::Timeout=300 -y enertrack >"$T/purge2.log" 2>&1 || fail "second purge: $(tail -5 "$T/purge2.log")"
[ -f /var/lib/private/enertrack/spool/0000000000000004.seg ] || fail "purge deleted unsent readings"
grep -q "/var/lib/private/enertrack/spool" "$T/purge2.log" ||
	fail "purge did not say where the unsent readings are: $(cat "$T/purge2.log")"
grep "enertrack: the spool" "$T/purge2.log" >&2
[ ! -e /etc/enertrack ] && [ ! -e /usr/bin/enertrackd ] || fail "the second purge left files"
rm -rf /var/lib/private/enertrack /var/lib/enertrack
[ "$made_private" = 1 ] && rmdir /var/lib/private
compare "$T/before"
echo "check-cycle: ok: install, upgrade (edits kept), remove (configuration and spool kept), purge, install, purge" \
	"(unsent readings kept and named); nothing left behind" >&2
