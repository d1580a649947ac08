"""Boots ZVM under QEMU and talks to its shell through pexpect."""
import os
import re
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
PROMPT = "zvm_host:~# "
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def qemu_command(cpu="cortex-a57", smp=4, mem="2G", virtualization=True, extra=()):
    machine = "virt,gic-version=3" + (",virtualization=on" if virtualization else "")
    return ["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-smp", str(smp), "-m", mem,
            "-nographic", "-kernel", os.path.join(BUILD, "zvm.bin"), *extra]


class Zvm:
    """One running QEMU with ZVM inside; `run()` types a command and returns its output."""

    def __init__(self, boot_timeout=30, **kw):
        cmd = qemu_command(**kw)
        self.started = time.monotonic()
        self.child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                                   timeout=boot_timeout, echo=False)
        self.log = []

    def wait_prompt(self, timeout=30):
        self.child.expect_exact(PROMPT, timeout=timeout)
        return clean(self.child.before)

    def boot(self, timeout=30):
        out = self.wait_prompt(timeout)
        self.boot_seconds = time.monotonic() - self.started
        return out

    def send(self, text):
        self.child.send(text)

    def run(self, line, timeout=30):
        """Types line + Enter and returns what it printed before the next prompt."""
        self.child.send(line + "\r")
        out = self.wait_prompt(timeout)
        # The shell echoes the line itself first.
        first, _, rest = out.partition("\n")
        return rest if line.strip() in first else out

    def expect(self, pattern, timeout=30):
        self.child.expect(pattern, timeout=timeout)
        return self.child.match

    def exit_status(self, timeout=30):
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)


def clean(text):
    return ANSI.sub("", text).replace("\r", "")
