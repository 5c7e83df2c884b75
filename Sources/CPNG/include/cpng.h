#ifndef CPNG_H
#define CPNG_H
// Private C shim around libpng for the Raster module. No stable API: only Raster/PNG.swift calls it.
// libpng's classic API reports errors by longjmp, which Swift cannot catch, so the setjmp lives here.

#include <stddef.h>
#include <stdint.h>

/// One text chunk. `key` is 1-79 Latin-1 characters; `utf8` = 0 writes tEXt (Latin-1 text),
/// 1 writes an uncompressed iTXt chunk (UTF-8 text).
typedef struct {
    const char *key;
    const char *text;
    int utf8;
} cpng_text;

/// Writes an 8-bit RGBA (straight alpha) image to `path`.
/// `rgba` holds `height` rows of `width` pixels, `stride` bytes apart. `level` is the zlib level 0-9.
/// `filters` is a libpng filter mask (PNG_FILTER_NONE = 0x08 ... PNG_ALL_FILTERS = 0xF8), 0 for libpng's default.
/// `strategy` is a zlib strategy (0 Z_DEFAULT_STRATEGY, 1 Z_FILTERED, 2 Z_HUFFMAN_ONLY, 3 Z_RLE).
/// With `filters` = PNG_FILTER_NONE (0x08) the image data is compressed here in fixed row strips on up to
/// `threads` threads and handed to libpng as IDAT (the file's bytes do not depend on `threads`);
/// other filters go through libpng's own row writer on one thread.
/// Writes a temporary file next to `path` and renames it on success; on failure removes it,
/// leaves `path` untouched, and copies a message into `error` (at most `error_size` bytes, NUL-terminated).
/// Returns 0 on success, -1 on failure.
int cpng_write_rgba(const char *path, uint32_t width, uint32_t height, const uint8_t *rgba, size_t stride,
                    int level, int filters, int strategy, int threads, const cpng_text *texts, int text_count,
                    char *error, size_t error_size);

/// Reads any PNG as 8-bit RGBA (straight alpha) through libpng's simplified API.
/// On success stores the size in `*width`, `*height` and a malloc'd buffer of width*height*4 bytes in `*rgba`
/// (free it with cpng_free) and returns 0; on failure writes a message into `error` and returns -1.
int cpng_read_rgba(const char *path, uint32_t *width, uint32_t *height, uint8_t **rgba,
                   char *error, size_t error_size);

/// Adler-32 (RFC 1950) of n bytes continuing from `adler` (1 to start); exposed for tests of the parallel writer.
uint32_t cpng_adler32(uint32_t adler, const uint8_t *p, size_t n);

/// Frees a buffer returned by cpng_read_rgba.
void cpng_free(void *pointer);

#endif
