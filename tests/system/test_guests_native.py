"""The test guests (build/guests/tests.bin) run natively at EL1 under QEMU, without ZVM.

This validates the guests themselves: every case that is architecturally defined must PASS on
QEMU's own EL1 + PSCI. The bootarg `zvmnative` relaxes the few checks that only ZVM can meet
(they print `# skip <case>: <reason>` instead of a result). The ZVM variants boot the same
image inside ZVM without `zvmnative`.
"""
import os
import re
import struct
import subprocess

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = os.path.join(ROOT, "build", "guests", "tests.bin")
RESULT = re.compile(r"^ZVMTEST (\S+) (PASS|FAIL)(?: (.*))?$", re.M)
DONE = re.compile(r"^ZVMTEST DONE (\d+)/(\d+)$", re.M)
SKIP = re.compile(r"^# skip (\S+): (.*)$", re.M)


def parse(text):
    """Returns ({case: (verdict, reason)}, (passed, total) or None, {skipped case: reason})."""
    text = text.replace("\r", "")
    results = {m.group(1): (m.group(2), m.group(3) or "") for m in RESULT.finditer(text)}
    results.pop("DONE", None)
    done = DONE.search(text)
    skipped = dict(SKIP.findall(text))
    return results, (int(done.group(1)), int(done.group(2))) if done else None, skipped


def qemu_native(bootargs, smp=2, mem="512M", gic=3):
    return ["qemu-system-aarch64", "-M", f"virt,gic-version={gic}", "-cpu", "cortex-a57",
            "-smp", str(smp), "-m", mem, "-nographic", "-kernel", IMAGE, "-append", bootargs]


def run_set(bootargs, timeout=20, **kw):
    cmd = qemu_native(bootargs, **kw)
    child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                          timeout=timeout, echo=False)
    try:
        child.expect(r"ZVMTEST DONE \d+/\d+")
        out = child.before + child.after
        child.expect(pexpect.EOF)  # PSCI SYSTEM_OFF ends QEMU
        out += child.before
    finally:
        child.close(force=True)
    return out, child.exitstatus


@pytest.fixture(scope="module", autouse=True)
def image():
    subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "guests", "tests")], check=True)
    assert os.path.exists(IMAGE)


def test_image_header():
    with open(IMAGE, "rb") as f:
        head = f.read(64)
    size = os.path.getsize(IMAGE)
    code0, text_offset, image_size, flags = struct.unpack_from("<I4xQQQ", head)
    assert head[56:60] == b"ARM\x64"
    assert text_offset == 0x80000
    assert image_size >= size  # includes .bss
    assert flags & 1 == 0  # little endian
    assert code0 >> 26 == 0b000101  # b <entry>


EXPECTED_SKIPS = {
    "psci": {"psci_features_smccc_version", "psci_cpu_on_bad_entry", "psci_smccc_version",
             "psci_version_smc"},
    "gic": set(),
    "timer": set(),
    "ptimer": set(),
    "abort": {"abort_load_512m", "abort_mmio_no_syndrome", "abort_fetch_uart_device",
              "abort_fetch_gicd_device", "abort_s1ptw_device_table"},
    "fp": set(),
    "el0": {"el0_a32_abort"},
    "debug": set(),
}
# On a GICv2 (QEMU's arm,cortex-a15-gic) the guests take guests/tests/gic_v2.c's path; these
# cases have nothing to check there (GICv3-only registers), or meet a QEMU quirk natively.
EXPECTED_SKIPS_V2 = {
    "gic": {"gic_dist_ctlr_are", "gic_redist_typer", "gic_spi_reroute_from_off_vcpu"},
    "abort": {"sysreg_sgi0r_asgi1r_accepted"},
}
MIN_CASES = {"psci": 25, "gic": 20, "timer": 10, "ptimer": 9, "abort": 13, "fp": 2, "el0": 7,
             "debug": 7}


@pytest.mark.parametrize("gic", [3, 2])
@pytest.mark.parametrize("test_set",
                         ["psci", "gic", "timer", "ptimer", "abort", "fp", "el0", "debug"])
def test_set_passes_natively(test_set, gic):
    extra = " zvmseed=7 zvmfpms=500" if test_set == "fp" else ""
    out, status = run_set(f"zvmtest={test_set} zvmnative{extra}", gic=gic)
    results, done, skipped = parse(out)
    failed = {c: r for c, (v, r) in results.items() if v != "PASS"}
    assert not failed, out
    assert done == (len(results), len(results)), out
    assert len(results) >= MIN_CASES[test_set], out
    want = EXPECTED_SKIPS[test_set] | (EXPECTED_SKIPS_V2.get(test_set, set()) if gic == 2
                                        else set())
    assert set(skipped) == want, out
    assert f"# GICv{gic}: GICD 0x8000000" in out, out
    assert status == 0


def test_sets_chain_in_one_boot():
    out, status = run_set("zvmtest=abort,timer zvmnative")
    results, done, _ = parse(out)
    assert done == (len(results), len(results)) and len(results) >= 23, out
    assert status == 0


def test_two_vcpu_sets_refuse_one_vcpu():
    out, status = run_set("zvmtest=psci,gic zvmnative", smp=1, mem="256M")
    results, done, _ = parse(out)
    assert results == {"psci": ("FAIL", "needs 2 vCPUs, the DTB lists 1"),
                       "gic": ("FAIL", "needs 2 vCPUs, the DTB lists 1")}, out
    assert done == (0, 2) and status == 0


def test_unknown_or_missing_set_fails_cleanly():
    out, status = run_set("zvmtest=nosuch")
    results, done, _ = parse(out)
    assert results == {"nosuch": ("FAIL", "unknown test set")} and done == (0, 1), out
    out, status = run_set("console=ttyAMA0")
    results, done, _ = parse(out)
    assert results == {"bootargs": ("FAIL", "no zvmtest= in bootargs")} and done == (0, 1), out
    assert status == 0


def test_hello_ticks_every_second():
    cmd = qemu_native("zvmtest=hello")
    child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                          timeout=10, echo=False)
    try:
        child.expect_exact("ZVM guest hello from vCPU 0")
        child.expect(r"hello tick 1\r*\n")
        child.expect(r"hello tick 2\r*\n")
        assert "ZVMTEST" not in child.before
    finally:
        child.close(force=True)
