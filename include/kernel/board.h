/* The host machine as the boot device tree describes it. Parsed once; no board fact is compiled in.
 * Free of arch headers and locks so the host unit tests run it unchanged. */
#ifndef KERNEL_BOARD_H
#define KERNEL_BOARD_H

#include <kernel/config.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>

#define BOARD_MAX_MEM 8
/* The one limit on what QEMU or a boot loader places beside ZVM: every guest image is a
 * reserved region (so is firmware memory), hence also the most guest images and guest types
 * (include/zvm/images.h). scripts/board-dtb.py reads it from here and refuses a config past it. */
#define BOARD_MAX_RESERVED 64
#define BOARD_MAX_GICR	   4
#define BOARD_MODEL_LEN	   64
#define BOARD_ERR_LEN	   96

struct board_region {
	uint64_t base;
	uint64_t size;
};

enum board_enable_method {
	BOARD_ENABLE_NONE = 0, /* no enable-method: only the boot CPU can run */
	BOARD_ENABLE_PSCI,
	BOARD_ENABLE_SPIN_TABLE,
	BOARD_ENABLE_OTHER,
};

enum board_psci_method { BOARD_PSCI_NONE = 0, BOARD_PSCI_SMC, BOARD_PSCI_HVC };
enum board_psci_version {
	BOARD_PSCI_V_NONE = 0,
	BOARD_PSCI_V0_1,
	BOARD_PSCI_V0_2,
	BOARD_PSCI_V1_0
};

/* Index into board.timer.intid: the order of the arch timer binding's interrupts. */
enum board_timer_irq {
	BOARD_TIMER_SEC_PHYS = 0,
	BOARD_TIMER_PHYS,
	BOARD_TIMER_VIRT,
	BOARD_TIMER_HYP,
	BOARD_TIMER_HYP_VIRT, /* optional (VHE hosts) */
	BOARD_TIMER_NR,
};

/* The console UARTs ZVM drives (drivers/uart.c), by compatible. */
enum board_uart_kind {
	BOARD_UART_PL011 = 0, /* arm,pl011 */
	BOARD_UART_SBSA,      /* arm,sbsa-uart: a PL011 without control registers */
	BOARD_UART_NS16550,   /* ns16550a, ns16550: the 8250 register set */
	BOARD_UART_DW_APB,    /* snps,dw-apb-uart: an 8250 with a busy-detect interrupt */
};

struct board_cpu {
	uint64_t mpidr; /* affinity fields, as in the node's reg */
	enum board_enable_method enable;
	uint64_t release_addr; /* spin-table only */
};

struct board {
	char model[BOARD_MODEL_LEN]; /* truncated copy; "" when absent */

	struct board_region mem[BOARD_MAX_MEM];
	unsigned nr_mem;
	unsigned mem_ignored; /* banks past BOARD_MAX_MEM (leaving RAM unused is safe) */

	/* /memreserve/ entries, then /reserved-memory children with a reg. */
	struct board_region reserved[BOARD_MAX_RESERVED];
	unsigned nr_reserved;

	struct board_cpu cpu[CONFIG_MAX_CPUS]; /* in device-tree order */
	unsigned nr_cpus;
	unsigned cpus_ignored; /* CPUs past CONFIG_MAX_CPUS */

	struct {
		unsigned version; /* 3 (arm,gic-v3) or 2 (arm,gic-400, arm,cortex-a15-gic, ...) */
		struct board_region dist;
		struct board_region redist[BOARD_MAX_GICR]; /* v3 only */
		unsigned nr_redist;
		/* v2 only: CPU interface (GICC), virtual interface control (GICH) and virtual
		 * CPU interface (GICV); a size of 0 when the node lacks that entry (only GICC is
		 * required). */
		struct board_region cpu_if, hyp, vcpu;
		int maint_intid; /* -1 when the node gives none */
	} gic;

	struct {
		int intid[BOARD_TIMER_NR]; /* -1 when absent */
		bool always_on;
		uint32_t
		    freq; /* clock-frequency when given (firmware that forgot CNTFRQ), else 0 */
	} timer;

	struct {
		bool present;
		enum board_uart_kind kind;
		struct board_region reg; /* 8250 kinds: moved by the node's reg-offset */
		int intid;		 /* -1 when the node gives none: poll */
		uint32_t clock_hz; /* from its first clock when that is a fixed clock, else 0 */
		/* 8250 kinds: register n at reg.base + (n << reg_shift), accessed io_width bytes
		 * wide (1 or 4). The node's reg-shift and reg-io-width, defaults 0 and 1. */
		uint8_t reg_shift, io_width;
		int node; /* its offset in the tree board_parse read */
	} uart;

	struct {
		enum board_psci_method method;
		enum board_psci_version version;
	} psci;

	const char *bootargs; /* points into the DTB; NULL when /chosen has none */
	/* /chosen zvm,local-tlbi: broadcast TLB maintenance costs more here than a trap to EL2
	 * does (QEMU's TCG: every emulated CPU's thread is stopped for it), so one-vCPU VMs keep
	 * theirs on their own CPU (zvm/el2_traps.c). */
	bool local_tlbi;

	char err[BOARD_ERR_LEN]; /* why board_parse failed */
};

/* Fills *b from the DTB. Returns 0, or a negative errno with the reason in b->err.
 * The console UART is the one /chosen stdout-path names when ZVM drives its kind, else the first
 * usable UART of a kind ZVM drives (PL011s first, then SBSA, DesignWare and 16550 ones).
 * Same as board_parse_console then, when that succeeds, board_parse_rest. */
int board_parse(const void *fdt, struct board *b);

/* The boot's two steps, so that the console runs before anything else can fail. Step one
 * clears *b, checks the header and finds the console (b->uart) alone: when a UART the tree
 * describes is usable, b->uart.present is set even if this returns an error. A stdout-path
 * UART whose reg cannot be read is passed over for the next usable one. */
int board_parse_console(const void *fdt, struct board *b);
/* Step two: everything else. Only after board_parse_console on the same tree. */
int board_parse_rest(const void *fdt, struct board *b);

/* INTID of one GIC interrupt specifier (type, number, flags...): SPI n -> 32+n, PPI n -> 16+n,
 * extended SPI/PPI too. Returns -EINVAL for a malformed or out-of-range specifier. */
int board_intid_from_spec(const fdt32_t *cells, int ncells);

/* For drivers that find their own nodes (drivers/virtio_blk.c), at boot on one CPU: entry i of
 * node's reg as a CPU physical address (0 or a negative errno), and the INTID of entry i of its
 * interrupts (or a negative errno; -ENOENT when it has none). */
int board_node_reg(const void *fdt, int node, int i, struct board_region *out);
int board_node_irq(const void *fdt, int node, int i);

#endif
