"""A Debian Linux guest compressed down to a fraction of its resident memory keeps running with
all its data intact (issue 9): a 256 MiB dynamic VM writes files with known checksums into
tmpfs, `zvm compress --all` moves its pages into the board's 64 MiB pool
(vms/zpool64m.vms.dtsi), and the guest re-reads every file, checks every checksum and runs
programs and writes to its virtio console (whose ring pages stay pinned), twice over."""
import os
import re

from qemu import Guest, create_vm, mem_used
from qemu import linux_resync as resync
from qemu import linux_shell as shell
from test_mem_compress import compress, info, pool

HERE = os.path.dirname(os.path.abspath(__file__))
ZVM_ARGS = {"vms": os.path.join(HERE, "vms", "zpool64m.vms.dtsi")}

# Files in the guest's tmpfs: text that compresses (numbers, a repeated line) and random
# bytes that do not (those pages stay resident); about 20 MiB in all.
FILES = {
    "/tmp/numbers": "seq 1 1200000 > /tmp/numbers",
    "/tmp/lines": "yes 'the quick brown fox jumps over the lazy dog' | head -c 6000000 > /tmp/lines",
    "/tmp/random": "head -c 4194304 /dev/urandom > /tmp/random",
    "/tmp/mixed": "(seq 1 200000; head -c 1048576 /dev/urandom; seq 5 9 900000) > /tmp/mixed",
}
# A program run after each compression: its output must not change.
PIPELINE = "seq 1 300000 | sort -r | grep -c 7"


def last_line(out):
    """The command's own last line: kernel messages ("[   90.67] hrtimer: ...") may come
    on the console in between."""
    lines = [ln for ln in out.strip().splitlines() if not re.match(r"^\[\s*\d+\.\d+\]", ln)]
    return lines[-1] if lines else ""


def sums(g):
    """{path: md5} of the files, read back by the guest."""
    out = shell(g, "md5sum " + " ".join(FILES), timeout=120)
    found = dict((p, s) for s, p in re.findall(r"^([0-9a-f]{32})\s+(\S+)$", out, re.M))
    assert set(found) == set(FILES), out
    return found


def test_linux_compressed_to_a_fraction_keeps_running_with_its_data(zvm):
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t linux -c 2 -m 256 --mem dynamic -n squeeze")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=180)
        resync(g)
        for cmd in FILES.values():
            shell(g, cmd, timeout=120)
        want = sums(g)
        expect_count = last_line(shell(g, PIPELINE, timeout=120))
    for round_ in range(2):
        resident, _, _, _ = info(zvm, vm)
        comp, zero, kept, warm, saved = compress(zvm, vm, "--all")
        # The pool first: the VM runs on, and a page it touches leaves the pool, so its share
        # read later can only be smaller (read the other way round, a fault in between failed).
        total_kib = pool(zvm)[0]
        after, compressed, pool_kib, zeros = info(zvm, vm)
        print(f"round {round_}: resident {resident} KiB -> {after} KiB; {comp} pages "
              f"compressed into {pool_kib} KiB of pool, {zero} zero, {kept} kept")
        # Down to a fraction: at most half of what was resident stays (the random bytes,
        # 5 MiB of them, stay resident as they do not compress).
        assert after * 2 <= resident, (round_, resident, after, comp, zero, kept)
        assert compressed > 0 and pool_kib > 0 and saved > 0, (compressed, pool_kib, saved)
        assert total_kib >= pool_kib
        with Guest(zvm, vm) as g:
            resync(g)
            assert sums(g) == want
            assert last_line(shell(g, PIPELINE, timeout=120)) == expect_count
            # Still a working system: a new file, written and read back.
            out = shell(g, "seq 1 1000 > /tmp/new; md5sum /tmp/new; rm /tmp/new")
            assert re.search(r"^[0-9a-f]{32}\s+/tmp/new$", out, re.M), out
            # Its virtio console still works: the rings stayed pinned through the pass, the
            # buffers came back from the pool.
            g.send(f"M=hvc0; echo \"zvm-$M-round-{round_}\" > /dev/hvc0\r")
            g.expect(f"zvm-hvc0-round-{round_}", timeout=30)
        # Reading everything back paged in what it needed, from the pool.
        assert info(zvm, vm)[0] > after
    assert "deleted" in zvm.run(f"zvm delete -n {vm}", timeout=60)
    # The VM's pages and its pool space are all given back.
    assert mem_used(zvm) == before
    assert pool(zvm)[0] == 0
