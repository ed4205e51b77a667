#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — catalogue read benchmark: turns out/runs.tsv (written by run.sh) into the Markdown
# summary: medians over the repetitions (calibration runs excluded), each catalogue read as a ratio
# of the bare UnaryCall rate measured in the same run, and the goal (≥ 50 %), judged on the CPU per
# call (the rate each server reaches on one saturated core; see the comment at the verdict).
#
#   summarize.py OUTDIR
import csv
import os
import statistics
import sys

GOAL = 0.5
WORKLOADS = {
    "unary": "interop-server `BenchmarkService/UnaryCall`, 1 B each way (the bare RPC)",
    "getproduct": "usageflow `VendorService/GetProduct`",
    "listitems": f"usageflow `VendorService/ListItems`, {os.environ.get('ITEMS', '100')} items",
    "unary-large": "interop-server `UnaryCall` with a reply as large as ListItems' (for information)",
}


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "runs.tsv")) as f:
        runs = list(csv.DictReader(f, delimiter="\t"))
    measured = [r for r in runs if r["rep"] != "0"]
    invalid = [r for r in runs if r["valid"] != "yes"]
    stats = {}
    for workload in WORKLOADS:
        rows = [r for r in measured if r["workload"] == workload and r["valid"] == "yes"]
        if not rows:
            continue
        calls = [int(r["calls"]) for r in rows]
        cpu = [float(r["cpu_s"]) for r in rows]
        wall = [float(r["wall_s"]) for r in rows]
        data = [int(r["data_bytes"]) for r in rows]
        stats[workload] = dict(
            rate=statistics.median(float(r["req_per_s"]) for r in rows),
            rates=[float(r["req_per_s"]) for r in rows],
            us=statistics.median(c / n * 1e6 for c, n in zip(cpu, calls)),
            util=statistics.median(c / w for c, w in zip(cpu, wall)),
            other=max(float(r["other_core_busy_s"]) / float(r["wall_s"]) for r in rows),
            reply=data[0] // calls[0] if calls[0] else 0,
            runs=len(rows),
        )
    meta = open(os.path.join(out, "meta.txt")).read().strip() if os.path.exists(os.path.join(out, "meta.txt")) else ""
    checks = open(os.path.join(out, "checks.txt")).read().strip() if os.path.exists(os.path.join(out, "checks.txt")) else ""
    print("# Catalogue reads against the bare RPC\n")
    for line in meta.splitlines():
        print(f"* {line}")
    print(f"* correctness: {len(runs) - len(invalid)}/{len(runs)} runs passed the gates (every call succeeded, "
          "DATA bytes = calls × reply, one grpc-status 0 per call)")
    for line in checks.splitlines():
        print(f"* grpcio {line}")
    print()
    print("| workload | reply DATA per call | RPC/s (median) | RPC/s, each repetition | server CPU per call | "
          "server core busy | other load on that core (max) |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for workload, label in WORKLOADS.items():
        s = stats.get(workload)
        if not s:
            print(f"| {label} | — | no valid run | | | | |")
            continue
        each = ", ".join(f"{r / 1e3:.1f} k" for r in s["rates"])
        print(f"| {label} | {s['reply']:,} B | **{s['rate'] / 1e3:.1f} k** | {each} | {s['us']:.2f} µs | "
              f"{s['util'] * 100:.0f} % | {s['other'] * 100:.0f} % |")
    print()
    base = stats.get("unary")
    # The verdict uses the CPU ratio: on one saturated server core a server's rate is 1 / its CPU per
    # call, so the CPU ratio is the rate ratio the core would give. The measured throughput ratio
    # equals it only when both servers kept their core busy; on a shared machine, where other
    # processes take the core's time, throughput follows the scheduler's share instead.
    print("| catalogue read | CPU per call, UnaryCall / read (**rate ratio on a saturated core**) | "
          "measured throughput / UnaryCall | goal ≥ 50 % |")
    print("|---|---:|---:|---|")
    for workload in ("getproduct", "listitems"):
        s = stats.get(workload)
        if not s or not base:
            print(f"| {workload} | — | — | not measured |")
            continue
        ratio = s["rate"] / base["rate"]
        cpu_ratio = base["us"] / s["us"]
        print(f"| {WORKLOADS[workload]} | **{cpu_ratio * 100:.0f} %** | {ratio * 100:.0f} % | "
              f"{'met' if cpu_ratio >= GOAL else 'not met'} |")
    large = stats.get("unary-large")
    if large and base:
        print(f"| {WORKLOADS['unary-large']} | {base['us'] / large['us'] * 100:.0f} % | "
              f"{large['rate'] / base['rate'] * 100:.0f} % | — |")
    if base and min(s["util"] for s in stats.values()) < 0.9:
        print("\nNot every server kept its core ≥ 90 % busy (other processes took its time, or the client "
              "could not keep up), so the measured throughput ratios say more about the scheduler than about "
              "the servers; the CPU ratios depend on it much less.")
    if invalid:
        print("\nInvalid runs (excluded):\n")
        for r in invalid:
            print(f"* rep {r['rep']} {r['workload']}: calls {r['calls']}, data {r['data_bytes']} "
                  f"(expected {r['expected_bytes']}), status ok {r['status_ok']}, other {r['status_bad']}")


if __name__ == "__main__":
    main()
