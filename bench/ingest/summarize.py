#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage ingest benchmark: the summary of out/runs.tsv (medians, ratios, goals).
#
#   summarize.py OUT      prints Markdown; run.sh writes it to OUT/summary.md
import csv
import statistics
import sys
from pathlib import Path

out = Path(sys.argv[1])
runs = list(csv.DictReader(open(out / "runs.tsv"), delimiter="\t"))
meta = (out / "meta.txt").read_text().strip().splitlines()


def of(name):
    return [r for r in runs if r["run"] == name]


def median(name, field):
    values = [float(r[field]) for r in of(name)]
    return statistics.median(values) if values else 0.0


invalid = [f"{r['run']} rep {r['rep']}" for r in runs if r["valid"] != "yes"]
print("# Usage ingest benchmark\n")
for line in meta:
    print(f"- {line}")
print()
print("| run | units | wall s (median) | units/s (median) | server CPU s (median) | peak RSS MiB (max) | runs |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, label in [("records", "UploadRecords, 1 stream"), ("raw", "raw_insert.c (reference)"),
                    ("raw64", "raw_insert.c, 64 rows per INSERT (the server's statement shape)"),
                    ("xlsx", "UploadUsageFile, XLSX"), ("openpyxl", "openpyxl read-only iteration (reference)")]:
    rows = of(name)
    if not rows:
        continue
    rss = [int(r["peak_rss_mib"]) for r in rows if r["peak_rss_mib"] != "-"]
    print(f"| {label} | {rows[0]['units']} | {median(name, 'wall_s'):.2f} | {median(name, 'units_per_s'):,.0f} | "
          f"{median(name, 'cpu_s'):.2f} | {max(rss) if rss else '-'} | {len(rows)} |")
print()

records, raw = median("records", "units_per_s"), median("raw", "units_per_s")
xlsx, openpyxl = median("xlsx", "units_per_s"), median("openpyxl", "units_per_s")
rss = max((int(r["peak_rss_mib"]) for r in of("records")), default=0)
stream_ratio = records / raw if raw else 0
xlsx_ratio = xlsx / openpyxl if openpyxl else 0
cpu_ratio = (median("raw", "cpu_s") / median("records", "cpu_s")) if median("records", "cpu_s") else 0
raw64 = median("raw64", "units_per_s")


def verdict(ok):
    return "**met**" if ok else "**not met**"


print("| goal | measured | |")
print("|---|---:|---|")
print(f"| record stream ≥ 70% of the raw SQLite rate (wall) | {stream_ratio:.0%} | {verdict(stream_ratio >= 0.70)} |")
print(f"| (same, by CPU time: raw CPU / server CPU) | {cpu_ratio:.0%} | for information |")
if raw64:
    print(f"| (record stream against raw_insert.c with the server's 64-row INSERTs, wall) | {records / raw64:.0%} "
          "| for information |")
print(f"| XLSX ingest ≥ 20× openpyxl iterating | {xlsx_ratio:.1f}× | {verdict(xlsx_ratio >= 20)} |")
print(f"| peak RSS of the 1M-record ingest ≤ 150 MiB | {rss} MiB | {verdict(0 < rss <= 150)} |")
print()
if invalid:
    print(f"**Invalid runs (a check failed): {', '.join(invalid)}** — see out/checks.txt and out/raw/.")
else:
    print(f"Every run passed its checks ({len(runs)} runs): see out/checks.txt.")
