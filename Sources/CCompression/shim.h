#ifndef FAIRFLOW_CCOMPRESSION_SHIM_H
#define FAIRFLOW_CCOMPRESSION_SHIM_H
// The decompressors ROOT files use: zlib (ZL), LZ4 with an xxhash64 checksum (L4), zstd (ZS),
// lzma/xz (XZ). Debian packages zlib1g-dev liblz4-dev libzstd-dev liblzma-dev libxxhash-dev.
#include <zlib.h>
#include <lz4.h>
#include <zstd.h>
#include <lzma.h>
#include <xxhash.h>

// LZMA_STREAM_INIT is a macro initialiser.
static inline lzma_stream ccompression_lzma_stream_init(void) {
  lzma_stream stream = LZMA_STREAM_INIT;
  return stream;
}
#endif
