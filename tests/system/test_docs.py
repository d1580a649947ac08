"""The documentation names only shell commands, make targets and repo paths that exist.

Conventions the docs follow (so this check sees what they show):
- a host shell command is shown either after the prompt `zvm_host:~# ` in a code block, or in
  an inline code span starting with a command that has subcommands (`zvm look ID`);
- a make target is shown as an inline span or code-block line starting with `make `;
- a repo path is an inline span starting with a top-level source directory (`zvm/vcpu.c`), or a
  relative markdown link.
"""
import os
import re
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROMPT = "zvm_host:~# "
TOP_DIRS = ("arch", "bench", "configs", "docs", "drivers", "guests", "include", "kernel", "lib",
            "scripts", "shell", "tests", "zvm")


def doc_files():
    files = [os.path.join(ROOT, "README.md")]
    docs = os.path.join(ROOT, "docs")
    files += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    return files


def split_doc(path):
    """Returns (code-block lines, inline spans outside code blocks, link targets)."""
    block, spans, links, in_block = [], [], [], False
    with open(path) as f:
        for line in f:
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            if in_block:
                block.append(line.rstrip("\n"))
                continue
            spans += re.findall(r"`([^`]+)`", line)
            links += re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", line)
    return block, spans, links


def shown_commands():
    """(file, command line) for every host shell command the docs show."""
    out = []
    for path in doc_files():
        block, spans, _ = split_doc(path)
        out += [(path, l.split(PROMPT, 1)[1].strip()) for l in block if PROMPT in l]
        out += [(path, s.strip()) for s in spans]
    return out


def shell_commands(help_text):
    """{top-level command: set of subcommands} from the output of `help`."""
    cmds, top = {}, None
    for line in help_text.splitlines():
        m = re.match(r"^(\s*)(\S+)", line)
        if not m:
            continue
        if not m.group(1):
            top = m.group(2)
            cmds[top] = set()
        elif top is not None:
            cmds[top].add(m.group(2))
    return cmds


def bad_commands(shown, cmds):
    """Names the shown commands whose command or subcommand the shell does not have."""
    bad = []
    with_subs = {c for c, s in cmds.items() if s}
    for path, line in shown:
        words = line.replace("\\|", "|").split()
        if not words:
            continue
        top = words[0]
        if top not in cmds:
            continue
        if top in with_subs and len(words) > 1 and not words[1].startswith(("-", "[")):
            for sub in words[1].split("|"):
                if sub not in cmds[top]:
                    bad.append(f"{os.path.relpath(path, ROOT)}: {line}")
    return bad


def unknown_prompt_commands(cmds):
    bad = []
    for path in doc_files():
        block, _, _ = split_doc(path)
        for l in block:
            if PROMPT in l:
                words = l.split(PROMPT, 1)[1].split()
                if words and words[0] not in cmds:
                    bad.append(f"{os.path.relpath(path, ROOT)}: {l.strip()}")
    return bad


def make_targets():
    db = subprocess.run(["make", "-pRrq", "-f", "Makefile", ":"], cwd=ROOT, capture_output=True,
                        text=True).stdout
    return set(re.findall(r"^([a-z][a-z0-9_.-]*):", db, re.M))


def shown_make_targets():
    out = []
    for path in doc_files():
        block, spans, _ = split_doc(path)
        for text in block + spans:
            for m in re.finditer(r"(?:^|\s|`)make((?: +[A-Za-z0-9_.=,/-]+)+)", text):
                words = [w for w in m.group(1).split() if "=" not in w and not w.startswith("-")]
                out += [(path, w) for w in words]
    return out


def shown_paths():
    out = []
    for path in doc_files():
        _, spans, links = split_doc(path)
        for s in spans:
            s = s.strip()
            if re.fullmatch(r"[\w./-]+", s) and "/" in s and s.split("/")[0] in TOP_DIRS:
                out.append((path, os.path.join(ROOT, s)))
        for link in links:
            if "://" in link or link.startswith("mailto:"):
                continue
            out.append((path, os.path.normpath(os.path.join(os.path.dirname(path), link))))
    return out


def test_every_make_target_named_exists():
    targets = make_targets()
    assert {"all", "run", "test"} <= targets
    shown = shown_make_targets()
    assert len(shown) > 10
    bad = [f"{os.path.relpath(p, ROOT)}: make {t}" for p, t in shown if t not in targets]
    assert not bad, bad


def test_every_repo_path_named_exists():
    shown = shown_paths()
    assert len(shown) > 10
    bad = [f"{os.path.relpath(p, ROOT)}: {os.path.relpath(t, ROOT)}" for p, t in shown
           if not os.path.exists(t)]
    assert not bad, bad


def test_every_shell_command_shown_exists(zvm):
    cmds = shell_commands(zvm.run("help"))
    assert {"zvm", "kernel", "help"} <= set(cmds) and "look" in cmds["zvm"], cmds
    shown = shown_commands()
    assert sum(1 for _, l in shown if l.startswith("zvm ")) > 10
    bad = unknown_prompt_commands(cmds) + bad_commands(shown, cmds)
    assert not bad, bad
