"""The RTOS guest's shared-memory driver and `shm` shell commands (arch/arm64/el1/shm_rtos.c,
cmd_shm.c, lib/shm_mbox.c): two RTOS VMs sharing a region exchange checksummed messages in both
directions through the region and their doorbells, one of them is reset, and the exchange works
again (the region, and the sequence numbers in it, survive the reset)."""
import re

import pexpect

from qemu import RTOS_PROMPT, Guest, create_vm


def boot(zvm, vm):
    """Attaches to a VM that was just started or reset and waits for its prompt; returns the
    boot log."""
    with Guest(zvm, vm) as g:
        g.expect(r"ZVM RTOS: 1 CPUs? online", timeout=90)
        log = zvm.child.before
        g.expect(RTOS_PROMPT, timeout=30)
        return log


def shm(zvm, vm, args, timeout=30):
    """`shm ARGS` typed into VM's console; returns the command's `shm: ...` result line."""
    with Guest(zvm, vm):
        # `zvm look` replays the console's history: drop it, so only this command's output
        # is matched.
        zvm.child.expect(pexpect.TIMEOUT, timeout=1)
        zvm.send(f"shm {args}\r")
        zvm.expect(re.escape(f"shm {args}"), timeout=timeout)
        zvm.expect(r"shm: ([^\r\n]*)\r*\n", timeout=timeout)
        line = zvm.child.match.group(1)
        zvm.expect(RTOS_PROMPT, timeout=timeout)
        return line


def vm_id(zvm, vm):
    line = shm(zvm, vm, "info")
    m = re.search(r"region 0x([0-9a-f]+) size 0x4000, doorbell 0x9100000 INTID \d+, "
                  r"VM id (\d+), peers 0x([0-9a-f]+)", line)
    assert m, line
    return int(m.group(2)), int(m.group(3), 16)


def exchange(zvm, src, src_id, dst, dst_id, text, n=[5000]):
    assert shm(zvm, src, f"send {dst_id} {text}") == f"sent {len(text)} bytes to VM {dst_id}"
    n[0] += 1  # a command line not seen before in the console's history
    got = shm(zvm, dst, f"recv {n[0]}")
    assert got == f"from VM {src_id}, {len(text)} bytes, checksum ok: {text}", got


def test_two_rtos_vms_exchange_messages_while_one_is_reset(zvm):
    a = create_vm(zvm, "-t rtos -m 64 -n shm-ra --shm rring:16@0x20000000")
    b = create_vm(zvm, "-t rtos -m 64 -n shm-rb --shm rring:16@0x30000000")
    zvm.run(f"zvm run -n {a}")
    zvm.run(f"zvm run -n {b}")
    assert "shm: region 0x20000000 size 0x4000" in boot(zvm, a)
    assert "shm: region 0x30000000 size 0x4000" in boot(zvm, b)
    ida, peers_a = vm_id(zvm, a)
    idb, peers_b = vm_id(zvm, b)
    assert peers_a == 1 << idb and peers_b == 1 << ida
    # Nothing sent yet: recv times out, and a non-peer is refused in words.
    assert shm(zvm, a, "recv 200") == "no message within 200 ms"
    assert "shares no region with us" in shm(zvm, a, f"send {ida} self")
    exchange(zvm, a, ida, b, idb, "hello-from-a")
    exchange(zvm, b, idb, a, ida, "hello-from-b")
    exchange(zvm, a, ida, b, idb, "second-a" + "x" * 100)
    # A receiver already asleep in recv is woken by the doorbell (not by its timeout): b waits
    # while detached, a sends, b answers well before its 20 s.
    with Guest(zvm, b):
        zvm.child.expect(pexpect.TIMEOUT, timeout=1)
        zvm.send("shm recv 20000\r")
        zvm.expect(re.escape("shm recv 20000"))
    assert shm(zvm, a, f"send {idb} wake-up") == f"sent 7 bytes to VM {idb}"
    with Guest(zvm, b):
        zvm.expect(rf"shm: from VM {ida}, 7 bytes, checksum ok: wake-up", timeout=10)
    # A message is taken once.
    assert shm(zvm, b, "recv 201") == "no message within 201 ms"

    assert "resetting" in zvm.run(f"zvm reset -n {b}")
    boot(zvm, b)
    # b starts counting from the sequence number in its box, so a takes its next message as
    # new; both directions work again.
    exchange(zvm, b, idb, a, ida, "after-reset-b")
    exchange(zvm, a, ida, b, idb, "after-reset-a")
    # (The history holds the earlier `shm info`: wait for these counters, not for a line.)
    with Guest(zvm, a):
        zvm.send("shm info\r")
        zvm.expect(r"sent 4, received 2, bad checksums 0, doorbell irqs [1-9]")
    for vm in (a, b):
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def test_rtos_without_a_region_says_so(zvm):
    vm = create_vm(zvm, "-t rtos -m 64 -n shm-none")
    zvm.run(f"zvm run -n {vm}")
    boot(zvm, vm)
    assert "no shared-memory region" in shm(zvm, vm, "info")
    assert "no shared-memory region" in shm(zvm, vm, "recv 10")
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
