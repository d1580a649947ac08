/* A VM's console ring and `zvm look` (zvm/vm_console.c), with the host console stubbed: it
 * takes guest output into one buffer as far as `room` allows, and a hook lets "the guest"
 * write while the replay runs, as a vCPU on another CPU does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <drivers/console.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>
#include <zvm/vm.h>
#include "stub_spinlock.h"

/* ---- Stubs ---- */

static char shown[4 * VM_CONSOLE_SIZE]; /* what reached the host console, in order */
static size_t shown_len;
static size_t room;	/* bytes the host console takes before it is full */
static size_t refill;	/* room given back by each sleep of the replay (the line draining) */
static unsigned sleeps; /* k_sleep_ms calls */
static struct vm vm;
static void (*on_offer)(void); /* runs at each console_write_guest: "the guest" writes */
static unsigned offer_calls;

uint64_t arch_timer_now(void)
{
	return 0;
}

uint64_t arch_timer_freq(void)
{
	return 1000000;
}

void k_sleep_ms(uint32_t ms)
{
	(void)ms;
	assert_int_equal(stub_locks_held, 0);
	sleeps++;
	room += refill;
}

static void show(const char *s, size_t len)
{
	assert_true(shown_len + len <= sizeof(shown));
	memcpy(shown + shown_len, s, len);
	shown_len += len;
}

size_t console_write_guest(const char *s, size_t len)
{
	size_t n = len < room ? len : room;

	/* Live output is passed under the ring's lock (ring order across vCPUs), the replay's
	 * outside it (it may sleep). */
	assert_int_equal(stub_locks_held, vm.console.replaying ? 0 : 1);
	show(s, n);
	room -= n;
	if (on_offer) {
		assert_true(++offer_calls < 10000); /* a replay that never ends fails, not hangs */
		on_offer();
	}
	return n;
}

size_t console_guest_room(void)
{
	return room;
}

void console_guest_attach(void)
{
}

void console_guest_detach(void)
{
}

int printk(const char *fmt, ...) /* the drop report: shown like any host message */
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	show(buf, (size_t)n);
	return n;
}

/* ---- Helpers ---- */

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	shown_len = 0;
	room = sizeof(shown);
	refill = 0;
	sleeps = 0;
	on_offer = NULL;
	offer_calls = 0;
	return 0;
}

/* The guest writes `n` bytes of a numbered pattern, `len` at a time, from its byte `*at` on. */
static size_t guest_at;
static void guest_writes(size_t n)
{
	for (size_t i = 0; i < n; i++, guest_at++) {
		char c = (char)('a' + guest_at % 23);

		vm_console_write(&vm, &c, 1);
	}
}

/* What was shown is the guest's pattern from byte `from` on, with nothing in between. */
static void assert_shown_from(size_t from, size_t len)
{
	assert_int_equal(shown_len, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(shown[i], 'a' + (from + i) % 23);
}

static void write_300(void)
{
	guest_writes(300);
}

static unsigned offers;
static void write_once(void)
{
	if (offers++ == 0)
		guest_writes(1000);
}

static void overwrite_once(void)
{
	if (offers++ == 0)
		guest_writes(VM_CONSOLE_SIZE + 100);
}

/* ---- Tests ---- */

/* Before attaching nothing is shown; attaching shows the whole kept output first. */
static void test_attach_replays_the_kept_output(void **state)
{
	(void)state;
	guest_at = 0;
	guest_writes(5000);
	assert_int_equal(shown_len, 0);
	vm_console_attach(&vm);
	assert_shown_from(0, 5000);
	guest_writes(10); /* live from now on */
	assert_shown_from(0, 5010);
	assert_int_equal(vm_console_detach(&vm), 0);
	guest_writes(10);
	assert_int_equal(shown_len, 5010);
}

/* What the guest writes while the replay runs comes after the kept output, never inside it:
 * the bug this file's replay fixed (a test guest's result line was cut so). */
static void test_output_written_during_the_replay_follows_it(void **state)
{
	(void)state;
	guest_at = 0;
	guest_writes(2000);
	offers = 0;
	on_offer = write_once;
	vm_console_attach(&vm);
	on_offer = NULL;
	assert_shown_from(0, 3000);
	assert_int_equal(vm_console_detach(&vm), 0);
}

/* The guest overwrites bytes the replay has not reached: those are counted as dropped (and
 * reported before the rest), and the replay goes on from the oldest byte still kept. */
static void test_bytes_overwritten_during_the_replay_are_counted(void **state)
{
	char report[64];
	int len;

	(void)state;
	guest_at = 0;
	guest_writes(1000);
	offers = 0;
	on_offer = overwrite_once; /* after the first chunk: 1000 + 16484 written, 256 shown */
	vm_console_attach(&vm);
	on_offer = NULL;
	len = snprintf(report, sizeof(report), "\n[vm0: %d bytes dropped]\n", 1000 + 100 - 256);
	assert_int_equal(shown_len, 256 + (size_t)len + VM_CONSOLE_SIZE);
	for (size_t i = 0; i < 256; i++)
		assert_int_equal(shown[i], 'a' + i % 23);
	assert_memory_equal(shown + 256, report, (size_t)len);
	for (size_t i = 0; i < VM_CONSOLE_SIZE; i++)
		assert_int_equal(shown[256 + (size_t)len + i], 'a' + (1100 + i) % 23);
	assert_int_equal(vm_console_detach(&vm), 0);
}

/* Only the last VM_CONSOLE_SIZE bytes are kept: the replay starts at the oldest one. */
static void test_replay_starts_at_the_oldest_byte_kept(void **state)
{
	(void)state;
	guest_at = 0;
	guest_writes(VM_CONSOLE_SIZE + 777);
	vm_console_attach(&vm);
	assert_shown_from(777, VM_CONSOLE_SIZE);
	assert_int_equal(vm_console_detach(&vm), 0);
}

/* A host console with little room: the kept output waits for the line (the shell's thread
 * sleeps) and is shown whole; nothing is dropped. */
static void test_kept_output_waits_for_room(void **state)
{
	(void)state;
	guest_at = 0;
	guest_writes(3000);
	room = 100;
	refill = 64;
	vm_console_attach(&vm);
	assert_shown_from(0, 3000);
	assert_true(sleeps > 0);
	assert_int_equal(vm_console_detach(&vm), 0);
}

/* A line that takes nothing (or little): the wait ends after a bounded time in all, the rest is
 * counted as dropped (reported at detach), and the shell gets back to the user. */
static void test_a_stalled_line_ends_the_wait(void **state)
{
	(void)state;
	guest_at = 0;
	guest_writes(3000);
	room = 1000;
	vm_console_attach(&vm);
	assert_shown_from(0, 1000);
	assert_int_equal(sleeps, 3000); /* REPLAY_WAIT_MS, in all */
	assert_int_equal(vm_console_detach(&vm), 2000);
}

/* A guest that writes on and on while the replay copies: the replay ends after a bounded
 * amount, the rest is dropped and counted, output goes live, and order is kept throughout. */
static void test_a_guest_writing_on_cannot_keep_the_replay_going(void **state)
{
	(void)state;
	guest_at = 0;
	guest_writes(100);
	on_offer = write_300;
	vm_console_attach(&vm);
	on_offer = NULL;
	size_t replayed = shown_len;
	assert_true(replayed >= 2 * VM_CONSOLE_SIZE && replayed < 3 * VM_CONSOLE_SIZE);
	assert_shown_from(0, replayed);
	size_t dropped = guest_at - replayed;
	char report[64];
	int len = snprintf(report, sizeof(report), "\n[vm0: %zu bytes dropped]\n", dropped);

	guest_writes(5); /* live again, after the report of what was dropped */
	assert_int_equal(shown_len, replayed + (size_t)len + 5);
	assert_memory_equal(shown + replayed, report, (size_t)len);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(shown[replayed + (size_t)len + i], 'a' + (guest_at - 5 + i) % 23);
	assert_int_equal(vm_console_detach(&vm), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_attach_replays_the_kept_output, setup),
	    cmocka_unit_test_setup(test_output_written_during_the_replay_follows_it, setup),
	    cmocka_unit_test_setup(test_replay_starts_at_the_oldest_byte_kept, setup),
	    cmocka_unit_test_setup(test_bytes_overwritten_during_the_replay_are_counted, setup),
	    cmocka_unit_test_setup(test_kept_output_waits_for_room, setup),
	    cmocka_unit_test_setup(test_a_stalled_line_ends_the_wait, setup),
	    cmocka_unit_test_setup(test_a_guest_writing_on_cannot_keep_the_replay_going, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
