# SPDX-License-Identifier: MIT
# The Debian packages (debian/): `make deb` builds enertrack_<VERSION>_<arch>.deb,
# its -dbgsym and enertrack-demo with dpkg-buildpackage from a copy of the
# tracked files in a directory of its own under /tmp (dpkg-buildpackage
# writes into the parent of the tree it builds), and collects the results in
# $(BUILD)/deb/. The clone is never written to but for that directory.
# `make deb-check`: lintian, the install cycle (debian/check-cycle.sh) and
# the autopkgtest (debian/tests/) with the null runner; it installs the
# package on this machine and purges it again, so it needs root.
# `make check` runs them in tests/integration/test_deb.sh, into a directory
# of that test's own (DEB_DIR=), with DEB_BUILD_OPTIONS=nocheck: make check
# has run the unit tests already.
DEB_DIR ?= $(BUILD)/deb
DEB_TOOLS := dpkg-buildpackage dh lintian autopkgtest

.PHONY: deb deb-version deb-check deb-check-if-tools

# debian/changelog's version is the Makefile's VERSION (what
# `enertrackd --version` prints): a native package, no Debian revision.
deb-version:
	@v=$$(dpkg-parsechangelog -l debian/changelog -SVersion) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "deb: debian/changelog says $$v, the Makefile's VERSION is $(VERSION):" \
			"add a changelog entry (dch -v $(VERSION))" >&2; exit 1; }

deb: deb-version
	@set -e; tmp=$$(mktemp -d /tmp/enertrack-deb.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	src=$$tmp/enertrack-$(VERSION); mkdir "$$src"; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			tar --null --ignore-failed-read -T - -cf -; \
	else tar --exclude=./build --exclude='./build-*' --exclude=./demo -cf - .; fi | \
		tar -xf - -C "$$src"; \
	echo "deb: building in $$src" >&2; \
	(cd "$$src" && dpkg-buildpackage -us -uc -b -j2) >"$$tmp/build.log" 2>&1 || \
		{ tail -40 "$$tmp/build.log" >&2; echo "deb: dpkg-buildpackage failed" >&2; exit 1; }; \
	rm -rf $(DEB_DIR); mkdir -p $(DEB_DIR); \
	cp "$$tmp"/*.deb "$$tmp"/*.changes "$$tmp"/*.buildinfo $(DEB_DIR)/; \
	cp "$$tmp/build.log" $(DEB_DIR)/build.log; \
	ls -l $(DEB_DIR)

deb-check: deb
	./debian/deb-check.sh $(DEB_DIR) $(VERSION)

deb-check-if-tools:
	@missing=""; for t in $(DEB_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then echo "deb-check: skipped, no$$missing (scripts/deps.sh installs them)"; \
	else $(MAKE) deb-check; fi
