"""The bare-metal test guests on a GICv2 host (QEMU virt, gic-version=2): their DT names an
"arm,cortex-a15-gic", so they drive ZVM's vGICv2 through guests/tests/gic_v2.c (the emulated
GICD, the GICV mapped as their GICC, SGIs through GICD_SGIR). A representative handful for every
`make test`; the whole guest suite runs on a GICv2 host with
`ZVM_GIC=2 pytest tests/system/test_guests_zvm.py ...` (README, Testing)."""
import re

import pytest

from qemu import Guest, Zvm, create_vm, mem_used
from test_guests_zvm import run_test_guest

RESULT = re.compile(r"^ZVMTEST (\S+) (PASS|FAIL)(?: ([^\r\n]*))?\r*$", re.M)
SKIP = re.compile(r"^# skip (\S+): ([^\r\n]*)", re.M)
BANNER = "# GICv2: GICD 0x8000000 GICC 0x8010000"

# Cases whose registers a GICv2 does not have: the guest skips them there, saying why.
V3_ONLY = {
    "test-gic": {"gic_dist_ctlr_are", "gic_redist_typer"},
    "test-abort": {"sysreg_sgi0r_asgi1r_accepted"},
}
# A ZVM gap, not a guest one: the vGICv2's GICD_CPENDSGIR is RAZ/WI (SGI state is not kept per
# source yet, zvm/vdev/vgic_v2_mmio.c; roadmap issue 13), so an SGI cannot be un-pended.
CPENDSGIR_CASE = "gic_sgi_pending_readback"


@pytest.fixture(scope="module")
def zvm2():
    vm = Zvm(gic=2)
    vm.boot(60)
    yield vm
    vm.close()


def run_set(zvm, gtype, vcpus):
    """Runs the set to its DONE line; returns ({case: (verdict, reason)}, {skipped case})."""
    before = mem_used(zvm)
    vm, out, passed, total = run_test_guest(zvm, gtype, vcpus)
    assert BANNER in out, out  # the guest found the GICv2 in its DT
    results = {m.group(1): (m.group(2), m.group(3) or "") for m in RESULT.finditer(out)}
    results.pop("DONE", None)
    # On a mismatch, the lines that name a result but did not parse as one.
    torn = [ln for ln in out.splitlines() if "ZVMTEST" in ln and not RESULT.match(ln)]
    assert total == len(results), (total, torn, out)
    assert passed == sum(v == "PASS" for v, _ in results.values()), out
    skipped = {m.group(1) for m in SKIP.finditer(out)}
    assert skipped == V3_ONLY.get(gtype, set()), out
    assert re.search(rf"^{vm}\s+\S+\s+{gtype}\s+{vcpus}\s+64\s+halted", zvm.run("zvm info"), re.M)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before
    return results, skipped


@pytest.fixture(scope="module")
def gic_results(zvm2):
    return run_set(zvm2, "test-gic", 2)[0]


@pytest.mark.parametrize("gtype,vcpus,least", [("test-psci", 2, 29), ("test-timer", 1, 20),
                                               ("test-abort", 1, 19), ("test-el0", 1, 7),
                                               ("test-hostile-smp", 2, 1)])
def test_set_passes_on_the_vgicv2(zvm2, gtype, vcpus, least):
    """psci: CPU_ON/OFF, CPU_SUSPEND woken by the timer and by an SGI from vCPU 1; timer and
    ptimer: their PPIs through the GICC; abort: MMIO aborts (and the GICD's MMIO); el0: the
    timer interrupting EL0, GICD loads from A32/T32; hostile-smp: random GICD_SGIR values
    and PSCI calls from both vCPUs at once, every vCPU still getting SGIs."""
    results, _ = run_set(zvm2, gtype, vcpus)
    failed = {c: r for c, (v, r) in results.items() if v != "PASS"}
    assert not failed and len(results) >= least, results


def test_gic_set_passes_on_the_vgicv2(gic_results):
    """SGIs (self, target lists, other-CPUs filter, between vCPUs), SPI priorities through the
    PMR, the group enable and polled IAR/EOI, ITARGETSR routing, level interrupts."""
    failed = {c: r for c, (v, r) in gic_results.items() if v != "PASS"}
    assert not failed, failed
    assert len(gic_results) >= 21, gic_results
    for case in ("gic_cpu_interface_numbers", "gic_sgi_irm_broadcast", "gic_sgi_from_vcpu1",
                 "gic_spi_irouter_vcpu1", "gic_spi_reroute_from_off_vcpu"):
        assert gic_results[case][0] == "PASS", (case, gic_results[case])


def test_gic_sgi_is_unpended_through_cpendsgir(gic_results):
    """The vGICv2 keeps SGIs per source: GICD_CPENDSGIR takes one back."""
    assert gic_results[CPENDSGIR_CASE][0] == "PASS", gic_results[CPENDSGIR_CASE]


def test_hello_ticks_on_the_vgicv2(zvm2):
    """The virtual timer's PPI, taken through the GICC while the guest sleeps in WFI."""
    vm = create_vm(zvm2, "-t hello -c 1 -m 32")
    zvm2.run(f"zvm run -n {vm}")
    with Guest(zvm2, vm) as g:
        g.expect(re.escape(BANNER), timeout=20)
        g.expect("ZVM guest hello from vCPU 0", timeout=20)
        first = int(g.expect(r"hello tick (\d+)\r", timeout=10).group(1))
        second = int(g.expect(r"hello tick (\d+)\r", timeout=10).group(1))
    assert second > first
    assert "deleted" in zvm2.run(f"zvm delete -n {vm}")


def test_reset_leaves_no_active_sgi_on_the_vgicv2(zvm2):
    """Each boot acknowledges an SGI through GICC_IAR and never ends it, then resets: the next
    boot must find the running priority idle (GICC_RPR) and nothing pending or active."""
    vm = create_vm(zvm2, "-t test-reset -c 2 -m 64")
    zvm2.run(f"zvm run -n {vm}")
    with Guest(zvm2, vm) as g:
        for _ in range(3):
            m = g.expect(r"ZVMTEST reset_leaves_nothing_behind (PASS|FAIL)([^\r\n]*)\r*\n",
                         timeout=60)
            assert m.group(1) == "PASS", m.group(2)
            g.expect(r"# acknowledged INTID 3, resetting", timeout=20)
    assert "deleted" in zvm2.run(f"zvm delete -n {vm}")
