"""Properties of the built image that the design depends on."""
import os
import re
import subprocess

from qemu import BUILD

# Functions allowed to touch FP/SIMD registers: the context switch, which owns them, and
# libfdt, which runs only in thread context (boot, VM creation), never in a trap handler.
ALLOWED = re.compile(r"^(arch_switch|fdt_\w+)$")
FP_OPERAND = re.compile(r"[\s,\[{](q|v|d|s|h|b)\d+(\.\w+)?[\s,\]}]|[\s,](q|v|d|s|h|b)\d+$")


def test_host_code_never_touches_fp_registers():
    """A guest's FP registers stay live in the CPU across an exit: any host code on the exit
    path that used them would corrupt the guest. Only arch_switch may."""
    dump = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn",
                           os.path.join(BUILD, "zvm.elf")],
                          capture_output=True, text=True, check=True).stdout
    offenders = set()
    func = None
    for line in dump.splitlines():
        m = re.match(r"^[0-9a-f]+ <(\S+)>:$", line)
        if m:
            func = m.group(1)
            continue
        parts = line.split("\t")
        if len(parts) >= 3 and FP_OPERAND.search(" " + parts[-1] + " ") and not ALLOWED.match(func):
            offenders.add(func)
    assert not offenders, sorted(offenders)
