// SPDX-License-Identifier: Apache-2.0
// UsageFlow — gRPC transport benchmark: a server-side grpc-status counter for servers built on
// libnghttp2 (interop-server, nghttpd), without touching their sources.
//
//   gcc -O2 -shared -fPIC -o status-shim.so status-shim.c -ldl
//   GRPC_STATUS_COUNTS=/path/counts.bin LD_PRELOAD=./status-shim.so interop-server ...
//
// Wraps nghttp2_submit_response, nghttp2_submit_headers and nghttp2_submit_trailer (the three
// ways a server can put grpc-status on the wire: trailers-only, HEADERS, trailers) and counts
// the value of every grpc-status header field in a shared, memory-mapped array of 32 uint64:
// [code] for 0..16, [17] for an unparsable value, [18] for responses without grpc-status.
// The harness reads the file before and after each run; h2load sees only :status, so this is
// what proves that every RPC of a run ended with grpc-status 0. The cost is one scan of the
// header list per submit (a few ns), the same for every server that loads it.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    uint8_t* name;
    uint8_t* value;
    size_t namelen;
    size_t valuelen;
    uint8_t flags;
} nv;  // layout of nghttp2_nv

static uint64_t fallback[32];
static uint64_t* counts = fallback;
static __thread int depth;  // nghttp2 may call its own exported submit functions

__attribute__((constructor)) static void open_counts(void) {
    const char* path = getenv("GRPC_STATUS_COUNTS");
    if (!path) return;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    if (ftruncate(fd, sizeof fallback) == 0) {
        void* p = mmap(NULL, sizeof fallback, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) counts = p;
    }
    close(fd);
}

static void count(const nv* fields, size_t n, int must_have_status) {
    for (size_t i = 0; i < n; i++) {
        if (fields[i].namelen == 11 && memcmp(fields[i].name, "grpc-status", 11) == 0) {
            int code = 0;
            size_t len = fields[i].valuelen;
            if (len == 0 || len > 2) {
                __atomic_fetch_add(&counts[17], 1, __ATOMIC_RELAXED);
                return;
            }
            for (size_t j = 0; j < len; j++) {
                uint8_t c = fields[i].value[j];
                if (c < '0' || c > '9') {
                    __atomic_fetch_add(&counts[17], 1, __ATOMIC_RELAXED);
                    return;
                }
                code = code * 10 + (c - '0');
            }
            __atomic_fetch_add(&counts[code <= 16 ? code : 17], 1, __ATOMIC_RELAXED);
            return;
        }
    }
    if (must_have_status) __atomic_fetch_add(&counts[18], 1, __ATOMIC_RELAXED);
}

#define NEXT(name) static __typeof__(&name) real; if (!real) real = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

int nghttp2_submit_trailer(void* session, int32_t stream_id, const nv* nva, size_t nvlen) {
    NEXT(nghttp2_submit_trailer);
    if (depth++ == 0) count(nva, nvlen, 1);
    int rc = real(session, stream_id, nva, nvlen);
    depth--;
    return rc;
}

int nghttp2_submit_response(void* session, int32_t stream_id, const nv* nva, size_t nvlen, const void* provider) {
    NEXT(nghttp2_submit_response);
    // With no body (provider NULL) this is a trailers-only response: it must carry grpc-status.
    if (depth++ == 0) count(nva, nvlen, provider == NULL);
    int rc = real(session, stream_id, nva, nvlen, provider);
    depth--;
    return rc;
}

int32_t nghttp2_submit_headers(void* session, uint8_t flags, int32_t stream_id, const void* pri_spec, const nv* nva,
                               size_t nvlen, void* stream_user_data) {
    NEXT(nghttp2_submit_headers);
    if (depth++ == 0) count(nva, nvlen, 0);
    int32_t rc = real(session, flags, stream_id, pri_spec, nva, nvlen, stream_user_data);
    depth--;
    return rc;
}
