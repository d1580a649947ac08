"""make bench rows for guest disks (bench/run.py imports this; `python3 bench/blk.py` runs
them alone): sequential read and write throughput of a Linux VM on its virtio-blk disk
(busybox dd, 1 MiB blocks, O_DIRECT) next to the same Debian Linux natively on QEMU's
virtio-blk (the baseline: target 0.8 of it), and next to ZVM's host driver alone on the same
disk (`kernel blk bench`, 64 KiB requests through its bounce buffer). Wall time, no icount:
the figures move with the machine's load, the ratios less (runs alternate, medians)."""
import itertools
import os
import re
import statistics
import sys

MIB = 128  # per dd (the VM's disk range)
REPEAT = 4  # dd runs per timed run: the guest's clock has 10 ms steps, 128 MiB take ~0.1 s
RUNS = 5  # alternating runs per row: one of three was often off by 10-20% on a 2-core machine
LAT_N = 2000  # requests of the latency row
RAND_N = 300  # requests (one dd process each) of the random rows
INSN_N = 200  # 64 KiB reads of the host-instruction rows (under icount, one CPU)
INSN_MIB = 16  # MiB the host driver reads alone in those rows (64 KiB requests)
CPU_MIB = 1000  # MiB the guest copies from /dev/zero to /dev/null in the no-I/O row
CPU_CMD = f"dd if=/dev/zero of=/dev/null bs=1M count={CPU_MIB} 2>/dev/null"
# Process start-up with no I/O: fork and exec, whose TLB invalidations a one-vCPU VM keeps on
# its own CPU on QEMU's boards (zvm,local-tlbi); the random-I/O rows pay it per request.
FORK_CMD = "for i in $(seq 200); do /bin/true; done"
BLOCKS = MIB << 8  # 4 KiB blocks in the disk range both sides use
LINUX_CMDLINE = "console=ttyAMA0 earlycon rdinit=/init"
# "native" column: Linux on QEMU's virtio-blk without ZVM; ZVM column: the Linux VM.
ROWS = [
    ("blk_write", f"disk sequential write, {REPEAT} x {MIB} MiB dd O_DIRECT (native: Linux on QEMU's "
     "virtio-blk; ZVM: Linux VM)", "MiB/s"),
    ("blk_write_ratio", "disk write throughput, VM/native Linux (target 0.8)", "ratio"),
    ("blk_read", f"disk sequential read, {REPEAT} x {MIB} MiB dd O_DIRECT (native: Linux on QEMU's "
     "virtio-blk; ZVM: Linux VM)", "MiB/s"),
    ("blk_read_ratio", "disk read throughput, VM/native Linux (target 0.8)", "ratio"),
    ("blk_lat", f"disk read latency, {LAT_N} sequential 4 KiB O_DIRECT reads (native: Linux on "
     "QEMU's virtio-blk; ZVM: Linux VM)", "us/request"),
    ("blk_lat_ratio", "disk read latency, VM/native Linux", "ratio"),
    ("blk_rand_read", f"random 4 KiB reads, {RAND_N} `dd` processes (native: Linux on QEMU's "
     "virtio-blk; ZVM: Linux VM)", "IOPS"),
    ("blk_rand_write", f"random 4 KiB writes, {RAND_N} `dd` processes (native: Linux on QEMU's "
     "virtio-blk; ZVM: Linux VM)", "IOPS"),
    ("blk_rand_ratio", "random 4 KiB reads and writes, VM/native Linux (mean of the two)", "ratio"),
    ("blk_insn", "host instructions per 64 KiB read, exact (icount, 1 CPU): ZVM's host driver "
     "alone, its bounce copy included (native column), and a Linux VM's request through "
     "virtio-blk, the scheduler and the driver, traps and interrupts included", "insn/request"),
    ("blk_insn_ratio", "host instructions per 64 KiB read, VM request/driver alone", "ratio"),
    ("blk_cpu", f"guest kernel work without I/O or exits: {CPU_CMD.split(' 2>')[0]} (native: "
     "Linux on QEMU; ZVM: the Linux VM)", "ms"),
    ("blk_cpu_ratio", "guest kernel work without I/O, VM/native throughput: what running as a "
     "VM costs the guest's own code under QEMU with no hypervisor work at all (emulated "
     "two-stage translation); the guest's share of each disk request runs at this speed",
     "ratio"),
    ("blk_fork", f"guest process start-up without I/O: `{FORK_CMD}` (native: Linux on QEMU; "
     "ZVM: the Linux VM, its TLB invalidations kept on its CPU)", "ms"),
    ("blk_fork_ratio", "guest process start-up, VM/native time", "ratio"),
    ("blk_drv_write", f"disk sequential write, {MIB} MiB: ZVM's host driver alone (native "
     "column) and the Linux VM", "MiB/s"),
    ("blk_drv_read", f"disk sequential read, {MIB} MiB: ZVM's host driver alone (native "
     "column) and the Linux VM", "MiB/s"),
]
CONF = [f"benchblk kernel build/linux/Image {LINUX_CMDLINE}",
        "benchblk initrd build/linux/initramfs.cpio.gz"]
HOST_RE = re.compile(r"blk bench vda \w+: \d+ MiB in (\d+) us")
SHELL = "~ # "
_MARKS = itertools.count(1000)


def disk_args(out, name="blk"):
    img = os.path.join(out, f"{name}.img")
    with open(img, "wb") as f:
        f.truncate(4 * MIB << 20)
    return ["-global", "virtio-mmio.force-legacy=false", "-drive",
            f"if=none,file={img},format=raw,id=benchdisk", "-device",
            "virtio-blk-device,drive=benchdisk"]


def native_linux(run, img_args):
    """Debian's Linux on plain QEMU virt (no ZVM) with the same disk, at its shell."""
    q = run.Qemu(["-M", run.NATIVE_MACHINE, "-cpu", run.CPU, "-smp", "1", "-m", "256M",
                  "-nographic", "-kernel", os.path.join(run.BUILD, "linux", "Image"),
                  "-initrd", os.path.join(run.BUILD, "linux", "initramfs.cpio.gz"),
                  "-append", LINUX_CMDLINE, *img_args], "native-linux-blk", timeout=300)
    q.expect("ZVM-LINUX-INIT-OK", 300)
    q.expect(re.escape(SHELL), 60)
    return q


def host_mibs(zvm, op):
    out = zvm.run(f"kernel blk bench vda {op} 0 {MIB}", timeout=300)
    m = HOST_RE.search(out)
    if not m:
        raise RuntimeError(f"kernel blk bench: {out.strip()}")
    return MIB * 1e6 / int(m.group(1))


def timed(q, cmd, mark):
    """Seconds cmd takes in the Linux shell on q (an attached ZVM console or native QEMU), from
    /proc/uptime stamps around it. `zvm look` replays the console, so the run's stamps are the
    last ones before a marker the shell computes."""
    q.send(f"echo blk-t0-$(cat /proc/uptime); {cmd}; echo blk-t1-$(cat /proc/uptime); "
           f"echo blk-$(({mark} + 1))-end\r")
    q.expect(f"blk-{mark + 1}-end", 600)
    text = q.before()
    q.expect(re.escape(SHELL), 60)
    t0, t1 = (re.findall(rf"blk-{t}-(\d+\.\d+)", text) for t in ("t0", "t1"))
    if not t0 or not t1 or float(t1[-1]) <= float(t0[-1]):
        raise RuntimeError(f"timing: {text[-300:]}")
    return float(t1[-1]) - float(t0[-1])


def small_io(q):
    """(read latency in us, random read IOPS, random write IOPS) on q's /dev/vda."""
    lat = timed(q, f"dd bs=4096 count={LAT_N} iflag=direct if=/dev/vda of=/dev/null "
                   "2>/dev/null", next(_MARKS)) * 1e6 / LAT_N
    loop = ("i=0; while [ $i -lt {n} ]; do dd bs=4096 count=1 {arg}=$(( (RANDOM * 32768 + "
            "RANDOM) % {blocks} )) {io} 2>/dev/null; i=$((i + 1)); done")
    rd = RAND_N / timed(q, loop.format(n=RAND_N, arg="skip", blocks=BLOCKS,
                                       io="iflag=direct if=/dev/vda of=/dev/null"), next(_MARKS))
    wr = RAND_N / timed(q, loop.format(n=RAND_N, arg="seek", blocks=BLOCKS,
                                       io="oflag=direct conv=notrunc if=/dev/zero of=/dev/vda"),
                        next(_MARKS))
    return lat, rd, wr


def vm_mibs(zvm, op, mark):
    """busybox dd prints no rate and date has no %N: the shell stamps /proc/uptime (10 ms; the
    guest's clock is the host's without icount) around it (timed)."""
    flag = "iflag=direct if=/dev/vda of=/dev/null" if op == "read" else \
        "oflag=direct if=/dev/zero of=/dev/vda"
    return REPEAT * MIB / timed(zvm, f"for i in $(seq {REPEAT}); do dd bs=1048576 count={MIB} "
                                     f"{flag} 2>/dev/null; done", mark)


def el2_insns(zvm, between):
    """EL2 instructions CPU 0 runs while between() runs (`kernel insn`)."""
    zvm.run("kernel insn start")
    between()
    out = zvm.run("kernel insn stop")
    m = re.search(r"EL2 instructions on CPU 0: (\d+)", out)
    if not m:
        raise RuntimeError(f"kernel insn: {out.strip()}")
    return int(m.group(1))


def insn_rows(run, zargs1):
    """(driver, VM) host instructions per 64 KiB read: ZVM on one CPU under icount, so
    every EL2 instruction is counted and belongs to the disk path or to fixed costs that the
    empty windows (the same steps with no I/O) take out."""
    # sleep=on: an idle CPU waits for the disk in real time; with sleep=off the virtual clock
    # jumps to the next deadline, the driver's timeout. Instruction counts stay exact.
    zvm = run.ZvmHost(zargs1 + disk_args(run.OUT, "blk-insn") +
                      ["-icount", "shift=0,sleep=on"], 1, icount=False, name="zvm-blk-insn")
    try:
        idle = el2_insns(zvm, lambda: zvm.run("kernel uptime"))
        drv = el2_insns(zvm, lambda: host_mibs_n(zvm, INSN_MIB))
        drv = (drv - idle) / (INSN_MIB * 16)
        vm = zvm.new_vm(f"-t benchblk -c 1 -m 256 -n blk --disk vda@0+{MIB << 11}")
        zvm.start_and_look(vm)
        zvm.expect("ZVM-LINUX-INIT-OK", 600)
        zvm.expect(re.escape(SHELL), 120)

        def window(count):
            def run_dd():
                mark = next(_MARKS)
                zvm.look(vm)
                zvm.send(f"dd bs=65536 count={count} iflag=direct if=/dev/vda of=/dev/null "
                         f"2>/dev/null; echo blk-$(({mark} + 1))-end\r")
                zvm.expect(f"blk-{mark + 1}-end", 600)
                zvm.expect(re.escape(SHELL), 60)
                zvm.detach()
            reads0 = vm_reads(zvm, vm)
            n = el2_insns(zvm, run_dd)
            return n, vm_reads(zvm, vm) - reads0

        zvm.detach()
        empty, _ = window(0)
        full, reqs = window(INSN_N)
        if reqs < INSN_N:
            raise RuntimeError(f"{reqs} reads for {INSN_N} dd blocks")
        return drv, (full - empty) / reqs
    finally:
        zvm.close()


def host_mibs_n(zvm, mib):
    out = zvm.run(f"kernel blk bench vda read 0 {mib}", timeout=600)
    if not HOST_RE.search(out):
        raise RuntimeError(f"kernel blk bench: {out.strip()}")


def vm_reads(zvm, vm):
    m = re.search(r"disk: vda sectors \d+-\d+, reads (\d+)", zvm.run(f"zvm info -n {vm}"))
    if not m:
        raise RuntimeError("zvm info: no disk line")
    return int(m.group(1))


def measure(run, res, notes, section, zargs, zargs1=None):
    for name, _, _ in ROWS:
        res.setdefault(name, {"native": None, "zvm": None, "xen": None})

    def body():
        run.log(f"disk throughput: native Linux, ZVM's driver and a Linux VM, {RUNS} "
                f"alternating runs of {REPEAT} x {MIB} MiB each, no icount")
        nat = native_linux(run, disk_args(run.OUT, "blk-native"))  # an image each: QEMU locks
        zvm = run.ZvmHost(zargs + disk_args(run.OUT), 3, icount=False, name="zvm-blk")
        try:
            vm = zvm.new_vm(f"-t benchblk -c 1 -p 1 -m 256 -n blk --disk vda@{2 * MIB << 11}+"
                            f"{MIB << 11}")
            zvm.start_and_look(vm)
            zvm.expect("ZVM-LINUX-INIT-OK", 300)
            zvm.expect(re.escape(SHELL), 60)
            raw = {}
            # One unmeasured write on each side first: the images are new and sparse, and the
            # VM's first pass came out 30% slower than its next ones every time (native's did
            # not), which a median of three then picked up whenever another run was noisy.
            vm_mibs(nat, "write", next(_MARKS))
            vm_mibs(zvm, "write", next(_MARKS))
            for op in ("write", "read"):
                linux, host, guest = [], [], []
                for _ in range(RUNS):
                    linux.append(vm_mibs(nat, op, next(_MARKS)))
                    zvm.detach()
                    host.append(host_mibs(zvm, op))
                    zvm.look(vm)
                    guest.append(vm_mibs(zvm, op, next(_MARKS)))
                raw[op] = (linux, host, guest)
            small = {"native": [], "zvm": []}
            for _ in range(RUNS):
                small["native"].append(small_io(nat))
                small["zvm"].append(small_io(zvm))
            cpu = {"native": [], "zvm": []}
            fork = {"native": [], "zvm": []}
            for _ in range(RUNS):
                for col, q in (("native", nat), ("zvm", zvm)):
                    cpu[col].append(timed(q, CPU_CMD, next(_MARKS)))
                    fork[col].append(timed(q, FORK_CMD, next(_MARKS)))
            zvm.detach()
        finally:
            zvm.close()
            nat.close()
        for col, runs in small.items():
            lat, rd, wr = (statistics.median(x) for x in zip(*runs))
            res["blk_lat"][col] = round(lat, 1)
            res["blk_rand_read"][col] = round(rd, 1)
            res["blk_rand_write"][col] = round(wr, 1)
        for col, runs in cpu.items():
            res["blk_cpu"][col] = round(statistics.median(runs) * 1000)
            res["blk_fork"][col] = round(statistics.median(fork[col]) * 1000)
        res["blk_fork_ratio"]["native"] = 1.0
        res["blk_fork_ratio"]["zvm"] = run.ratio(res["blk_fork"]["zvm"], res["blk_fork"]["native"])
        res["blk_cpu_ratio"]["native"] = 1.0
        res["blk_cpu_ratio"]["zvm"] = run.ratio(res["blk_cpu"]["native"], res["blk_cpu"]["zvm"])
        res["blk_lat_ratio"]["native"] = res["blk_rand_ratio"]["native"] = 1.0
        res["blk_lat_ratio"]["zvm"] = run.ratio(res["blk_lat"]["zvm"], res["blk_lat"]["native"])
        res["blk_rand_ratio"]["zvm"] = run.ratio(
            res["blk_rand_read"]["zvm"] / res["blk_rand_read"]["native"] +
            res["blk_rand_write"]["zvm"] / res["blk_rand_write"]["native"], 2)
        for op, (linux, host, guest) in raw.items():
            lin, drv, vm = (statistics.median(x) for x in (linux, host, guest))
            res[f"blk_{op}"]["native"] = round(lin, 1)
            res[f"blk_{op}"]["zvm"] = round(vm, 1)
            res[f"blk_{op}_ratio"]["native"] = 1.0
            res[f"blk_{op}_ratio"]["zvm"] = run.ratio(vm, lin)
            res[f"blk_drv_{op}"]["native"] = round(drv, 1)
            res[f"blk_drv_{op}"]["zvm"] = round(vm, 1)
        if zargs1:
            drv, vm = insn_rows(run, zargs1)
            res["blk_insn"]["native"] = round(drv)
            res["blk_insn"]["zvm"] = round(vm)
            res["blk_insn_ratio"]["native"] = 1.0
            res["blk_insn_ratio"]["zvm"] = run.ratio(vm, drv)
        notes.append("disk rows: wall time, medians of runs alternating native Linux, ZVM's "
                     "driver and the VM; native Linux = the same kernel and dd on plain QEMU "
                     "virt's virtio-blk; driver = `kernel blk bench` in the same ZVM (64 KiB "
                     "requests through its bounce buffer); VM = dd bs=1M O_DIRECT through "
                     "virtio-blk, the host I/O scheduler and the driver (guest buffers sent "
                     "without a copy): " + "; ".join(
                         f"{op} native {', '.join(f'{x:.0f}' for x in a)}, driver "
                         f"{', '.join(f'{x:.0f}' for x in h)}, VM "
                         f"{', '.join(f'{x:.0f}' for x in g)} MiB/s"
                         for op, (a, h, g) in raw.items()))

    section("ZVM disk", body)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run as bench  # noqa: E402  (bench/run.py: Qemu, ZvmHost, board_args)

    bench.snapshot_zvm()
    zargs = bench.board_args(CONF, 3, "zvm-blk")
    zargs1 = bench.board_args(CONF, 1, "zvm-blk-insn")
    bench.run_alone(lambda res, notes, section: measure(bench, res, notes, section, zargs,
                                                        zargs1), ROWS)
