#!/usr/bin/env python3
"""make bench: virtualization costs of ZVM, side by side with native QEMU and Xen 4.17.

Every count is in instructions executed, under QEMU -icount shift=0,sleep=off (one instruction
= one nanosecond of virtual time): the same on every run. The benchmark guest (bench/bench.c,
build/bench/bench.bin) runs unchanged natively at EL1, as a ZVM VM and as a Xen dom0less domU;
the Linux boot (Debian's kernel and the ZVM Linux guest's initramfs, plus a counter marker at
kernel entry and at /init) runs natively and as a ZVM VM. See bench/README.md.

Writes build/bench/results.json (a list of {name, unit, native, zvm, xen}; null where a column
does not apply) and build/bench/results.txt (the table), logs in build/bench/logs/.
"""
import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
OUT = os.path.join(BUILD, "bench")
LOGS = os.path.join(OUT, "logs")
QEMU = "qemu-system-aarch64"
CPU = "cortex-a57"
ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm"]
NATIVE_MACHINE = "virt,gic-version=3,dtb-randomness=off"
HYP_MACHINE = "virt,virtualization=on,gic-version=3,dtb-randomness=off"
PROMPT = "zvm_host:~# "
XEN = os.path.join(OUT, "xen", "root", "boot", "xen-4.17-arm64")
INSNS_PER_TICK = 16  # CNTVCT_EL0 at 62.5 MHz, one instruction per ns under shift=0
CNT_HZ = 62500000
LINUX_BOOTARGS = "console=ttyAMA0 earlycon rdinit=/init"
LINUX_MEM_MB = 512
SHIM_LINUX_OFFSET = 0x180000  # bench/linux_shim.S: Linux starts 2 MiB into RAM
GUEST_BASE = 0x50000000  # where the Xen modules go (above Xen's DTB at 0x48000000 with 2G)

# The table: (name, label, unit); the guest prints BENCH <name> lines for the micro-benchmarks.
INSNS = "instructions"
ROWS = [
    ("hvc_smccc_version", "hypercall round trip (SMCCC_VERSION, hvc)", INSNS),
    ("hvc_psci_version", "PSCI_VERSION round trip (hvc)", INSNS),
    ("mmio_gicd_read", "emulated MMIO read (GICD_TYPER)", INSNS),
    ("mmio_gicd_write", "emulated MMIO write (GICD_IPRIORITYR)", INSNS),
    ("sgi_self", "virtual IPI to self: SGI write to handler", INSNS),
    ("sgi_other_spin", "virtual IPI to another vCPU (spinning)", INSNS),
    ("sgi_other_wfi", "virtual IPI to another vCPU (in WFI)", INSNS),
    ("vtimer_spin", "virtual timer: expiry to handler (spinning)", INSNS),
    ("vtimer_wfi", "virtual timer: expiry to handler (in WFI)", INSNS),
    ("ptimer_spin", "EL1 physical timer (emulated): expiry to handler (spinning)", INSNS),
    ("ptimer_wfi", "EL1 physical timer (emulated): expiry to handler (in WFI)", INSNS),
    ("irq_ack_eoi", "IRQ acknowledge + EOI inside the guest", INSNS),
    ("vcpu_switch", "vCPU switch between two VMs on one pCPU", INSNS),
    ("vcpu_switch_budget", "same, both VMs with a CPU budget (--budget 90/100)", INSNS),
    ("linux_boot", "Linux: kernel entry to /init marker", INSNS),
    ("linux_boot_ratio", "Linux boot to /init, ZVM/native (icount)", "ratio"),
    ("linux_boot_wall", "Linux boot to /init, wall-time median", "ms"),
    ("linux_boot_wall_ratio", "Linux boot to /init, ZVM/native (wall)", "ratio"),
]
MICRO = [r[0] for r in ROWS[:12]]
# The same micro-benchmarks with each vCPU alone on its pinned pCPU (WFI/WFE not trapped,
# docs/scheduling.md "Dedicated CPUs"); the rows above are run with the pCPUs shared. Bao's
# figures under the same QEMU with our bench guest are the anchor (issue 8).
DEDICATED = ["hvc_smccc_version", "mmio_gicd_read", "mmio_gicd_write", "sgi_self",
             "sgi_other_wfi", "vtimer_spin", "vtimer_wfi"]
BAO = {"hvc_smccc_version": 150, "mmio_gicd_read": 225, "mmio_gicd_write": 691, "sgi_self": 775,
       "vtimer_spin": 200, "vtimer_wfi": 200}
_labels = {r[0]: r[1] for r in ROWS}
ROWS[12:12] = [(f"{k}_dedicated", f"{_labels[k]}, dedicated pCPU", INSNS) for k in DEDICATED]
# The compression pool (zvm/mem): `zpool bench` at EL2 inside ZVM prints, per 4 KiB page,
# liblzo2 called bare (the "native" column: the same library call on the same CPU, no code of
# ours around it) and the whole pool path (ZVM column): zpool_store = zero check, LZO1X-1,
# checksum, allocation, copy; zpool_load = checksum, lzo1x_decompress_safe, length check. A
# random page is not kept (it stays resident), so its decompression row is the codec alone.
LZO_PAGES = ("zero", "text", "random")
ROWS += [(f"lzo_compress_{p}", f"LZO1X-1 compress, 4 KiB {p} page (liblzo2 | zpool_store)",
          INSNS) for p in LZO_PAGES]
ROWS += [(f"lzo_decompress_{p}", f"LZO1X-1 decompress, 4 KiB {p} page (liblzo2 | "
          f"{'lzo_page_decompress' if p == 'random' else 'zpool_load'})", INSNS)
         for p in LZO_PAGES]
ROWS += [("lzo_compress_text_ratio", "LZO compress of a text page, pool/bare liblzo2", "ratio"),
         ("lzo_decompress_text_ratio", "LZO decompress of a text page, pool/bare liblzo2",
          "ratio")]
ZPOOL_BENCH_RE = re.compile(r"^ZPOOL-BENCH (\w+) bare (\d+) codec (\d+) pool (\d+|-)", re.M)


def zvm_lzo(zvm):
    """`zpool bench` on a ZVM with no VM: {name: (bare, codec, pool or None)}."""
    log("zvm: LZO page codec and pool at EL2 (zpool bench)")
    out = zvm.run("zpool bench", 600)
    rows = {m.group(1): (int(m.group(2)), int(m.group(3)),
                         None if m.group(4) == "-" else int(m.group(4)))
            for m in ZPOOL_BENCH_RE.finditer(out)}
    if len(rows) != 2 * len(LZO_PAGES) or "FAILED" in out:
        raise RuntimeError(f"zpool bench: {out.strip()}")
    return rows


def log(msg):
    print(f"bench: {msg}", flush=True)


# ------------------------------------------------------------------------------- QEMU sessions

class Qemu:
    """One QEMU under pexpect; the console goes to a log file as well."""

    def __init__(self, args, name, timeout=120):
        os.makedirs(LOGS, exist_ok=True)
        self.logfile = open(os.path.join(LOGS, name + ".log"), "w", encoding="utf-8")
        self.logfile.write(" ".join([QEMU] + args) + "\n")
        self.child = pexpect.spawn(QEMU, args, encoding="utf-8", codec_errors="replace",
                                   timeout=timeout, echo=False, maxread=65536,
                                   searchwindowsize=65536, cwd=ROOT)
        self.child.logfile_read = self.logfile

    def expect(self, pattern, timeout=None):
        self.child.expect(pattern, timeout=timeout)
        return self.child.match

    def send(self, text):
        self.child.send(text)

    def before(self):
        return self.child.before.replace("\r", "")

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close()
        self.logfile.close()


ZVM_BIN = os.path.join(OUT, "zvm.bin")  # snapshot_zvm(): one ZVM for a whole run


def snapshot_zvm():
    """Copies build/zvm.bin (and zvm.elf, for bench/trace.py) into build/bench: a rebuild in the
    tree while the benchmark runs must not mix two ZVMs into one table."""
    os.makedirs(OUT, exist_ok=True)  # a fresh tree has no build/bench yet
    for f in ("zvm.bin", "zvm.elf"):
        shutil.copyfile(os.path.join(BUILD, f), os.path.join(OUT, f + ".tmp"))
        os.replace(os.path.join(OUT, f + ".tmp"), os.path.join(OUT, f))


class ZvmHost(Qemu):
    """ZVM (the snapshot in build/bench) booted with the bench guest types and its shell."""

    def __init__(self, board_args, smp, icount=True, name="zvm"):
        if not os.path.exists(ZVM_BIN):
            snapshot_zvm()
        args = ["-M", HYP_MACHINE, "-cpu", CPU, "-smp", str(smp), "-m", "2G", "-nographic",
                "-kernel", ZVM_BIN, *board_args]
        super().__init__(args + (ICOUNT if icount else []), name)
        self.wait_prompt(60)

    def wait_prompt(self, timeout=60):
        self.child.expect_exact(PROMPT, timeout=timeout)
        return self.before()

    def run(self, line, timeout=60):
        self.send(line + "\r")
        return self.wait_prompt(timeout)

    def new_vm(self, args):
        out = self.run(f"zvm new {args}")
        m = re.search(r"vm (\d+) created", out)
        if not m:
            raise RuntimeError(f"zvm new {args}: {out.strip()}")
        return int(m.group(1))

    def start_and_look(self, vm):
        """`zvm run`, then attach at once (both typed together, so no output is missed)."""
        self.send(f"zvm run -n {vm}\rzvm look {vm}\r")
        self.expect(r"\[attached to vm \d+[^\n]*\n", 60)

    def look(self, vm):
        self.send(f"zvm look {vm}\r")
        self.expect(r"\[attached to vm \d+[^\n]*\n", 60)

    def detach(self):
        self.send("\x18")
        self.wait_prompt()

    def delete(self, vm):
        self.run(f"zvm delete -n {vm}")


def board_args(config_lines, smp, name, vms=None):
    """scripts/board-dtb.py with our own guest config, into build/bench/board/NAME (never the
    shared build/board/ of make run and the tests); vms: a .dtsi for the board's /chosen."""
    os.makedirs(OUT, exist_ok=True)
    conf = os.path.join(OUT, f"guests-{name}.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("# Generated by bench/run.py: the bench guest types.\n")
        f.write("\n".join(config_lines) + "\n")
    out = os.path.join(OUT, "board", name)
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "board-dtb.py"), "--qemu", QEMU,
                    "--machine", HYP_MACHINE, "--cpu", CPU, "--smp", str(smp), "--mem", "2G",
                    "--config", conf, "--out", out, *(["--vms", vms] if vms else [])],
                   check=True, cwd=ROOT)
    with open(os.path.join(out, "qemu.args"), encoding="utf-8") as f:
        return [a for a in f.read().splitlines() if a]


# ------------------------------------------------------------------------------- parsing

BENCH_RE = re.compile(r"BENCH (\w+) (-?\d+) instructions")
RUN_RE = re.compile(r"BENCHRUN (\d+) (\d+) (\d+)")


def parse_bench(text):
    clock = re.search(r"BENCH clock (\w+)(.*)", text)
    vals = {m.group(1): int(m.group(2)) for m in BENCH_RE.finditer(text)}
    return vals, (clock.group(1) + clock.group(2)).strip() if clock else "?"


def parse_runs(text):
    clock = re.search(r"BENCH clock (\w+)", text)
    scale = INSNS_PER_TICK if clock and clock.group(1) == "cntvct" else 1
    return [(int(m.group(2)) * scale, int(m.group(3)) * scale) for m in RUN_RE.finditer(text)]


def switch_cost(runs_a, runs_b):
    """Two VMs alternate on one CPU; each records its runs {first, last counter read}. Returns
    (instructions per switch, the values it is the median of).

    On one timeline (ZVM: both VMs read the same PMCCNTR_EL0), a run of B inside a gap of A
    gives both switches directly: B's first read - A's last, A's next first read - B's last.
    Otherwise (a Xen domain has its own CNTVOFF) each gap of A minus the run of B it holds is
    two switches; the runs are paired by order: of the alignments whose pairs are all positive,
    the one with the most pairs that agree best (the slices are alike, so any consistent
    alignment gives the same answer)."""
    direct = []
    a, b = runs_a, runs_b
    for i in range(1, len(a) - 1):  # A's first run started before B was there
        inside = [r for r in b if a[i][1] < r[0] and r[1] < a[i + 1][0]]
        if len(inside) == 1:
            direct += [inside[0][0] - a[i][1], a[i + 1][0] - inside[0][1]]
    if len(direct) >= 6:
        return statistics.median_low(direct), direct
    best = None
    for a, b in ((runs_a, runs_b), (runs_b, runs_a)):
        gaps = [a[i + 1][0] - a[i][1] for i in range(len(a) - 1)]
        lens = [r[1] - r[0] for r in b]
        for shift in range(-len(lens), len(gaps)):
            pairs = [gaps[i] - lens[i - shift] for i in range(1, len(gaps))
                     if 1 <= i - shift < len(lens)]
            if len(pairs) < 3 or min(pairs) <= 0:
                continue
            med = statistics.median(pairs)
            spread = statistics.median(abs(p - med) for p in pairs)
            key = (-len(pairs), spread, med)  # the most pairs, then the best agreement
            if best is None or key < best[0]:
                best = (key, pairs)
    if best is None:
        return None, []
    return int(round(best[0][2] / 2)), best[1]


# ------------------------------------------------------------------------------- guests

def guest_bootargs(samples, nr_runs):
    return (f"zvmtest=bench benchn={samples}", f"zvmtest=benchswitch benchruns={nr_runs}")


def native_bench(samples):
    log("native: benchmark guest at EL1 (QEMU without EL2, -smp 2)")
    q = Qemu(["-M", NATIVE_MACHINE, "-cpu", CPU, "-smp", "2", "-m", "512M", "-nographic",
              "-kernel", os.path.join(OUT, "bench.bin"), "-append",
              guest_bootargs(samples, 0)[0], *ICOUNT], "native-bench")
    try:
        q.expect(r"ZVMTEST DONE", 300)
        return parse_bench(q.before())
    finally:
        q.close()


def zvm_micro(zvm, samples, dedicated=False):
    """The guest's vCPUs on pCPUs 1 and 2: shared with a second (idle, never started) VM's
    vCPUs, so WFI traps as on any shared CPU, or dedicated (each alone on its pCPU)."""
    log(f"zvm: benchmark guest, 2 vCPUs on pCPUs 1 and 2, {'dedicated' if dedicated else 'shared'}")
    other = None if dedicated else zvm.new_vm("-t bench -c 2 -m 64 -p 1,2 -n sharer")
    vm = zvm.new_vm("-t bench -c 2 -m 64 -p 1,2 -n bench")
    zvm.start_and_look(vm)
    zvm.expect(r"ZVMTEST DONE", 300)
    text = zvm.before()
    zvm.detach()
    zvm.delete(vm)
    if other is not None:
        zvm.delete(other)
    return parse_bench(text)


def zvm_switch(zvm, opts=""):
    log(f"zvm: vCPU switch, two VMs spinning on pCPU 1 {opts}")
    vms = [zvm.new_vm(f"-t benchswitch -c 1 -m 32 -p 1 -n switch{i} {opts}") for i in range(2)]
    for vm in vms:
        zvm.run(f"zvm run -n {vm}")
    runs = []
    for vm in vms:
        zvm.look(vm)
        zvm.expect(r"ZVMTEST DONE", 300)
        runs.append(parse_runs(zvm.before()))
        zvm.detach()
    for vm in vms:
        zvm.delete(vm)
    return switch_cost(*runs)


def linux_ticks(text):
    """The counter ticks from kernel entry to /init in a console text."""
    entry = re.search(r"BENCH-LINUX-ENTRY cntvct=(\d+)\r*\n", text)
    init = re.search(r"BENCH-LINUX-INIT cntvct=(\d+)\r*\n", text)
    if not entry or not init:
        raise RuntimeError("Linux: the entry or /init marker is missing")
    return int(init.group(1)) - int(entry.group(1))


# QEMU virt nodes a ZVM guest does not get (its DT: memory, cpus, psci, GICv3 without ITS,
# timer, one PL011, chosen). Natively Linux would probe them too (PCIe, 32 virtio-mmio slots...),
# which is work the ZVM guest never does: they go from the native DTB.
NOT_IN_ZVM_GUEST = ("platform-bus", "fw-cfg", "virtio_mmio", "gpio-keys", "pl061", "pcie",
                    "pl031", "pmu", "flash")


def native_linux_dtb():
    """QEMU's own DTB for the native Linux runs, less what a ZVM guest does not have. (The
    whole dumped DTB is only kept for reference: passed back with -dtb, Linux hangs early.)"""
    d = os.path.join(OUT, "linux")
    full, trimmed = os.path.join(d, "qemu-virt.dtb"), os.path.join(d, "native.dtb")
    subprocess.run([QEMU, "-M", NATIVE_MACHINE, "-cpu", CPU, "-smp", "1", "-m",
                    f"{LINUX_MEM_MB}M", "-nographic", "-machine", "dumpdtb=" + full],
                   check=True, capture_output=True)
    with open(full, "rb") as f:
        data = f.read()
    with open(trimmed, "wb") as f:
        f.write(data)
    nodes = subprocess.run(["fdtget", "-l", trimmed, "/"], check=True, capture_output=True,
                           text=True).stdout.split()
    for n in nodes:
        if n.split("@")[0] in NOT_IN_ZVM_GUEST:
            subprocess.run(["fdtput", "-r", trimmed, "/" + n], check=True)
    for n in subprocess.run(["fdtget", "-l", trimmed, "/"], check=True, capture_output=True,
                            text=True).stdout.split():
        if n.startswith("intc@"):
            for c in subprocess.run(["fdtget", "-l", trimmed, "/" + n], check=True,
                                    capture_output=True, text=True).stdout.split():
                if c.startswith("its@"):  # the ZVM guest's GICv3 has no ITS
                    subprocess.run(["fdtput", "-r", trimmed, f"/{n}/{c}"], check=True)
    return full, trimmed


def native_linux(icount, run, dtb):
    q = Qemu(["-M", NATIVE_MACHINE, "-cpu", CPU, "-smp", "1", "-m", f"{LINUX_MEM_MB}M",
              "-nographic", "-kernel", os.path.join(OUT, "linux", "Image"),
              "-initrd", os.path.join(OUT, "linux", "initramfs.cpio.gz"),
              "-append", LINUX_BOOTARGS, *(["-dtb", dtb] if dtb else []),
              *(ICOUNT if icount else [])],
             f"native-linux-{'icount' if icount else 'wall'}-{run}")
    try:
        q.expect(pexpect.EOF, 300)  # /init powers off
        return linux_ticks(q.before())
    finally:
        q.close()


def zvm_linux(zvm, opts=""):
    """Nothing is typed while the guest boots: the host's own work (the shell, forwarding the
    console of an attached VM) would land in the count at times set by the wall clock. The
    console ring (16 KiB) still holds the whole boot when the VM has powered off."""
    vm = zvm.new_vm(f"-t benchlinux -c 1 -m {LINUX_MEM_MB} -p 1 -n linux {opts}".rstrip())
    zvm.run(f"zvm run -n {vm}")
    zvm.expect(rf"zvm: vm{vm} \(linux\) powered off", 300)
    zvm.look(vm)
    zvm.send("\x18")
    zvm.expect(r"\[detached from vm", 60)
    text = zvm.before()
    zvm.wait_prompt()
    zvm.delete(vm)
    return linux_ticks(text)


# ------------------------------------------------------------------------------- Xen

def xen_dtb(name, domains):
    """QEMU's DTB plus /chosen for Xen: its console, and one dom0less domU per (file, addr,
    bootargs). No dom0."""
    d = os.path.join(OUT, "xen")
    base = os.path.join(d, "qemu.dtb")
    subprocess.run([QEMU, "-M", HYP_MACHINE, "-cpu", CPU, "-smp", "1", "-m", "2G",
                    "-nographic", "-machine", "dumpdtb=" + base], check=True,
                   capture_output=True)
    lines = ["/dts-v1/;", "/plugin/;", "&{/chosen} {", "\t#address-cells = <2>;",
             "\t#size-cells = <2>;",
             '\txen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";']
    for i, (path, addr, args) in enumerate(domains, 1):
        size = os.path.getsize(path)
        lines += [f"\tdomU{i} {{", '\t\tcompatible = "xen,domain";', "\t\t#address-cells = <2>;",
                  "\t\t#size-cells = <2>;", "\t\tmemory = <0 0x10000>;", "\t\tcpus = <1>;",
                  "\t\tvpl011;", f"\t\tmodule@{addr:x} {{",
                  '\t\t\tcompatible = "multiboot,kernel", "multiboot,module";',
                  f"\t\t\treg = <0 {addr:#x} 0 {size:#x}>;", f'\t\t\tbootargs = "{args}";',
                  "\t\t};", "\t};"]
    lines += ["};", ""]
    dtso = os.path.join(d, name + ".dtso")
    with open(dtso, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    dtbo, dtb = dtso[:-5] + ".dtbo", dtso[:-5] + ".dtb"
    subprocess.run(["dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", dtbo, dtso], check=True)
    subprocess.run(["fdtoverlay", "-i", base, "-o", dtb, dtbo], check=True)
    loads = []
    for path, addr, _ in domains:
        loads += ["-device", f"loader,file={path},addr={addr:#x},force-raw=on"]
    return ["-dtb", dtb, *loads]


def xen_run(name, domains, done_count, done=r"DOM\d+: ZVMTEST DONE", timeout=600):
    """Xen with one CPU (with -smp 2 it hangs under -icount); returns the domUs' output by
    domain number. The machine does not power off: QEMU is stopped after done_count lines
    matching `done`."""
    args = ["-M", HYP_MACHINE, "-cpu", CPU, "-smp", "1", "-m", "2G", "-nographic",
            "-kernel", XEN, *xen_dtb(name, domains), *ICOUNT]
    q = Qemu(args, name)
    try:
        for _ in range(done_count):
            q.expect(done, timeout)
        text = open(q.logfile.name, encoding="utf-8", errors="replace").read()
    finally:
        q.close()
    text = text.replace("\r", "")
    out = {}
    for m in re.finditer(r"^\(XEN\) DOM(\d+): (.*)$", text, re.M):
        out.setdefault(int(m.group(1)), []).append(m.group(2))
    return {k: "\n".join(v) for k, v in out.items()}


def xen_micro(samples):
    log("xen: benchmark guest as a dom0less domU (1 pCPU)")
    bench = os.path.join(OUT, "bench.bin")
    out = xen_run("xen-bench", [(bench, GUEST_BASE, guest_bootargs(samples, 0)[0])], 1)
    return parse_bench(out.get(1, ""))


def xen_switch(nr_runs):
    log("xen: vCPU switch, two domUs spinning on the one pCPU")
    bench = os.path.join(OUT, "bench.bin")
    args = guest_bootargs(0, nr_runs)[1]
    out = xen_run("xen-switch", [(bench, GUEST_BASE, args), (bench, GUEST_BASE + (2 << 20), args)],
                  2)
    return switch_cost(parse_runs(out.get(1, "")), parse_runs(out.get(2, "")))


# ------------------------------------------------------------------------------- Linux images

def cpio_entries(data):
    """The entries of a newc archive: (name, mode, rdev major, rdev minor, body)."""
    out, p = [], 0
    while True:
        h = data[p:p + 110]
        if h[:6] != b"070701":
            raise ValueError("initramfs: not a newc cpio archive")
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        name = data[p + 110:p + 110 + f[11] - 1].decode()
        p = (p + 110 + f[11] + 3) & ~3
        body = data[p:p + f[6]]
        p = (p + f[6] + 3) & ~3
        if name == "TRAILER!!!":
            return out
        out.append((name, f[1], f[9], f[10], body))


def cpio_write(entries):
    o = bytearray()
    for ino, (name, mode, rmaj, rmin, body) in enumerate(entries + [("TRAILER!!!", 0, 0, 0, b"")],
                                                       1):
        n = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(body), 0, 0, rmaj, rmin, len(n), 0]
        o += b"070701" + b"".join(b"%08X" % v for v in fields) + n
        o += b"\0" * (-len(o) % 4) + body
        o += b"\0" * (-len(o) % 4)
    return bytes(o)


BENCH_INIT = b"""#!/bin/sh
# bench: the first thing /init does is print the virtual counter, then it powers off (QEMU
# exits; ZVM says "vmN powered off"). /init.orig is the Linux guest's own /init.
/bin/cntvct
exec /bin/busybox poweroff -f
"""


def prepare_linux():
    """build/bench/linux/Image: the entry-marker shim with Debian's Image behind it;
    initramfs.cpio.gz: the Linux guest's, with /init printing the counter first (and a
    /dev/console node, so /init has its console from the start)."""
    d = os.path.join(OUT, "linux")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(BUILD, "linux", "Image"), "rb") as f:
        image = f.read()
    with open(os.path.join(OUT, "linux-shim.bin"), "rb") as f:
        shim = f.read()
    if len(shim) > SHIM_LINUX_OFFSET or image[56:60] != b"ARM\x64":
        raise RuntimeError("linux: bad shim or Image")
    comp = bytearray(shim + b"\0" * (SHIM_LINUX_OFFSET - len(shim)) + image)
    struct.pack_into("<Q", comp, 16, SHIM_LINUX_OFFSET + struct.unpack_from("<Q", image, 16)[0])
    with open(os.path.join(d, "Image"), "wb") as f:
        f.write(comp)

    with open(os.path.join(BUILD, "linux", "initramfs.cpio.gz"), "rb") as f:
        entries = cpio_entries(gzip.decompress(f.read()))
    with open(os.path.join(OUT, "cntvct"), "rb") as f:
        cntvct = f.read()
    out = []
    for name, mode, rmaj, rmin, body in entries:
        if name == "init":
            out.append(("init.orig", mode, 0, 0, body))
            out.append(("init", 0o100755, 0, 0, BENCH_INIT))
        else:
            out.append((name, mode, rmaj, rmin, body))
    out.append(("bin/cntvct", 0o100755, 0, 0, cntvct))
    if not any(e[0] == "dev" for e in out):
        out.append(("dev", 0o40755, 0, 0, b""))
    out.append(("dev/console", 0o20600, 5, 1, b""))
    with open(os.path.join(d, "initramfs.cpio.gz"), "wb") as f:
        f.write(gzip.compress(cpio_write(out), mtime=0))


# ------------------------------------------------------------------------------- main

def run_alone(measure, rows):
    """`python3 bench/X.py`: one module's rows alone, printed (its measure(res, notes,
    section) fills res; a failing section raises here)."""
    results, notes = {}, []
    measure(results, notes, lambda name, fn: fn())
    for name, label, unit in rows:
        print(f"{label}: native {results[name]['native']} zvm {results[name]['zvm']} {unit}")
    print("\n".join(notes))


def ratio(a, b, digits=3):
    return round(a / b, digits) if a is not None and b else None


def table(results, notes):
    head = ["measure", "unit", "native", "ZVM", "Xen", "ZVM/Xen"]
    rows = []
    label = {r[0]: r[1] for r in ROWS}
    for r in results:
        cells = []
        for k in ("native", "zvm", "xen"):
            v = r[k]
            cells.append("-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v))
        zx = ratio(r["zvm"], r["xen"], 2) if r["unit"] == INSNS else None
        rows.append([label[r["name"]], r["unit"], *cells, "-" if zx is None else f"{zx:.2f}"])
    widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    fmt = lambda x: "  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i])
                              for i, c in enumerate(x))
    lines = ["Unit: instructions executed under QEMU -icount shift=0,sleep=off (identical on every "
             "run); ms = wall time.", fmt(head), fmt(["-" * w for w in widths])]
    lines += [fmt(r) for r in rows]
    lines += [""] + [f"note: {n}" for n in notes]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=101, help="samples per micro-benchmark")
    ap.add_argument("--switch-runs", type=int, default=12)
    ap.add_argument("--wall-runs", type=int, default=5, help="alternating wall-time Linux runs")
    ap.add_argument("--no-xen", action="store_true")
    ap.add_argument("--no-linux", action="store_true")
    ap.add_argument("--no-rtos", action="store_true", help="skip the RTOS latency rows")
    ap.add_argument("--rtos-samples", type=int, default=1000, help="RTOS latency, alone")
    ap.add_argument("--rtos-busy-samples", type=int, default=500,
                    help="RTOS latency beside a busy Linux VM")
    args = ap.parse_args()
    import rtos_latency  # bench/rtos_latency.py (it imports this file: not at the top)
    import blk  # bench/blk.py: the guest disk rows
    import mem_bench  # bench/mem_bench.py (likewise)
    import vnet_bench  # bench/vnet_bench.py (likewise)
    import ipc_bench  # bench/ipc_bench.py (likewise)

    if not args.no_linux:
        ROWS.extend(blk.ROWS)

    if not args.no_rtos:
        ROWS.extend((name, label, INSNS) for name, label in rtos_latency.ROWS)
    ROWS.extend(mem_bench.ROWS)
    ROWS.extend(vnet_bench.ROWS)
    ROWS.extend(ipc_bench.ROWS)
    started = time.monotonic()
    snapshot_zvm()
    res = {name: {"native": None, "zvm": None, "xen": None} for name, _, _ in ROWS}
    notes, failed = [], []

    def fill(col, vals):
        for k in MICRO:
            if k in vals:
                res[k][col] = vals[k]

    def section(name, fn):
        """A part that fails leaves its cells null and the rest still runs."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 (reported, and make bench fails at the end)
            log(f"{name} FAILED: {e!r}")
            notes.append(f"{name} FAILED ({type(e).__name__}): see build/bench/logs/")
            failed.append(name)

    def native():
        vals, clock = native_bench(args.samples)
        fill("native", vals)
        # Natively the "hypercall" is QEMU's own PSCI emulation: nothing to compare with.
        res["hvc_smccc_version"]["native"] = res["hvc_psci_version"]["native"] = None
        notes.append(f"native clock: {clock}")

    section("native micro-benchmarks", native)
    if not args.no_linux:
        section("Linux images", prepare_linux)
    sample_args, switch_args = guest_bootargs(args.samples, args.switch_runs)
    conf = [f"bench kernel build/bench/bench.bin {sample_args}",
            f"benchswitch kernel build/bench/bench.bin {switch_args}"]
    if not args.no_linux:
        conf += [f"benchlinux kernel build/bench/linux/Image {LINUX_BOOTARGS}",
                 "benchlinux initrd build/bench/linux/initramfs.cpio.gz", *blk.CONF]
    zargs = board_args(conf, 3, "zvm")

    def zvm_icount():
        zvm = ZvmHost(zargs, 3, name="zvm-icount")
        try:
            vals, clock = zvm_micro(zvm, args.samples)
            fill("zvm", vals)
            notes.append(f"ZVM clock: {clock}")
            vals, _ = zvm_micro(zvm, args.samples, dedicated=True)
            for k in DEDICATED:
                res[f"{k}_dedicated"]["zvm"] = vals.get(k)
            beaten = [k for k in BAO if vals.get(k) is not None and vals[k] < BAO[k]]
            notes.append("dedicated pCPU vs Bao (same QEMU, same guest): " + ", ".join(
                f"{k} {vals.get(k)} vs {BAO[k]}" for k in BAO) +
                f"; below Bao on {len(beaten)} of {len(BAO)}")
            res["vcpu_switch"]["zvm"], _ = zvm_switch(zvm)
            # The budget's cost at each switch (charge, timer re-arm), against the row above;
            # 90 ms in 100 is never used up by two VMs sharing the pCPU, so none is throttled.
            res["vcpu_switch_budget"]["zvm"], _ = zvm_switch(zvm, "--budget 90/100")
        finally:
            zvm.close()

    def zvm_linux_icount():
        log("zvm: Linux boot under icount (a ZVM of its own: the same state every time)")
        zvm = ZvmHost(zargs, 3, name="zvm-linux-icount")
        try:
            res["linux_boot"]["zvm"] = zvm_linux(zvm) * INSNS_PER_TICK
        finally:
            zvm.close()

    section("ZVM", zvm_icount)

    def zvm_lzo_icount():
        zvm = ZvmHost(zargs, 3, name="zvm-lzo-icount")
        try:
            rows = zvm_lzo(zvm)
        finally:
            zvm.close()
        for name, (bare, codec, pool) in rows.items():
            res[f"lzo_{name}"]["native"] = bare
            res[f"lzo_{name}"]["zvm"] = codec if pool is None else pool
        for op in ("compress", "decompress"):
            res[f"lzo_{op}_text_ratio"]["native"] = 1.0
            res[f"lzo_{op}_text_ratio"]["zvm"] = ratio(res[f"lzo_{op}_text"]["zvm"],
                                                       res[f"lzo_{op}_text"]["native"])
        notes.append("LZO rows: native = liblzo2 called bare at EL2 in the same ZVM run "
                     "(PMCCNTR, the fewest of 11); zero page compress is the zero check alone "
                     "(a flag, no LZO)")

    section("ZVM LZO", zvm_lzo_icount)
    if not args.no_linux:
        section("ZVM Linux", zvm_linux_icount)

    def linux_native():
        log("native: Linux boot under icount")
        _, dtb = native_linux_dtb()
        res["linux_boot"]["native"] = native_linux(True, 0, dtb) * INSNS_PER_TICK
        full = native_linux(True, "qemu-dt", None) * INSNS_PER_TICK
        notes.append(f"Linux natively with all of QEMU virt's devices (PCIe, virtio-mmio, ...): "
                     f"{full} instructions, ZVM/native {ratio(res['linux_boot']['zvm'], full, 4)}; "
                     "the table's native run has the ZVM guest's devices only")
        res["linux_boot_ratio"]["native"] = 1.0
        res["linux_boot_ratio"]["zvm"] = ratio(res["linux_boot"]["zvm"],
                                               res["linux_boot"]["native"], 4)

    def linux_wall():
        log(f"wall time: {args.wall_runs} alternating runs each, without icount")
        _, dtb = native_linux_dtb()
        zvm = ZvmHost(zargs, 3, icount=False, name="zvm-wall")
        nat, zv = [], []
        try:
            for i in range(args.wall_runs):
                nat.append(native_linux(False, i, dtb) / CNT_HZ * 1000)
                zv.append(zvm_linux(zvm) / CNT_HZ * 1000)
        finally:
            zvm.close()
        res["linux_boot_wall"]["native"] = round(statistics.median(nat), 1)
        res["linux_boot_wall"]["zvm"] = round(statistics.median(zv), 1)
        res["linux_boot_wall_ratio"]["native"] = 1.0
        res["linux_boot_wall_ratio"]["zvm"] = ratio(statistics.median(zv), statistics.median(nat))
        notes.append("wall ms: kernel entry to /init by the guest's own counter without icount "
                     f"(= host time); native {', '.join(f'{x:.0f}' for x in nat)}; "
                     f"ZVM {', '.join(f'{x:.0f}' for x in zv)}")

    mem_bench.measure(res, notes, section, linux=not args.no_linux)
    if not args.no_linux:
        section("Linux native", linux_native)
        section("Linux wall time", linux_wall)
        blk.measure(sys.modules[__name__], res, notes, section, zargs,
                    board_args(blk.CONF, 1, "zvm-blk-insn"))

    def xen():
        vals, clock = xen_micro(args.samples)
        fill("xen", vals)
        notes.append(f"Xen clock: {clock}")
        res["vcpu_switch"]["xen"], _ = xen_switch(args.switch_runs)

    vnet_bench.measure(res, notes, section)
    ipc_bench.measure(res, notes, section)
    if args.no_rtos:
        notes.append("RTOS latency: skipped (--no-rtos)")
    else:
        rtos_latency.measure(res, notes, section, args.rtos_samples, args.rtos_busy_samples,
                             with_xen=not args.no_xen and os.path.exists(XEN))

    if args.no_xen:
        notes.append("Xen: skipped (--no-xen)")
    elif not os.path.exists(XEN):
        notes.append(f"Xen: {XEN} missing (scripts/setup.sh --bench installs it)")
        failed.append("Xen")
    else:
        section("Xen", xen)

    results = [{"name": n, "unit": u, **res[n]} for n, _, u in ROWS]
    text = table(results, notes)
    print(text)
    with open(os.path.join(OUT, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "results.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    log(f"done in {time.monotonic() - started:.0f} s: build/bench/results.json, results.txt")
    if failed:
        sys.exit(f"bench: failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
