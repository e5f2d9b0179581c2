# SPDX-License-Identifier: MIT
# libFuzzer harnesses (fuzz/fuzz_*.c) of the pure modules, built with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer into $(FUZZ_BUILD), apart
# from the gcc build. Included by the Makefile.
#   make fuzz        each harness for FUZZ_SECONDS (60) on a copy of its seed
#                    corpus tests/fuzz/<target>/, a summary line each
#   make fuzz-smoke  each for FUZZ_SMOKE_SECONDS (5); fails on any crash
#   make fuzz-build  only build them; make fuzz-clean
# Crash inputs go to $(FUZZ_BUILD)/crashes/<target>/; reproduce one with
# $(FUZZ_BUILD)/fuzz_<target> FILE. FUZZ_ARGS adds libFuzzer options.

FUZZ_CC ?= clang
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS := decode rfc3339 units copyenc config spoolrec statcsv sparkplug

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS := -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -MMD -MP $(FUZZ_SAN)
FUZZ_PKG_CFLAGS = $(shell pkg-config --cflags jansson inih 2>/dev/null)
FUZZ_PKG_LIBS = $(shell pkg-config --libs jansson inih zlib libprotobuf-c 2>/dev/null)

# The lib/ sources each harness links: the module under test and what it needs.
FUZZ_LIB_decode := lib/decode.c lib/rfc3339.c lib/units.c lib/utf8.c lib/copyenc.c lib/buf.c
FUZZ_LIB_rfc3339 := lib/rfc3339.c
FUZZ_LIB_units := lib/units.c
FUZZ_LIB_copyenc := lib/copyenc.c lib/buf.c lib/utf8.c lib/rfc3339.c
FUZZ_LIB_spoolrec := lib/spoolrec.c
FUZZ_LIB_statcsv := lib/statcsv.c lib/textenc.c lib/units.c lib/utf8.c lib/buf.c
# the payload code protoc-c generates into $(BUILD)/gen (see the Makefile)
FUZZ_LIB_sparkplug := lib/sparkplug.c lib/utf8.c lib/copyenc.c lib/buf.c lib/rfc3339.c \
	lib/decode.c lib/units.c $(BUILD)/gen/sparkplug_b.pb-c.c
FUZZ_LIB_config := lib/config.c lib/hostport.c lib/i18n.c lib/buf.c lib/decode.c lib/rfc3339.c lib/units.c lib/utf8.c

# -max_len per target: a message a little over the unit tests' limits, a
# timestamp, a unit, a few COPY lines, a file with a line over 4094 bytes.
FUZZ_MAXLEN_decode := 8192
FUZZ_MAXLEN_rfc3339 := 64
FUZZ_MAXLEN_units := 64
FUZZ_MAXLEN_copyenc := 2048
FUZZ_MAXLEN_config := 8192
FUZZ_MAXLEN_spoolrec := 8192
FUZZ_MAXLEN_statcsv := 4096
FUZZ_MAXLEN_sparkplug := 8192

FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SPECS = $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAXLEN_$(t)))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-clean fuzz-check-cc

fuzz-check-cc:
	@command -v $(FUZZ_CC) >/dev/null || { \
		echo "fuzz: $(FUZZ_CC) not found (Debian: apt-get install clang libclang-rt-dev)" >&2; \
		exit 1; }

# lib/ with coverage instrumentation but without libFuzzer's main().
$(FUZZ_BUILD)/lib/%.o: lib/%.c | fuzz-check-cc
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-c -o $@ $<

$(FUZZ_BUILD)/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c | fuzz-check-cc
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_BUILD)/lib/sparkplug.o $(FUZZ_BUILD)/fuzz_sparkplug.o: $(BUILD)/gen/sparkplug_b.pb-c.h

$(FUZZ_BUILD)/fuzz_%.o: fuzz/fuzz_%.c | fuzz-check-cc
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -c -o $@ $<

define fuzz_link_rule
$(FUZZ_BUILD)/fuzz_$(1): $(FUZZ_BUILD)/fuzz_$(1).o $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(FUZZ_LIB_$(1)))
	$$(FUZZ_CC) -fsanitize=fuzzer $$(FUZZ_SAN) -o $$@ $$^ $$(FUZZ_PKG_LIBS) -lcsv -lm
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_link_rule,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_SPECS)

fuzz-smoke: $(FUZZ_BINS)
	@./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_SPECS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

-include $(wildcard $(FUZZ_BUILD)/*.d $(FUZZ_BUILD)/lib/*.d)
