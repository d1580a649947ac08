"""The unmodified Debian arm64 kernel with a busybox initramfs, as a ZVM guest."""
import re
import time

import pytest

from qemu import LINUX_GIC
from qemu import LINUX_SHELL as SHELL
from qemu import Guest, create_vm, mem_used
from qemu import linux_resync as resync
from qemu import linux_shell as shell


@pytest.mark.parametrize("vcpus", [1, 2])
def test_linux_boots_to_its_shell(zvm, vcpus):
    before = mem_used(zvm)
    vm = create_vm(zvm, f"-t linux -c {vcpus} -m 512")
    started = time.monotonic()
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        boot = time.monotonic() - started
        g.expect(re.escape(SHELL))
        assert int(shell(g, "grep -c ^processor /proc/cpuinfo").split()[0]) == vcpus
        irqs = shell(g, "cat /proc/interrupts")
        timer = re.search(rf"^\s*\d+:\s+([\d\s]+?)\s+{LINUX_GIC}\s+27 Level\s+arch_timer", irqs,
                          re.M)
        assert timer, irqs
        counts = [int(c) for c in timer.group(1).split()]
        assert len(counts) == vcpus and all(c > 0 for c in counts), irqs
        if vcpus > 1:
            ipis = re.search(r"^IPI0:\s+(\d+)\s+(\d+)", irqs, re.M)
            assert ipis and int(ipis.group(1)) + int(ipis.group(2)) > 0, irqs
        t0 = time.monotonic()
        out = shell(g, "time sleep 1")
        assert re.search(r"real\s+0m 1\.\d\ds", out), out
        assert 0.9 < time.monotonic() - t0 < 15
        g.send("poweroff -f\r")
        g.expect(rf"vm{vm} \(\S+\) powered off", timeout=60)
    print(f"Linux with {vcpus} vCPU(s): zvm run to /init in {boot:.2f} s")
    assert re.search(rf"^{vm}\s+\S+\s+linux\s+{vcpus}\s+512\s+halted", zvm.run("zvm info"), re.M)
    # The board says zvm,local-tlbi (QEMU): a one-vCPU VM's TLB invalidations trapped and done
    # on its CPU (Linux booted and ran with them), a two-vCPU VM's broadcast by the guest.
    info = zvm.run(f"zvm info -n {vm}")
    if vcpus == 1:
        m = re.search(r"^TLB invalidations: on its CPU only, (\d+) trapped$", info, re.M)
        assert m and int(m.group(1)) > 0, info
    else:
        assert re.search(r"^TLB invalidations: broadcast by the guest$", info, re.M), info
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_linux_reboot_restarts_the_vm(zvm):
    vm = create_vm(zvm, "-t linux -c 1 -m 256")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.expect(re.escape(SHELL))
        g.send("reboot -f\r")
        g.expect(rf"vm{vm} \(\S+\) reset", timeout=60)
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
    assert re.search(rf"^{vm}\s.*running", zvm.run("zvm info"), re.M)
    zvm.run(f"zvm delete -n {vm}")


def test_zvm_shutdown_powers_linux_off_through_its_power_key(zvm):
    """`zvm shutdown` presses the PL061 power key; Linux's gpio-keys reports KEY_POWER and the
    initramfs /init powers off (PSCI SYSTEM_OFF), well before the timeout."""
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t linux -c 2 -m 256")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"init: power key is /dev/input/event\d+", timeout=120)
        g.expect("ZVM-LINUX-INIT-OK", timeout=60)
        g.expect(re.escape(SHELL))
        assert "gpio-keys" in shell(g, "cat /proc/bus/input/devices")
    t0 = time.monotonic()
    out = zvm.run(f"zvm shutdown -n {vm} -t 60", timeout=90)
    assert f"vm {vm} shut down" in out and "stopping it" not in out, out
    assert time.monotonic() - t0 < 60
    with Guest(zvm, vm) as g:
        g.expect("init: power key pressed, powering off", timeout=5)
    assert re.search(rf"^{vm}\s.*halted$", zvm.run("zvm info"), re.M)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_linux_probes_the_virtio_mmio_transport(zvm):
    """Debian's own virtio_mmio module finds the transport in the DT, accepts version 2, and
    registers the entropy device (asked for with --dev) with its id and ZVM's vendor id; with
    no driver bound (the initramfs has no virtio_rng) the status stays ACKNOWLEDGE."""
    vm = create_vm(zvm, "-t linux -c 1 -m 256 --dev virtio-rng")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.expect(re.escape(SHELL))
        out = shell(g, "cd $(dirname $(grep -l '^0x0004$' /sys/bus/virtio/devices/*/device)) "
                    "&& cat device vendor status; cd")
        assert re.findall(r"^0x[0-9a-f]+$", out, re.M) == ["0x0004", "0x4d565a00",
                                                           "0x00000001"], out
        g.send("poweroff -f\r")
        g.expect(rf"vm{vm} \(\S+\) powered off", timeout=60)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def test_linux_hvc0_output_and_input(zvm):
    """Debian's virtio_console binds ZVM's console device (id 3): /dev/hvc0 appears and what the
    guest writes to it is in the VM's console (`zvm look`), next to the PL011's output; what
    is typed after `zvm look --hvc` is read from /dev/hvc0; `zvm info -n` counts both."""
    vm = create_vm(zvm, "-t linux -c 1 -m 256")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.expect(re.escape(SHELL))
        out = shell(g, "grep -l '^0x0003$' /sys/bus/virtio/devices/*/device; ls /dev/hvc0")
        assert "/dev/hvc0" in out and "No such" not in out, out
        # The marker is built by the shell, so the echoed command line cannot match it.
        g.send("M=hvc0; echo \"zvm-$M-says-hello\" > /dev/hvc0\r")
        g.expect("zvm-hvc0-says-hello", timeout=10)
        g.expect(re.escape(SHELL))
        # Input: a reader on hvc0 in the background; what is typed after `zvm look --hvc`
        # reaches it (and not the shell on the PL011).
        g.send("(read L < /dev/hvc0; echo \"hvc0-read-[$L]\") &\r")
        g.expect(re.escape(SHELL))
    with Guest(zvm, vm, hvc=True) as g:
        g.expect("typing into hvc0")
        g.send("typed-into-hvc0\r")
        g.expect(r"hvc0-read-\[typed-into-hvc0\]", timeout=20)
    with Guest(zvm, vm) as g:
        resync(g)
        g.send("poweroff -f\r")
        g.expect(rf"vm{vm} \(\S+\) powered off", timeout=60)
    info = zvm.run(f"zvm info -n {vm}")
    m = re.search(r"virtio-console: .*\n\s+queue 0: .*\n\s+queue 1: \S+, size \d+, "
                  r"requests (\d+)", info)
    assert m and int(m.group(1)) >= 1, info
    m = re.search(r"hvc0: out \d+ bytes \(dropped 0\), in (\d+) bytes \(waiting 0, lost 0\)", info)
    assert m and int(m.group(1)) == len("typed-into-hvc0\r"), info
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
