// SPDX-License-Identifier: Apache-2.0
// UsageFlow — system library shim for zlib (Debian: zlib1g-dev).
// deflateInit2/inflateInit2 are macros that pass the version and struct size; these wrappers make them callable.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

static inline int czlib_inflate_init2(z_streamp stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
static inline int czlib_deflate_init2(z_streamp stream, int level, int window_bits, int mem_level, int strategy) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, mem_level, strategy);
}

#endif
