"""RTOS wake-up latency for `make bench` (issue 8 item 7): the `latency` command of the RTOS
image (build/rtos/rtos.bin, kernel/cmd_latency.c) under -icount shift=0,sleep=off, where one
nanosecond of virtual time is one instruction, so its ns figures are instruction counts.

(a) natively at EL1 (QEMU without virtualization), (b) as a ZVM VM alone, (c) as a ZVM VM
beside a 2-vCPU Linux VM that runs CPU hogs and floods its console while that console is
attached, with Linux's vCPUs on other physical CPUs or sharing the RTOS's, (d) as a Xen 4.17
dom0less domU, alone and beside a spinning domU. Called by
bench/run.py; `python3 bench/rtos_latency.py [-n N]` runs it alone and prints the figures.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/run.py: Qemu, ZvmHost, board_args)

RTOS_PROMPT = "zvm_rtos:~# "
RTOS_BIN = os.path.join(bench.OUT, "rtos.bin")  # snapshot, as run.py does for zvm.bin
PERIOD_US = 1000
HOST_SMP = 4  # CPU 0: the host shell; RTOS on CPU 1; Linux on 2-3 (other) or 1-2 (same)
LINUX_PROMPT = "~ # "
ROW_RE = re.compile(r"^(min|avg|max)\s+(\d+) ns\s+(\d+) ticks$", re.M)
# Linux: hogs on both vCPUs, and a console flood that carries Linux's uptime (virtual time, the
# same clock as the RTOS's), so the driver can tell when the RTOS run must be over.
HOGS = "for i in 1 2; do while :; do :; done & done; "
FLOOD = ("while :; do echo \"FLOOD $(cut -d' ' -f1 /proc/uptime) "
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; done &")
LINUX_BUSY = os.environ.get("RTOS_LAT_BUSY", "hogs,flood")

# (name, label) per measure; columns native = (a), zvm = (b) or (c), xen = (d).
ROWS = [
    ("rtos_lat_min", "RTOS latency min, alone (a native, b ZVM, d Xen)"),
    ("rtos_lat_avg", "RTOS latency avg, alone (a native, b ZVM, d Xen)"),
    ("rtos_lat_max", "RTOS latency max, alone (a native, b ZVM, d Xen)"),
    ("rtos_lat_other_avg", "RTOS latency avg, busy Linux VM on other CPUs (c; native: hogs)"),
    ("rtos_lat_other_max", "RTOS latency max, busy Linux VM on other CPUs (c; native: hogs)"),
    ("rtos_lat_same_avg", "RTOS latency avg, busy Linux VM sharing its CPU (c; native: hogs; Xen: busy domU)"),
    ("rtos_lat_same_max", "RTOS latency max, busy Linux VM sharing its CPU (c; native: hogs; Xen: busy domU)"),
]


def parse(text):
    """{min, avg, max: ns} and overruns from a `latency` run's output."""
    text = text.replace("\r", "")
    rows = {m.group(1): int(m.group(2)) for m in ROW_RE.finditer(text)}
    over = re.search(r"^overruns (\d+)$", text, re.M)
    if set(rows) != {"min", "avg", "max"} or not over:
        raise RuntimeError("latency: no min/avg/max/overruns in the output")
    return rows, int(over.group(1))


def snapshot_rtos():
    shutil.copyfile(os.path.join(bench.BUILD, "rtos", "rtos.bin"), RTOS_BIN + ".tmp")
    os.replace(RTOS_BIN + ".tmp", RTOS_BIN)


def wait_latency(q, timeout):
    """The output of a `latency` run already typed, up to the prompt after it."""
    q.expect(r"histogram[^\n]*\n", timeout)
    text = q.before() + q.child.after
    q.child.expect_exact(RTOS_PROMPT, timeout=60)
    return text + q.before()


def latency_cmd(n, cpu=0):
    return f"latency -n {n} -p {PERIOD_US} -c {cpu}"


def run_seconds(n):
    """Virtual seconds a run takes, with room for overruns and start-up."""
    return n * PERIOD_US / 1e6 * 1.2 + 0.5


def native(n, load=None):
    """(a): the image natively at EL1, measuring on CPU 1; with `load` ("2,3"), spinning
    threads of its own on those CPUs, as the baseline of (c)."""
    bench.log(f"rtos native: latency, {n} samples at EL1 (no hypervisor), load {load}")
    q = bench.Qemu(["-M", bench.NATIVE_MACHINE, "-cpu", bench.CPU, "-smp", str(HOST_SMP), "-m",
                    "512M", "-nographic", "-kernel", RTOS_BIN, *bench.ICOUNT],
                   "rtos-native" + (f"-load{load.replace(',', '')}" if load else ""))
    try:
        q.child.expect_exact(RTOS_PROMPT, timeout=60)
        q.send(latency_cmd(n, 1) + (f" -l {load}" if load else "") + "\r")
        return parse(wait_latency(q, 600 + n))
    finally:
        q.close()


def board(smp=HOST_SMP):
    snapshot_rtos()
    conf = [f"rtos kernel {os.path.relpath(RTOS_BIN, bench.ROOT)}", "rtos prio 4",
            f"linux kernel build/linux/Image {bench.LINUX_BOOTARGS}",
            "linux initrd build/linux/initramfs.cpio.gz", "linux prio 12"]
    return bench.board_args(conf, smp, "rtos")


def start_rtos(zvm, cpu):
    """A 1-vCPU RTOS VM on that physical CPU, booted to its prompt; returns its id."""
    vm = zvm.new_vm(f"-t rtos -c 1 -m 64 -p {cpu} -n rtos")
    zvm.start_and_look(vm)
    zvm.child.expect_exact(RTOS_PROMPT, timeout=120)
    return vm


def zvm_alone(zargs, n):
    """(b): the RTOS VM alone, its vCPU on pCPU 1, attached (its output comes at the end)."""
    bench.log(f"rtos zvm: latency, {n} samples, the RTOS VM alone on pCPU 1")
    zvm = bench.ZvmHost(zargs, HOST_SMP, name="rtos-zvm-alone")
    try:
        start_rtos(zvm, 1)
        zvm.send(latency_cmd(n) + "\r")
        return parse(wait_latency(zvm, 60 + n // 10))
    finally:
        zvm.close()


def linux_uptime(zvm, timeout=120):
    return float(zvm.expect(r"FLOOD (\d+\.\d+) ", timeout).group(1))


def zvm_busy(zargs, n, same_cpu):
    """(c): a 2-vCPU Linux VM, busy (hogs on both vCPUs, a console flood while attached), on
    pCPUs 2-3, or 1-2 where the RTOS's vCPU is on 1; the RTOS runs `latency` meanwhile."""
    where = "sharing pCPU 1" if same_cpu else "on pCPUs 2-3"
    bench.log(f"rtos zvm: latency, {n} samples, beside a busy Linux VM {where}")
    zvm = bench.ZvmHost(zargs, HOST_SMP, name="rtos-zvm-" + ("same" if same_cpu else "other"))
    try:
        linux = zvm.new_vm("-t linux -c 2 -m 256 -p " + ("1,2" if same_cpu else "2,3") +
                           " -n linux")
        zvm.start_and_look(linux)
        zvm.child.expect_exact(LINUX_PROMPT, timeout=600)
        flood = FLOOD if "flood" in LINUX_BUSY else FLOOD.replace("; done &", "; sleep 0.05; done &")
        zvm.send((HOGS if "hogs" in LINUX_BUSY else "") + flood + "\n")
        linux_uptime(zvm)
        zvm.detach()
        rtos = start_rtos(zvm, 1)
        # Start the measurement, detach at once, and watch the Linux console flood until
        # Linux's clock says the run is over.
        zvm.send(latency_cmd(n) + "\r\x18")
        zvm.wait_prompt()
        zvm.look(linux)
        start = linux_uptime(zvm)
        while linux_uptime(zvm, 600) < start + run_seconds(n):
            pass
        zvm.detach()
        zvm.look(rtos)
        return parse(wait_latency(zvm, 600))
    finally:
        zvm.close()


XEN_BUSY_CMD = "latency -n 10000000 -p 1000 -c 0 -l 0"  # a spinning thread, for 10000 s


def xen(n, busy):
    """(d): the same image as a Xen 4.17 dom0less domU on Xen's one pCPU (with -smp 2 Xen hangs
    under icount), its console Xen's vpl011 ("arm,sbsa-uart"). Xen's console takes no input
    here, so the command comes from the domU's bootargs (shell.run=). busy: a second domU, the
    same image spinning (`latency -l 0`), shares the pCPU."""
    what = "beside a busy domU on the one pCPU" if busy else "alone"
    bench.log(f"rtos xen: latency, {n} samples, the RTOS as a dom0less domU {what}")
    doms = [(RTOS_BIN, bench.GUEST_BASE, "shell.run=" + latency_cmd(n, 0))]
    if busy:
        doms.append((RTOS_BIN, bench.GUEST_BASE + (4 << 20), "shell.run=" + XEN_BUSY_CMD))
    name = "rtos-xen-" + ("busy" if busy else "alone")
    out = bench.xen_run(name, doms, 1, done=r"DOM\d+: overruns \d+", timeout=600 + n)
    # Xen numbers the domUs in its own order: the measuring one is the one that ran the command.
    mine = [text for text in out.values() if RTOS_PROMPT + latency_cmd(n, 0) in text]
    if len(mine) != 1:
        raise RuntimeError("xen: no domU ran " + latency_cmd(n, 0))
    return parse(mine[0])


def measure(res, notes, section, n, busy_n, with_xen=True):
    """Fills res[name][column] for ROWS; `section` runs each part so that a failure leaves
    only its cells empty (bench/run.py)."""
    for name, _ in ROWS:
        res.setdefault(name, {"native": None, "zvm": None, "xen": None})
    zargs = board()

    def put(col, prefix, rows, over, what):
        for k in ("min", "avg", "max"):
            if f"{prefix}_{k}" in res:
                res[f"{prefix}_{k}"][col] = rows[k]
        notes.append(f"RTOS latency {what}: min/avg/max {rows['min']}/{rows['avg']}/"
                     f"{rows['max']} ns = instructions, {over} overruns")

    def a():
        rows, over = native(n)
        put("native", "rtos_lat", rows, over, f"(a) native, {n} x {PERIOD_US} us")

    def b():
        rows, over = zvm_alone(zargs, n)
        put("zvm", "rtos_lat", rows, over, f"(b) ZVM alone, {n} x {PERIOD_US} us")

    def c(same):
        tag = "same" if same else "other"
        rows, over = zvm_busy(zargs, busy_n, same)
        put("zvm", f"rtos_lat_{tag}", rows, over,
            f"(c) ZVM beside busy Linux ({tag} CPUs), {busy_n} x {PERIOD_US} us")

    def c_native(same):
        tag, load = ("same", "1,2") if same else ("other", "2,3")
        rows, over = native(busy_n, load)
        put("native", f"rtos_lat_{tag}", rows, over,
            f"(c) baseline natively, spinning threads on CPUs {load}, {busy_n} x {PERIOD_US} us")

    def d(busy):
        rows, over = xen(busy_n if busy else n, busy)
        put("xen", "rtos_lat_same" if busy else "rtos_lat", rows, over,
            "(d) Xen dom0less " + ("beside a busy domU on its one pCPU" if busy else "alone")
            + f", {busy_n if busy else n} x {PERIOD_US} us")

    section("RTOS latency native", a)
    section("RTOS latency ZVM alone", b)
    section("RTOS latency ZVM, busy Linux on other CPUs", lambda: c(False))
    section("RTOS latency ZVM, busy Linux on the same CPU", lambda: c(True))
    section("RTOS latency native, load on other CPUs", lambda: c_native(False))
    section("RTOS latency native, load on the same CPU", lambda: c_native(True))
    if with_xen:
        section("RTOS latency Xen alone", lambda: d(False))
        section("RTOS latency Xen, busy domU", lambda: d(True))


def main():
    import argparse

    ap = argparse.ArgumentParser(description="RTOS latency rows of make bench")
    ap.add_argument("-n", type=int, default=1000, help="samples, alone")
    ap.add_argument("--busy-n", type=int, default=500, help="samples beside busy Linux")
    ap.add_argument("--only", choices=["a", "b", "other", "same", "xen", "xen-busy"])
    args = ap.parse_args()
    if not os.path.exists(bench.ZVM_BIN):
        bench.snapshot_zvm()
    if args.only == "a":
        snapshot_rtos()
        print(native(args.n))
    elif args.only in ("xen", "xen-busy"):
        snapshot_rtos()
        busy = args.only == "xen-busy"
        print(xen(args.busy_n if busy else args.n, busy))
    elif args.only == "b":
        print(zvm_alone(board(), args.n))
    elif args.only:
        print(zvm_busy(board(), args.busy_n, args.only == "same"))
    else:
        res, notes = {}, []
        measure(res, notes, lambda name, fn: fn(), args.n, args.busy_n)
        for name, label in ROWS:
            print(f"{label}: native {res[name]['native']} zvm {res[name]['zvm']} "
                  f"xen {res[name]['xen']}")
        print("\n".join(notes))


if __name__ == "__main__":
    main()
