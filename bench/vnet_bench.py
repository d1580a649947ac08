"""virtio-net between two VMs for `make bench` (issue 10): the test guests' vnet_ping /
vnet_pong (2000 round trips of 60-byte frames) and vnet_flood / vnet_sink (frames received
per second), in a ZVM under -icount shift=0,sleep=off (one instruction per ns of virtual
time), next to the bare cost of one frame through the switch and an inbox as a library call
at EL2 in the same ZVM (`vnet bench`, zvm/virtio/vnet_bench.c). Called by bench/run.py;
`python3 bench/vnet_bench.py` runs it alone and prints the rows.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/run.py: ZvmHost, board_args)

INSNS = "instructions"
# (name, label, unit); columns: native = the bare library call, zvm = between two VMs.
ROWS = [
    ("vnet_frame", "virtio-net: one 60 B frame, VM to VM (bare: switch + inbox at EL2)", INSNS),
    ("vnet_rtt", "virtio-net round trip between two VMs (bare: 2 frames)", INSNS),
    ("vnet_rtt_ratio", "virtio-net round trip, ZVM/bare", "ratio"),
    ("vnet_fps", "virtio-net frames/s one way, flood to sink (bare: 1e9/frame)", "frames/s"),
    ("vnet_fps_ratio", "virtio-net frames/s, ZVM/bare", "ratio"),
]
PING_RE = re.compile(r"# vnet ping: (\d+) round trips in (\d+) us")
SINK_RE = re.compile(r"# vnet sink: (\d+) frames in (\d+) us")
CONF = ["vnetping kernel build/guests/tests.bin zvmtest=vnet_ping zvmnetn=500",
        "vnetpong kernel build/guests/tests.bin zvmtest=vnet_pong",
        "vnetflood kernel build/guests/tests.bin zvmtest=vnet_flood",
        "vnetsink kernel build/guests/tests.bin zvmtest=vnet_sink"]


def measure(res, notes, section):
    """Fills res[name][column] for ROWS (bench/run.py's `section` keeps a failure local)."""
    for name, _, _ in ROWS:
        res.setdefault(name, {"native": None, "zvm": None, "xen": None})

    def run():
        zvm = bench.ZvmHost(bench.board_args(CONF, 3, "vnet"), 3, name="zvm-vnet")
        try:
            bench.log("zvm: virtio-net, bare frame cost (vnet bench)")
            m = re.search(r"VNET-BENCH frame (\d+)", zvm.run("vnet bench", 120))
            if not m:
                raise RuntimeError("vnet bench failed")
            bare = int(m.group(1))
            bench.log("zvm: virtio-net round trips, ping and pong both on pCPU 1")
            pong = zvm.new_vm("-t vnetpong -m 64 -p 1 --dev virtio-net")
            ping = zvm.new_vm("-t vnetping -m 64 -p 1 --dev virtio-net")
            zvm.run(f"zvm run -n {pong}")
            zvm.start_and_look(ping)
            zvm.expect(r"ZVMTEST DONE", 600)
            m = PING_RE.search(zvm.before())
            zvm.detach()
            for vm in (ping, pong):
                zvm.delete(vm)
            if not m:
                raise RuntimeError("vnet ping: no result")
            rtt = int(m.group(2)) * 1000 // int(m.group(1))  # ns = instructions
            bench.log("zvm: virtio-net flood to sink, both on pCPU 1")
            flood = zvm.new_vm("-t vnetflood -m 64 -p 1 --dev virtio-net")
            sink = zvm.new_vm("-t vnetsink -m 64 -p 1 --dev virtio-net")
            zvm.run(f"zvm run -n {flood}")
            zvm.start_and_look(sink)
            zvm.expect(r"ZVMTEST DONE", 600)
            m = SINK_RE.search(zvm.before())
            zvm.detach()
            for vm in (sink, flood):
                zvm.delete(vm)
            if not m:
                raise RuntimeError("vnet sink: no result")
            fps = int(m.group(1)) * 1000000 // int(m.group(2))
        finally:
            zvm.close()
        res["vnet_frame"]["native"] = bare
        res["vnet_frame"]["zvm"] = 1000000000 // fps
        res["vnet_rtt"]["native"] = 2 * bare
        res["vnet_rtt"]["zvm"] = rtt
        res["vnet_rtt_ratio"]["native"] = res["vnet_fps_ratio"]["native"] = 1.0
        res["vnet_rtt_ratio"]["zvm"] = bench.ratio(rtt, 2 * bare)
        res["vnet_fps"]["native"] = 1000000000 // bare
        res["vnet_fps"]["zvm"] = fps
        res["vnet_fps_ratio"]["zvm"] = bench.ratio(fps, 1000000000 // bare, 4)
        notes.append("virtio-net rows: bare = `vnet bench`, one frame through the switch and an "
                     "inbox as a library call at EL2 in the same ZVM; VM to VM = test guests "
                     "(guests/tests/t_vnet.c, waiting in WFI for the used-buffer interrupt), "
                     "one vCPU each, both on pCPU 1 (across pCPUs about 30 ms per round trip "
                     "under icount, not explained yet: bench/README.md); frame = 1e9 / frames per second received by the sink")

    section("ZVM virtio-net", run)


if __name__ == "__main__":
    bench.run_alone(measure, ROWS)
