# Fuzz targets (libFuzzer from Debian's clang-14, with ASan and UBSan) over the host builds of
# the code a guest or a configuration can reach. Each fuzz_<name>.mk beside this file says:
#   FUZZ_TARGETS += <name>
#   fuzz_<name>_SRCS := tests/fuzz/fuzz_<name>.c zvm/foo.c ...
#   fuzz_<name>_LIBS := -lfdt        (optional)
# `make fuzz` runs each target for FUZZ_SECONDS (default 60) from its corpus in
# tests/fuzz/corpus/<name>, merges what found new coverage back into it, and prints executions
# and coverage. A crash stops it, with the input in build/fuzz/<name>/crash-*: once fixed, copy
# that input to tests/fuzz/regressions/<name>/. `make fuzz-replay` (part of `make test`) runs
# every corpus and regression input once through a gcc build with ASan and UBSan.
# `make fuzz-afl` runs the same targets under AFL++ (afl-clang-fast, same sanitizers) for
# FUZZ_SECONDS each and merges what it found into the same corpora (scripts/fuzz-afl-run.sh).
# FUZZ_ONLY="a b" limits either run to some targets.

FUZZ_TARGETS :=
include $(wildcard tests/fuzz/fuzz_*.mk)

FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -std=c11 -O1 -g -Iinclude -Itests/unit -Itests/fuzz -DUNIT_TEST -DARCH_EL=2 \
		-D_DEFAULT_SOURCE -fno-omit-frame-pointer -Wall -Wextra -Werror \
		-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_ONLY    ?= $(FUZZ_TARGETS)
FUZZ_BINS    := $(patsubst %,$(BUILD)/fuzz/%/fuzz,$(FUZZ_ONLY))
AFL_CC       ?= afl-clang-fast
AFL_BINS     := $(patsubst %,$(BUILD)/afl/%/fuzz,$(FUZZ_ONLY))
REPLAY_BINS  := $(patsubst %,$(BUILD)/fuzz/%/replay,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%/fuzz: FORCE_FUZZ
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(fuzz_$*_SRCS) $(fuzz_$*_LIBS)

# afl-clang-fast takes libFuzzer's -fsanitize=fuzzer and links AFL++'s driver instead.
$(BUILD)/afl/%/fuzz: FORCE_FUZZ
	@mkdir -p $(dir $@)
	AFL_QUIET=1 $(AFL_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(fuzz_$*_SRCS) $(fuzz_$*_LIBS)

$(BUILD)/fuzz/%/replay: FORCE_FUZZ
	@mkdir -p $(dir $@)
	$(HOSTCC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/replay_main.c $(fuzz_$*_SRCS) $(fuzz_$*_LIBS)

.PHONY: FORCE_FUZZ fuzz fuzz-afl fuzz-replay
FORCE_FUZZ:

fuzz: setup $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_ONLY); do \
		mkdir -p tests/fuzz/corpus/$$t $(BUILD)/fuzz/$$t/new; \
		$(BUILD)/fuzz/$$t/fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$t/ $(BUILD)/fuzz/$$t/new \
			tests/fuzz/corpus/$$t > $(BUILD)/fuzz/$$t/log 2>&1 || \
			{ tail -40 $(BUILD)/fuzz/$$t/log; echo "fuzz: $$t FAILED, see $(BUILD)/fuzz/$$t/"; exit 1; }; \
		$(BUILD)/fuzz/$$t/fuzz -merge=1 tests/fuzz/corpus/$$t $(BUILD)/fuzz/$$t/new \
			> $(BUILD)/fuzz/$$t/merge.log 2>&1; \
		rm -rf $(BUILD)/fuzz/$$t/new; \
		printf 'fuzz: %-10s %s runs, coverage %s edges, corpus %s inputs\n' $$t \
			"$$(sed -n 's/^stat::number_of_executed_units: *//p' $(BUILD)/fuzz/$$t/log)" \
			"$$(grep -o 'cov: [0-9]*' $(BUILD)/fuzz/$$t/log | tail -1 | cut -d' ' -f2)" \
			"$$(ls tests/fuzz/corpus/$$t | wc -l)"; \
	done

fuzz-afl: setup $(AFL_BINS) $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_ONLY); do \
		scripts/fuzz-afl-run.sh $$t $(BUILD)/afl/$$t/fuzz tests/fuzz/corpus/$$t \
			$(BUILD)/afl/$$t/out $(FUZZ_SECONDS) $(BUILD)/fuzz/$$t/fuzz; \
	done

fuzz-replay: $(REPLAY_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		$(BUILD)/fuzz/$$t/replay tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t; \
	done
