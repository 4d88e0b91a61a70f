#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables and a plot from tools/bench's raw lines.

    report.py RAW OUTDIR [--quick]

RAW holds the guest's "BENCH <group> <case> <peer> <value>" lines (one per
measurement and repetition).  Writes OUTDIR/results.md (Markdown: medians
with their spread, the ratios of IPN to its peers, the project's targets)
and OUTDIR/ratios.svg (the ratios as bars on a log scale), and prints the
Markdown.  Exits 1 if a measurement is missing: the numbers never fail a
run, a benchmark that no longer runs does.
"""
import math
import statistics
import sys
from collections import defaultdict

FANOUT_PEERS = [("ipn", "IPN hub, lossless"), ("ipn-lossy", "IPN hub, lossy"),
                ("unix", "AF_UNIX, a send per receiver"), ("udp", "UDP multicast on lo"),
                ("vde", "vde_switch hub")]
PINGPONG_PEERS = [("ipn", "IPN hub"), ("unix", "AF_UNIX"), ("vde", "vde_switch hub")]
NETNS_PEERS = [("switch", "IPN kvde_switch, taps"), ("hub", "IPN hub, taps"),
               ("bridge", "Linux bridge, veth"), ("vde", "vde_switch, vde_plug taps")]
VM_PEERS = [("ipn", "IPN plug-in, kvde_switch"), ("vde", "vde_switch")]


def load(path):
    data = defaultdict(list)
    config = ""
    missing = []
    with open(path, errors="replace") as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "BENCH-CONFIG":
                config = " ".join(words[1:])
            elif words[0] == "BENCH" and len(words) == 5:
                key = tuple(words[1:4])
                try:
                    data[key].append(float(words[4]))
                except ValueError:
                    missing.append(" ".join(key))
    return data, config, missing


class Report:
    def __init__(self, data):
        self.data = data
        self.lines = []
        self.ratios = []  # (label, IPN's speed over the peer's, target or None)
        self.targets = []  # (text, value, met)

    def median(self, group, case, peer):
        v = self.data.get((group, case, peer))
        return statistics.median(v) if v else None

    def cell(self, group, case, peer, scale=1.0, fmt="{:.1f}"):
        v = self.data.get((group, case, peer))
        if not v:
            return "—"
        m = statistics.median(v)
        text = fmt.format(m / scale)
        if len(v) > 1 and m > 0:
            text += " ±{:.0f}%".format((max(v) - min(v)) / 2 / m * 100)
        return text

    def ratio(self, a, b, lower_is_better=False):
        """a over b, both medians; None when one is missing."""
        if a is None or b is None or a <= 0 or b <= 0:
            return None
        return b / a if lower_is_better else a / b

    def table(self, head, rows):
        self.lines.append("| " + " | ".join(head) + " |")
        self.lines.append("|" + "---|" * len(head))
        for r in rows:
            self.lines.append("| " + " | ".join(r) + " |")
        self.lines.append("")

    def target(self, text, value, want, at_least=True):
        met = value is not None and (value >= want if at_least else value <= want)
        self.targets.append((text, value, met))
        return met

    def fanout(self):
        self.lines += ["### Fan-out: one sender, N receivers (thousand deliveries/s)", ""]
        head = ["N", "size"] + [name for _, name in FANOUT_PEERS] + \
            ["IPN ÷ AF_UNIX", "IPN ÷ vde_switch"]
        rows = []
        for size in (64, 1500):
            for n in (1, 4, 16, 64):
                case = f"n={n},size={size}"
                med = {p: self.median("fanout", case, p) for p, _ in FANOUT_PEERS}
                r_unix = self.ratio(med["ipn"], med["unix"])
                r_vde = self.ratio(med["ipn"], med["vde"])
                rows.append([str(n), f"{size} B"] +
                            [self.cell("fanout", case, p, 1000) for p, _ in FANOUT_PEERS] +
                            [fmt_ratio(r_unix), fmt_ratio(r_vde)])
                want_unix = {1: 1.0, 16: 2.5}.get(n)
                self.ratios.append((f"fan-out 1→{n}, {size} B ÷ AF_UNIX", r_unix, want_unix))
                if want_unix:
                    self.target(f"fan-out 1→{n}, {size} B: ≥ {want_unix}× AF_UNIX", r_unix, want_unix)
                if n == 16:
                    self.ratios.append((f"fan-out 1→16, {size} B ÷ vde_switch", r_vde, 3.0))
                    self.target(f"fan-out 1→16, {size} B: ≥ 3× vde_switch hub", r_vde, 3.0)
        self.table(head, rows)

    def pingpong(self):
        self.lines += ["### Ping-pong: mean round trip (µs; lower is better)", ""]
        head = ["size"] + [name for _, name in PINGPONG_PEERS] + \
            ["IPN ÷ AF_UNIX", "IPN ÷ vde_switch"]
        rows = []
        for size in (64, 1500):
            case = f"size={size}"
            med = {p: self.median("pingpong", case, p) for p, _ in PINGPONG_PEERS}
            # The table shows IPN's round trip over the peer's; the plot,
            # as everywhere, speed: the peer's round trip over IPN's.
            rt_unix = self.ratio(med["ipn"], med["unix"])
            rt_vde = self.ratio(med["ipn"], med["vde"])
            rows.append([f"{size} B"] + [self.cell("pingpong", case, p) for p, _ in PINGPONG_PEERS] +
                        [fmt_ratio(rt_unix), fmt_ratio(rt_vde)])
            self.ratios.append((f"ping-pong {size} B, speed ÷ AF_UNIX",
                                self.ratio(med["ipn"], med["unix"], lower_is_better=True), 1.0))
            self.target(f"ping-pong {size} B: round trip ≤ 1.0× AF_UNIX's", rt_unix, 1.0,
                        at_least=False)
        self.table(head, rows)

    def pair(self, title, group_tcp, group_rtt, peers, base, others):
        """A TCP-and-latency table of setups, with base's ratios to others."""
        self.lines += [f"### {title}", ""]
        head = ["", *[name for _, name in peers]] + \
            [f"{dict(peers)[base].split(',')[0]} ÷ {dict(peers)[o].split(',')[0]}" for o in others]
        tcp = {p: self.median(group_tcp, "tcp", p) for p, _ in peers}
        rtt = {p: self.median(group_rtt, "ping", p) for p, _ in peers}
        rows = [
            ["TCP, Mbit/s"] + [self.cell(group_tcp, "tcp", p, fmt="{:.0f}") for p, _ in peers] +
            [fmt_ratio(self.ratio(tcp[base], tcp[o])) for o in others],
            ["round trip, µs"] + [self.cell(group_rtt, "ping", p) for p, _ in peers] +
            [fmt_ratio(self.ratio(rtt[base], rtt[o])) for o in others],
        ]
        self.table(head, rows)
        return tcp, rtt

    def netns(self):
        tcp, rtt = self.pair("Two network namespaces over L2 (iperf3 TCP, ping)",
                             "netns-tcp", "netns-rtt", NETNS_PEERS, "switch", ["bridge", "vde"])
        r_bridge = self.ratio(tcp["switch"], tcp["bridge"])
        r_vde = self.ratio(tcp["switch"], tcp["vde"])
        self.ratios.append(("namespaces TCP, IPN switch ÷ bridge", r_bridge, 0.9))
        self.ratios.append(("namespaces TCP, IPN switch ÷ vde_switch", r_vde, 3.0))
        self.ratios.append(("namespaces TCP, IPN hub ÷ bridge",
                            self.ratio(tcp["hub"], tcp["bridge"]), None))
        self.ratios.append(("namespaces ping, IPN switch speed ÷ bridge",
                            self.ratio(rtt["switch"], rtt["bridge"], lower_is_better=True), None))
        self.target("namespaces TCP, IPN switch: ≥ 0.9× Linux bridge", r_bridge, 0.9)
        self.target("namespaces TCP, IPN switch: ≥ 3× vde_switch", r_vde, 3.0)

    def vm(self):
        tcp, rtt = self.pair("A User-Mode Linux VM to the host (TCP, ping)",
                             "vm-tcp", "vm-rtt", VM_PEERS, "ipn", ["vde"])
        self.ratios.append(("UML VM → host TCP, IPN ÷ vde_switch",
                            self.ratio(tcp["ipn"], tcp["vde"]), None))

    def plot(self, path):
        """Horizontal bars of log2(ratio): right of the axis, IPN is faster."""
        rows = [r for r in self.ratios if r[1]]
        lo, hi = 1 / 16, 16
        width, left, right, bar, top = 900, 330, 40, 18, 40
        height = top + len(rows) * (bar + 6) + 40
        span = width - left - right

        def x(v):
            v = min(max(v, lo), hi)
            return left + (math.log2(v) - math.log2(lo)) / (math.log2(hi) - math.log2(lo)) * span

        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
               f'font-family="sans-serif" font-size="12">',
               f'<rect width="{width}" height="{height}" fill="white"/>',
               f'<text x="{left}" y="20" font-size="14">IPN ÷ peer, speed '
               '(log scale; right of 1×, IPN is faster; ticks: targets)</text>']
        k = lo
        while k <= hi:
            out.append(f'<line x1="{x(k):.1f}" y1="{top - 6}" x2="{x(k):.1f}" y2="{height - 30}" '
                       f'stroke="{"black" if k == 1 else "#ddd"}"/>')
            out.append(f'<text x="{x(k):.1f}" y="{height - 14}" text-anchor="middle">'
                       f'{k:g}×</text>')
            k *= 2
        for i, (label, value, want) in enumerate(rows):
            y = top + i * (bar + 6)
            met = want is None or value >= want
            colour = "#888" if want is None else ("#2a7" if met else "#d44")
            x0, x1 = sorted((x(1), x(value)))
            out.append(f'<text x="{left - 8}" y="{y + bar - 4}" text-anchor="end">'
                       f'{escape(label)}</text>')
            out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" '
                       f'height="{bar}" fill="{colour}"/>')
            out.append(f'<text x="{max(x1, x(1)) + 4:.1f}" y="{y + bar - 4}">{value:.2f}×</text>')
            if want:
                out.append(f'<line x1="{x(want):.1f}" y1="{y - 2}" x2="{x(want):.1f}" '
                           f'y2="{y + bar + 2}" stroke="black" stroke-width="2"/>')
        out.append("</svg>")
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")


def fmt_ratio(r):
    return "—" if not r else f"{r:.2f}×"


def escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    if len(args) != 2:
        sys.exit(__doc__)
    raw, outdir = args
    data, config, missing = load(raw)
    rep = Report(data)
    rep.lines += ["## Benchmarks", "",
                  f"Medians of the repetitions, ± half their range. {config}.", ""]
    if quick:
        rep.lines += ["**Quick mode: one short repetition; these numbers mean nothing.**", ""]
    rep.fanout()
    rep.pingpong()
    rep.netns()
    rep.vm()
    rep.lines += ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
    for text, value, met in rep.targets:
        rep.lines.append(f"| {text} | {fmt_ratio(value)} | {'yes' if met else '**no**'} |")
    rep.lines.append("")
    if missing:
        rep.lines += ["Missing measurements: " + ", ".join(missing), ""]
    text = "\n".join(rep.lines)
    with open(f"{outdir}/results.md", "w") as f:
        f.write(text)
    rep.plot(f"{outdir}/ratios.svg")
    print(text)
    print(f"(written: {outdir}/results.md, {outdir}/ratios.svg)")
    if missing or not data:
        sys.exit(1)


if __name__ == "__main__":
    main()
