"""The host I/O scheduler (block/blk_sched.c over block/iosched.c) between two VMs on one host
disk: while both keep requests queued, the VM of the more urgent priority is never passed over.
`zvm info` counts, per device, the units of other devices dispatched while it had requests
queued ("bypassed"): 0 for the urgent VM under strict VM priority, not 0 under FIFO or round
robin, while the other VM's count shows that the two really competed."""
import re
import time

from qemu import LINUX_SHELL as SHELL
from qemu import Guest, Zvm, create_vm, mem_used, wait_vm_state
from qemu import linux_resync as resync
from qemu import linux_shell as shell

READERS = 4  # O_DIRECT readers per VM: several requests in each VM's queue at once
SCHED = re.compile(r"sched: prio (\d+), dispatched (\d+), bytes (\d+), bypassed (\d+), "
                   r"cancelled (\d+), queued (\d+), inflight (\d+), sent by the worker (\d+)")


def sched_stats(zvm, vm):
    info = zvm.run(f"zvm info -n {vm}")
    m = SCHED.search(info)
    assert m, info
    keys = ("prio", "dispatched", "bytes", "bypassed", "cancelled", "queued", "inflight",
            "by_worker")
    return dict(zip(keys, map(int, m.groups())))


def wait_stat(zvm, vm, key, at_least, timeout=30, poll=0.2):
    """Polls vm's scheduler statistics until key reaches at_least; fails with them after
    timeout seconds."""
    deadline = time.monotonic() + timeout
    while (st := sched_stats(zvm, vm))[key] < at_least:
        assert time.monotonic() < deadline, st
        time.sleep(poll)


def readers(loop):
    """READERS background readers of the whole /dev/vda, with O_DIRECT (no page cache)."""
    one = "dd if=/dev/vda of=/dev/null bs=64k iflag=direct 2>/dev/null"
    body = f"while :; do {one}; done" if loop else one
    return " ".join(f"({body}) &" for _ in range(READERS))


def disk_zvm(tmp_path):
    """A ZVM (not booted yet) with a fresh 16 MiB host disk."""
    image = tmp_path / "disk.img"
    with open(image, "wb") as f:
        f.truncate(16 << 20)
    return Zvm(disk=str(image))


def lo_and_hi(zvm):
    """Two Linux VMs at their shell, 4 MiB each side by side on vda: lo less urgent than hi."""
    lo = create_vm(zvm, "-t linux -c 1 -m 256 -n lo --prio 20 --disk vda@0+8192")
    hi = create_vm(zvm, "-t linux -c 1 -m 256 -n hi --prio 6 --disk vda@8192+8192")
    for vm in (lo, hi):
        zvm.run(f"zvm run -n {vm}")
    for vm in (lo, hi):
        with Guest(zvm, vm) as g:
            g.expect("ZVM-LINUX-INIT-OK", timeout=240)
            g.expect(re.escape(SHELL))
    return lo, hi


def test_urgent_vm_served_first_on_a_shared_disk(tmp_path):
    zvm = disk_zvm(tmp_path)
    try:
        zvm.boot()
        lo, hi = lo_and_hi(zvm)
        before = {vm: sched_stats(zvm, vm) for vm in (lo, hi)}
        # `zvm look` replays the console (old prompts too): resync before each command.
        with Guest(zvm, lo) as g:
            resync(g)
            shell(g, readers(loop=True))
        with Guest(zvm, hi) as g:
            resync(g)
            # Each reader reads the VM's 4 MiB once, then the shell's wait returns.
            g.send(readers(loop=False) + " wait; echo hi-$((1 + 1))-done\r")
            g.expect("hi-2-done", timeout=300)
            g.expect(re.escape(SHELL))
        mid = {vm: sched_stats(zvm, vm) for vm in (lo, hi)}
        with Guest(zvm, lo) as g:
            resync(g)
            g.send("kill $(jobs -p); killall dd; wait; echo lo-$((2 + 2))-stopped\r")
            g.expect("lo-4-stopped", timeout=120)
        # The disk had several requests at once (the readers' requests went side by side,
        # each finished by the disk's interrupt), not one after the other.
        m = re.search(r"^vda: .*depth (\d+) \(at most (\d+) at once so far\)", zvm.run("kernel blk"),
                      re.M)
        assert m and int(m.group(1)) > 1 and int(m.group(2)) >= 2, zvm.run("kernel blk")
        # Nothing stays queued or in flight once the readers are gone.
        deadline = time.monotonic() + 60
        while True:
            after = {vm: sched_stats(zvm, vm) for vm in (lo, hi)}
            idle = all(a["queued"] == 0 and a["inflight"] == 0 for a in after.values())
            if idle or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        zvm.close()
    assert after[hi]["prio"] == 6 and after[lo]["prio"] == 20, after
    hi_reqs = mid[hi]["dispatched"] - before[hi]["dispatched"]
    hi_bytes = mid[hi]["bytes"] - before[hi]["bytes"]
    assert hi_bytes >= READERS * (4 << 20), (before, mid)
    # A piece (one unit) is at most 2 MiB (VBLK_DIRECT_MAX): two at least per reader.
    assert hi_reqs >= READERS * 2, (before, mid)
    # The low VM read all along (it was passed over, so it had requests queued while the
    # high one was served): the two competed for the disk. (The low VM's requests also go
    # beside the high one's whenever none of those is queued or on the disk: the disk takes
    # several at once, so it is passed over less often than once per high request.)
    assert mid[lo]["dispatched"] > before[lo]["dispatched"], (before, mid)
    assert mid[lo]["bypassed"] - before[lo]["bypassed"] >= hi_reqs // 16, (before, mid)
    # The urgent VM never waited behind the other one's queued requests.
    assert after[hi]["bypassed"] == before[hi]["bypassed"], (before, after)
    for vm in (lo, hi):
        assert after[vm]["queued"] == 0 and after[vm]["inflight"] == 0, after


IOPRIO = re.compile(r"ioprio: rt (\d+), be (\d+), idle (\d+), passed (\d+)")


def ioprio_stats(zvm, vm):
    info = zvm.run(f"zvm info -n {vm}")
    m = IOPRIO.search(info)
    assert m, info
    return dict(zip(("rt", "be", "idle", "passed"), map(int, m.groups())))


def test_ionice_classes_inside_one_vm(tmp_path):
    """Linux puts each process's I/O priority (ionice) in the request header: real-time
    readers are served while idle-class readers of the same VM wait."""
    zvm = disk_zvm(tmp_path)
    try:
        zvm.boot()
        vm = create_vm(zvm, "-t linux -c 1 -m 256 -n nice --disk vda@0+8192")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect("ZVM-LINUX-INIT-OK", timeout=240)
            g.expect(re.escape(SHELL))
            one = "dd if=/dev/vda of=/dev/null bs=64k iflag=direct 2>/dev/null"
            shell(g, " ".join(f"ionice -c3 sh -c 'while :; do {one}; done' &"
                              for _ in range(READERS)))
            g.send(" ".join(f"ionice -c1 -n0 {one} &" for _ in range(READERS)) +
                   " wait %5 %6 %7 %8; echo rt-$((3 + 3))-done\r")
            g.expect("rt-6-done", timeout=300)
            g.expect(re.escape(SHELL))
        mid = ioprio_stats(zvm, vm)
        with Guest(zvm, vm) as g:
            resync(g)
            g.send("kill $(jobs -p); killall dd; wait; echo idle-$((4 + 4))-stopped\r")
            g.expect("idle-8-stopped", timeout=120)
        after = ioprio_stats(zvm, vm)
    finally:
        zvm.close()
    # Both classes reached the host: 4 x 4 MiB of real-time reads in pieces of at most 2
    # MiB, and the idle readers (before the real-time ones came and after they left).
    assert mid["rt"] >= READERS * 2, mid
    assert after["idle"] > 0, after
    # No idle (or best-effort) unit went while real-time ones waited.
    assert after["passed"] == 0, after


def test_delete_and_reset_of_a_starved_vm(tmp_path):
    """A VM whose requests wait behind a busier, more urgent VM is reset and deleted at once:
    its worker takes its queued requests back (they would wait for ever under strict
    priority), the other VM carries on, and the memory comes back."""
    zvm = disk_zvm(tmp_path)
    try:
        zvm.boot()
        before = mem_used(zvm)
        lo, hi = lo_and_hi(zvm)
        for vm in (lo, hi):
            with Guest(zvm, vm) as g:
                resync(g)
                shell(g, readers(loop=True))
        # It does wait behind hi.
        deadline = time.monotonic() + 30
        while sched_stats(zvm, lo)["bypassed"] < 20 and time.monotonic() < deadline:
            time.sleep(1)
        assert sched_stats(zvm, lo)["bypassed"] >= 20
        # The disk held (`kernel blk hold`), lo's readers pile requests up in its queue; the
        # reset takes them back at once, not leaving them to wait for a gap in hi's load.
        assert "requests held" in zvm.run("kernel blk hold vda on")
        try:
            wait_stat(zvm, lo, "queued", 1)
            assert "resetting" in zvm.run(f"zvm reset -n {lo}", timeout=30)
            wait_stat(zvm, lo, "cancelled", 1)
        finally:
            zvm.run("kernel blk hold vda off")
        with Guest(zvm, lo) as g:
            resync(g)  # up again: its disk works after the reset
            shell(g, readers(loop=True))
        time.sleep(2)
        assert "deleted" in zvm.run(f"zvm delete -n {lo}", timeout=30)
        got = sched_stats(zvm, hi)["dispatched"]
        time.sleep(2)
        assert sched_stats(zvm, hi)["dispatched"] > got  # hi carries on
        assert "deleted" in zvm.run(f"zvm delete -n {hi}", timeout=30)
        assert mem_used(zvm) == before
    finally:
        zvm.close()


def test_a_faulted_urgent_vm_does_not_keep_the_disk_from_others(tmp_path):
    """The more urgent VM's device worker takes an EL2 fault while its request is on the disk:
    once it comes off, the less urgent VM is served again (the dead VM's units no longer count
    as urgent work waiting for its worker), long before anyone deletes the crashed VM."""
    zvm = disk_zvm(tmp_path)
    try:
        zvm.boot()
        before = mem_used(zvm)
        lo, hi = lo_and_hi(zvm)
        with Guest(zvm, hi) as g:
            resync(g)
            shell(g, readers(loop=True))
        # The disk held, hi's next request waits on it; lo's pile up behind it.
        assert "requests held" in zvm.run("kernel blk hold vda on")
        try:
            wait_stat(zvm, hi, "inflight", 1)
            with Guest(zvm, lo) as g:
                resync(g)
                shell(g, readers(loop=True))
            # hi's worker faults at its next pass (woken to take the fault); the request stays.
            assert "worker path" in zvm.run(f"zvm fault -n {hi} -p worker")
            wait_vm_state(zvm, hi, "crashed")
        finally:
            zvm.run("kernel blk hold vda off")
        wait_stat(zvm, lo, "dispatched", sched_stats(zvm, lo)["dispatched"] + 50, poll=0.5)
        for vm in (hi, lo):
            assert "deleted" in zvm.run(f"zvm delete -n {vm}", timeout=30)
        assert mem_used(zvm) == before
    finally:
        zvm.close()
