#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the CPUs were, by function, from tools/bench's profile mode.

    profile.py RAW KDIR TOP

RAW holds the guest's "PROF <case> <address> <samples>" lines (perf's
cpu-clock samples on every CPU, counted by address) and "PROF-MODULE
<name> <base>" lines (/proc/modules).  The plain kernel has no kallsyms,
so the addresses are named here: the kernel's from KDIR/System.map, the
modules' from their .ko files under TOP (their .text is the first thing
in their text region).  Prints Markdown: per case, the functions with the
most samples, as shares of the samples outside the idle loop.
"""
import bisect
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

IDLE = re.compile(r"(^|_)(idle|safe_halt|halt)($|_)|^do_idle|^cpuidle|^poll_idle|^mwait")
TOP_N = 25


def kernel_symbols(kdir):
    syms = []
    for line in Path(kdir, "System.map").read_text().splitlines():
        addr, kind, name = line.split()[:3]
        if kind in "tTwW":
            syms.append((int(addr, 16), name))
    return syms


def module_symbols(ko, base):
    out = subprocess.run(["nm", "-n", "--defined-only", "-C", str(ko)],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and parts[1] in "tT":
            syms.append((base + int(parts[0], 16), f"{parts[2]} [{ko.stem}]"))
    return syms


def shorten(name):
    # Rust paths: keep the last two segments, without the hash.
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    name = re.sub(r"<[^<>]*>", "<>", name)
    segs = name.split("::")
    return "::".join(segs[-2:]) if len(segs) > 2 else name


def main():
    raw, kdir, top = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    samples = defaultdict(lambda: defaultdict(int))
    modules = {}
    for line in Path(raw).read_text(errors="replace").splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == "PROF":
            try:
                samples[f[1]][int(f[2], 16)] += int(f[3])
            except ValueError:
                continue
        elif len(f) == 3 and f[0] == "PROF-MODULE":
            modules[f[1]] = int(f[2], 16)
    if not samples:
        sys.exit("profile.py: no PROF lines in " + raw)
    syms = kernel_symbols(kdir)
    for name, base in modules.items():
        ko = next(top.glob(f"*/{name}.ko"), None)
        if ko and base:
            syms += module_symbols(ko, base)
    syms.sort()
    addrs = [a for a, _ in syms]
    end = max(modules.values(), default=0) + (64 << 20)

    print("# Where the CPUs were\n")
    print("perf cpu-clock samples on every CPU of the guest (plain kernel), "
          "one run per case; shares are of the samples outside the idle loop. "
          "`[user]`: user space.\n")
    for case in sorted(samples):
        by_sym = defaultdict(int)
        for addr, n in samples[case].items():
            if addr < 0xffff800000000000:
                by_sym["[user]"] += n
                continue
            i = bisect.bisect_right(addrs, addr) - 1
            by_sym[shorten(syms[i][1]) if i >= 0 and addr < end else "[unknown]"] += n
        total = sum(by_sym.values())
        idle = sum(n for s, n in by_sym.items() if IDLE.search(s))
        busy = total - idle or 1
        print(f"## {case}\n")
        print(f"{total} samples, {100 * idle / total:.0f}% idle.\n")
        print("| function | share of busy |")
        print("|---|---|")
        ranked = sorted(((n, s) for s, n in by_sym.items() if not IDLE.search(s)),
                        reverse=True)
        for n, s in ranked[:TOP_N]:
            print(f"| `{s}` | {100 * n / busy:.1f}% |")
        print()


if __name__ == "__main__":
    main()
