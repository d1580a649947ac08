/* reset: a VM reset (PSCI SYSTEM_RESET) must give the guest the machine it had at power-on,
 * interrupt controller and UART included. Each boot checks that nothing of what the previous
 * boot left behind survived, leaves the same things behind again, and resets, for ever: the
 * host's test counts the boots and deletes the VM. Left behind: an acknowledged SGI that was
 * never completed (its active priority would mask every later interrupt), an SPI set to edge,
 * the UART's receive interrupt unmasked, and the EL1 physical timer (emulated by ZVM) enabled
 * and firing. */
#include "zt.h"

#include "arch/gicv3_regs.h"
#include "arch/psci_defs.h"

#define SPI_MARK  (ZT_TEST_SPI_BASE + 5)
#define SGI_MARK  3
#define UART_IMSC 0x38
#define UART_RXIM (1u << 4)
#define RPR_IDLE  0xff

static bool spi_is_edge(unsigned intid)
{
	uint32_t cfg = zt_r32(zt_plat.gicd + GICD_ICFGR(intid));
	return cfg >> (2 * (intid % 16)) & GIC_ICFGR_EDGE;
}

static int c_fresh(void)
{
	unsigned rpr = zt_gic_rpr();
	CHECK(rpr == RPR_IDLE, "running priority 0x%x: an active priority survived the reset", rpr);
	CHECK(!zt_gic_is_active(0, SGI_MARK), "SGI %u is still active", SGI_MARK);
	CHECK(!spi_is_edge(SPI_MARK), "SPI %u is still edge-triggered", SPI_MARK);
	uint32_t imsc = zt_r32(zt_plat.uart + UART_IMSC);
	CHECK(!(imsc & UART_RXIM), "UARTIMSC = 0x%x: the receive interrupt is still unmasked",
	      imsc);
	uint64_t ctl = zt_read_sysreg(cntp_ctl_el0);
	CHECK(!(ctl & CNTV_CTL_ENABLE), "CNTP_CTL_EL0 = 0x%lx: the physical timer is still enabled",
	      (unsigned long)ctl);
	CHECK(!zt_gic_is_pending(0, ZT_PTIMER_INTID), "the physical timer's PPI is still pending");
	return 0;
}

static void run_reset(void)
{
	zt_case("reset_leaves_nothing_behind", c_fresh);
	zt_gic_set_edge(0, SPI_MARK, true);
	zt_w32(zt_plat.uart + UART_IMSC, zt_r32(zt_plat.uart + UART_IMSC) | UART_RXIM);
	zt_irq_off();
	zt_write_sysreg(zt_read_sysreg(cntpct_el0) - 1, cntp_cval_el0);
	zt_write_sysreg(CNTV_CTL_ENABLE, cntp_ctl_el0);
	zt_isb();
	zt_gic_enable(0, SGI_MARK);
	zt_gic_sgi_to(SGI_MARK, 0);
	zt_delay_ms(2);
	unsigned iar = zt_gic_intid(zt_gic_ack()); /* active, never EOId */
	zt_printf("# acknowledged INTID %u, resetting\n", iar);
	zt_psci(PSCI_SYSTEM_RESET, 0, 0, 0);
	zt_printf("ZVMTEST reset FAIL SYSTEM_RESET returned\n");
}
ZT_SET(reset, 1, run_reset,
       "VM reset: GIC, CPU interface and UART as at power-on (boots for ever)");
