"""make bench rows for guest disks (bench/run.py imports this): sequential read and write
throughput of a Linux VM on its virtio-blk disk (busybox dd, 1 MiB blocks, O_DIRECT) next to
the host driver alone on the same QEMU disk in the same ZVM run (`kernel blk bench`, 64 KiB
requests, the driver's largest), and the ratio VM/host (target 0.8). Wall time, no icount:
the figures move with the machine's load, the ratio less (runs alternate, medians)."""
import itertools
import os
import re
import statistics

MIB = 32  # per run (the guest's clock has 10 ms steps)
RUNS = 3
# "native" column: the host driver alone; ZVM column: the Linux VM.
ROWS = [
    ("blk_write", f"disk sequential write, {MIB} MiB (native: host driver alone; ZVM: Linux VM)",
     "MiB/s"),
    ("blk_write_ratio", "disk write throughput, VM/host driver (target 0.8)", "ratio"),
    ("blk_read", f"disk sequential read, {MIB} MiB (native: host driver alone; ZVM: Linux VM)",
     "MiB/s"),
    ("blk_read_ratio", "disk read throughput, VM/host driver (target 0.8)", "ratio"),
]
CONF = ["benchblk kernel build/linux/Image console=ttyAMA0 earlycon rdinit=/init",
        "benchblk initrd build/linux/initramfs.cpio.gz"]
HOST_RE = re.compile(r"blk bench vda \w+: \d+ MiB in (\d+) us")
SHELL = "~ # "
_MARKS = itertools.count(1000)


def disk_args(out):
    img = os.path.join(out, "blk.img")
    with open(img, "wb") as f:
        f.truncate(4 * MIB << 20)
    return ["-global", "virtio-mmio.force-legacy=false", "-drive",
            f"if=none,file={img},format=raw,id=benchdisk", "-device",
            "virtio-blk-device,drive=benchdisk"]


def host_mibs(zvm, op):
    out = zvm.run(f"kernel blk bench vda {op} 0 {MIB}", timeout=300)
    m = HOST_RE.search(out)
    if not m:
        raise RuntimeError(f"kernel blk bench: {out.strip()}")
    return MIB * 1e6 / int(m.group(1))


def vm_mibs(zvm, op, mark):
    """busybox dd prints no rate and date has no %N: the shell stamps /proc/uptime (10 ms; the
    guest's clock is the host's without icount) around it. `zvm look` replays the console, so
    the run's stamps are the last ones before a marker the shell computes."""
    flag = "iflag=direct if=/dev/vda of=/dev/null" if op == "read" else \
        "oflag=direct if=/dev/zero of=/dev/vda"
    zvm.send(f"echo blk-t0-$(cat /proc/uptime); dd bs=1048576 count={MIB} {flag} 2>/dev/null;"
             f" echo blk-t1-$(cat /proc/uptime); echo blk-$(({mark} + 1))-end\r")
    zvm.expect(f"blk-{mark + 1}-end", 300)
    text = zvm.before()
    zvm.expect(re.escape(SHELL), 60)
    t0, t1 = (re.findall(rf"blk-{t}-(\d+\.\d+)", text) for t in ("t0", "t1"))
    if not t0 or not t1 or float(t1[-1]) <= float(t0[-1]):
        raise RuntimeError(f"dd timing: {text[-300:]}")
    return MIB / (float(t1[-1]) - float(t0[-1]))


def measure(run, res, notes, section, zargs):
    def body():
        run.log(f"zvm: disk throughput, {RUNS} alternating runs of {MIB} MiB, no icount")
        zvm = run.ZvmHost(zargs + disk_args(run.OUT), 3, icount=False, name="zvm-blk")
        try:
            vm = zvm.new_vm(f"-t benchblk -c 1 -m 256 -n blk --disk vda@{2 * MIB << 11}+"
                            f"{MIB << 11}")
            zvm.start_and_look(vm)
            zvm.expect("ZVM-LINUX-INIT-OK", 300)
            zvm.expect(re.escape(SHELL), 60)
            got, raw = {}, {}
            for op in ("write", "read"):
                host, guest = [], []
                for _ in range(RUNS):
                    zvm.detach()
                    host.append(host_mibs(zvm, op))
                    zvm.look(vm)
                    guest.append(vm_mibs(zvm, op, next(_MARKS)))
                got[op] = (statistics.median(host), statistics.median(guest))
                raw[op] = (host, guest)
            zvm.detach()
        finally:
            zvm.close()
        for op, (host, guest) in got.items():
            res[f"blk_{op}"]["native"] = round(host, 1)
            res[f"blk_{op}"]["zvm"] = round(guest, 1)
            res[f"blk_{op}_ratio"]["native"] = 1.0
            res[f"blk_{op}_ratio"]["zvm"] = run.ratio(guest, host)
        notes.append("disk rows: wall time, medians of runs alternating host and VM; native = "
                     "`kernel blk bench` in the same ZVM (64 KiB requests through the driver's "
                     "bounce buffer), ZVM = Linux dd bs=1M O_DIRECT through virtio-blk, the host "
                     "I/O scheduler and the same driver: " + "; ".join(
                         f"{op} host {', '.join(f'{x:.0f}' for x in h)} VM "
                         f"{', '.join(f'{x:.0f}' for x in g)} MiB/s" for op, (h, g) in raw.items()))

    section("ZVM disk", body)
