"""Debian's Linux on ZVM's shared memory with no driver of ZVM's own (guests/linux/zvm-shm):
busybox devmem reaches the region and the doorbell page, and the doorbell's interrupt reaches
userspace as a key press of Linux's gpio_keys (the guest DT's shm-doorbell-key node). A Linux
VM and an RTOS VM exchange checksummed messages both ways, the RTOS is reset (the region
survives) and they exchange again."""
import re
import time

from qemu import Guest, create_vm
from qemu import linux_resync as resync
from qemu import linux_shell as shell
from test_shm_rtos import boot, shm, vm_id


def doorbell_irqs(g):
    """The doorbell key's interrupt count in /proc/interrupts (an edge SPI of the GICv3)."""
    out = shell(g, "grep doorbell /proc/interrupts")
    m = re.search(r"^\s*\d+:\s+(\d+)\s+(?:GICv3|GIC-0)\s+\d+\s+Edge\s+doorbell$", out, re.M)
    assert m, out
    return int(m.group(1))


def linux(zvm, vm, line, timeout=60):
    with Guest(zvm, vm) as g:
        resync(g)
        return shell(g, line, timeout=timeout)


def test_linux_and_rtos_exchange_messages_through_shared_memory(zvm):
    rtos = create_vm(zvm, "-t rtos -m 64 -n shm-rtos --shm lring:16@0x20000000")
    lin = create_vm(zvm, "-t linux -c 1 -m 256 -n shm-linux --shm lring:16@0x30000000")
    zvm.run(f"zvm run -n {rtos}")
    zvm.run(f"zvm run -n {lin}")
    boot(zvm, rtos)
    with Guest(zvm, lin) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=180)
        resync(g)
        info = shell(g, "zvm-shm info")
        m = re.search(r"zvm-shm: region 0x30000000 size 0x4000, doorbell 0x9100000, VM id "
                      r"(\d+), peers 0x([0-9a-f]+), key (/dev/input/event\d+)", info)
        assert m, info
        lin_id, lin_peers = int(m.group(1)), int(m.group(2), 16)
        irqs0 = doorbell_irqs(g)
        # Nothing sent yet: recv gives up in words.
        out = shell(g, f"zvm-shm recv {rtos} 1", timeout=60)
        assert f"zvm-shm: no message from VM {rtos}" in out, out
    rtos_id, rtos_peers = vm_id(zvm, rtos)
    # A sleeper on the doorbell key wakes at a ring: one key event (24 bytes) read, rc 0.
    key = m.group(3)
    linux(zvm, lin, f"(timeout 30 dd if={key} bs=24 count=1 of=/dev/null 2>/dev/null; "
                    "echo key-rc=$? > /tmp/key.out) &")
    assert (lin_id, rtos_id) == (lin, rtos)
    assert lin_peers == 1 << rtos_id and rtos_peers == 1 << lin_id

    for n, round_ in enumerate(("first", "after-reset")):
        text = f"rtos-to-linux-{round_}-0123456789"
        assert shm(zvm, rtos, f"send {lin_id} {text}") == \
            f"sent {len(text)} bytes to VM {lin_id}"
        with Guest(zvm, lin) as g:
            resync(g)
            if round_ == "first":
                deadline = time.monotonic() + 30
                while "key-rc=0" not in shell(g, "cat /tmp/key.out 2>/dev/null; echo"):
                    assert time.monotonic() < deadline, "the doorbell key never woke its reader"
                    time.sleep(0.5)
            out = shell(g, f"zvm-shm recv {rtos_id} 20", timeout=120)
            assert f"zvm-shm: from VM {rtos_id}, {len(text)} bytes, checksum ok: {text}" in out, \
                out
            # The ring arrived as an interrupt (the key press recv slept on).
            irqs = doorbell_irqs(g)
            assert irqs > irqs0, (irqs0, irqs)
            irqs0 = irqs
            reply = f"linux to rtos, {round_}"
            out = shell(g, f"zvm-shm send {rtos_id} '{reply}'")
            assert f"zvm-shm: sent {len(reply)} bytes to VM {rtos_id}" in out, out
        # A command line new to the console's history (zvm look replays it).
        got = shm(zvm, rtos, f"recv {5000 + n}")
        assert got == f"from VM {lin_id}, {len(reply)} bytes, checksum ok: {reply}", got
        if round_ == "first":
            assert "resetting" in zvm.run(f"zvm reset -n {rtos}")
            boot(zvm, rtos)
    assert "deleted" in zvm.run(f"zvm delete -n {rtos}")
    assert "deleted" in zvm.run(f"zvm delete -n {lin}")
