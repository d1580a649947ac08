"""Shared memory and the doorbell between VMs for `make bench` (issue 12): the test guests'
ping-pong (guests/tests/t_ipc_bench.c) over the doorbell between two VMs, next to the same
code natively with an SGI between two physical CPUs (the baseline: what a bare-metal RTOS on
two cores pays) and, in the same ZVM, with a virtual SGI between two vCPUs of one VM. Each row
is the mean of zvmipcn round trips under -icount shift=0,sleep=off (ns = instructions).
Called by bench/run.py; `python3 bench/ipc_bench.py` runs it alone and prints the rows.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/run.py: Qemu, ZvmHost, board_args)

INSNS = "instructions"
N = 1000
# (name, label, unit); columns: native = SGI between two CPUs, zvm = doorbell between VMs.
ROWS = [
    ("ipc_notify", "notify a peer, one way (native: SGI to another CPU; ZVM: shm doorbell to "
     "another VM)", INSNS),
    ("ipc_notify_ratio", "notify a peer, ZVM doorbell/native SGI", "ratio"),
    ("ipc_notify_vsgi", "notify a peer, one way: virtual SGI to another vCPU of the VM", INSNS),
    ("ipc_4k", "4 KiB message round trip, both sides copy and checksum (native: through RAM; "
     "ZVM: through a shared region)", INSNS),
    ("ipc_4k_ratio", "4 KiB message round trip, ZVM/native", "ratio"),
    ("ipc_mbps", "4 KiB message throughput one way (native: through RAM; ZVM: shared region)",
     "MB/s"),
]
IPC_RE = re.compile(r"# ipc (\w+) (notify|4k): (\d+) round trips in (\d+) ns")
TESTS = os.path.join(bench.BUILD, "guests", "tests.bin")


def parse(text):
    """{(transport, row): mean ns per round trip}."""
    return {(m.group(1), m.group(2)): int(m.group(4)) / int(m.group(3))
            for m in IPC_RE.finditer(text.replace("\r", ""))}


def native(n=N):
    bench.log("native: ipc_bench, SGI ping-pong between two CPUs")
    q = bench.Qemu(["-M", bench.NATIVE_MACHINE, "-cpu", bench.CPU, "-smp", "2", "-m", "512M",
                    "-nographic", "-kernel", TESTS, "-append",
                    f"zvmtest=ipc_bench zvmnative zvmipcn={n}", *bench.ICOUNT], "native-ipc")
    try:
        q.expect(r"ZVMTEST DONE", 300)
        return parse(q.before())
    finally:
        q.close()


def in_zvm(n=N):
    conf = [f"ipcbench kernel {TESTS} zvmtest=ipc_bench zvmipcn={n}",
            f"shmbench kernel {TESTS} zvmtest=shm_bench zvmipcn={n}"]
    zvm = bench.ZvmHost(bench.board_args(conf, 3, "ipc"), 3, name="zvm-ipc")
    try:
        bench.log("zvm: ipc_bench, virtual SGIs between two vCPUs on pCPUs 1 and 2")
        vm = zvm.new_vm("-t ipcbench -c 2 -m 32 -p 1,2")
        zvm.start_and_look(vm)
        zvm.expect(r"ZVMTEST DONE", 600)
        vals = parse(zvm.before())
        zvm.detach()
        zvm.delete(vm)
        bench.log("zvm: shm_bench, doorbell between two VMs on pCPUs 1 and 2")
        # The VM with the lower id pings; the other answers from its doorbell handler.
        ping = zvm.new_vm("-t shmbench -m 32 -p 1 -n ping --shm ipc:16@0x20000000")
        pong = zvm.new_vm("-t shmbench -m 32 -p 2 -n pong --shm ipc:16@0x20000000")
        zvm.run(f"zvm run -n {pong}")
        zvm.start_and_look(ping)
        zvm.expect(r"ZVMTEST DONE", 600)
        vals.update(parse(zvm.before()))
        zvm.detach()
        for v in (ping, pong):
            zvm.delete(v)
        return vals
    finally:
        zvm.close()


def measure(res, notes, section):
    """Fills res[name][column] for ROWS (bench/run.py's `section` keeps a failure local)."""
    for name, _, _ in ROWS:
        res.setdefault(name, {"native": None, "zvm": None, "xen": None})

    def run():
        nat = native()
        zv = in_zvm()
        missing = [k for k in (("sgi", "notify"), ("sgi", "4k")) if k not in nat] + \
            [k for k in (("vsgi", "notify"), ("shm", "notify"), ("shm", "4k")) if k not in zv]
        if missing:
            raise RuntimeError(f"ipc bench: no result for {missing}")
        res["ipc_notify"]["native"] = round(nat["sgi", "notify"] / 2)
        res["ipc_notify"]["zvm"] = round(zv["shm", "notify"] / 2)
        res["ipc_notify_ratio"]["native"] = 1.0
        res["ipc_notify_ratio"]["zvm"] = bench.ratio(zv["shm", "notify"], nat["sgi", "notify"])
        res["ipc_notify_vsgi"]["native"] = round(nat["sgi", "notify"] / 2)
        res["ipc_notify_vsgi"]["zvm"] = round(zv["vsgi", "notify"] / 2)
        res["ipc_4k"]["native"] = round(nat["sgi", "4k"])
        res["ipc_4k"]["zvm"] = round(zv["shm", "4k"])
        res["ipc_4k_ratio"]["native"] = 1.0
        res["ipc_4k_ratio"]["zvm"] = bench.ratio(zv["shm", "4k"], nat["sgi", "4k"])
        # A round trip carries 4 KiB each way; ns of virtual time = instructions.
        res["ipc_mbps"]["native"] = round(2 * 4096 * 1000 / nat["sgi", "4k"])
        res["ipc_mbps"]["zvm"] = round(2 * 4096 * 1000 / zv["shm", "4k"])
        notes.append(f"IPC rows: mean of {N} round trips (guests/tests/t_ipc_bench.c), one way "
                     "= half a round trip; the waiting side is in WFI. Native: the same guest "
                     "at EL1 on two CPUs, SGI 6 and a buffer in RAM; ZVM: two 1-vCPU VMs on "
                     "pCPUs 1 and 2 sharing a 16 KiB region, the doorbell; MB/s from "
                     "instructions as ns of virtual time (icount)")

    section("IPC (shm doorbell)", run)


if __name__ == "__main__":
    bench.run_alone(measure, ROWS)
