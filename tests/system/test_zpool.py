"""The compression pool (zvm/mem/zpool*.c) on the target: its rows in `kernel mem`, its size
from the build or the board's /chosen zvm,zpool-size, and `zpool selftest|check|bench` running
Debian's arm64 liblzo2 at EL2."""
import os
import re

from qemu import Zvm

HERE = os.path.dirname(os.path.abspath(__file__))
POOL_RE = r"^zpool\s+(\d+) KiB\s+(\d+) KiB\s+(\d+) KiB"


def pool_row(out):
    m = re.search(POOL_RE, out, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


def test_no_pool_by_default(zvm):
    """Nothing stores pages in the pool yet: a default build takes no memory for it."""
    assert pool_row(zvm.run("kernel mem")) is None
    assert "no pool" in zvm.run("zpool check")


def test_kernel_mem_shows_the_pool_the_board_asks_for(fresh_zvm):
    vm = fresh_zvm(vms=os.path.join(HERE, "vms", "zpool4m.vms.dtsi"))
    out = vm.boot()
    assert re.search(r"zpool: \d+ KiB for compressed guest pages", out), out
    out = vm.run("kernel mem")
    total, used, free = pool_row(out)
    # 4 MiB, less its handle table and bitmap (about 5%).
    assert 3800 < total < 4096 and used == 0 and free == total, out
    assert re.search(r"^  0 pages stored: 0 KiB -> 0 KiB, ratio 0\.00; compressed 0, "
                     r"decompressed 0$", out, re.M), out
    assert re.search(r"^  zero 0, stayed resident 0, pool full 0, corrupt 0; \d+ handles", out,
                     re.M), out
    assert "zpool check: consistent" in vm.run("zpool check")
    # The selftest's pool is its own: the host pool is untouched.
    assert "zpool selftest: PASS" in vm.run("zpool selftest", timeout=120)
    assert pool_row(vm.run("kernel mem"))[1] == 0


def test_selftest(zvm):
    out = zvm.run("zpool selftest", timeout=120)
    m = re.search(r"zpool selftest: PASS \((\d+) stored, (\d+) loaded, (\d+) zero, (\d+) "
                  r"resident, (\d+) full\)", out)
    assert m, out
    assert all(int(x) > 0 for x in m.groups()), out


def test_bench_lines(zvm):
    out = zvm.run("zpool bench", timeout=300)
    rows = {m.group(1): m.groups()[1:] for m in re.finditer(
        r"^ZPOOL-BENCH (\w+) bare (\d+) codec (\d+) pool (\d+|-)", out, re.M)}
    assert set(rows) == {f"{op}_{p}" for op in ("compress", "decompress")
                         for p in ("zero", "text", "random")}, out
    assert "FAILED" not in out
    # A zero page is a flag: no LZO at all.
    assert int(rows["compress_zero"][1]) * 4 < int(rows["compress_zero"][0]), out
    assert rows["decompress_random"][2] == "-"  # random data stays resident


def test_no_pool_when_the_board_says_zero(fresh_zvm):
    vm = fresh_zvm(vms=os.path.join(HERE, "vms", "nozpool.vms.dtsi"))
    out = vm.boot()
    assert "zpool:" not in out
    assert pool_row(vm.run("kernel mem")) is None
    assert "no pool" in vm.run("zpool check")
