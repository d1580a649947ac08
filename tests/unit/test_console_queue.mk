UNIT_TESTS += console_queue
console_queue_SRCS := tests/unit/test_console_queue.c drivers/console_queue.c lib/byte_ring.c
