#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: turns out/runs.tsv and out/memory.tsv (written by run.sh)
# into the Markdown summary: medians over the repetitions (calibration runs excluded), ratios to
# the nghttpd ceiling and the C++ peer, TLS cost, idle-connection memory, and the goals.
#
#   summarize.py OUTDIR
import csv
import os
import statistics
import sys

MESSAGES = 1000  # per streaming call (make_bodies.py)

# Per workload: what one "operation" is, and how many messages (counted each way) it carries.
WORKLOADS = {
    "unary": ("UnaryCall, 1 B each way", "RPC", 1),
    "cstream": ("StreamingFromClient, 1,000 × 100 B in", "message in", MESSAGES),
    "sstream": ("TestService.StreamingOutputCall, 1,000 × 100 B out", "message out", MESSAGES),
    "bidi": ("StreamingCall echo, 1,000 in + 1,000 out", "message either way", 2 * MESSAGES),
    "sfs": ("StreamingFromServer, endless 100 B out for SECS seconds", "message out", 1),
}
PLURAL = {"RPC": "RPCs", "message in": "messages in", "message out": "messages out",
          "message either way": "messages (in + out)"}
SERVERS = ["ours-tls", "ours-h2c", "cpp-tls", "cpp-h2c", "nghttpd-tls", "nghttpd-h2c"]
LABEL = {
    "ours-tls": "**interop-server, TLS**",
    "ours-h2c": "interop-server, h2c",
    "cpp-tls": "gRPC C++ 1.51 peer, TLS",
    "cpp-h2c": "gRPC C++ 1.51 peer, h2c",
    "nghttpd-tls": "nghttpd static reply, TLS (ceiling)",
    "nghttpd-h2c": "nghttpd static reply, h2c (ceiling)",
}


def load(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "—"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e4:
        return f"{value / 1e3:.0f} k"
    return f"{value:.{digits}f}"


def main():
    out = sys.argv[1]
    runs = load(os.path.join(out, "runs.tsv"))
    measured = [r for r in runs if r["rep"] != "0"]
    invalid = [r for r in runs if r["valid"] != "yes"]
    stats = {}  # (workload, server) -> dict
    for workload, (_, _, per_op) in WORKLOADS.items():
        for server in SERVERS:
            rows = [r for r in measured if r["workload"] == workload and r["server"] == server and r["valid"] == "yes"]
            if not rows:
                continue
            ops = [int(r["calls"]) * per_op for r in rows]  # messages (or RPCs) per run
            cpu = [float(r["cpu_s"]) for r in rows]
            rate = [float(r["req_per_s"]) * per_op for r in rows]
            per = [c / o * 1e9 for c, o in zip(cpu, ops)]  # ns per op
            util = [c / float(r["wall_s"]) for c, r in zip(cpu, rows)]
            other = [float(r["other_core_busy_s"]) / float(r["wall_s"]) for r in rows]
            # Per call; the endless stream has no calls, so per 1,000 messages there.
            # From the calibration runs, the only ones under perf stat. Per call; the endless stream
            # has no calls, so per 1,000 messages there.
            counted = [r for r in runs if r["rep"] == "0" and r["workload"] == workload and r["server"] == server
                       and r["syscalls"] and int(r["calls"]) > 0]
            calls = [int(r["calls"]) / (MESSAGES if workload == "sfs" else 1) for r in counted]
            sys_per = [int(r["syscalls"]) / c for r, c in zip(counted, calls)]
            ctx_per = [int(r["ctx_switches"]) / c for r, c in zip(counted, calls)]
            stats[workload, server] = dict(
                n=len(rows), rate=median(rate), rate_min=min(rate), rate_max=max(rate),
                ns=median(per), ns_min=min(per), ns_max=max(per), util=median(util), other=median(other),
                sys=median(sys_per), ctx=median(ctx_per))

    lines = []
    with open(os.path.join(out, "meta.txt")) as f:
        lines += [f"- {line.strip()}" for line in f if line.strip()]
    lines.append(f"- runs: {len(measured)} measured + {len(runs) - len(measured)} calibration; "
                 f"**{len(runs) - len(invalid)}/{len(runs)} passed the correctness gates** "
                 "(all requests succeeded, DATA bytes = calls × exact reply size, server-side grpc-status "
                 "counters: one OK per call and no other status)")
    for r in invalid:
        lines.append(f"  - INVALID: rep {r['rep']} {r['workload']} {r['server']}: calls {r['calls']}, data "
                     f"{r['data_bytes']} (expected {r['expected_bytes']}), ok {r['status_ok']}, bad {r['status_bad']}")
    checks = os.path.join(out, "checks.txt")
    if os.path.exists(checks):
        with open(checks) as f:
            results = [line.strip() for line in f if line.strip()]
        good = sum(": ok" in line for line in results)
        lines.append(f"- grpcio spot checks (before and after the load): {good}/{len(results)} ok")
    lines.append("")

    for workload, (title, unit, per_op) in WORKLOADS.items():
        present = [s for s in SERVERS if (workload, s) in stats]
        if not present:
            continue
        lines.append(f"**{workload}**: {title}; per {unit}")
        lines.append("")
        per_call = "1,000 messages" if workload == "sfs" else "call"
        lines.append(f"| Server | {PLURAL[unit]}/s, median (min–max) | server CPU per {unit} | capacity of one core "
                     f"| core busy | syscalls / {per_call} | context switches / {per_call} | other load on the core |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for s in present:
            st = stats[workload, s]
            cpu = f"{st['ns'] / 1000:.2f} µs" if st["ns"] >= 1000 else f"{st['ns']:.0f} ns"
            lines.append(
                f"| {LABEL[s]} | {fmt(st['rate'])} ({fmt(st['rate_min'])}–{fmt(st['rate_max'])}) | {cpu} "
                f"({st['ns_min'] / (1000 if st['ns'] >= 1000 else 1):.{2 if st['ns'] >= 1000 else 0}f}–"
                f"{st['ns_max'] / (1000 if st['ns'] >= 1000 else 1):.{2 if st['ns'] >= 1000 else 0}f}) "
                f"| {fmt(1e9 / st['ns'])}/s | {st['util'] * 100:.0f} % "
                f"| {fmt(st['sys'], 2) if st['sys'] is not None else '—'} "
                f"| {fmt(st['ctx'], 2) if st['ctx'] is not None else '—'} | {st['other'] * 100:.0f} % |")
        lines.append("")

    def ratio(workload, a, b, key):
        if (workload, a) in stats and (workload, b) in stats:
            return stats[workload, a][key] / stats[workload, b][key]
        return None

    lines.append("**Ratios** (medians; CPU ratio > 1 means ours uses more CPU per operation; throughput "
                 "ratio > 1 means ours is faster)")
    lines.append("")
    lines.append("| Workload | ours/nghttpd CPU (TLS) | ours/nghttpd throughput (TLS) | ours/C++ CPU (TLS) "
                 "| ours/C++ throughput (TLS) | ours/C++ CPU (h2c) | ours TLS cost | C++ TLS cost | nghttpd TLS cost |")
    lines.append("|---|---|---|---|---|---|---|---|---|")

    def r(x, pct=False):
        if x is None:
            return "—"
        return f"{(x - 1) * 100:+.0f} %" if pct else f"{x:.2f}×"

    for workload in WORKLOADS:
        lines.append(
            f"| {workload} | {r(ratio(workload, 'ours-tls', 'nghttpd-tls', 'ns'))} "
            f"| {r(ratio(workload, 'ours-tls', 'nghttpd-tls', 'rate'))} "
            f"| {r(ratio(workload, 'ours-tls', 'cpp-tls', 'ns'))} | {r(ratio(workload, 'ours-tls', 'cpp-tls', 'rate'))} "
            f"| {r(ratio(workload, 'ours-h2c', 'cpp-h2c', 'ns'))} "
            f"| {r(ratio(workload, 'ours-tls', 'ours-h2c', 'ns'), True)} "
            f"| {r(ratio(workload, 'cpp-tls', 'cpp-h2c', 'ns'), True)} "
            f"| {r(ratio(workload, 'nghttpd-tls', 'nghttpd-h2c', 'ns'), True)} |")
    lines.append("")

    memory = {}
    mem_path = os.path.join(out, "memory.tsv")
    if os.path.exists(mem_path):
        for row in load(mem_path):
            memory[row["server"]] = row
    if memory:
        lines.append("**Idle TLS connections** (fresh server, each connection: TLS 1.3 handshake, HTTP/2 "
                     "SETTINGS exchange, one unary call, then idle)")
        lines.append("")
        lines.append("| Server | connections | RSS before | RSS after | per connection |")
        lines.append("|---|---|---|---|---|")
        for s, row in memory.items():
            lines.append(f"| {LABEL.get(s, s)} | {row['connections']} | {int(row['rss_before_kib']) / 1024:.1f} MiB "
                         f"| {int(row['rss_after_kib']) / 1024:.1f} MiB | {float(row['kib_per_connection']):.1f} KiB |")
        lines.append("")

    # Goals of the issue.
    lines.append("**Goals** (server on one core, TLS)")
    lines.append("")
    lines.append("| Goal | Measured | Met? |")
    lines.append("|---|---|---|")
    u = stats.get(("unary", "ours-tls"))
    if u:
        capacity = 1e9 / u["ns"]
        lines.append(f"| unary ≥ 100,000 RPC/s on one core | {u['rate']:,.0f} RPC/s measured (core {u['util'] * 100:.0f} % "
                     f"busy); {capacity:,.0f} RPC/s from CPU per RPC | {'yes' if u['rate'] >= 1e5 else 'no'} "
                     f"({u['rate'] / 1e5:.2f}× the goal) |")
        lines.append(f"| ≤ 10 µs CPU per RPC | {u['ns'] / 1000:.2f} µs | {'yes' if u['ns'] <= 1e4 else 'no'} "
                     f"({u['ns'] / 1e4:.2f}× the budget) |")
        c = stats.get(("unary", "cpp-tls"))
        if c:
            tr, cr = u["rate"] / c["rate"], c["ns"] / u["ns"]
            lines.append(f"| ≥ 2× the C++ peer (unary) | {tr:.2f}× its throughput; its CPU per RPC is {cr:.2f}× ours "
                         f"| {'yes' if min(tr, cr) >= 2 else 'no'} |")
    for workload, what in (("cstream", "client streaming, per message in"),
                           ("sstream", "server streaming, per message out"),
                           ("sfs", "endless server streaming, per message out"),
                           ("bidi", "echo, per message either way")):
        st = stats.get((workload, "ours-tls"))
        if st:
            lines.append(f"| ≤ 250 ns CPU per message ({what}) | {st['ns']:.0f} ns | "
                         f"{'yes' if st['ns'] <= 250 else 'no'} ({st['ns'] / 250:.2f}× the budget) |")
    costs = [(w, ratio(w, "ours-tls", "ours-h2c", "ns")) for w in WORKLOADS]
    costs = [(w, c) for w, c in costs if c is not None]
    if costs:
        text = ", ".join(f"{w} {(c - 1) * 100:+.0f} %" for w, c in costs)
        met = all(c <= 1.05 for _, c in costs)
        lines.append(f"| TLS costs ≤ 5 % (CPU per operation, TLS vs h2c) | {text} | {'yes' if met else 'no'} |")
    m = memory.get("ours-tls")
    if m:
        kib = float(m["kib_per_connection"])
        lines.append(f"| ≤ 64 KiB per idle TLS connection | {kib:.1f} KiB | {'yes' if kib <= 64 else 'no'} "
                     f"({kib / 64:.2f}× the budget) |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
