// SPDX-License-Identifier: Apache-2.0
// UsageFlow — system library shim for libnghttp2 (Debian: libnghttp2-dev).
#ifndef CNGHTTP2_SHIM_H
#define CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

/// The library version this build was compiled against, for diagnostics.
static inline const char *cnghttp2_compiled_version(void) { return NGHTTP2_VERSION; }

/// The version of the library loaded at run time.
static inline const char *cnghttp2_runtime_version(void) {
    nghttp2_info *info = nghttp2_version(0);
    return info ? info->version_str : "unknown";
}

#endif
