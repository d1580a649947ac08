/* The 8250/16550 console driver (drivers/ns16550.c) against a model of the device: RBR/THR with
 * a TX FIFO that the line drains, LSR DR/THRE, IER, IIR with its priorities and a THRE
 * interrupt that reading IIR clears, and the DesignWare busy detect that only a USR read drops.
 * Every case runs with byte registers packed (reg-shift 0, reg-io-width 1) and with the
 * DesignWare layout of the RK3568 (reg-shift 2, reg-io-width 4); an access at the wrong offset
 * or width fails the test. Also the choice of driver from the board (drivers/uart.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <drivers/ns16550.h>
#include <drivers/uart.h>
#include <kernel/board.h>
#include <kernel/irq.h>

#define RBR 0x00
#define IER 0x01
#define IIR 0x02
#define LSR 0x05
#define USR 0x1f

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02

/* ---- The device model ---------------------------------------------------------------------- */

static struct fake {
	unsigned shift, width;
	bool dw;	    /* USR exists, busy detect can be raised */
	bool fifos_on;	    /* the boot loader enabled the FIFOs (IIR bits 7:6) */
	unsigned fifo_size; /* TX FIFO depth when on, else a single holding register */
	uint8_t ier;
	uint8_t rx[64]; /* received bytes not yet read from RBR */
	unsigned rx_head, rx_n;
	unsigned tx_used; /* bytes in the TX FIFO */
	char sent[512];	  /* every byte written to THR, in order */
	unsigned nr_sent;
	bool thre_pending;  /* the THRE interrupt, until IIR shows it or THR is written */
	bool busy;	    /* DesignWare busy detect, until USR is read */
	bool timeout_stuck; /* DesignWare: RX timeout with an empty FIFO, until RBR is read */
	unsigned overruns;  /* THR written with the FIFO full: bytes lost */
	unsigned lsr_reads, usr_reads;
} f;

/* The "device": only its address is used, every access goes through the hooks below. */
static uint32_t regs[0x100 / 4];
#define BASE ((uintptr_t)regs)

static const struct layout {
	unsigned shift, width;
} layouts[] = {{0, 1}, {2, 4}};

static void fake_reset(unsigned shift, unsigned width, bool dw)
{
	memset(&f, 0, sizeof(f));
	f.shift = shift;
	f.width = width;
	f.dw = dw;
	f.fifos_on = true;
	f.fifo_size = 16;
}

static unsigned fifo_depth(void)
{
	return f.fifos_on ? f.fifo_size : 1;
}

/* IIR's identification, by priority, without side effects. */
static uint8_t iir_id(void)
{
	if (f.dw && f.busy)
		return 0x07;
	if ((f.ier & IER_ERBFI) && f.rx_n)
		return 0x04;
	if ((f.ier & IER_ERBFI) && f.timeout_stuck)
		return 0x0c;
	if ((f.ier & IER_ETBEI) && f.thre_pending)
		return 0x02;
	return 0x01;
}

/* Whether the interrupt line is asserted. */
static bool line_up(void)
{
	return iir_id() != 0x01;
}

/* Checks the offset and width, and gives the register index. */
static unsigned decode(uintptr_t addr, unsigned width)
{
	uintptr_t off = addr - BASE;

	assert_true(addr >= BASE && off < sizeof(regs));
	assert_int_equal(width, f.width);
	assert_int_equal(off & ((1u << f.shift) - 1), 0);
	return (unsigned)(off >> f.shift);
}

/* The line sends one byte per LSR read: time passes while a driver polls. */
static void line_sends_one(void)
{
	if (f.tx_used && !--f.tx_used)
		f.thre_pending = true;
}

uint32_t ns16550_test_read(uintptr_t addr, unsigned width);
void ns16550_test_write(uint32_t v, uintptr_t addr, unsigned width);

uint32_t ns16550_test_read(uintptr_t addr, unsigned width)
{
	uint8_t id;

	switch (decode(addr, width)) {
	case RBR:
		f.timeout_stuck = false;
		if (!f.rx_n)
			return 0;
		f.rx_n--;
		return f.rx[f.rx_head++ % sizeof(f.rx)];
	case IER:
		return f.ier;
	case IIR:
		id = iir_id();
		if (id == 0x02)
			f.thre_pending = false; /* reading it clears the THRE source */
		return id | (f.fifos_on ? 0xc0 : 0);
	case LSR:
		f.lsr_reads++;
		line_sends_one();
		return (f.rx_n ? 0x01 : 0) | (f.tx_used ? 0 : 0x60);
	case USR:
		assert_true(f.dw); /* a plain 16550 has nothing there */
		f.usr_reads++;
		f.busy = false;
		return f.tx_used ? 0x01 : 0;
	default:
		fail_msg("read of register 0x%x", decode(addr, width));
		return 0;
	}
}

void ns16550_test_write(uint32_t v, uintptr_t addr, unsigned width)
{
	unsigned reg = decode(addr, width);

	if (width == 4)
		assert_int_equal(v >> 8, 0); /* the upper bytes of a 32-bit register are reserved */
	switch (reg) {
	case RBR: /* THR */
		if (f.tx_used >= fifo_depth()) {
			f.overruns++;
			return;
		}
		f.tx_used++;
		f.thre_pending = false;
		assert_true(f.nr_sent < sizeof(f.sent));
		f.sent[f.nr_sent++] = (char)v;
		return;
	case IER:
		/* Enabling ETBEI with THR empty raises the interrupt at once. */
		if ((v & IER_ETBEI) && !(f.ier & IER_ETBEI) && !f.tx_used)
			f.thre_pending = true;
		f.ier = (uint8_t)v;
		return;
	default:
		fail_msg("write of 0x%x to register 0x%x: the driver changes no line settings", v,
			 reg);
	}
}

/* ---- What the kernel gives the driver ----------------------------------------------------- */

static irq_handler_t handler;
static unsigned connected_intid, enabled_intid;

int irq_connect(unsigned intid, irq_handler_t h, void *arg)
{
	(void)arg;
	connected_intid = intid;
	handler = h;
	return 0;
}

void gic_irq_enable(unsigned intid)
{
	enabled_intid = intid;
}

/* A console: bytes in, a queue out that the TX interrupt drains up to 32 bytes at a time. */
static char got[128];
static unsigned nr_got;
static const char *out;
static size_t out_left;

static void rx(uint8_t byte)
{
	assert_true(nr_got < sizeof(got));
	got[nr_got++] = (char)byte;
}

static void tx(void)
{
	for (unsigned n = 0; n < 32 && out_left && uart_tx_ready(); n++, out_left--)
		uart_tx_byte((uint8_t)*out++);
	uart_set_tx_irq(out_left != 0);
}

/* The driver set up through the board, as arch/arm64/boot.c does. */
static void start(unsigned shift, unsigned width, bool dw)
{
	struct board b;

	memset(&b, 0, sizeof(b));
	b.uart.present = true;
	b.uart.kind = dw ? BOARD_UART_DW_APB : BOARD_UART_NS16550;
	b.uart.reg = (struct board_region){BASE, sizeof(regs)};
	b.uart.reg_shift = (uint8_t)shift;
	b.uart.io_width = (uint8_t)width;
	uart_init(&b);
	assert_ptr_equal(uart_ops, &ns16550_ops);
	nr_got = 0;
	out_left = 0;
	handler = NULL;
}

static void start_irq(void)
{
	uart_enable_irq(150, rx, tx);
	assert_int_equal(connected_intid, 150);
	assert_int_equal(enabled_intid, 150);
	assert_non_null(handler);
	assert_int_equal(f.ier, IER_ERBFI);
}

static void receive(const char *s)
{
	for (; *s; s++) {
		assert_true(f.rx_n < sizeof(f.rx));
		f.rx[(f.rx_head + f.rx_n++) % sizeof(f.rx)] = (uint8_t)*s;
	}
}

/* ---- Cases ---------------------------------------------------------------------------------- */

static void test_polled_putc(void **state)
{
	static const char msg[] = "ZVM starting on an 8250, forty bytes..";

	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, l == 1);
		f.ier = IER_ETBEI; /* left by a boot loader: the driver polls until enable_irq */
		start(layouts[l].shift, layouts[l].width, l == 1);
		assert_int_equal(f.ier, 0);
		/* An empty FIFO takes 16 bytes on one look at LSR, not one look a byte. */
		f.lsr_reads = 0;
		for (const char *p = msg; p < msg + 16; p++)
			uart_putc(*p);
		assert_int_equal(f.lsr_reads, 1);
		for (const char *p = msg + 16; *p; p++)
			uart_putc(*p);
		assert_int_equal(f.nr_sent, sizeof(msg) - 1);
		assert_memory_equal(f.sent, msg, sizeof(msg) - 1);
		assert_int_equal(f.overruns, 0);
	}
}

/* FIFOs left off by the boot loader: one byte per THRE, none lost. */
static void test_polled_putc_without_fifo(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, false);
		f.fifos_on = false;
		start(layouts[l].shift, layouts[l].width, false);
		for (const char *p = "abcdefgh"; *p; p++)
			uart_putc(*p);
		assert_int_equal(f.nr_sent, 8);
		assert_memory_equal(f.sent, "abcdefgh", 8);
		assert_int_equal(f.overruns, 0);
	}
}

static void test_polled_getc(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, l == 1);
		start(layouts[l].shift, layouts[l].width, l == 1);
		assert_int_equal(uart_try_getc(), -1);
		receive("hi");
		assert_int_equal(uart_try_getc(), 'h');
		assert_int_equal(uart_try_getc(), 'i');
		assert_int_equal(uart_try_getc(), -1);
	}
}

static void test_irq_receive(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, l == 1);
		start(layouts[l].shift, layouts[l].width, l == 1);
		start_irq();
		receive("help\r");
		assert_true(line_up());
		handler(150, NULL);
		assert_int_equal(nr_got, 5);
		assert_memory_equal(got, "help\r", 5);
		assert_false(line_up());
		/* Nothing pending: the handler reads IIR and leaves. */
		handler(150, NULL);
		assert_int_equal(nr_got, 5);
	}
}

/* The console's TX path: ETBEI on raises THRE, each interrupt moves at most a FIFO's worth
 * (never more than the FIFO holds), and ETBEI goes off once the queue is empty. */
static void test_irq_transmit(void **state)
{
	static const char msg[] = "kernel cpus: four CPUs online, MPIDR 0x0 0x100 0x200 0x300\r\n";

	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		unsigned irqs = 0;

		fake_reset(layouts[l].shift, layouts[l].width, l == 1);
		start(layouts[l].shift, layouts[l].width, l == 1);
		start_irq();
		out = msg;
		out_left = sizeof(msg) - 1;
		uart_set_tx_irq(true);
		assert_true(f.ier & IER_ETBEI);
		while (line_up()) {
			assert_true(++irqs < 20);
			handler(150, NULL);
			assert_int_equal(f.overruns, 0);
			f.tx_used = 0; /* the line sends the FIFO */
			f.thre_pending = true;
		}
		assert_int_equal(out_left, 0);
		assert_int_equal(f.nr_sent, sizeof(msg) - 1);
		assert_memory_equal(f.sent, msg, sizeof(msg) - 1);
		assert_true(irqs >= (sizeof(msg) - 1) / 16); /* 16 bytes a FIFO */
		assert_false(f.ier & IER_ETBEI);
		assert_true(f.ier & IER_ERBFI);
	}
}

/* Receive outranks THRE in IIR: both are served in one interrupt. */
static void test_irq_receive_and_transmit(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, l == 1);
		start(layouts[l].shift, layouts[l].width, l == 1);
		start_irq();
		out = "ok";
		out_left = 2;
		uart_set_tx_irq(true);
		receive("x");
		handler(150, NULL);
		assert_int_equal(nr_got, 1);
		assert_int_equal(f.nr_sent, 2);
		assert_false(f.ier & IER_ETBEI);
		assert_false(line_up());
	}
}

/* DesignWare busy detect: only a USR read drops it; the handler must do it, or the line stays
 * up and the CPU never leaves the interrupt. */
static void test_dw_busy_detect(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, true);
		start(layouts[l].shift, layouts[l].width, true);
		start_irq();
		f.usr_reads = 0;
		f.busy = true;
		receive("a");
		assert_true(line_up());
		for (unsigned i = 0; i < 3 && line_up(); i++)
			handler(150, NULL);
		assert_false(line_up());
		assert_false(f.busy);
		assert_int_equal(f.usr_reads, 1);
		assert_int_equal(nr_got, 1); /* the byte behind it arrived too */
	}
}

/* One the boot loader left pending is cleared before the interrupt is ever enabled. */
static void test_dw_busy_left_by_boot_loader(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, true);
		f.busy = true;
		start(layouts[l].shift, layouts[l].width, true);
		assert_false(f.busy);
	}
}

/* A DesignWare RX timeout with an empty FIFO stays until RBR is read. */
static void test_dw_empty_rx_timeout(void **state)
{
	(void)state;
	for (unsigned l = 0; l < 2; l++) {
		fake_reset(layouts[l].shift, layouts[l].width, true);
		start(layouts[l].shift, layouts[l].width, true);
		start_irq();
		f.timeout_stuck = true;
		assert_true(line_up());
		handler(150, NULL);
		assert_false(line_up());
		assert_int_equal(nr_got, 0);
	}
}

/* A plain 16550 never touches USR (the model fails the test if it does). */
static void test_plain_16550_has_no_usr(void **state)
{
	(void)state;
	fake_reset(2, 4, false);
	start(2, 4, false);
	start_irq();
	receive("q");
	handler(150, NULL);
	assert_int_equal(nr_got, 1);
	assert_int_equal(f.usr_reads, 0);
}

/* Before uart_init (and with no UART in the tree): nothing goes out, nothing comes in. Runs
 * first. */
static void test_no_uart_before_init(void **state)
{
	struct board b;

	(void)state;
	memset(&b, 0, sizeof(b));
	uart_init(&b); /* present is false */
	assert_ptr_not_equal(uart_ops, &ns16550_ops);
	uart_putc('x');
	assert_int_equal(uart_try_getc(), -1);
	assert_false(uart_tx_ready());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_uart_before_init),
	    cmocka_unit_test(test_polled_putc),
	    cmocka_unit_test(test_polled_putc_without_fifo),
	    cmocka_unit_test(test_polled_getc),
	    cmocka_unit_test(test_irq_receive),
	    cmocka_unit_test(test_irq_transmit),
	    cmocka_unit_test(test_irq_receive_and_transmit),
	    cmocka_unit_test(test_dw_busy_detect),
	    cmocka_unit_test(test_dw_busy_left_by_boot_loader),
	    cmocka_unit_test(test_dw_empty_rx_timeout),
	    cmocka_unit_test(test_plain_16550_has_no_usr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
