# SPDX-License-Identifier: MIT
# `make bench`: starts its own mosquitto and PostgreSQL and measures
# enertrackd side by side with a bare paho subscriber, a Node.js mqtt + pg
# bridge (bench/bridge, installed by `npm ci`) and a bare COPY: drain of a
# queued backlog, live publish->commit rate and latency, peak RSS while
# PostgreSQL is down and while the backlog drains, CPU per message by thread,
# and the goals. Prints a table and writes $(BUILD)/bench.json. See bench/run.sh.
#
#   make bench                          defaults: BENCH_N=300000 BENCH_MEM_N=1000000
#   make bench BENCH_N=100000 BENCH_MEM_N=200000
#   make bench BENCH_QUICK=1            small counts (a smoke run, about a minute)
#   make bench-test                     checks of the bench's tools (about 20 s)
#   make bench-pg                       where PostgreSQL's CPU per row goes (bench/pgcost.sh)
#   make bench-sparkplug                CPU per v1 and per Sparkplug B message (BENCH_SP_N=20000)
#   make bench-group                    1, 2, 3 daemons in one $share group draining one
#                                       backlog (BENCH_GROUP_N=200000; also run by make bench)
BENCH_QUICK ?=
ifeq ($(BENCH_QUICK),1)
BENCH_N ?= 20000
BENCH_MEM_N ?= 50000
BENCH_LIVE_N ?= 20000
BENCH_LIVE_S ?= 5
else
BENCH_N ?= 300000
BENCH_MEM_N ?= 1000000
BENCH_LIVE_N ?= 200000
BENCH_LIVE_S ?= 20
endif
BENCH_LIVE_RATE ?= 5000
# bench/sparkplug_cpu.sh: v1 and Sparkplug B messages of each
BENCH_SP_N ?= $(if $(filter 1,$(BENCH_QUICK)),5000,20000)
BENCH_SITES ?= 150
BENCH_JSON ?= $(BUILD)/bench.json
# the daemon's defaults
BENCH_BATCH_ROWS ?= 5000
BENCH_FLUSH_MS ?= 200
# the Node.js peer's batches (bench/bridge/bridge.js)
BENCH_BRIDGE_ROWS ?= 1000
BENCH_BRIDGE_MS ?= 200
BRIDGE_DIR := bench/bridge

BENCH_GROUP_N ?= $(if $(filter 1,$(BENCH_QUICK)),20000,200000)

.PHONY: bench bench-quick bench-test bench-group bench-pg bench-sparkplug

# its sites are the simulator's roster (sim/roster.c, Makefile's SIM_ROSTER_SRCS)
$(BUILD)/etbench: bench/etbench.c $(SIM_ROSTER_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS) $(PAHO_LIBS) -lm

# npm ci installs exactly the committed package-lock.json into
# bench/bridge/node_modules (git-ignored); its hidden lockfile is the stamp.
$(BRIDGE_DIR)/node_modules/.package-lock.json: $(BRIDGE_DIR)/package.json $(BRIDGE_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "make bench: the Node.js peer needs node (20) and npm" >&2; exit 1; }
	cd $(BRIDGE_DIR) && npm ci --no-audit --no-fund
	@touch $@

bench: deps
	$(MAKE) all $(BUILD)/etbench $(BRIDGE_DIR)/node_modules/.package-lock.json
	BUILD=$(BUILD) BENCH_N=$(BENCH_N) BENCH_MEM_N=$(BENCH_MEM_N) BENCH_LIVE_N=$(BENCH_LIVE_N) \
		BENCH_LIVE_S=$(BENCH_LIVE_S) BENCH_LIVE_RATE=$(BENCH_LIVE_RATE) \
		BENCH_SITES=$(BENCH_SITES) BENCH_JSON=$(BENCH_JSON) BENCH_BATCH_ROWS=$(BENCH_BATCH_ROWS) \
		BENCH_FLUSH_MS=$(BENCH_FLUSH_MS) BENCH_BRIDGE_ROWS=$(BENCH_BRIDGE_ROWS) \
		BENCH_BRIDGE_MS=$(BENCH_BRIDGE_MS) BENCH_SP_N=$(BENCH_SP_N) ./bench/run.sh
	$(MAKE) bench-group

bench-group: $(BUILD)/etbench
	$(MAKE) all
	BUILD=$(BUILD) BENCH_GROUP_N=$(BENCH_GROUP_N) BENCH_SITES=$(BENCH_SITES) \
		BENCH_BATCH_ROWS=$(BENCH_BATCH_ROWS) BENCH_FLUSH_MS=$(BENCH_FLUSH_MS) ./bench/group.sh

bench-quick:
	$(MAKE) bench BENCH_QUICK=1

# enertrackd's CPU per v1 and per Sparkplug B message alone (BENCH_SP_N of
# each; make bench runs it too)
bench-sparkplug: all
	BUILD=$(BUILD) sh bench/sparkplug_cpu.sh $(BENCH_SP_N)

# The bench's own tools: etbench against a scripted broker, run.sh's wait for
# rows (bench/test_etbench.sh).
bench-test: $(BUILD)/etbench $(BUILD)/enertrack
	BUILD=$(BUILD) ./bench/test_etbench.sh

# PostgreSQL's CPU per row: a bare COPY, with and without the rollup
# triggers, the staging COPY, and the daemon's statements at three batch
# sizes (bench/pgcost.sh; BENCH_PG_N rows, about 30 s).
BENCH_PG_N ?= 200000
bench-pg: deps
	$(MAKE) all
	BUILD=$(BUILD) N=$(BENCH_PG_N) ./bench/pgcost.sh

# `make bench-page`: the status page cold (a fresh PostgreSQL and daemon,
# nothing drawn or sampled yet) and warm, on data the size of the demo's:
# the simulator's two years published as fast as the daemon takes them, its
# milestones and statistics (bench/page.sh, about a minute). The HTML and
# every chart it shows, timed by bench/pagetime.py; the goal is 1.5 s for
# the whole cold page. Writes $(BUILD)/bench-page.json and merges it into
# BENCH_JSON; make bench runs it first and prints it with its goals.
# BENCH_PAGE_DIR=dir keeps the loaded data there for the next run.
BENCH_PAGE_JSON ?= $(BUILD)/bench-page.json
.PHONY: bench-page
bench-page: all
	BUILD=$(BUILD) BENCH_JSON=$(BENCH_PAGE_JSON) BENCH_JSON_ALSO=$(BENCH_JSON) \
		BENCH_PAGE_DIR=$(BENCH_PAGE_DIR) ./bench/page.sh
bench: bench-page
