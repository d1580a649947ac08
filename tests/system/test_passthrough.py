"""Passthrough of MMIO devices with their interrupts (zvm/passthrough.c, docs/passthrough.md):
a Debian Linux VM owns QEMU virt's PL031 RTC (`zvm new --pass /pl031@9010000`); Debian's
rtc-pl031 reads the real (host) time from it and its alarm interrupt, a forwarded SPI with the
HW bit, fires in the guest; a second VM asking for the device is refused with the owner's name,
the device is free again once its VM is deleted, and a reset VM gets its interrupt again. A test
guest owns QEMU virt's PL061 GPIO in place of its emulated power button and gets the board's
power key (QEMU's system_powerdown) through the forwarded SPI, twice."""
import re
import time

from qemu import LINUX_GIC
from qemu import LINUX_SHELL as SHELL
from qemu import Guest, Zvm, create_vm
from qemu import linux_resync as resync
from qemu import linux_shell as shell

PL031 = "/pl031@9010000"
PL061 = "/pl061@9030000"


def rtc_irqs(g):
    """The rtc-pl031 line of /proc/interrupts: its count on every CPU, summed."""
    out = shell(g, "grep pl031 /proc/interrupts")
    m = re.search(rf"^\s*\d+:((?:\s+\d+)+)\s+{LINUX_GIC}\s+34\s+Level\s+\S*pl031", out, re.M)
    assert m, out
    return sum(int(n) for n in m.group(1).split())


def check_time_and_alarm(g):
    # The guest's RTC is the board's: QEMU's PL031 counts the host's UTC time.
    out = shell(g, "cat /sys/class/rtc/rtc0/name; cat /sys/class/rtc/rtc0/since_epoch")
    assert "pl031" in out, out
    secs = int(re.findall(r"^(\d{9,})$", out, re.M)[-1])
    assert abs(secs - time.time()) < 120, (secs, time.time())
    out = shell(g, "hwclock -r -u; echo rc=$?")
    assert "rc=0" in out, out
    assert time.strftime("%Y", time.gmtime()) in out, out
    # The alarm: one interrupt, delivered through the forwarded SPI, and the alarm is consumed.
    before = rtc_irqs(g)
    shell(g, "echo 0 > /sys/class/rtc/rtc0/wakealarm; echo +2 > /sys/class/rtc/rtc0/wakealarm")
    deadline = time.monotonic() + 30
    while rtc_irqs(g) == before:
        assert time.monotonic() < deadline, "the RTC alarm interrupt never came"
        time.sleep(1)
    assert rtc_irqs(g) == before + 1
    assert shell(g, "cat /sys/class/rtc/rtc0/wakealarm").strip() == ""
    # A second alarm fires too: the guest's deactivation deactivated the physical SPI.
    shell(g, "echo +1 > /sys/class/rtc/rtc0/wakealarm")
    deadline = time.monotonic() + 30
    while rtc_irqs(g) == before + 1:
        assert time.monotonic() < deadline, "the second RTC alarm interrupt never came"
        time.sleep(1)


def test_linux_owns_the_pl031_reads_the_time_and_gets_its_alarm():
    zvm = Zvm()
    try:
        zvm.boot()
        # Both vCPUs on CPU 3: the SPI, first routed to the creating shell's CPU, must follow.
        vm = create_vm(zvm, f"-t linux -c 2 -p 3 -m 256 -n rtc --pass {PL031}")
        # One owner only: a second VM is refused, in words naming the owner.
        out = zvm.run(f"zvm new -t linux -c 1 -m 128 -n rtc2 --pass {PL031}")
        assert f"belongs to vm {vm} (rtc)" in out, out
        assert "created" not in out, out
        assert "rtc2" not in zvm.run("zvm info")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect("ZVM-LINUX-INIT-OK", timeout=180)
            resync(g)
            check_time_and_alarm(g)
        info = zvm.run(f"zvm info -n {vm}")
        assert re.search(rf"passthrough {PL031}: 0x9010000 size 0x1000, SPI 2 = host INTID 34 "
                         r"\(routed to CPU 3\), [1-9]\d* interrupts", info), info
        # A reset VM boots again with its device and its interrupt.
        assert "resetting" in zvm.run(f"zvm reset -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect("ZVM-LINUX-INIT-OK", timeout=180)
            resync(g)
            check_time_and_alarm(g)
        # Deleted, the VM gives the device back: another VM may have it.
        assert "deleted" in zvm.run(f"zvm delete -n {vm}", timeout=60)
        vm2 = create_vm(zvm, f"-t linux -c 1 -m 128 -n rtc3 --pass {PL031}")
        assert "passthrough" in zvm.run(f"zvm info -n {vm2}")
        zvm.run(f"zvm delete -n {vm2}", timeout=60)
    finally:
        zvm.close()


def test_host_devices_and_dma_capable_devices_are_refused():
    zvm = Zvm()
    try:
        zvm.boot()
        for node, why in [
            ("/pl011@9000000", "the host uses it"),
            ("/intc@8000000", "interrupt controller"),
            ("/virtio_mmio@a000000", "can do DMA, and without an SMMU"),
            ("/pl031@1234", "no such node"),
        ]:
            out = zvm.run(f"zvm new -t linux -c 1 -m 128 --pass {node}")
            assert why in out, (node, out)
            assert "created" not in out, out
        assert "linux" not in zvm.run("zvm info")
    finally:
        zvm.close()


def test_boot_vm_takes_its_device_from_zvm_pass(tmp_path):
    # A board-declared VM (docs/boot-vms.md) gets the device from its zvm,pass property.
    vms = tmp_path / "pass.vms.dtsi"
    vms.write_text('rtcvm {\n\tcompatible = "zvm,vm";\n\tzvm,type = "linux";\n'
                   f'\tzvm,memory-mib = <128>;\n\tzvm,pass = "{PL031}";\n}};\n')
    zvm = Zvm(vms=str(vms))
    try:
        zvm.boot()
        info = zvm.run("zvm info -n rtcvm")
        assert f"passthrough {PL031}: 0x9010000 size 0x1000, SPI 2" in info, info
        out = zvm.run(f"zvm new -t linux -c 1 -m 128 --pass {PL031}")
        assert "belongs to vm 0 (rtcvm)" in out, out
    finally:
        zvm.close()


def press_board_power_key(zvm):
    """QEMU's own power key: `system_powerdown` in its monitor (Ctrl-A c on the -nographic
    console) raises pin 3 of QEMU virt's PL061 for a moment."""
    zvm.child.send("\x01c")
    zvm.child.expect_exact("(qemu)", timeout=10)
    zvm.child.send("system_powerdown\r")
    zvm.child.expect_exact("(qemu)", timeout=10)
    zvm.child.send("\x01c")


def test_a_vm_owns_the_board_pl061_and_gets_the_power_key():
    zvm = Zvm()
    try:
        zvm.boot()
        vm = create_vm(zvm, f"-t test-power-pt -m 32 -n gpio --pass {PL061}")
        info = zvm.run(f"zvm info -n {vm}")
        # The board's PL061 takes the place of the emulated one (same address).
        assert "PL061 GPIO (power button" not in info, info
        assert re.search(rf"passthrough {PL061}: 0x9030000 size 0x1000, SPI 7 = host INTID 39",
                         info), info
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            # The guest checks the PL061's ID registers (the real device's) and waits.
            g.expect("ZVMTEST pl061_power_key_present PASS", timeout=30)
            g.expect("power: waiting for the power key", timeout=30)
            for _ in range(2):  # the second comes only if the first was deactivated
                press_board_power_key(zvm)
                g.expect(r"power: key pressed \(pin reads 0x8\)", timeout=30)
        out = zvm.run(f"zvm shutdown -n {vm}")
        assert "no emulated power button: the board's PL061 is passed through" in out, out
        assert re.search(r"SPI 7 = host INTID 39 \(routed to CPU \d\), 2 interrupts",
                         zvm.run(f"zvm info -n {vm}"))
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
        # Without --pass a VM has its emulated power button again.
        vm = create_vm(zvm, "-t test-power -m 32")
        assert "PL061 GPIO (power button" in zvm.run(f"zvm info -n {vm}")
        zvm.run(f"zvm delete -n {vm}")
    finally:
        zvm.close()
