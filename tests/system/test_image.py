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


def test_relocation_table_bounds_cover_every_relocation():
    """head.S applies the entries from __rela_start to __rela_end when the image is loaded
    away from its link address: they must bound the whole .rela.dyn (a table cut short left
    pointers unrelocated, found by booting through U-Boot), and hold only the types it knows."""
    for elf in ("zvm.elf", os.path.join("rtos", "rtos.elf")):
        path = os.path.join(BUILD, elf)
        syms = subprocess.run(["aarch64-linux-gnu-nm", path], capture_output=True, text=True,
                              check=True).stdout
        bound = {m.group(2): int(m.group(1), 16)
                 for m in re.finditer(r"^([0-9a-f]+) \w (__rela_start|__rela_end)$", syms, re.M)}
        sects = subprocess.run(["aarch64-linux-gnu-readelf", "-SW", path], capture_output=True,
                               text=True, check=True).stdout
        m = re.search(r"\.rela\.dyn\s+RELA\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)", sects)
        assert m, sects
        assert bound["__rela_start"] == int(m.group(1), 16), (elf, bound)
        assert bound["__rela_end"] - bound["__rela_start"] == int(m.group(2), 16), (elf, bound)
        relocs = subprocess.run(["aarch64-linux-gnu-readelf", "-rW", path], capture_output=True,
                                text=True, check=True).stdout
        types = set(re.findall(r"^[0-9a-f]{16}\s+[0-9a-f]+\s+(R_AARCH64_\w+)", relocs, re.M))
        assert types <= {"R_AARCH64_RELATIVE", "R_AARCH64_NONE"}, (elf, types)
        assert "R_AARCH64_RELATIVE" in types, elf
