"""The QEMU arguments that load the guest images (configs/guests.conf) beside ZVM.

scripts/board-dtb.py builds one board DTB per QEMU configuration, because QEMU's own DTB (its
base) depends on CPU, SMP and RAM. `make images` fetches the Linux guest first; this module only
(re)builds the board for the configuration a test asks for.
"""
import functools
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
SCRIPT = os.path.join(ROOT, "scripts", "board-dtb.py")
DEFAULT_MACHINE = "virt,virtualization=on,gic-version=3"
# The GIC version the tests boot (`ZVM_GIC=2 pytest ...` runs a file on a GICv2 host); the
# Makefile's GIC variable does the same for `make run`.
GIC = int(os.environ.get("ZVM_GIC", "3"))


def machine_for(gic):
    """The -M value of a virtualization-capable QEMU virt with that GIC version."""
    return f"virt,virtualization=on,gic-version={gic}"


MACHINE = machine_for(GIC)


DEFAULT_CONFIG = os.path.join(ROOT, "configs", "guests.conf")


def board_dir(cpu, smp, mem, vms=None, machine=MACHINE, config=None):
    """The Makefile's BOARD_DIR naming, with odd characters (`max,pauth-impdef=on`) made '_'.
    A board with boot-time VMs (`vms`, a .dtsi fragment) is named after the fragment, as
    `make run-demo`'s configs/demo.vms.dtsi gives build/board/demo-CPU-smpN-MEM. Another
    machine than the Makefile's (no virtualization, say) gets a suffix: its DTB differs (no GIC
    maintenance interrupt), and must not replace the default board of later tests."""
    prefix = ""
    if vms:
        prefix = re.sub(r"(\.vms)?\.dtsi$", "", os.path.basename(vms)) + "-"
    suffix = "" if machine == DEFAULT_MACHINE else "-" + machine
    if config and os.path.abspath(config) != DEFAULT_CONFIG:
        # Another guest config (a test's own) must not replace the default board either.
        prefix = re.sub(r"\.conf$", "", os.path.basename(config)) + "-" + prefix
    tag = re.sub(r"[^A-Za-z0-9._-]", "_", f"{prefix}{cpu}-smp{smp}-{mem}{suffix}")
    return os.path.join(BUILD, "board", tag)


@functools.lru_cache(maxsize=None)
def image_args(cpu="cortex-a57", smp=4, mem="2G", machine=MACHINE,
               config=DEFAULT_CONFIG,
               qemu="qemu-system-aarch64", vms=None):
    """Returns ["-dtb", BOARD.dtb, "-device", "loader,...", ...] for this configuration.
    `machine` must be the -M value the test boots with: the DTB is dumped from it. `vms`: a
    .dtsi fragment of boot-time VMs merged into /chosen (docs/boot-vms.md)."""
    out = board_dir(cpu, smp, mem, vms, machine, config)
    extra = ["--vms", vms] if vms else []
    r = subprocess.run([SCRIPT, "--qemu", qemu, "--machine", machine, "--cpu", cpu,
                        "--smp", str(smp), "--mem", str(mem), "--config", config, *extra,
                        "--out", out],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"board-dtb.py failed (run `make images` first?):\n{r.stderr}")
    with open(os.path.join(out, "qemu.args"), encoding="utf-8") as f:
        return tuple(line for line in f.read().splitlines() if line)
