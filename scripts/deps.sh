#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages that building, testing and the demo need.
# Does nothing when they are all present already; needs root otherwise.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev valgrind
libuv1-dev libpaho-mqtt-dev libpq-dev libcmocka-dev libcurl4-openssl-dev
libinih-dev libjansson-dev libsystemd-dev zlib1g-dev libmicrohttpd-dev
mosquitto mosquitto-clients postgresql-15 postgresql-client-15
python3-aiosmtpd python3-paho-mqtt python3-psycopg2 openssl ca-certificates
iproute2 procps systemd man-db
libprotobuf-c-dev protobuf-c-compiler libcairo2-dev libpango1.0-dev fonts-noto-cjk
libxlsxwriter-dev libcsv-dev chromium python3-openpyxl
debhelper dpkg-dev fakeroot lintian autopkgtest prometheus"
# the reports' tests: the workbook converted by LibreOffice, the PDFs rasterised
# and read back (pdftoppm, pdffonts, pdftotext)
PKGS="$PKGS libreoffice-calc-nogui poppler-utils"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt (an unattended upgrade, a package test) may hold the dpkg
# lock: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || true
# The mosquitto and postgresql packages start system services on install;
# the project never uses them (tests and the demo run private instances),
# so policy-rc.d keeps them from starting where the machine allows it.
rc=/usr/sbin/policy-rc.d
made_rc=0
if [ ! -e "$rc" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$rc" && chmod +x "$rc" && made_rc=1
fi
status=0
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >&2 || status=$?
[ "$made_rc" = 1 ] && rm -f "$rc"
exit $status
