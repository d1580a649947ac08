"""Boot limits: real configs (dozens of guest images) boot, a board past ZVM's limits is refused
by scripts/board-dtb.py with the numbers, and a tree built past them anyway (bypassing the
script) stops the boot with a message in words on the console, never silence."""
import os
import re
import shutil
import subprocess

import pytest

import board
from qemu import Zvm
from test_guests_zvm import run_test_guest

ROOT = board.ROOT
TESTS_BIN = os.path.join(board.BUILD, "guests", "tests.bin")


def header_limit(name, header="kernel/board.h"):
    with open(os.path.join(ROOT, "include", header), encoding="utf-8") as f:
        return int(re.search(rf"^#define\s+{name}\s+(\d+)", f.read(), re.M).group(1))


MAX_RESERVED = header_limit("BOARD_MAX_RESERVED")


def write_config(tmp_path, stem, count, initrds=False):
    """`count` guest types g01.., each a copy of the test guest under its own name (distinct
    files, as real images would be)."""
    lines = []
    for i in range(1, count + 1):
        image = tmp_path / f"g{i:02}.bin"
        shutil.copyfile(TESTS_BIN, image)
        lines.append(f"g{i:02} kernel {image} zvmtest=psci")
        if initrds:
            lines.append(f"g{i:02} initrd {image}")
    path = tmp_path / f"{stem}.conf"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def run_script(config, out):
    return subprocess.run([board.SCRIPT, "--config", config, "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True)


def test_twenty_guest_images_boot_and_all_are_listed(tmp_path):
    """More than 16 images (the old table) all reach ZVM, and the last one runs."""
    config = write_config(tmp_path, "boot-limits-20", 20)
    vm = Zvm(images=False, extra=board.image_args(config=config))
    try:
        out = vm.boot()
        assert "20 guest type(s)" in out, out
        assert "guest images:" not in out, out
        types = vm.run("zvm types")
        listed = re.findall(r"^(g\d\d)\s", types, re.M)
        assert listed == [f"g{i:02}" for i in range(1, 21)], types
        _, text, passed, total = run_test_guest(vm, "g20", 2)
        assert passed == total and total > 0 and "FAIL" not in text, text
    finally:
        vm.close()


def test_script_refuses_more_guest_images_than_zvm_takes(tmp_path):
    """One image per type, one over the limit: refused with the limit and the count."""
    config = write_config(tmp_path, "over", MAX_RESERVED // 2 + 1, initrds=True)
    r = run_script(config, tmp_path / "out")
    assert r.returncode != 0
    n = 2 * (MAX_RESERVED // 2 + 1)
    assert (f"{n} reserved memory regions; ZVM takes at most {MAX_RESERVED} "
            f"(BOARD_MAX_RESERVED" in r.stderr), r.stderr
    assert not (tmp_path / "out" / "board.dtb").exists()


def test_script_refuses_more_guest_types_than_zvm_takes(tmp_path):
    types = MAX_RESERVED  # include/zvm/images.h: GUEST_TYPES_MAX is BOARD_MAX_RESERVED
    config = write_config(tmp_path, "types", types + 1)
    r = run_script(config, tmp_path / "out")
    assert r.returncode != 0
    assert f"{types + 1} guest types, ZVM takes at most {types}" in r.stderr, r.stderr


def test_script_accepts_the_limit(tmp_path):
    config = write_config(tmp_path, "full", MAX_RESERVED)
    r = run_script(config, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", tmp_path / "out" / "board.dtb"],
                         capture_output=True, text=True, check=True).stdout
    assert len(re.findall(r"zvm,role = \"kernel\"", dts)) == MAX_RESERVED


def over_limit_dtb(tmp_path, broken_stdout=False):
    """The default board with MAX_RESERVED + 1 /memreserve/ entries added behind the script's
    back (as another boot loader might); with broken_stdout, /chosen/stdout-path names a PL011
    whose reg lies outside its bus's ranges, as well."""
    args = board.image_args()
    dtb = args[args.index("-dtb") + 1]
    src = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb], capture_output=True,
                         text=True, check=True).stdout
    rsv = "".join(f"/memreserve/ {0x70000000 + i * 0x1000:#x} 0x1000;\n"
                  for i in range(MAX_RESERVED + 1))
    src = src.replace("/dts-v1/;\n", "/dts-v1/;\n" + rsv, 1)
    if broken_stdout:
        src = re.sub(r'stdout-path = "[^"]*";', 'stdout-path = "/bus/serial@2000";', src)
        src += ("/ {\n\tbus {\n\t\tcompatible = \"simple-bus\";\n\t\t#address-cells = <1>;\n"
                "\t\t#size-cells = <1>;\n\t\tranges = <0 0x10000000 0x1000>;\n"
                "\t\tserial@2000 {\n\t\t\tcompatible = \"arm,pl011\";\n"
                "\t\t\treg = <0x2000 0x1000>;\n\t\t};\n\t};\n};\n")
    (tmp_path / "over.dts").write_text(src)
    out = tmp_path / "over.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, tmp_path / "over.dts"],
                   check=True)
    rest = list(args)
    rest[rest.index("-dtb") + 1] = str(out)
    return rest


@pytest.mark.parametrize("broken_stdout", [False, True])
def test_board_past_the_limit_stops_with_a_message(tmp_path, broken_stdout):
    """A tree ZVM must refuse says why on the console. With an unusable stdout-path UART the
    console is the board's other PL011: the boot still does not die in silence."""
    vm = Zvm(images=False, extra=over_limit_dtb(tmp_path, broken_stdout))
    try:
        vm.expect(r"ZVM PANIC.*boot device tree: more than "
                  rf"{MAX_RESERVED} reserved memory regions", timeout=30)
    finally:
        vm.close()


def test_script_refuses_an_image_in_the_page_metadata(tmp_path):
    """ZVM keeps the top of RAM (one byte a page) for its page allocator and panics when an
    image reaches into it: with 512 MiB from 0x40000000 and images from 0x50000000, one ending
    64 KiB below the top is refused, one ending 192 KiB below is taken."""
    for gap, ok in ((0x10000, False), (0x30000, True)):
        image = tmp_path / f"big{gap:x}.bin"
        with open(image, "wb") as f:
            f.truncate(0x10000000 - gap)  # sparse
        config = tmp_path / f"big{gap:x}.conf"
        config.write_text(f"big kernel {image}\n")
        r = subprocess.run([board.SCRIPT, "--config", str(config), "--mem", "512M",
                            "--out", str(tmp_path / f"out{gap:x}")], cwd=ROOT,
                           capture_output=True, text=True)
        assert (r.returncode == 0) == ok, r.stderr
        if not ok:
            assert "reaches into the top 128 KiB of RAM" in r.stderr, r.stderr


def test_cpus_past_the_table_are_reported():
    """A board with more CPUs than CONFIG_MAX_CPUS boots on the first ones and says so."""
    most = header_limit("CONFIG_MAX_CPUS", "kernel/config.h")
    vm = Zvm(smp=most + 2, mem="1G", images=False)
    try:
        out = vm.boot(timeout=60)
        assert f"boot device tree: 2 CPU(s) past the first {most} left offline" in out, out
        assert len(re.findall(r"online", vm.run("kernel cpus"))) == most
    finally:
        vm.close()
