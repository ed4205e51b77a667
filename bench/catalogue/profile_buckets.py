#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — catalogue read benchmark: sorts the samples of `perf script` (cpu-clock, call graphs)
# of `usageflow serve` into cost buckets, splits our own code by module, and lists our functions by
# inclusive share. Used by profile.sh. Buckets as in bench/grpc/profile_buckets.py, plus SQLite.
#
#   perf script -i FILE | profile_buckets.py CALLS UNIT CPU_SECONDS
#
# A sample's bucket is decided by its whole stack: system calls by what they do, then by the library
# of the innermost user-space frame (SQLite, OpenSSL, nghttp2, the Swift concurrency runtime, ARC,
# malloc, libc, the Swift standard library), else the module of the innermost frame of our code.
import collections
import os
import re
import subprocess
import sys

ops, unit, cpu = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
BINARY = "usageflow"

BUCKETS = [
    ("kernel: socket send", lambda f, d: any(x in f for x in (
        "tcp_sendmsg", "sock_sendmsg", "sock_write_iter", "__sys_sendmsg", "__x64_sys_sendto"))),
    ("kernel: socket receive", lambda f, d: any(x in f for x in ("tcp_recvmsg", "sock_read_iter", "sock_recvmsg"))),
    ("kernel: eventfd wake-ups", lambda f, d: any(x in f for x in ("eventfd_write", "eventfd_read"))),
    ("kernel: futex and scheduler (thread hand-offs, sleeping/waking)", lambda f, d: any(x in f for x in (
        "futex_wake", "futex_wait", "__x64_sys_futex", "schedule", "finish_task_switch.isra.0"))),
    ("kernel: epoll_wait / epoll_ctl", lambda f, d: any(x in f for x in (
        "do_epoll_wait", "ep_poll", "do_epoll_ctl", "__x64_sys_epoll"))),
    ("kernel: file I/O (SQLite reads, fstat, fcntl locks)", lambda f, d: any(x in f for x in (
        "ksys_pread64", "__x64_sys_pread64", "vfs_read", "__x64_sys_fcntl", "__do_sys_newfstat",
        "__x64_sys_newfstat", "vfs_fstat", "__x64_sys_access", "__x64_sys_stat"))),
    ("kernel: other (syscall entry/exit, page faults, IRQs)", lambda f, d: d[0] == "[kernel.kallsyms]"),
    ("SQLite (libsqlite3)", lambda f, d: d[0].startswith("libsqlite3")),
    ("OpenSSL (TLS records, AES-GCM, SHA-256)", lambda f, d: d[0].startswith(("libssl", "libcrypto"))),
    ("nghttp2 (frames, HPACK, stream state)", lambda f, d: d[0].startswith("libnghttp2")),
    ("Swift concurrency runtime + libdispatch", lambda f, d: d[0].startswith(("libswift_Concurrency", "libdispatch"))),
    ("ARC (swift_retain/release, uniqueness, exclusivity checks)",
     lambda f, d: re.match(r"swift_(retain|release|bridgeObject|isUniquely|beginAccess|endAccess|unknownObject)|"
                           r"swift::RefCounts|_swift_release_dealloc|swift::runtime::AccessSet", f[0]) is not None),
    ("malloc/free", lambda f, d: re.match(r"(_int_malloc|_int_free|malloc|cfree|free|__libc_malloc|"
                                          r"malloc_consolidate|unlink_chunk|__malloc_usable_size|"
                                          r"swift_slowAlloc|swift_slowDealloc|swift_allocObject|"
                                          r"swift_deallocObject|tcache|_int_realloc|realloc)", f[0]) is not None),
    ("Swift runtime metadata and casts (generic metadata, conformances, dynamic casts)",
     lambda f, d: re.match(r"swift_(getGenericMetadata|getWitnessTable|conformsToProtocol|dynamicCast|"
                           r"checkMetadataState|getTypeByMangled|getAssociated)|swift::|__swift", f[0]) is not None
     and not d[0].startswith(BINARY)),
    ("libc other (memcpy, locks, clock)", lambda f, d: d[0].startswith("libc.so") or d[0] == "[vdso]"),
    ("Swift stdlib (String, Array, Dictionary, hashing)", lambda f, d: d[0].startswith(("libswiftCore", "libswift"))),
]


def module(symbol):
    """The Swift module of a mangled symbol (`$s9VendorAPI…` → VendorAPI), else None."""
    m = re.match(r"\$s(\d+)", symbol)
    if not m:
        return None
    length = int(m.group(1))
    start = m.end()
    return symbol[start:start + length] or None


samples = []
frames, dsos = [], []
for line in sys.stdin:
    if not line.strip():
        if frames:
            samples.append((frames, dsos))
        frames, dsos = [], []
        continue
    if not line.startswith((" ", "\t")):
        continue
    m = re.match(r"\s*[0-9a-f]+\s+(.*?)(\+0x[0-9a-f]+)?\s+\((.*)\)\s*$", line)
    if m:
        frames.append(m.group(1))
        dsos.append(os.path.basename(m.group(3)))
if frames:
    samples.append((frames, dsos))

total = len(samples)
if total == 0:
    sys.exit("no samples")
per_op_us = cpu / ops * 1e6

buckets = collections.Counter()
ours = collections.Counter()
for f, d in samples:
    for name, predicate in BUCKETS:
        if predicate(f, d):
            buckets[name] += 1
            break
    else:
        for frame, dso in zip(f, d):
            if dso.startswith(BINARY):
                buckets[f"our code, self time: {module(frame) or 'other'}"] += 1
                ours[frame] += 1
                break
        else:
            buckets["other / unknown"] += 1


def demangle(names):
    try:
        result = subprocess.run(["swift-demangle", "--simplified", "--compact"], input="\n".join(names),
                                capture_output=True, text=True, timeout=30)
        out = result.stdout.splitlines()
        if len(out) == len(names):
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    return names


print(f"{total} samples; {cpu:.2f} s server CPU over {ops:,} {unit}s = {per_op_us:.1f} µs per {unit}")
print()
print(f"| Bucket | share of server CPU | per {unit} |")
print("|---|---:|---:|")
for name, count in buckets.most_common():
    print(f"| {name} | {count / total * 100:.1f} % | {count / total * per_op_us:.2f} µs |")
print()

# Inclusive: a sample counts once per distinct function of our binary on its stack; plus the
# inclusive share of every module of ours (the time spent at or below any of its frames).
inclusive = collections.Counter()
modules = collections.Counter()
for f, d in samples:
    seen, seen_modules = set(), set()
    for frame, dso in zip(f, d):
        if dso.startswith(BINARY) and frame.startswith("$s"):
            if frame not in seen:
                seen.add(frame)
                inclusive[frame] += 1
            name = module(frame)
            if name and name not in seen_modules:
                seen_modules.add(name)
                modules[name] += 1
print(f"Modules of ours by inclusive share (time at or below any of their frames):")
print()
print(f"| Module | inclusive | per {unit} |")
print("|---|---:|---:|")
for name, count in modules.most_common(16):
    print(f"| {name} | {count / total * 100:.1f} % | {count / total * per_op_us:.2f} µs |")
print()
top = inclusive.most_common(45)
names = demangle([name for name, _ in top])
print(f"Our functions by inclusive share:")
print()
print(f"| Function | inclusive | per {unit} |")
print("|---|---:|---:|")
for (name, count), pretty in zip(top, names):
    pretty = pretty.replace("|", "\\|")
    if len(pretty) > 150:
        pretty = pretty[:147] + "..."
    print(f"| `{pretty}` | {count / total * 100:.1f} % | {count / total * per_op_us:.2f} µs |")
