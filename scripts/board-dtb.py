#!/usr/bin/env python3
"""Builds the board DTB that tells ZVM where QEMU put the guest images.

QEMU's own DTB for the given machine/CPU/SMP/RAM is dumped, then an overlay adds one
/reserved-memory/zvm-image@ADDR node per image listed in the guests config (see
configs/guests.conf). The outputs, in OUT:
  board.dtb   the merged DTB, passed to QEMU with -dtb
  qemu.args   -dtb and one -device loader per image, one argument per line
  board.d     make dependencies (config and image files)
ZVM finds the images only through the DTB: no image address is compiled in. /chosen gets
zvm,local-tlbi: on QEMU's TCG one-vCPU VMs keep their TLB maintenance on their own CPU.
With --vms FILE, the .dtsi fragment in FILE (boot-time VM nodes, docs/boot-vms.md) is merged
into /chosen as it is.
"""
import argparse
import itertools
import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALIGN = 2 << 20  # arm64 Images want a 2 MiB aligned base; one rule for all images keeps it simple
ROLES = ("kernel", "initrd")
NAME_RE = re.compile(r"[A-Za-z0-9_-]+")


class Error(Exception):
    pass


HEADERS = ("kernel/board.h", "kernel/buddy.h", "zvm/images.h", "zvm/vm_opts.h")


def header_defines(*headers):
    """`#define NAME value` from ZVM's headers, value a number or the name of another: the
    limits ZVM enforces at boot live there only, so this script refuses exactly what ZVM would."""
    raw = {}
    for h in headers:
        with open(os.path.join(ROOT, "include", h), encoding="utf-8") as f:
            for m in re.finditer(r"^#define\s+(\w+)\s+\(?\s*(\w+)\s*\)?\s*(?:/[*/].*)?$",
                                 f.read(), re.M):
                raw[m.group(1)] = m.group(2)

    def value(name, depth=0):
        v = raw[name]
        if re.fullmatch(r"\d+[uU]?", v):
            return int(v.rstrip("uU"))
        if depth > 8 or v not in raw:
            raise Error(f"cannot read {name} from ZVM's headers")
        return value(v, depth + 1)

    return value


_limit = header_defines(*HEADERS)
PRIO_MIN, PRIO_MAX = _limit("VM_PRIO_MIN"), _limit("VM_PRIO_MAX")
NAME_MAX = _limit("GUEST_NAME_MAX") - 1  # without the NUL
MAX_RESERVED = _limit("BOARD_MAX_RESERVED")  # kernel/board.c refuses more
MAX_TYPES = _limit("GUEST_TYPES_MAX")  # zvm/images.c drops the types past it
PAGE = 1 << _limit("BUDDY_PAGE_SHIFT")


def parse_config(path):
    """Lines `name role file [bootargs...]`, `name prio N` or `name boot kernel|firmware`;
    '#' starts a comment line.
    Returns guest dicts."""
    guests = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{lineno}"
            parts = line.split(None, 3)
            if len(parts) < 3:
                raise Error(f"{where}: expected 'name role file [bootargs]'")
            if len(parts) == 3 and parts[1] == "prio":
                name, prio = parts[0], parts[2]
                if not prio.isdigit() or not PRIO_MIN <= int(prio) <= PRIO_MAX:
                    raise Error(f"{where}: prio must be {PRIO_MIN}-{PRIO_MAX}")
                g = guests.setdefault(name, {"name": name})
                if "prio" in g:
                    raise Error(f"{where}: guest {name} has a second prio")
                g["prio"] = int(prio)
                continue
            if len(parts) == 3 and parts[1] == "boot":
                name, boot = parts[0], parts[2]
                if boot not in ("kernel", "firmware"):
                    raise Error(f"{where}: boot must be kernel or firmware")
                g = guests.setdefault(name, {"name": name})
                if "boot" in g:
                    raise Error(f"{where}: guest {name} has a second boot line")
                g["boot"] = boot
                continue
            name, role, file = parts[:3]
            bootargs = parts[3] if len(parts) > 3 else None
            if not NAME_RE.fullmatch(name) or len(name) > NAME_MAX:
                raise Error(f"{where}: guest name must be 1-{NAME_MAX} of [A-Za-z0-9_-]")
            if role not in ROLES:
                raise Error(f"{where}: role must be one of {', '.join(ROLES)}")
            if bootargs is not None and role != "kernel":
                raise Error(f"{where}: only a kernel line takes bootargs")
            g = guests.setdefault(name, {"name": name})
            if role in g:
                raise Error(f"{where}: guest {name} has a second {role}")
            path_abs = file if os.path.isabs(file) else os.path.join(ROOT, file)
            g[role] = path_abs
            if bootargs is not None:
                g["bootargs"] = bootargs
    for g in guests.values():
        if "kernel" not in g:
            raise Error(f"{path}: guest {g['name']} has no kernel line")
        if g.get("boot") == "firmware" and ("initrd" in g or "bootargs" in g):
            raise Error(f"{path}: guest {g['name']} boots firmware, which takes no initrd "
                        f"and no bootargs")
    if len(guests) > MAX_TYPES:
        raise Error(f"{path}: {len(guests)} guest types, ZVM takes at most {MAX_TYPES} "
                    f"(GUEST_TYPES_MAX, include/zvm/images.h)")
    return list(guests.values())


def base_reservations(dtb):
    """How many reserved regions QEMU's DTB has of its own, counted as kernel/board.c does:
    /memreserve/ entries (read from the blob: no dtc tool lists them), then the reg entries of
    enabled /reserved-memory children."""
    with open(dtb, "rb") as f:
        blob = f.read()
    off = struct.unpack_from(">I", blob, 16)[0]  # off_mem_rsvmap
    count = 0
    for i in itertools.count():
        addr, size = struct.unpack_from(">QQ", blob, off + 16 * i)
        if not addr and not size:  # the map's terminator
            break
        count += size != 0  # board.c skips empty ones
    if node_exists(dtb, "/reserved-memory"):
        ac = fdtget_cells(dtb, "/reserved-memory", "#address-cells")[0]
        sc = fdtget_cells(dtb, "/reserved-memory", "#size-cells")[0]
        for child in run(["fdtget", "-l", dtb, "/reserved-memory"]).split():
            path = "/reserved-memory/" + child
            props = run(["fdtget", "-p", dtb, path]).split()
            if "reg" not in props:
                continue
            if "status" in props and run(["fdtget", dtb, path, "status"]).strip() not in (
                    "okay", "ok"):
                continue
            regs = fdtget_cells(dtb, path, "reg")
            count += sum(1 for i in range(0, len(regs), ac + sc)
                         if any(regs[i + ac:i + ac + sc]))
    return count


def check_reserved(n_images, n_base):
    """kernel/board.c stops the boot past BOARD_MAX_RESERVED regions (a dropped one would hand
    its memory out): refuse such a board here, with the numbers."""
    if n_images + n_base > MAX_RESERVED:
        raise Error(f"{n_images} guest images and {n_base} reserved region(s) of the machine's "
                    f"own make {n_images + n_base} reserved memory regions; ZVM takes at most "
                    f"{MAX_RESERVED} (BOARD_MAX_RESERVED, include/kernel/board.h)")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise Error(f"{' '.join(cmd)} failed:\n{r.stderr.strip()}")
    return r.stdout


def fdtget_cells(dtb, node, prop):
    out = run(["fdtget", "-t", "x", dtb, node, prop]).split()
    return [int(x, 16) for x in out]


def node_exists(dtb, node):
    return subprocess.run(["fdtget", "-l", dtb, node], capture_output=True).returncode == 0


def ram_range(dtb):
    """The first /memory node's first bank (QEMU virt has exactly one, 2 cells each)."""
    for n in run(["fdtget", "-l", dtb, "/"]).split():
        if n.startswith("memory"):
            c = fdtget_cells(dtb, "/" + n, "reg")
            if len(c) < 4:
                raise Error(f"/{n} reg is not 2+2 cells")
            return (c[0] << 32 | c[1]), (c[2] << 32 | c[3])
    raise Error("QEMU's DTB has no memory node")


def place(guests, base, ram_base, ram_size):
    """Assigns each image a 2 MiB aligned address from base upwards, in config order."""
    addr = base
    placed = []
    # kernel/mem_init.c keeps the top of each bank for the page allocator's metadata, one byte
    # a page (kernel/buddy.c buddy_meta_size), and stops the boot when a reservation reaches it.
    meta = (ram_base + ram_size - ram_size // PAGE) & ~(PAGE - 1)
    for g in guests:
        for role in ROLES:
            if role not in g:
                continue
            try:
                size = os.path.getsize(g[role])
            except OSError as e:
                raise Error(f"guest {g['name']} {role}: {e}") from e
            if size == 0:
                raise Error(f"guest {g['name']} {role}: {g[role]} is empty")
            addr = (addr + ALIGN - 1) & ~(ALIGN - 1)
            if addr < ram_base or addr + size > ram_base + ram_size:
                raise Error(
                    f"guest {g['name']} {role} ({size} bytes) does not fit at {addr:#x}: "
                    f"RAM is {ram_base:#x}..{ram_base + ram_size:#x}; give QEMU more memory "
                    f"or list fewer images")
            if addr + size > meta:
                raise Error(
                    f"guest {g['name']} {role} ({size} bytes at {addr:#x}) reaches into the top "
                    f"{(ram_base + ram_size - meta) >> 10} KiB of RAM ({meta:#x}..), which ZVM "
                    f"keeps for its page allocator; give QEMU more memory or list fewer images")
            placed.append({"guest": g, "role": role, "file": g[role], "addr": addr, "size": size})
            addr += size
    return placed


def dts_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cells(value, n):
    if value >> (32 * n):
        raise Error(f"{value:#x} does not fit in {n} cells")
    return " ".join(f"{(value >> (32 * i)) & 0xffffffff:#x}" for i in reversed(range(n)))


def read_vms(path):
    """The boot-time VM fragment: /chosen children, copied in verbatim (dtc checks them)."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise Error(f"--vms: {e}") from e


def overlay_source(placed, have_rsv, acells, scells):
    lines = ["/dts-v1/;", "/plugin/;", "", "&{/} {", "\treserved-memory {"]
    if not have_rsv:
        lines += ["\t\t#address-cells = <2>;", "\t\t#size-cells = <2>;", "\t\tranges;"]
    for p in placed:
        lines += [
            "",
            f"\t\tzvm-image@{p['addr']:x} {{",
            f"\t\t\treg = <{cells(p['addr'], acells)} {cells(p['size'], scells)}>;",
            "\t\t\tno-map;",
            f"\t\t\tzvm,guest = {dts_string(p['guest']['name'])};",
            f"\t\t\tzvm,role = {dts_string(p['role'])};",
        ]
        if p["role"] == "kernel" and "bootargs" in p["guest"]:
            lines.append(f"\t\t\tzvm,bootargs = {dts_string(p['guest']['bootargs'])};")
        if p["role"] == "kernel" and "prio" in p["guest"]:
            lines.append(f"\t\t\tzvm,prio = <{p['guest']['prio']}>;")
        if p["role"] == "kernel" and "boot" in p["guest"]:
            lines.append(f"\t\t\tzvm,boot = {dts_string(p['guest']['boot'])};")
        lines.append("\t\t};")
    lines += ["\t};", "};", ""]
    return "\n".join(lines)


def add_vms(dtb, vms, dts_path):
    """Merges the fragment into /chosen through a source round trip (dtc keeps source order;
    an overlay would reverse the nodes, and with them the VM ids). dtc's errors name lines of
    dts_path, which is kept for that reason."""
    src = run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb])
    src += "\n/ {\n\tchosen {\n" + vms.rstrip("\n") + "\n\t};\n};\n"
    write_if_changed(dts_path, src)
    run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts_path])


def write_if_changed(path, data):
    """Keeps the timestamp of an unchanged output, so make does not redo what depends on it."""
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        with open(path, "rb" if mode == "wb" else "r") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, mode) as f:
        f.write(data)
    os.replace(tmp, path)


def build(args):
    guests = parse_config(args.config)
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    qemu_dtb = os.path.join(out, "qemu.dtb")
    run([args.qemu, "-M", args.machine, "-cpu", args.cpu, "-smp", str(args.smp), "-m", args.mem,
         "-nographic", "-machine", "dumpdtb=" + qemu_dtb])

    ram_base, ram_size = ram_range(qemu_dtb)
    placed = place(guests, args.base, ram_base, ram_size)
    check_reserved(len(placed), base_reservations(qemu_dtb))

    have_rsv = node_exists(qemu_dtb, "/reserved-memory")
    acells = scells = 2
    if have_rsv:
        acells = fdtget_cells(qemu_dtb, "/reserved-memory", "#address-cells")[0]
        scells = fdtget_cells(qemu_dtb, "/reserved-memory", "#size-cells")[0]
    dts = overlay_source(placed, have_rsv, acells, scells)
    vms = read_vms(args.vms)
    write_if_changed(os.path.join(out, "images.dtso"), dts)

    with tempfile.TemporaryDirectory() as tmp:
        dtbo = os.path.join(tmp, "images.dtbo")
        merged = os.path.join(tmp, "board.dtb")
        run(["dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", dtbo,
             os.path.join(out, "images.dtso")])
        run(["fdtoverlay", "-i", qemu_dtb, "-o", merged, dtbo])
        # A fact of QEMU's TCG: a broadcast TLB invalidation stops every emulated CPU's
        # thread, which costs far more than the trap that keeps a one-vCPU VM's on its CPU.
        run(["fdtput", merged, "/chosen", "zvm,local-tlbi"])
        if vms is not None:
            add_vms(merged, vms, os.path.join(out, "board-vms.dts"))
        with open(merged, "rb") as f:
            write_if_changed(os.path.join(out, "board.dtb"), f.read())

    qargs = ["-dtb", os.path.join(out, "board.dtb")]
    for p in placed:
        qargs += ["-device", f"loader,file={p['file']},addr={p['addr']:#x},force-raw=on"]
    write_if_changed(os.path.join(out, "qemu.args"), "\n".join(qargs) + "\n")

    # Paths relative to where make runs, so they name the same targets as the Makefile's.
    vms = [args.vms] if args.vms else []
    headers = [os.path.join(ROOT, "include", h) for h in HEADERS]  # the limits checked
    deps = [os.path.relpath(f)
            for f in [args.config] + vms + headers + [p["file"] for p in placed]]
    targets = " ".join(os.path.relpath(os.path.join(out, n)) for n in ("board.dtb", "qemu.args"))
    depfile = f"{targets}: {' '.join(deps)}\n" + "".join(f"{d}:\n" for d in deps)
    write_if_changed(os.path.join(out, "board.d"), depfile)
    return qargs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", default="qemu-system-aarch64")
    ap.add_argument("--machine", default="virt,virtualization=on,gic-version=3")
    ap.add_argument("--cpu", default="cortex-a57")
    ap.add_argument("--smp", default="4")
    ap.add_argument("--mem", default="2G")
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "guests.conf"))
    # Above the DTB QEMU places at 0x48000000 for -m 2G (and at RAM start for small RAM).
    ap.add_argument("--base", type=lambda s: int(s, 0), default=0x50000000)
    ap.add_argument("--vms", help="a .dtsi fragment of boot-time VM nodes to merge into /chosen")
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args()
    try:
        build(args)
    except Error as e:
        print(f"board-dtb: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
