# SPDX-License-Identifier: MIT
# enertrack: one non-recursive Makefile. `make` builds, `make check` installs
# what it needs and runs every test, `make demo` runs the demo.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

PKGS := libuv libpq jansson inih libcurl libsystemd zlib libmicrohttpd libprotobuf-c cairo pangocairo fontconfig
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CPPFLAGS += -Iinclude -I. -I$(BUILD)/gen -D_GNU_SOURCE -DET_VERSION=\"$(VERSION)\"
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
	-fno-strict-aliasing -pthread -MMD -MP $(SANFLAGS)
LDFLAGS += -pthread $(SANFLAGS)
# paho-mqtt-c ships no pkg-config file; the "as" variant has TLS.
PAHO_LIBS := -lpaho-mqtt3as
# libcsv ships no pkg-config file either.
CSV_LIBS := -lcsv

LIB_SRCS := lib/buf.c lib/utf8.c lib/rfc3339.c lib/units.c lib/decode.c lib/copyenc.c \
	lib/config.c lib/backoff.c lib/alert.c lib/mail.c lib/spoolrec.c lib/ratelimit.c \
	lib/hostport.c lib/spoolfill.c lib/appstate.c lib/textenc.c lib/statcsv.c lib/sparkplug.c \
	lib/i18n.c lib/chartplan.c
COMMON_SRCS := common/log.c common/file.c common/net.c common/confload.c \
	common/pgconn.c
DAEMON_SRCS := daemon/main.c daemon/spool.c daemon/mqtt.c daemon/pgwriter.c \
	daemon/ingest.c daemon/alerts.c daemon/http.c daemon/metrics.c daemon/sphost.c \
	daemon/page.c
# shared subscription groups: presence, the member-down alarm and its mail
LIB_SRCS += lib/membermail.c
DAEMON_SRCS += daemon/presence.c
# the alerts' two threads: the periodic jobs and the mail outbox
DAEMON_SRCS += daemon/jobs.c daemon/job_evaluate.c daemon/job_digest.c daemon/job_memberalarm.c \
	daemon/job_maintain.c daemon/mailer.c daemon/smtp.c
# enertrackd's root and what acts on it besides main.c
DAEMON_SRCS += daemon/shutdown.c daemon/reload.c daemon/secrets.c
# the MQTT adapter's clean stop
DAEMON_SRCS += daemon/mqtt_stop.c
# the daemon refuses a schema older than it needs, as the tools do
DAEMON_SRCS += db/connect.c
# the Sparkplug B host's own connection (clean session, its STATE Will)
DAEMON_SRCS += daemon/mqtt_host.c
# the event loop's lag, sampled every 10 ms, its maximum over a minute in /metrics
LIB_SRCS += lib/lagwin.c
DAEMON_SRCS += daemon/looplag.c
# tools/enertrack.c dispatches to one tools/cmd_<name>.c per subcommand
TOOL_SRCS := tools/enertrack.c tools/cmd_migrate.c tools/cmd_status.c tools/cmd_evaluate.c \
	tools/mqttpub.c tools/cmd_publish.c tools/cmd_import.c tools/cmd_chart.c tools/cmd_silence.c \
	tools/cmd_report.c
# the tools' connect helpers (tool_connect, tool_check_schema)
TOOL_SRCS += db/connect.c
# `enertrack sparkplug rebirth GROUP/NODE`
TOOL_SRCS += tools/cmd_sparkplug.c
# the SQL side: libpq helpers, the progress loader, the outbox, and the jobs
# that query and queue
COMMON_SRCS += db/pq.c db/progress.c db/outbox.c db/evaluate_targets.c db/eval_mails.c \
	db/truth_alerts.c db/digest.c db/member_alarm.c db/maintain.c
# the plans over several years, for `enertrack status` and the status page
COMMON_SRCS += db/plans.c
# the pure renderers of the digest and the truth mails
LIB_SRCS += lib/digestmail.c lib/truthmail.c
# presentation: one text buffer and one number formatter
LIB_SRCS += lib/text.c lib/numfmt.c lib/pagehtml.c
# time zone names checked against the tz database, with a suggestion
LIB_SRCS += lib/tzname.c
COMMON_SRCS += common/tzcheck.c
# charts: the figures from the database (db/), drawn by cairo (draw/)
COMMON_SRCS += db/chartdata.c draw/chart.c
# one command-line parser (lib/) and the subcommands' shared plumbing (tools/cli.c)
LIB_SRCS += lib/cmdline.c
TOOL_SRCS += tools/cli.c
# the truth mails' pictures (a county's months, a target's register)
COMMON_SRCS += db/truthcharts.c db/pageview.c
# enertrack report --format pdf (cairo's PDF surface, pango)
TOOL_SRCS += tools/report_pdf.c
# target_progress_at's notes in the reader's language
LIB_SRCS += lib/schednote.c
# a drift in % or in percentage points (issue 21)
LIB_SRCS += lib/drifttext.c

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# the Sparkplug births file's replay (issue 23)
LIB_SRCS += lib/spbirths.c
LIB_OBJS := $(call obj,$(LIB_SRCS)) $(BUILD)/gen/sparkplug_b.pb-c.o
COMMON_OBJS := $(call obj,$(COMMON_SRCS))
DAEMON_OBJS := $(call obj,$(DAEMON_SRCS))
TOOL_OBJS := $(call obj,$(TOOL_SRCS))

UNIT_TESTS := rfc3339 units decode copyenc config backoff alert mail spoolrec ratelimit \
	spoolfill appstate textenc statcsv sparkplug
UNIT_TESTS += membermail
UNIT_TESTS += i18n chartplan
# SQL's unit table and lib/units.c's are one list
UNIT_TESTS += unitsql
# the digest and truth mails from rows
UNIT_TESTS += digestmail truthmail
# one text buffer and one number formatter for everything people read
UNIT_TESTS += text numfmt pagehtml
# the command-line parser, target_progress_at's notes in a language
UNIT_TESTS += cmdline schednote
# text cut only on character boundaries
UNIT_TESTS += longtext tzname
# a % target's drift in percentage points (issue 21)
UNIT_TESTS += drifttext
# the loop lag's sliding-window maximum
UNIT_TESTS += lagwin
# the Sparkplug births file, appended and replayed (issue 23)
UNIT_TESTS += spbirths
UNIT_BINS := $(patsubst %,$(BUILD)/tests/test_%,$(UNIT_TESTS))

.PHONY: install uninstall all deps check unit sql-check integration demo clean docs-check format format-check san-check valgrind-check
all: $(BUILD)/enertrackd $(BUILD)/enertrack $(BUILD)/enertrack-sim

deps:
	@./scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

# The Sparkplug B payload code, generated from proto/sparkplug_b.proto by
# protoc-c (Debian's protobuf-c-compiler) into the build directory; never
# committed.
$(BUILD)/gen/sparkplug_b.pb-c.c $(BUILD)/gen/sparkplug_b.pb-c.h &: proto/sparkplug_b.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen $<
$(BUILD)/gen/sparkplug_b.pb-c.o: $(BUILD)/gen/sparkplug_b.pb-c.c
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/lib/sparkplug.o $(BUILD)/tests/test_sparkplug: $(BUILD)/gen/sparkplug_b.pb-c.h

$(BUILD)/libenertrack.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/enertrackd: $(DAEMON_OBJS) $(COMMON_OBJS) $(BUILD)/libenertrack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PAHO_LIBS) $(PKG_LIBS) -lm

# the tool alone writes Excel workbooks (enertrack report)
TOOL_LIBS = $(shell pkg-config --libs xlsxwriter 2>/dev/null)
$(BUILD)/enertrack: $(TOOL_OBJS) $(COMMON_OBJS) $(BUILD)/libenertrack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PAHO_LIBS) $(PKG_LIBS) $(CSV_LIBS) $(TOOL_LIBS) -lm

# enertrack-sim: demo and test tooling (scripts/demo.sh, the integration
# tests), not the operator's: `make install` leaves it out. Its roster
# (sim/roster.c, with sim/draw.c) is bench/etbench.c's too.
SIM_ROSTER_SRCS := sim/roster.c sim/draw.c
SIM_SRCS := sim/main.c sim/model.c sim/stream.c sim/belt.c sim/files.c sim/calendar.c \
	$(SIM_ROSTER_SRCS) tools/mqttpub.c common/log.c
SIM_SRCS += sim/retrofit.c
$(BUILD)/enertrack-sim: $(call obj,$(SIM_SRCS)) $(BUILD)/libenertrack.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PAHO_LIBS) $(PKG_LIBS) -lm

# Unit tests link the module under test and what it needs, nothing with I/O.
$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libenertrack.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDFLAGS) -lcmocka $(PKG_LIBS) $(CSV_LIBS) -lm

# Unit tests of daemon modules: the module, the fakes of what it calls
# (tests/unit/fake_*.c) and lib/; no broker, no database.
DAEMON_UNIT_TESTS := spool ingest roster
DAEMON_UNIT_BINS := $(patsubst %,$(BUILD)/tests/test_%,$(DAEMON_UNIT_TESTS))
UNIT_DEPS_spool := daemon/spool.c common/log.c
UNIT_DEPS_ingest := daemon/ingest.c tests/unit/fake_pgwriter.c common/log.c
UNIT_DEPS_roster := $(SIM_ROSTER_SRCS)
.SECONDEXPANSION:
$(DAEMON_UNIT_BINS): $(BUILD)/tests/test_%: tests/unit/test_%.c $$(UNIT_DEPS_$$*) \
		$(BUILD)/libenertrack.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDFLAGS) -lcmocka $(PKG_LIBS) $(CSV_LIBS) -lm

unit: $(UNIT_BINS) $(DAEMON_UNIT_BINS)
	@set -e; for t in $(UNIT_BINS) $(DAEMON_UNIT_BINS); do echo "== $$t"; $$t; done

# each SQL function and view made once, in its own file (sql/functions, sql/views)
sql-check:
	@./scripts/check-sql-once.sh sql

integration: all
	@./tests/integration/run.sh $(BUILD)

check: deps
	$(MAKE) all unit sql-check docs-check man-check
	$(MAKE) fuzz-smoke
	$(MAKE) integration

# Every man page renders without a warning (man --warnings) or a stray control character.
.PHONY: man-check
man-check:
	@./scripts/check-man.sh man/*.[158]

# Every file, function and SQL object that docs/ names in backticks exists.
# the soak: an hour at 2 000 msg/s with every hostile input inserted while it runs (not in check)
.PHONY: soak
soak: all
	./tests/soak/soak.sh $(BUILD)

docs-check:
	/usr/bin/python3 scripts/check-docs.py

# The sanitizer build of everything, and its tests.
san-check: deps
	$(MAKE) SAN=1 all unit
	ET_SAN=1 $(MAKE) SAN=1 integration

# one test at a time: under valgrind the daemon runs 20-50 times slower, and
# the tests' waits are sized for one such daemon on the machine
valgrind-check: deps all
	ET_VALGRIND=1 JOBS=$${JOBS:-1} ./tests/integration/run.sh $(BUILD)

demo: deps
	$(MAKE) all
	@./scripts/demo.sh $(BUILD)

# the status page of what `make demo` left in demo/: its services again, the URL
.PHONY: demo-page
demo-page: all
	@./scripts/demo-page.sh $(BUILD)

SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
MANDIR ?= $(PREFIX)/share/man

# `make install PREFIX=/usr DESTDIR=/tmp/pkg`; an existing configuration is
# never overwritten.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/enertrack/sql \
		$(DESTDIR)$(SYSCONFDIR)/enertrack $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BUILD)/enertrackd $(BUILD)/enertrack $(DESTDIR)$(PREFIX)/bin/
	install -m 644 sql/*.sql $(DESTDIR)$(PREFIX)/share/enertrack/sql/
	install -d $(DESTDIR)$(PREFIX)/share/enertrack/sql/data
	install -m 644 sql/data/*.sql $(DESTDIR)$(PREFIX)/share/enertrack/sql/data/
	install -m 644 sql/objects.list $(DESTDIR)$(PREFIX)/share/enertrack/sql/
	install -d $(DESTDIR)$(PREFIX)/share/enertrack/sql/functions $(DESTDIR)$(PREFIX)/share/enertrack/sql/views
	install -m 644 sql/functions/*.sql $(DESTDIR)$(PREFIX)/share/enertrack/sql/functions/
	install -m 644 sql/views/*.sql $(DESTDIR)$(PREFIX)/share/enertrack/sql/views/
	install -m 644 man/enertrack.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/enertrack.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/enertrackd.8 $(DESTDIR)$(MANDIR)/man8/
	# no secrets in it (they are files or systemd credentials): readable by
	# the service's dynamic user
	[ -e $(DESTDIR)$(SYSCONFDIR)/enertrack/enertrack.conf ] || \
		install -m 644 etc/enertrack.conf $(DESTDIR)$(SYSCONFDIR)/enertrack/enertrack.conf
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|; s|/etc/enertrack/|$(SYSCONFDIR)/enertrack/|' \
		systemd/enertrackd.service >$(DESTDIR)$(UNITDIR)/enertrackd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/enertrackd.service

# Removes what install put there, except the configuration (it is the operator's).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/enertrackd $(DESTDIR)$(PREFIX)/bin/enertrack \
		$(DESTDIR)$(UNITDIR)/enertrackd.service $(DESTDIR)$(MANDIR)/man1/enertrack.1 \
		$(DESTDIR)$(MANDIR)/man5/enertrack.conf.5 $(DESTDIR)$(MANDIR)/man8/enertrackd.8
	rm -rf $(DESTDIR)$(PREFIX)/share/enertrack

# every C file and header of the product, the simulator and the unit tests
FORMAT_FILES = $(sort $(wildcard lib/*.c common/*.[ch] daemon/*.[ch] tools/*.[ch] db/*.[ch] \
	draw/*.[ch] sim/*.[ch] include/enertrack/*.h tests/unit/*.c))
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Optional parts (fuzzing, benchmark) each keep their rules in mk/.
-include $(wildcard mk/*.mk)
