/* A virtio-net port's inbox (zvm/virtio/vnet_inbox.c): FIFO order by reservation even when
 * published out of order, a frame still being copied holds back the ones behind it, a full
 * inbox refuses and counts, a released slot is reserved again, a flush drops what was
 * reserved before it (also frames published after it), positions wrap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <zvm/virtio/vnet_inbox.h>

static struct vnet_inbox ib;

static int setup(void **state)
{
	(void)state;
	memset(&ib, 0, sizeof(ib));
	return 0;
}

static struct vnet_slot *put(uint8_t tag)
{
	struct vnet_slot *s = vnet_inbox_reserve(&ib, 1);

	if (s)
		s->data[0] = tag;
	return s;
}

/* Takes the next frame's tag, or -1 when none is ready. */
static int take(void)
{
	struct vnet_slot *s = vnet_inbox_peek(&ib);
	int tag;

	if (!s)
		return -1;
	assert_int_equal(s->len, 1);
	tag = s->data[0];
	vnet_inbox_release(&ib);
	return tag;
}

static void test_empty(void **state)
{
	(void)state;
	assert_null(vnet_inbox_peek(&ib));
}

static void test_publish_out_of_order(void **state)
{
	struct vnet_slot *a, *b;

	(void)state;
	a = put(1);
	b = put(2);
	vnet_inbox_publish(b);
	/* 1 is still being copied: 2 waits behind it. */
	assert_int_equal(take(), -1);
	vnet_inbox_publish(a);
	assert_int_equal(take(), 1);
	assert_int_equal(take(), 2);
	assert_int_equal(take(), -1);
}

static void test_full_counts_and_resumes(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VNET_INBOX; i++)
		vnet_inbox_publish(put((uint8_t)i));
	assert_null(put(99));
	assert_null(put(99));
	assert_int_equal(ib.drops, 2);
	/* The oldest frames stayed; once one is taken there is room again. */
	assert_int_equal(take(), 0);
	vnet_inbox_publish(put(100));
	for (unsigned i = 1; i < VNET_INBOX; i++)
		assert_int_equal(take(), (int)i);
	assert_int_equal(take(), 100);
	assert_int_equal(take(), -1);
	assert_int_equal(ib.drops, 2);
}

static void test_flush_drops_reserved_before(void **state)
{
	struct vnet_slot *copying;

	(void)state;
	vnet_inbox_publish(put(1));
	copying = put(2);
	vnet_inbox_flush(&ib);
	/* A frame reserved after the flush is kept, behind the one still being copied. */
	vnet_inbox_publish(put(3));
	assert_int_equal(take(), -1);
	vnet_inbox_publish(copying); /* published after the reset: dropped unread */
	assert_int_equal(take(), 3);
	assert_int_equal(take(), -1);
	/* All of the inbox is usable again. */
	for (unsigned i = 0; i < VNET_INBOX; i++)
		vnet_inbox_publish(put((uint8_t)i));
	assert_null(put(99));
	assert_int_equal(take(), 0);
}

static void test_positions_wrap(void **state)
{
	(void)state;
	ib.head = ib.tail = ib.discard = 0u - 3;
	for (int i = 0; i < 8; i++) {
		vnet_inbox_publish(put((uint8_t)i));
		vnet_inbox_publish(put((uint8_t)(i + 50)));
		assert_int_equal(take(), i);
		assert_int_equal(take(), i + 50);
	}
	assert_int_equal(take(), -1);
	/* A flush across the wrap (positions only go forward: a fresh inbox). */
	memset(&ib, 0, sizeof(ib));
	ib.head = ib.tail = ib.discard = 0u - 1;
	vnet_inbox_publish(put(7));
	vnet_inbox_publish(put(8));
	vnet_inbox_flush(&ib);
	assert_int_equal(take(), -1);
	vnet_inbox_publish(put(9));
	assert_int_equal(take(), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_empty, setup),
	    cmocka_unit_test_setup(test_publish_out_of_order, setup),
	    cmocka_unit_test_setup(test_full_counts_and_resumes, setup),
	    cmocka_unit_test_setup(test_flush_drops_reserved_before, setup),
	    cmocka_unit_test_setup(test_positions_wrap, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
