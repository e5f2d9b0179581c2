#!/bin/sh
# SPDX-License-Identifier: MIT
# `make deb-check`: the checks Debian uses, on the packages `make deb` left
# in DIR. lintian on the .changes (its .debs and .buildinfo): no error and
# no warning that is not overridden with its reason in
# debian/*.lintian-overrides. The package holds no test, bench or demo file.
# Then, as root: the install cycle (debian/check-cycle.sh, what piuparts
# checks, offline) and the autopkgtest (debian/tests/) with the null runner,
# after which the package is purged again. deb-check.sh DIR VERSION
set -eu
DIR=$1
VERSION=$2
REPO=$(cd "$(dirname "$0")/.." && pwd)
CHANGES=$DIR/enertrack_${VERSION}_$(dpkg --print-architecture).changes
DEB=$DIR/enertrack_${VERSION}_$(dpkg --print-architecture).deb
fail() {
	echo "deb-check: FAIL: $*" >&2
	exit 1
}
[ -f "$CHANGES" ] && [ -f "$DEB" ] || fail "no $CHANGES or $DEB: run make deb"

# the version is the Makefile's, which enertrackd --version prints
[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ] || fail "the package's version is not $VERSION"

# Build-Depends are what scripts/deps.sh installs for the build: each of
# them is in deps.sh, and each library deps.sh installs (but the fuzzers'
# clang runtime, and dpkg-dev, the builder) is in Build-Depends
sed -n '/^Build-Depends:/,/^$/p' "$REPO/debian/control" | sed 's/^Build-Depends://' | tr ',' '\n' |
	sed 's/[(<].*//; s/[[:space:]]//g' | grep -v '^$' | grep -vx debhelper-compat | sort >"$DIR/build-depends"
sed -n '/^PKGS="/,/"$/p' "$REPO/scripts/deps.sh" | tr -d '"' | sed 's/^PKGS=//' | tr ' ' '\n' |
	grep -v '^$' | sort >"$DIR/deps"
missing=$(comm -23 "$DIR/build-depends" "$DIR/deps" | tr '\n' ' ')
[ -z "$missing" ] || fail "Build-Depends not installed by scripts/deps.sh: $missing"
extra=$(grep -- '-dev$' "$DIR/deps" | grep -v '^libclang-rt' | grep -vx dpkg-dev | comm -23 - "$DIR/build-depends" | tr '\n' ' ')
[ -z "$extra" ] || fail "scripts/deps.sh installs $extra for the build, not in Build-Depends"

echo "== lintian $CHANGES" >&2
lintian --display-info --pedantic --show-overrides "$CHANGES" 2>&1 |
	grep -v '^running with root privileges is not recommended!$' || true
lintian --fail-on error,warning "$CHANGES" >/dev/null 2>&1 || fail "lintian: an error, or a warning not overridden"
echo "lintian: no error, no warning left unexplained" >&2

# the operator's package: no test, bench, demo or simulator file
dpkg -c "$DEB" | awk '{print $6}' >"$DIR/enertrack.contents"
if grep -Ei '/tests?/|bench|demo|enertrack-sim|fuzz' "$DIR/enertrack.contents"; then
	fail "the enertrack package holds the files above"
fi

if [ "$(id -u)" != 0 ]; then
	echo "deb-check: the install cycle and the autopkgtest need root: skipped" >&2
	exit 0
fi
echo "== install cycle (debian/check-cycle.sh)" >&2
"$REPO/debian/check-cycle.sh" "$DIR" "$VERSION"

echo "== autopkgtest, null runner" >&2
T=$(mktemp -d /tmp/enertrack-autopkgtest.XXXXXX)
trap 'dpkg-query -W -f="\${db:Status-Abbrev}" enertrack 2>/dev/null | grep -q "^[ir]" &&
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq enertrack >/dev/null 2>&1; rm -rf "$T"' EXIT
# the tests run from a copy of the tree, as `make deb` builds from one
mkdir "$T/src" "$T/debs"
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
	tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$T/src"
cp "$DEB" "$T/debs/"
chmod -R a+rX "$T"
rc=0
autopkgtest --output-dir "$T/out" "$T/debs/$(basename "$DEB")" "$T/src/" -- null >"$T/autopkgtest.log" 2>&1 || rc=$?
cp "$T/autopkgtest.log" "$DIR/autopkgtest.log"
grep -E '^(reading|autopkgtest \[)' "$T/autopkgtest.log" | grep -vE 'autopkgtest \[[0-9:]+\]: (@@@|testbed|host|testing package|build not needed|test reading: *\[-)' >&2 || true
[ "$rc" = 0 ] || { tail -40 "$T/autopkgtest.log" >&2; fail "autopkgtest exited $rc"; }
DEBIAN_FRONTEND=noninteractive apt-get purge -o DPkg::Lock::Timeout=300 -y -qq enertrack >/dev/null 2>&1 || fail "purge after autopkgtest"
[ ! -e /etc/enertrack ] && [ ! -e /usr/bin/enertrackd ] || fail "purge after autopkgtest left files"
echo "deb-check: ok" >&2
