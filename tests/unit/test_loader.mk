UNIT_TESTS += loader
loader_SRCS := tests/unit/test_loader.c zvm/loader.c
# Also reads build/linux/Image when present (make linux); skips that one case otherwise.
