#ifndef CPNG_DEFLATE_H
#define CPNG_DEFLATE_H
// Private to the CPNG target: parallel zlib compression of unfiltered PNG scanlines.
#include <stddef.h>
#include <stdint.h>

/// Compresses `height` rows of `row_bytes` bytes (each preceded by PNG filter type 0, "None") into one
/// zlib stream, as PNG's IDAT data. The rows are cut into `strips` fixed strips compressed independently
/// (each a raw deflate stream ended by a sync flush, the last one finished) on up to `threads` threads, then
/// joined under one zlib header with the combined Adler-32: the bytes depend on `strips`, never on `threads`.
/// On success stores a malloc'd buffer in *out (size *out_size) and returns 0; on failure returns -1 with
/// a message in `error`.
int cpng_deflate_rows(const uint8_t *rows, size_t stride, size_t row_bytes, uint32_t height, int level,
                      int strategy, int strips, int threads, uint8_t **out, size_t *out_size,
                      char *error, size_t error_size);

/// Adler-32 (RFC 1950) of n bytes continuing from `adler` (1 for a fresh sum): SSE2 when available,
/// several times faster than zlib 1.2's scalar version. Declared in cpng.h for tests.
uint32_t cpng_adler32(uint32_t adler, const uint8_t *p, size_t n);

#endif
