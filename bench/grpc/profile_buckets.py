#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: sorts the samples of `perf script` (cpu-clock, call
# graphs) of interop-server into cost buckets, and lists the transport's functions by inclusive
# share. Used by profile.sh.
#
#   perf script -i FILE | profile_buckets.py OPS UNIT CPU_SECONDS
#
# A sample's bucket is decided by its whole stack: system calls by what they do (socket send,
# socket receive, eventfd wake-up, futex/scheduler hand-off between threads, epoll), then by the
# library of the innermost user-space frame (OpenSSL, nghttp2, the Swift concurrency runtime and
# libdispatch, ARC, malloc), else the innermost frame of our own code.
import collections
import os
import re
import subprocess
import sys

ops, unit, cpu = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])

BUCKETS = [
    # (name, predicate over (frames, dsos))
    ("kernel: socket send (write/sendmsg -> TCP -> loopback delivery)",
     lambda f, d: any(x in f for x in ("tcp_sendmsg", "sock_sendmsg", "sock_write_iter", "__sys_sendmsg",
                                       "__x64_sys_sendto"))),
    ("kernel: socket receive (read/recvmsg)",
     lambda f, d: any(x in f for x in ("tcp_recvmsg", "sock_read_iter", "sock_recvmsg"))),
    ("kernel: eventfd wake-ups (EventLoop.execute, loop wake)",
     lambda f, d: any(x in f for x in ("eventfd_write", "eventfd_read"))),
    ("kernel: futex and scheduler (thread hand-offs, sleeping/waking)",
     lambda f, d: any(x in f for x in ("futex_wake", "futex_wait", "__x64_sys_futex", "schedule",
                                       "finish_task_switch.isra.0"))),
    ("kernel: epoll_wait / epoll_ctl",
     lambda f, d: any(x in f for x in ("do_epoll_wait", "ep_poll", "do_epoll_ctl", "__x64_sys_epoll"))),
    ("kernel: other (syscall entry/exit, page faults, IRQs)", lambda f, d: d[0] == "[kernel.kallsyms]"),
    ("OpenSSL (TLS records, AES-GCM)", lambda f, d: d[0].startswith(("libssl", "libcrypto"))),
    ("nghttp2 (frames, HPACK, stream state)", lambda f, d: d[0].startswith("libnghttp2")),
    ("Swift concurrency runtime + libdispatch (tasks, groups, continuations, executors)",
     lambda f, d: d[0].startswith(("libswift_Concurrency", "libdispatch"))),
    ("ARC (swift_retain/release, uniqueness, exclusivity checks)",
     lambda f, d: re.match(r"swift_(retain|release|bridgeObject|isUniquely|beginAccess|endAccess|unknownObject)|"
                           r"swift::RefCounts|_swift_release_dealloc|swift::runtime::AccessSet", f[0]) is not None),
    ("malloc/free", lambda f, d: re.match(r"(_int_malloc|_int_free|malloc|cfree|free|__libc_malloc|"
                                          r"malloc_consolidate|unlink_chunk|__malloc_usable_size|"
                                          r"swift_slowAlloc|swift_slowDealloc|swift_allocObject|"
                                          r"swift_deallocObject|tcache|_int_realloc|realloc)", f[0]) is not None),
    ("libc other (memcpy, locks, clock)", lambda f, d: d[0].startswith("libc.so") or d[0] == "[vdso]"),
    ("Swift stdlib (String, Array, Dictionary, hashing)", lambda f, d: d[0].startswith("libswiftCore")),
]

samples = []
frames, dsos, thread = [], [], ""
for line in sys.stdin:
    if not line.strip():
        if frames:
            samples.append((thread, frames, dsos))
        frames, dsos = [], []
        continue
    if not line.startswith((" ", "\t")):
        thread = line.split()[0]
        continue
    m = re.match(r"\s*[0-9a-f]+\s+(.*?)(\+0x[0-9a-f]+)?\s+\((.*)\)\s*$", line)
    if m:
        frames.append(m.group(1))
        dsos.append(os.path.basename(m.group(3)))
if frames:
    samples.append((thread, frames, dsos))

total = len(samples)
if total == 0:
    sys.exit("no samples")
per_op_us = cpu / ops * 1e6

buckets = collections.Counter()
ours = collections.Counter()
for _, f, d in samples:
    for name, predicate in BUCKETS:
        if predicate(f, d):
            buckets[name] += 1
            break
    else:
        # Innermost frame in our binary.
        for frame, dso in zip(f, d):
            if dso == "interop-server" or dso.startswith("interop-server"):
                ours[frame] += 1
                buckets["our code (interop-server), self time"] += 1
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


print(f"{total} samples; {cpu:.2f} s server CPU over {ops:,} {unit}s = {per_op_us * 1000:.0f} ns per {unit}")
print()
print(f"| Bucket | share of server CPU | per {unit} |")
print("|---|---|---|")
for name, count in buckets.most_common():
    print(f"| {name} | {count / total * 100:.1f} % | {count / total * per_op_us * 1000:.0f} ns |")
print()

# Inclusive share of our own (transport, RPC core, handler) functions: a sample counts once per
# distinct function on its stack.
inclusive = collections.Counter()
for _, f, d in samples:
    seen = set()
    for frame, dso in zip(f, d):
        if dso.startswith("interop-server") and frame not in seen and frame.startswith("$s"):
            seen.add(frame)
            inclusive[frame] += 1
top = [(name, count) for name, count in inclusive.most_common(60)]
names = demangle([name for name, _ in top])
print("Our functions by inclusive share (top 30; a function counts once per sample):")
print()
print(f"| Function | inclusive | per {unit} |")
print("|---|---|---|")
shown = 0
seen_names = set()
for (name, count), pretty in zip(top, names):
    pretty = re.sub(r"\s+", " ", pretty)[:150]
    if pretty in seen_names:
        continue
    seen_names.add(pretty)
    print(f"| `{pretty}` | {count / total * 100:.1f} % | {count / total * per_op_us * 1000:.0f} ns |")
    shown += 1
    if shown == 30:
        break
print()

threads = collections.Counter(t for t, _, _ in samples)
print("Threads: " + ", ".join(f"{t} {c / total * 100:.0f} %" for t, c in threads.most_common(6)))
