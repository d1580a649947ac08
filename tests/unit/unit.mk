# Host unit tests (cmocka). Each test_<name>.mk beside this file says:
#   UNIT_TESTS += <name>
#   <name>_SRCS := tests/unit/test_<name>.c kernel/foo.c ...
#   <name>_LIBS := -lfdt        (optional)
# Tests build with the host compiler against the same headers as the kernel.

UNIT_TESTS :=
include $(wildcard tests/unit/test_*.mk)

HOSTCC      ?= gcc
UNIT_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Iinclude -Itests/unit -DUNIT_TEST -DARCH_EL=2 \
	       -fsanitize=address,undefined -fno-omit-frame-pointer -D_DEFAULT_SOURCE
UNIT_BINS   := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))

$(BUILD)/unit/%: FORCE_UNIT
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $($*_SRCS) $($*_LIBS) -lcmocka

.PHONY: FORCE_UNIT unit-test
FORCE_UNIT:

unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
