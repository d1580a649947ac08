"""`zvm compress` (issue 9): a dynamic VM's cold pages into the host's compression pool, and
back on the guest's next access, bit-exact. The pool is off in a default build: this module's
machine gets 4 MiB from the board's /chosen zvm,zpool-size (vms/zpool4m.vms.dtsi)."""
import os
import re
import time

from qemu import Guest, create_vm, mem_used

HERE = os.path.dirname(os.path.abspath(__file__))

# The machine of the module's `zvm` fixture (conftest.py): a 4 MiB compression pool.
ZVM_ARGS = {"vms": os.path.join(HERE, "vms", "zpool4m.vms.dtsi")}


def info(zvm, vm):
    """(resident KiB, compressed pages, pool KiB, zero pages) from `zvm info -n`."""
    out = zvm.run(f"zvm info -n {vm}")
    r = re.search(r"^memory: \d+ MiB dynamic: (\d+) KiB resident", out, re.M)
    c = re.search(r"^compressed: (\d+) pages in (\d+) KiB of pool, zero: (\d+) pages$", out,
                  re.M)
    assert r and c, out
    return int(r.group(1)), int(c.group(1)), int(c.group(2)), int(c.group(3))


def pool(zvm):
    """(pool used KiB, pages compressed so far, pages decompressed so far) from `kernel mem`."""
    out = zvm.run("kernel mem")
    used = re.search(r"^zpool\s+\d+ KiB\s+(\d+) KiB", out, re.M)
    counts = re.search(r"compressed (\d+), decompressed (\d+)", out)
    assert used and counts, out
    return int(used.group(1)), int(counts.group(1)), int(counts.group(2))


def compress(zvm, vm, arg=""):
    out = zvm.run(f"zvm compress -n {vm} {arg}".rstrip())
    m = re.search(rf"vm {vm}: (\d+) pages compressed, (\d+) zero, (\d+) kept resident, "
                  r"(\d+) warm skipped, (\d+) KiB saved", out)
    assert m, out
    return [int(x) for x in m.groups()]


def test_compressed_pages_come_back_bit_exact(zvm):
    before = mem_used(zvm)
    pool_before = pool(zvm)
    vm = create_vm(zvm, "-t test-compress -c 2 -m 32 --mem dynamic")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"compress: ready\r", timeout=60)
    # Everything the guest touched has its access flag set: a scan clears it; what stays
    # untouched until the compress pass is cold (all but vCPU 1's counter page, the guest's
    # stack and the code polling the console).
    zvm.run(f"zvm age -n {vm}")
    time.sleep(0.5)
    res_before, _, _, _ = info(zvm, vm)
    comp, zero, kept, warm, saved = compress(zvm, vm)
    # 128 patterned pages (and the image's) compress; 128 zeroed pages (and others never
    # written after their zeroing fault) are zero; 128 pages of hashes stay resident.
    assert comp >= 128 and zero >= 128 and kept >= 128 and warm >= 1 and saved > 0, \
        (comp, zero, kept, warm)
    res_after, c_pages, c_kib, z_pages = info(zvm, vm)
    assert c_pages == comp and z_pages == zero and 0 < c_kib < comp * 4
    assert res_after <= res_before - (comp + zero) * 4, (res_before, res_after)
    used, stored, loaded = pool(zvm)
    assert used > pool_before[0] and stored - pool_before[1] == comp
    with Guest(zvm, vm) as g:
        g.send("g")
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm.child.before
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert m.group(1) == m.group(2) == "1", out
    # The guest read every page back: each compressed one was decompressed on its fault.
    assert pool(zvm)[2] - loaded >= 128
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert pool(zvm)[0] == pool_before[0]
    assert mem_used(zvm) == before


def test_delete_gives_the_pool_back(zvm):
    before = mem_used(zvm)
    pool_before = pool(zvm)[0]
    vm = create_vm(zvm, "-t test-compress -c 2 -m 32 --mem dynamic")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"compress: ready\r", timeout=60)
    comp, zero, _, _, _ = compress(zvm, vm, "--all")
    assert comp >= 128 and zero >= 128
    assert pool(zvm)[0] > pool_before
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert pool(zvm)[0] == pool_before
    assert mem_used(zvm) == before


def test_static_vm_and_bad_size_are_refused(zvm):
    vm = create_vm(zvm, "-t test-mem -c 2 -m 64")
    out = zvm.run(f"zvm compress -n {vm}")
    assert f"vm {vm}: compress needs a dynamic VM" in out and "compressed" not in out
    out = zvm.run(f"zvm compress -n {vm} lots")
    assert "bad size 'lots'" in out
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def page_ins(zvm, vm):
    """(page-ins, zpool_load fewest, vCPU thread fewest, zpool_load total) from `zvm info`."""
    out = zvm.run(f"zvm info -n {vm}")
    p = re.search(r"^page-in: (\d+) decompressed, zpool_load fewest (\d+) ticks, on the vCPU "
                  r"thread fewest (\d+) ticks, zpool_load total (\d+) ticks$", out, re.M)
    assert p, out
    return [int(x) for x in p.groups()]


def test_fault_in_timing_guest_and_page_in_count(zvm):
    """make bench's fault-in rows (bench/mem_bench.py) on a short run: the compressbench guest
    pages in all it needs but its 64 compressed text pages (a dry run), then times its reads of
    those; `zvm info` read around that counts exactly 64 page-ins, whose zpool_load time is part
    of what the guest saw; then the guest checks every byte."""
    vm = create_vm(zvm, "-t test-compress-bench -c 1 -m 32 --mem dynamic")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"compressbench: ready\r", timeout=60)
    out = zvm.run(f"zvm compress -n {vm} --all")
    m = re.search(rf"vm {vm}: (\d+) pages compressed.* KiB saved in (\d+) us", out)
    assert m and int(m.group(1)) >= 64 and int(m.group(2)) > 0, out
    with Guest(zvm, vm) as g:
        g.send("g")
        g.expect(r"ZVMBENCH warmup pages 64 .* ticks\r", timeout=60)
    before = page_ins(zvm, vm)
    with Guest(zvm, vm) as g:
        g.send("g")
        f = g.expect(r"ZVMBENCH fault_in pages 64 min (\d+) median (\d+) sum (\d+) ticks\r",
                     timeout=60)
    after = page_ins(zvm, vm)
    assert after[0] - before[0] == 64, (before, after)
    loads = after[3] - before[3]
    # Each fault-in holds one zpool_load; the guest's time also has the exit and the mapping.
    assert 0 < loads < int(f.group(3)), (loads, f.group(0))
    assert 0 < int(f.group(1)) <= int(f.group(2))
    assert 0 < after[1] < after[2] < int(f.group(1)), after
    with Guest(zvm, vm) as g:
        g.send("g")
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm.child.before
    assert m.group(1) == m.group(2) == "1", out
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def test_corrupt_pool_copy_stops_only_that_vm(zvm):
    """The checksum path: `zvm compress --corrupt IPA` damages the pool copy of one compressed
    page; the guest's next access to it stops the VM with a message (never a wrong page, never
    the host), and its delete still gives every pool byte back."""
    before = mem_used(zvm)
    pool_before = pool(zvm)[0]
    vm = create_vm(zvm, "-t test-compress -c 2 -m 32 --mem dynamic -n victim")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"compress: ready\r", timeout=60)
    comp, _, _, _, _ = compress(zvm, vm, "--all")
    assert comp >= 128
    # RAM starts at 0x40000000; the guest's window 16 MiB in: compressible patterns first, then
    # hashes that stay resident.
    out = zvm.run(f"zvm compress -n {vm} --corrupt 0x41080000")
    assert "no compressed page at 0x41080000" in out, out
    out = zvm.run(f"zvm compress -n {vm} --corrupt 0x41000000")
    assert f"vm {vm}: the pool copy of its page at 0x41000000 is corrupt now" in out, out
    corrupt_before = int(re.search(r"corrupt (\d+)", zvm.run("kernel mem")).group(1))
    with Guest(zvm, vm) as g:
        g.send("g")
        g.expect(rf"vm{vm} \(victim\) stopped: its compressed page at 0x41000000 failed the "
                 r"pool checksum", timeout=60)
    out = zvm.run("zvm info")
    assert re.search(rf"^{vm}\s+victim\s+test-compress\s+2\s+32\s+crashed", out, re.M), out
    assert "ZVMTEST compress_roundtrip PASS" not in zvm.child.before
    assert int(re.search(r"corrupt (\d+)", zvm.run("kernel mem")).group(1)) == \
        corrupt_before + 1
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert pool(zvm)[0] == pool_before
    assert mem_used(zvm) == before
