// libpng writer and reader for Raster. See include/cpng.h for the contract.
#include "cpng.h"
#include "cpng_deflate.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void set_error(char *error, size_t size, const char *format, ...) {
    if (error == NULL || size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
}

/// Error context handed to libpng: where to copy its message before the longjmp.
typedef struct {
    char *error;
    size_t error_size;
} write_context;

static void on_png_error(png_structp png, png_const_charp message) {
    write_context *context = (write_context *)png_get_error_ptr(png);
    if (context != NULL) set_error(context->error, context->error_size, "libpng: %s", message);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static atomic_uint temp_counter;

/// Creates a new temporary file in the directory of `path`; its name is stored in `temp_path`.
static FILE *open_temp_next_to(const char *path, char *temp_path, size_t temp_size) {
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned serial = atomic_fetch_add(&temp_counter, 1);
        int written = snprintf(temp_path, temp_size, "%s.tmp-%ld-%u", path, (long)getpid(), serial);
        if (written < 0 || (size_t)written >= temp_size) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        int fd = open(temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            FILE *file = fdopen(fd, "wb");
            if (file == NULL) {
                int saved = errno;
                close(fd);
                unlink(temp_path);
                errno = saved;
            }
            return file;
        }
        if (errno != EEXIST) return NULL;
    }
    errno = EEXIST;
    return NULL;
}

/// Runs every libpng call of the write under one setjmp. Returns 0 on success.
static int write_png_stream(FILE *file, uint32_t width, uint32_t height, const uint8_t *rgba, size_t stride,
                            int level, int filters, int strategy, int threads, const cpng_text *texts, int text_count,
                            write_context *context) {
    // Unfiltered image data is compressed up front, in parallel strips, and written as IDAT chunks below.
    uint8_t *volatile idat = NULL;
    size_t idat_size = 0;
    if (filters == PNG_FILTER_NONE) {
        int strips = (int)(height / 128);
        if (strips < 1) strips = 1;
        if (strips > 8) strips = 8;
        uint8_t *data = NULL;
        if (cpng_deflate_rows(rgba, stride, (size_t)width * 4, height, level, strategy, strips, threads,
                              &data, &idat_size, context->error, context->error_size) != 0) return -1;
        idat = data;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, context, on_png_error, on_png_warning);
    if (png == NULL) {
        free(idat);
        set_error(context->error, context->error_size, "libpng: cannot create the write structure");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    png_textp volatile text_chunks = NULL;
    if (info == NULL) {
        free(idat);
        png_destroy_write_struct(&png, NULL);
        set_error(context->error, context->error_size, "libpng: cannot create the info structure");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(idat);
        free(text_chunks);
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, file);
    png_set_compression_level(png, level);
    png_set_compression_strategy(png, strategy);
    if (filters != 0) png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (text_count > 0) {
        text_chunks = calloc((size_t)text_count, sizeof(png_text));
        if (text_chunks == NULL) png_error(png, "out of memory for text chunks");
        for (int i = 0; i < text_count; i++) {
            text_chunks[i].key = (png_charp)texts[i].key;
            text_chunks[i].text = (png_charp)texts[i].text;
            if (texts[i].utf8) {
                text_chunks[i].compression = PNG_ITXT_COMPRESSION_NONE;
                text_chunks[i].itxt_length = strlen(texts[i].text);
                text_chunks[i].lang = (png_charp) "";
                text_chunks[i].lang_key = (png_charp) "";
            } else {
                text_chunks[i].compression = PNG_TEXT_COMPRESSION_NONE;
                text_chunks[i].text_length = strlen(texts[i].text);
            }
        }
        png_set_text(png, info, text_chunks, text_count);
    }
    png_write_info(png, info);
    if (idat != NULL) {
        // Precompressed data: IDAT chunks of at most 1 GiB, then IEND (png_write_end would expect rows).
        for (size_t at = 0; at < idat_size; at += (size_t)1 << 30) {
            size_t length = idat_size - at < ((size_t)1 << 30) ? idat_size - at : ((size_t)1 << 30);
            png_write_chunk(png, (png_const_bytep) "IDAT", idat + at, length);
        }
        png_write_chunk(png, (png_const_bytep) "IEND", NULL, 0);
    } else {
        for (uint32_t y = 0; y < height; y++) {
            png_write_row(png, (png_const_bytep)(rgba + (size_t)y * stride));
        }
        png_write_end(png, info);
    }
    free(idat);
    free(text_chunks);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int cpng_write_rgba(const char *path, uint32_t width, uint32_t height, const uint8_t *rgba, size_t stride,
                    int level, int filters, int strategy, int threads, const cpng_text *texts, int text_count,
                    char *error, size_t error_size) {
    if (width == 0 || height == 0) {
        set_error(error, error_size, "cannot write an empty image (%ux%u)", width, height);
        return -1;
    }
    if (width > PNG_USER_WIDTH_MAX || height > PNG_USER_HEIGHT_MAX) {
        set_error(error, error_size, "image too large for PNG (%ux%u)", width, height);
        return -1;
    }
    if (stride < (size_t)width * 4 || rgba == NULL) {
        set_error(error, error_size, "pixel rows are shorter than 4 bytes per pixel (stride %zu)", stride);
        return -1;
    }
    if (strategy < 0 || strategy > 3) {
        set_error(error, error_size, "zlib strategy %d is not one of 0...3", strategy);
        return -1;
    }
    if (level < 0 || level > 9) {
        set_error(error, error_size, "compression level %d is outside 0...9", level);
        return -1;
    }
    size_t temp_size = strlen(path) + 64;
    char *temp_path = malloc(temp_size);
    if (temp_path == NULL) {
        set_error(error, error_size, "out of memory");
        return -1;
    }
    FILE *file = open_temp_next_to(path, temp_path, temp_size);
    if (file == NULL) {
        set_error(error, error_size, "cannot create a temporary file in the destination's directory: %s", strerror(errno));
        free(temp_path);
        return -1;
    }
    write_context context = {error, error_size};
    int status = write_png_stream(file, width, height, rgba, stride, level, filters, strategy, threads, texts, text_count, &context);
    if (status == 0 && fflush(file) != 0) {
        set_error(error, error_size, "cannot write '%s': %s", temp_path, strerror(errno));
        status = -1;
    }
    if (fclose(file) != 0 && status == 0) {
        set_error(error, error_size, "cannot close '%s': %s", temp_path, strerror(errno));
        status = -1;
    }
    if (status == 0 && rename(temp_path, path) != 0) {
        set_error(error, error_size, "cannot move the finished file onto the destination: %s", strerror(errno));
        status = -1;
    }
    if (status != 0) unlink(temp_path);
    free(temp_path);
    return status;
}

int cpng_read_rgba(const char *path, uint32_t *width, uint32_t *height, uint8_t **rgba,
                   char *error, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) {
        set_error(error, error_size, "%s", image.message);
        return -1;
    }
    image.format = PNG_FORMAT_RGBA;
    size_t size = PNG_IMAGE_SIZE(image);
    uint8_t *buffer = malloc(size > 0 ? size : 1);
    if (buffer == NULL) {
        png_image_free(&image);
        set_error(error, error_size, "out of memory");
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
        set_error(error, error_size, "cannot decode: %s", image.message);
        free(buffer);
        return -1;
    }
    *width = image.width;
    *height = image.height;
    *rgba = buffer;
    return 0;
}

void cpng_free(void *pointer) { free(pointer); }
