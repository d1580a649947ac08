"""Guest memory at run time (issue 9): access tracking through stage-2 access flags, changed
with break-before-make while the guest runs on other CPUs."""
import re
import time

from qemu import Guest, create_vm, mem_used


def age(zvm, vm):
    """`zvm age`: (KiB accessed since the last scan, KiB of RAM)."""
    out = zvm.run(f"zvm age -n {vm}")
    m = re.search(rf"vm {vm}: (\d+) KiB of (\d+) KiB accessed since the last scan", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def spin_counts(zvm, vm, lines=2):
    """The per-vCPU counts (millions) of the last of `lines` `spin N:` lines of test-spin."""
    with Guest(zvm, vm) as g:
        for _ in range(lines):
            m = g.expect(r"spin \d+:((?: \d+)+)\r", timeout=30)
    return [int(c) for c in m.group(1).split()]


def test_access_flags_track_what_a_running_guest_touches(zvm):
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t test-spin -c 2 -m 64")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"spin: 2 vCPUs spinning", timeout=30)
    # Mapped with the flag set: the first scan sees everything.
    accessed, total = age(zvm, vm)
    assert accessed == total == 64 * 1024
    time.sleep(1)
    # Since then both vCPUs only ran the guest's code, stack and counters: their 2 MiB blocks
    # took an access flag fault each and were marked again, the rest stayed clear.
    accessed, _ = age(zvm, vm)
    assert 0 < accessed <= 8 * 1024, accessed
    # Clearing again and again under two spinning vCPUs: each clear is break-before-make on
    # live blocks, and a vCPU hitting the gap retries instead of taking an abort.
    first = spin_counts(zvm, vm, 1)
    for _ in range(30):
        accessed, _ = age(zvm, vm)
        assert accessed <= 8 * 1024
    later = spin_counts(zvm, vm)
    assert len(later) == 2 and all(b > a for a, b in zip(first, later)), (first, later)
    out = zvm.run("zvm info")
    assert re.search(rf"^{vm}\s+\S+\s+test-spin\s+2\s+64\s+running", out, re.M), out
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before
