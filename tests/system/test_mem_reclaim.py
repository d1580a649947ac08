"""The low-watermark scanner (issue 9, zvm/mem/reclaim.c): when free host memory drops below
the watermark, a lowest-priority host thread compresses cold pages of dynamic VMs on its own,
and the guests' data stays bit-exact. The machine gets a 4 MiB pool from the board
(vms/zpool4m.vms.dtsi)."""
import os
import re
import time

from qemu import Guest, create_vm

HERE = os.path.dirname(os.path.abspath(__file__))

# The machine of the module's `zvm` fixture (conftest.py): a 4 MiB compression pool.
ZVM_ARGS = {"vms": os.path.join(HERE, "vms", "zpool4m.vms.dtsi")}


def reclaim(zvm):
    """(low KiB, free KiB, state, rounds, pages compressed, zero) from `kernel mem`."""
    out = zvm.run("kernel mem")
    m = re.search(r"^reclaim: low watermark (\d+) KiB, high \d+ KiB, free (\d+) KiB, "
                  r"scanner (\w+)$", out, re.M)
    c = re.search(r"^  (\d+) rounds: (\d+) pages compressed, (\d+) zero, \d+ warm skipped; "
                  r"\d+ VMs resumed$", out, re.M)
    assert m and c, out
    return int(m.group(1)), int(m.group(2)), m.group(3), *(int(x) for x in c.groups())


def compressed(zvm, vm):
    out = zvm.run(f"zvm info -n {vm}")
    c = re.search(r"^compressed: (\d+) pages in \d+ KiB of pool, zero: (\d+) pages$", out, re.M)
    assert c, out
    return int(c.group(1)), int(c.group(2))


def test_watermark_command_and_default(zvm):
    low, free, state, *_ = reclaim(zvm)
    assert low == 16 * 1024 and state == "idle" and free > low, (low, free, state)
    assert "usage: zpool watermark" in zvm.run("zpool watermark lots")
    out = zvm.run("zpool watermark 0")
    assert "low watermark 0 KiB" in out and "scanner off" in out, out
    assert reclaim(zvm)[0] == 0
    zvm.run("zpool watermark 16")
    assert reclaim(zvm)[0] == 16 * 1024


def test_scanner_compresses_cold_pages_when_free_memory_runs_low(zvm):
    cold = create_vm(zvm, "-t test-compress -c 2 -m 32 --mem dynamic -n cold")
    zvm.run(f"zvm run -n {cold}")
    with Guest(zvm, cold) as g:
        g.expect(r"compress: ready\r", timeout=60)
    # The watermark 24 MiB under what is free now: nothing happens yet...
    _, free, _, rounds0, comp0, zero0 = reclaim(zvm)
    low_mb = free // 1024 - 24
    zvm.run(f"zpool watermark {low_mb}")
    time.sleep(1)
    assert reclaim(zvm)[2] == "idle"
    assert compressed(zvm, cold) == (0, 0)
    hungry = None
    try:
        # ... until a static VM takes 64 MiB: free memory drops below the watermark and the
        # scanner takes the cold pages of the only dynamic VM. Its 128 compressible pattern
        # pages and 128 zeroed pages are cold (it waits on its console): a first pass ages
        # them, a later one takes them.
        hog = create_vm(zvm, "-t test-spin -c 1 -m 64 -n hog")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            c, z = compressed(zvm, cold)
            if c >= 128 and z >= 128:
                break
            time.sleep(1)
        assert c >= 128 and z >= 128, (c, z)
        _, _, state, rounds, comp, zero = reclaim(zvm)
        assert state == "active" and rounds > rounds0 and comp - comp0 >= c and \
            zero - zero0 >= z
        # A dynamic guest that writes and checks 96 MiB of patterns while the scanner keeps
        # taking (and it keeps faulting back) its pages.
        hungry = create_vm(zvm, "-t test-mem-big -c 2 -m 128 --mem dynamic -n hungry")
        zvm.run(f"zvm run -n {hungry}")
        with Guest(zvm, hungry) as g:
            m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=180)
            out = zvm.child.before
        assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
        assert m.group(1) == m.group(2) == "4", out
        # Idle now, its pages go cold and the scanner (still under the watermark) takes them.
        deadline = time.monotonic() + 60
        while sum(reclaim(zvm)[4:]) <= comp + zero and time.monotonic() < deadline:
            time.sleep(1)
        assert sum(reclaim(zvm)[4:]) > comp + zero, reclaim(zvm)
    finally:
        zvm.run("zpool watermark 16")
    # Every word the cold guest wrote comes back through its faults.
    with Guest(zvm, cold) as g:
        g.send("g")
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm.child.before
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert m.group(1) == m.group(2) == "1", out
    for vm in (cold, hungry, hog):
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
