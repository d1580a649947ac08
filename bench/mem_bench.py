"""make bench rows for dynamic guest memory and compression (issue 9), run by bench/run.py.

One ZVM under icount with a 16 MiB compression pool from the board (/chosen zvm,zpool-size):
- fault-in: the compressbench test guest (guests/tests/t_compress_bench.c) fills 64 pages with
  `zpool bench`'s text pages, the host compresses them (`zvm compress --all`), and the guest
  times its first read of each (stage-2 fault, decompression on the vCPU thread, retry). ZVM
  times zpool_load alone on the same page-ins (`zvm info -n`: "zpool_load total", read around
  exactly those 64, after a dry run paged in the rest): the native column. Both are means over the 64 pages, in counter ticks x
  16 (one tick is 16 instructions under -icount shift=0).
- `zvm compress --all` of that guest: instructions per page taken, and MiB/s (1 insn = 1 ns).
- an idle Debian Linux in a dynamic VM: resident memory at its shell, and what
  `zvm compress --all` saves of it.
- Linux boot to /init in a dynamic VM (run.py's zvm_linux with --mem dynamic) next to the
  static row of the main table.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/run.py)

INSNS = bench.INSNS
ROWS = [
    ("mem_fault_in", "compressed page fault-in, guest access to retry (zpool_load | fault)",
     INSNS),
    ("mem_fault_in_ratio", "compressed page fault-in / zpool_load of the same pages", "ratio"),
    ("mem_compress_page", "zvm compress --all, per 4 KiB page taken", INSNS),
    ("mem_compress_rate", "zvm compress --all throughput (icount: 1 insn = 1 ns)", "MiB/s"),
    ("mem_linux_resident", "idle Debian Linux, dynamic 256 MiB: resident at its shell", "KiB"),
    ("mem_linux_saved", "same, saved by zvm compress --all", "KiB"),
    ("linux_boot_dynamic", "Linux: kernel entry to /init, dynamic VM (static | dynamic)", INSNS),
    ("linux_boot_dynamic_ratio", "Linux boot to /init, dynamic/static VM", "ratio"),
]
CONF = ["benchcompress kernel build/guests/tests.bin zvmtest=compressbench",
        "benchidle kernel build/linux/Image console=ttyAMA0 earlycon rdinit=/init",
        "benchidle initrd build/linux/initramfs.cpio.gz"]
POOL_DTSI = "zvm,zpool-size = <0x0 0x1000000>;\n"
COMPRESS_RE = re.compile(r"vm (\d+): (\d+) pages compressed, (\d+) zero, (\d+) kept resident, "
                         r"(\d+) warm skipped, (\d+) KiB saved in (\d+) us")
FAULT_RE = re.compile(r"ZVMBENCH fault_in pages (\d+) min (\d+) median (\d+) sum (\d+) ticks")


def board(conf):
    path = os.path.join(bench.OUT, "zpool16m.dtsi")
    os.makedirs(bench.OUT, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(POOL_DTSI)
    return bench.board_args(conf + CONF, 3, "zvm-mem", vms=path)


def compress_all(zvm, vm):
    out = zvm.run(f"zvm compress -n {vm} --all", 300)
    m = COMPRESS_RE.search(out)
    if not m:
        raise RuntimeError(f"zvm compress: {out.strip()}")
    return [int(x) for x in m.groups()[1:]]


def resident_kib(zvm, vm):
    """(resident KiB, page-ins, zpool_load fewest, vCPU thread fewest, zpool_load total)."""
    out = zvm.run(f"zvm info -n {vm}")
    m = re.search(r"^memory: \d+ MiB dynamic: (\d+) KiB resident", out, re.M)
    load = re.search(r"^page-in: (\d+) decompressed, zpool_load fewest (\d+) ticks, on the "
                     r"vCPU thread fewest (\d+) ticks, zpool_load total (\d+) ticks", out, re.M)
    if not m or not load:
        raise RuntimeError(f"zvm info: {out.strip()}")
    return (int(m.group(1)), *(int(x) for x in load.groups()))


def fault_in(zvm, res, notes):
    bench.log("zvm: compressed page fault-in (compressbench guest) and zvm compress")
    vm = zvm.new_vm("-t benchcompress -c 1 -m 32 -p 1 --mem dynamic -n compress")
    zvm.start_and_look(vm)
    zvm.expect(r"compressbench: ready", 120)
    zvm.detach()
    comp, zero, kept, _, saved, us = compress_all(zvm, vm)
    taken = comp + zero + kept
    if comp < 64 or not us:
        raise RuntimeError(f"zvm compress took {comp} pages in {us} us")
    # First byte: the guest pages in what the timing needs besides the 64 pages; second: it
    # times them. The counters read between are those of exactly the 64 page-ins.
    zvm.look(vm)
    zvm.send("g")
    zvm.expect(r"ZVMBENCH warmup ", 120)
    zvm.detach()
    _, loads0, _, _, sum0 = resident_kib(zvm, vm)
    zvm.look(vm)
    zvm.send("g")
    zvm.expect(FAULT_RE, 120)
    m = zvm.child.match
    zvm.detach()
    _, loads, load_min, thread_min, sum1 = resident_kib(zvm, vm)
    zvm.look(vm)
    zvm.send("g")
    zvm.expect(r"ZVMTEST DONE (\d+)/(\d+)", 120)
    text = zvm.before()
    zvm.detach()
    if "FAIL" in text:
        raise RuntimeError(f"compressbench: {text.strip()[-400:]}")
    zvm.delete(vm)
    pages = int(m.group(1))
    if loads - loads0 != pages:
        raise RuntimeError(f"{loads - loads0} page-ins while the guest timed {pages} pages")
    guest_mean = int(m.group(4)) * bench.INSNS_PER_TICK // pages
    load_mean = (sum1 - sum0) * bench.INSNS_PER_TICK // pages
    res["mem_fault_in"]["native"] = load_mean
    res["mem_fault_in"]["zvm"] = guest_mean
    res["mem_fault_in_ratio"]["native"] = 1.0
    res["mem_fault_in_ratio"]["zvm"] = bench.ratio(guest_mean, load_mean)
    # us at the 62.5 MHz counter: 1 us = 1000 instructions under shift=0.
    res["mem_compress_page"]["zvm"] = us * 1000 // taken
    res["mem_compress_rate"]["zvm"] = round(taken * 4096 / (us / 1e6) / 2**20, 1)
    notes.append(f"fault-in: mean of the {pages} text pages (zpool bench's seeds 1..64) as the "
                 f"guest timed them (fewest {int(m.group(2)) * bench.INSNS_PER_TICK}, median "
                 f"{int(m.group(3)) * bench.INSNS_PER_TICK}), next to the mean zpool_load of "
                 f"exactly those {pages} page-ins; over all {loads} page-ins of the run the "
                 f"fewest zpool_load was {load_min * bench.INSNS_PER_TICK} and the fewest vCPU "
                 f"thread part (mem_dyn_fault, lock to unlock) "
                 f"{thread_min * bench.INSNS_PER_TICK}; compress --all took {taken} pages "
                 f"({comp} compressed, {zero} zero, {kept} kept), saved {saved} KiB in {us} us")


def idle_linux(zvm, res, notes):
    bench.log("zvm: idle Debian Linux in a dynamic VM, then zvm compress --all")
    vm = zvm.new_vm("-t benchidle -c 1 -m 256 -p 1 --mem dynamic -n idle")
    zvm.start_and_look(vm)
    zvm.expect(r"~ # ", 600)
    zvm.detach()
    time.sleep(2)
    before = resident_kib(zvm, vm)[0]
    comp, zero, kept, _, saved, _ = compress_all(zvm, vm)
    after = resident_kib(zvm, vm)[0]
    zvm.delete(vm)
    res["mem_linux_resident"]["zvm"] = before
    res["mem_linux_saved"]["zvm"] = saved
    notes.append(f"idle Linux: {before} KiB resident -> {after} KiB after compress --all "
                 f"({comp} pages compressed, {zero} zero, {kept} kept resident); saved = "
                 "host pages freed less pool space taken")


def measure(res, notes, section, linux):
    def run():
        zvm = bench.ZvmHost(board([]), 3, name="zvm-mem-icount")
        try:
            fault_in(zvm, res, notes)
            if linux:
                idle_linux(zvm, res, notes)
        finally:
            zvm.close()

    def boot():
        conf = [f"benchlinux kernel build/bench/linux/Image {bench.LINUX_BOOTARGS}",
                "benchlinux initrd build/bench/linux/initramfs.cpio.gz"]
        zvm = bench.ZvmHost(board(conf), 3, name="zvm-linux-dynamic")
        try:
            dyn = bench.zvm_linux(zvm, "--mem dynamic") * bench.INSNS_PER_TICK
        finally:
            zvm.close()
        static = res["linux_boot"]["zvm"]
        res["linux_boot_dynamic"]["native"] = static
        res["linux_boot_dynamic"]["zvm"] = dyn
        res["linux_boot_dynamic_ratio"]["native"] = 1.0
        res["linux_boot_dynamic_ratio"]["zvm"] = bench.ratio(dyn, static, 4)

    section("ZVM memory", run)
    if linux:
        section("ZVM Linux dynamic", boot)
