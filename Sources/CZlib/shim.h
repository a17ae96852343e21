#ifndef SWARMDEPLOY_CZLIB_SHIM_H
#define SWARMDEPLOY_CZLIB_SHIM_H

#include <zlib.h>

// deflateInit2 and inflateInit2 are macros that Swift cannot call; these
// inline functions expose them with the version and struct size filled in.
static inline int swarmdeploy_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int swarmdeploy_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
