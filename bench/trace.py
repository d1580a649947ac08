#!/usr/bin/env python3
"""Where a ZVM exit spends its instructions: logs every instruction QEMU runs during one
benchmark operation of the bench guest and sums them per ZVM function.

    bench/trace.py hvc|psci|gicd-read|gicd-write|sgi-self|vtimer [--list]

Boots ZVM under icount as bench/run.py does and starts the bench guest (2 vCPUs on pCPUs 1, 2).
Through QEMU's gdbstub it stops at the entry of the guest function that does the operation (at
EL1), switches QEMU to one instruction per translation block with `-d exec,nochain` logging,
lets it run (unstepped: interrupts come as in the benchmark) through two calls, to the guest's
next instruction, or for interrupts to the guest's IRQ vector, stops the log there and counts
the second call from the operation's instruction (the first may meet a host timer tick that
fell due while gdb held the machine). For `vtimer` it starts in the guest's spin loop
with the timer armed (the spinning before the timer fires is left out). A call that meets a
host timer tick is passed over for the next. Prints the functions in the order they run, with
instruction counts, on the guest's CPU (--all-cpus: the others too). Uses build/zvm.bin as it
is now (copied into build/bench) and build/bench/bench.elf (make bench-guest); needs
gdb-multiarch. The exec log stays in build/bench/logs/trace-OP.exec.
"""
import argparse
import bisect
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (bench/run.py: the ZVM session helpers)

ROOT = run.ROOT
OUT = run.OUT
ZVM_ELF = os.path.join(OUT, "zvm.elf")  # run.snapshot_zvm(): the copy of build/zvm.elf
BENCH_ELF = os.path.join(OUT, "bench.elf")

# op: (guest function, instruction in it where the trace starts, where it ends)
#   "insn:<mnemonic>" = the first such instruction in the function; "vector" = the guest's IRQ
#   vector (bm_vectors_pmu + 0x280); "next" = the instruction after the start.
OPS = {
    "hvc": ("bm_hvc_smccc_pmu", "insn:hvc", "next"),
    "psci": ("bm_hvc_psci_pmu", "insn:hvc", "next"),
    "gicd-read": ("bm_mmio_read_pmu", "insn:ldr\tw2", "next"),
    "gicd-write": ("bm_mmio_write_pmu", "insn:str\tw2", "next"),
    "sgi-self": ("bm_sgi_self_pmu", "insn:msr\ticc_sgi1r_el1", "vector"),
    "vtimer": ("bm_vtimer", "insn:b\t", "vector"),
}


def symbols(elf):
    out = subprocess.run(["aarch64-linux-gnu-nm", "-n", elf], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].lower() in "tw":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def disasm(elf, func):
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", elf, f"--disassemble={func}"],
                         capture_output=True, text=True, check=True).stdout
    return [(int(m.group(1), 16), m.group(2).strip())
            for m in re.finditer(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(.*)$", out, re.M)]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# gdb only finds the moment: at the start instruction (at EL1), QEMU is switched to one
# instruction per translation block and logs every block it runs (-d exec,nochain), until the
# guest reaches the end instruction; the execution in between is QEMU's own, unstepped, so
# interrupts arrive as they do in the benchmark.
GDB_SCRIPT = r"""
set pagination off
set confirm off
target remote 127.0.0.1:{port}
python
import gdb
def el():
    return (int(gdb.parse_and_eval("$cpsr")) >> 2) & 3
def run_to(addr):
    bp = gdb.Breakpoint("*%d" % addr, type=gdb.BP_HARDWARE_BREAKPOINT)
    bp.silent = True
    while True:
        gdb.execute("continue", to_string=True)
        if el() == 1:
            break
    bp.delete()
for i in range({skip} + 1):  # the first calls may take first-time paths
    run_to({start})
print("trace: at the start, pc %x" % int(gdb.parse_and_eval("$pc")), flush=True)
gdb.execute("monitor singlestep on", to_string=True)
gdb.execute("monitor log exec,nochain", to_string=True)
run_to({end})
run_to({end})
gdb.execute("monitor log none", to_string=True)
print("trace: at the end, pc %x" % int(gdb.parse_and_eval("$pc")), flush=True)
gdb.execute("kill")
end
"""


TRACE_RE = re.compile(r"^Trace (\d+): 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/", re.M)


def trace_once(op, start, end, skip, timeout):
    """Runs ZVM with the bench guest, logs from the `skip`+1-th time the guest is at `start` to
    its next arrival at `end`; returns [(cpu, pc)]."""
    port = free_port()
    os.makedirs(run.LOGS, exist_ok=True)
    execlog = os.path.join(run.LOGS, f"trace-{op}.exec")
    if os.path.exists(execlog):
        os.unlink(execlog)
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(GDB_SCRIPT.format(port=port, start=start, end=end, skip=skip))
        gdbfile = f.name
    zargs = run.board_args(["bench kernel build/bench/bench.bin zvmtest=bench benchn=9"], 3,
                           "trace")
    zvm = run.ZvmHost(zargs + ["-gdb", f"tcp:127.0.0.1:{port}", "-D", execlog], 3,
                      name=f"zvm-trace-{op}")
    gdb = subprocess.Popen(["gdb-multiarch", "-q", "-batch", "-nx", "-x", gdbfile, ZVM_ELF],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        vm = zvm.new_vm("-t bench -c 2 -m 64 -p 1,2")
        zvm.send(f"zvm run -n {vm}\r")
        out, _ = gdb.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        gdb.kill()
        out = gdb.communicate()[0]
    finally:
        if gdb.poll() is None:
            gdb.kill()
        zvm.close()
        os.unlink(gdbfile)
    if "at the end" not in out:
        print(out)
        sys.exit("trace: the run did not reach the end instruction")
    with open(execlog, encoding="utf-8", errors="replace") as f:
        return [(int(c), int(pc, 16)) for c, pc in TRACE_RE.findall(f.read())]


_ZSYMS = []


def name_of(pc):
    """The ZVM function holding pc."""
    if not _ZSYMS:
        _ZSYMS.extend(symbols(ZVM_ELF))
    i = bisect.bisect_right([a for a, _ in _ZSYMS], pc) - 1
    return _ZSYMS[i][1] if i >= 0 else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("op", choices=sorted(OPS))
    ap.add_argument("--list", action="store_true", help="print every instruction")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--all-cpus", action="store_true",
                    help="also what other CPUs ran meanwhile (QEMU runs them in turns)")
    ap.add_argument("--skip", type=int, default=2,
                    help="calls of the operation to let pass first (default 2)")
    args = ap.parse_args()
    func, start_spec, end_spec = OPS[args.op]
    run.snapshot_zvm()
    gsyms = symbols(BENCH_ELF)
    gaddr = dict((n, a) for a, n in gsyms)
    code = disasm(BENCH_ELF, func)
    want = start_spec.split(":", 1)[1]
    start = next(a for a, i in code if i.startswith(want))
    if end_spec == "next":
        end = start + 4
    else:
        end = gaddr["bm_vectors_cnt" if args.op == "vtimer" else "bm_vectors_pmu"] + 0x280
    steps = None
    for skip in range(args.skip, args.skip + 4):
        # gdb stops at the function's entry and the log covers two calls: a host timer tick
        # that fell due while gdb held the machine comes at once, in the first call, which is
        # cut off here (it would also change what the second finds, e.g. folded list registers).
        steps = trace_once(args.op, gaddr[func], end, skip, args.timeout)
        cpu0 = next((c for c, pc in steps if pc == start), None)
        if cpu0 is None:
            sys.exit("trace: the guest never ran the start instruction")
        first_end = next(i for i, (c, pc) in enumerate(steps) if c == cpu0 and pc == end)
        first = next(i for i, (c, pc) in enumerate(steps)
                     if i > first_end and c == cpu0 and pc == start)
        steps = steps[first:]
        # A host timer tick that happens to fall into the window is not the path we want.
        names = {name_of(pc) for _, pc in steps}
        if not names & {"hyp_timer_irq", "slice_expired"}:
            break
        print(f"trace: call {skip + 1} met a host timer tick; the next one", file=sys.stderr)

    # The guest's instructions are the first ones (and, for vtimer, its spinning): ZVM's own code
    # shares the guest's addresses, so nothing after is taken for the guest's.
    glo = gaddr[func]
    ghi = next(a for a, n in gsyms if a > glo)
    # cpu0: the guest's CPU, the one that ran the start instruction (after a gdb stop QEMU's
    # round robin may let another CPU run first).
    if not args.all_cpus:
        steps = [s for s in steps if s[0] == cpu0]
    lead = 0
    while lead < len(steps) and glo <= steps[lead][1] < ghi:
        lead += 1

    name = name_of

    if args.op == "vtimer":  # leave out the guest spinning until the timer fires
        del steps[:lead]
        lead = 0
    seq, totals = [], {}
    for i, (cpu, pc) in enumerate(steps):
        n = f"cpu{cpu} " + (f"guest {func}" if i < lead else name(pc))
        if args.list:
            print(f"{cpu} {pc:#x} {n}")
        if seq and seq[-1][0] == n:
            seq[-1][1] += 1
        else:
            seq.append([n, 1])
        totals[n] = totals.get(n, 0) + 1
    per_cpu = {}
    for cpu, _ in steps:
        per_cpu[cpu] = per_cpu.get(cpu, 0) + 1
    print(f"{args.op}: {len(steps)} instructions from the guest's {want.strip()} (included) to "
          + ("the guest's next instruction" if end_spec == "next" else "the guest's IRQ vector")
          + "; per CPU: " + ", ".join(f"cpu{c} {n}" for c, n in sorted(per_cpu.items())))
    if args.op in ("gicd-read", "gicd-write", "sgi-self"):
        print("  (the trapped guest instruction is logged but does not retire: the benchmark, "
              "which counts retired instructions, shows one less)")
    for n, c in seq:
        print(f"  {c:5d}  {n}")
    print("per function:")
    for n, c in sorted(totals.items(), key=lambda x: (x[0].split()[0], -x[1])):
        print(f"  {c:5d}  {n}")


if __name__ == "__main__":
    main()
