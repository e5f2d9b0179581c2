#!/bin/sh
# SPDX-License-Identifier: MIT
# `make man-check` (part of make check): every man page renders without a
# warning from man(1) and groff, and its source holds no control character
# (a form feed once stood where \f was meant, and "/chart/ID.pngR, P" showed).
set -eu
status=0
for m in "$@"; do
	w=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$m" 2>&1 >/dev/null | head -3)
	if [ -n "$w" ]; then
		echo "man-check: $m: $w" >&2
		status=1
	fi
	if LC_ALL=C grep -n "$(printf '[\001-\010\013\014\016-\037\177]')" "$m" >/dev/null; then
		echo "man-check: $m: a control character at line(s) $(LC_ALL=C grep -n "$(printf '[\001-\010\013\014\016-\037\177]')" "$m" | cut -d: -f1 | tr '\n' ' ')" >&2
		status=1
	fi
done
[ $status = 0 ] && echo "man-check: $# man pages render cleanly"
exit $status
