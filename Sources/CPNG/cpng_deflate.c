// Parallel deflate of unfiltered scanlines for cpng_write_rgba (see cpng_deflate.h).
#include "cpng_deflate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { ADLER_BASE = 65521, ADLER_NMAX = 5552 };

uint32_t cpng_adler32(uint32_t adler, const uint8_t *p, size_t n) {
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (n > 0) {
        size_t chunk = n < ADLER_NMAX ? n : ADLER_NMAX;
        n -= chunk;
#if defined(__SSE2__)
        // 16 bytes per step: s1 gathers byte sums, s2 the byte sums weighted 16..1 within the step, and
        // prior the running s1 before each step (each step shifts all earlier bytes' weight up by 16).
        size_t vectors = chunk / 16;
        if (vectors > 0) {
            const __m128i zero = _mm_setzero_si128();
            const __m128i weights_hi = _mm_set_epi16(9, 10, 11, 12, 13, 14, 15, 16);
            const __m128i weights_lo = _mm_set_epi16(1, 2, 3, 4, 5, 6, 7, 8);
            __m128i s1 = zero, s2 = zero, prior = zero;
            for (size_t v = 0; v < vectors; v++) {
                __m128i bytes = _mm_loadu_si128((const __m128i *)p);
                prior = _mm_add_epi32(prior, s1);
                s1 = _mm_add_epi32(s1, _mm_sad_epu8(bytes, zero));
                __m128i first = _mm_unpacklo_epi8(bytes, zero), second = _mm_unpackhi_epi8(bytes, zero);
                s2 = _mm_add_epi32(s2, _mm_madd_epi16(first, weights_hi));
                s2 = _mm_add_epi32(s2, _mm_madd_epi16(second, weights_lo));
                p += 16;
            }
            uint32_t lanes[4];
            _mm_storeu_si128((__m128i *)lanes, s1);
            uint64_t sum1 = (uint64_t)lanes[0] + lanes[2];
            _mm_storeu_si128((__m128i *)lanes, prior);
            uint64_t sum_prior = (uint64_t)lanes[0] + lanes[2];
            _mm_storeu_si128((__m128i *)lanes, s2);
            uint64_t sum2 = (uint64_t)lanes[0] + lanes[1] + lanes[2] + lanes[3];
            uint64_t bb = (uint64_t)b + (uint64_t)a * 16 * vectors + 16 * sum_prior + sum2;
            a = (uint32_t)(((uint64_t)a + sum1) % ADLER_BASE);
            b = (uint32_t)(bb % ADLER_BASE);
            chunk -= vectors * 16;
        }
#endif
        while (chunk-- > 0) {
            a += *p++;
            b += a;
        }
        a %= ADLER_BASE;
        b %= ADLER_BASE;
    }
    return b << 16 | a;
}

/// One strip of rows and its compressed result.
typedef struct {
    const uint8_t *rows;
    size_t stride, row_bytes;
    uint32_t first, count;
    int level, strategy, last;
    uint8_t *data;      // compressed bytes (raw deflate), malloc'd
    size_t size;
    uLong adler;        // Adler-32 of the strip's uncompressed bytes (filter bytes included)
    size_t raw_length;  // uncompressed length
    int status;         // 0 ok, else a zlib error code
} strip_job;

/// Runs deflate until the input is consumed (and, for flushes, until zlib has nothing left to emit).
static int pump(z_stream *z, strip_job *job, int flush) {
    for (;;) {
        if (z->avail_out == 0) {
            size_t used = job->size;
            size_t grown = used + used / 2 + 4096;
            uint8_t *bigger = realloc(job->data, grown);
            if (bigger == NULL) return Z_MEM_ERROR;
            job->data = bigger;
            z->next_out = bigger + used;
            z->avail_out = (uInt)(grown - used);
            job->size = grown;
        }
        int status = deflate(z, flush);
        if (status == Z_STREAM_END) return Z_OK;
        if (status != Z_OK && status != Z_BUF_ERROR) return status;
        if (flush == Z_FINISH) continue;  // only Z_STREAM_END ends a finishing call
        if (z->avail_in == 0 && (flush == Z_NO_FLUSH || z->avail_out > 0)) return Z_OK;
    }
}

static void compress_strip(strip_job *job) {
    z_stream z;
    memset(&z, 0, sizeof z);
    job->status = deflateInit2(&z, job->level, Z_DEFLATED, -15, 8, job->strategy);
    if (job->status != Z_OK) return;
    uLong raw = (uLong)job->count * (job->row_bytes + 1);
    job->size = deflateBound(&z, raw) + 64;
    job->data = malloc(job->size);
    if (job->data == NULL) {
        deflateEnd(&z);
        job->status = Z_MEM_ERROR;
        return;
    }
    z.next_out = job->data;
    z.avail_out = (uInt)job->size;
    uLong adler = 1;  // Adler-32 of nothing
    static const Bytef filter_none = 0;
    for (uint32_t r = 0; r < job->count && job->status == Z_OK; r++) {
        const Bytef *row = job->rows + (size_t)(job->first + r) * job->stride;
        adler = cpng_adler32((uint32_t)adler, &filter_none, 1);
        adler = cpng_adler32((uint32_t)adler, row, job->row_bytes);
        z.next_in = (Bytef *)&filter_none;
        z.avail_in = 1;
        job->status = pump(&z, job, Z_NO_FLUSH);
        if (job->status != Z_OK) break;
        z.next_in = (Bytef *)row;
        z.avail_in = (uInt)job->row_bytes;
        job->status = pump(&z, job, Z_NO_FLUSH);
    }
    if (job->status == Z_OK) job->status = pump(&z, job, job->last ? Z_FINISH : Z_SYNC_FLUSH);
    job->size = (size_t)(z.next_out - job->data);
    job->adler = adler;
    job->raw_length = raw;
    deflateEnd(&z);
}

typedef struct {
    strip_job *jobs;
    int count;
    int next;
    pthread_mutex_t lock;
} job_queue;

static void *worker(void *argument) {
    job_queue *queue = argument;
    for (;;) {
        pthread_mutex_lock(&queue->lock);
        int index = queue->next++;
        pthread_mutex_unlock(&queue->lock);
        if (index >= queue->count) return NULL;
        compress_strip(&queue->jobs[index]);
    }
}

int cpng_deflate_rows(const uint8_t *rows, size_t stride, size_t row_bytes, uint32_t height, int level,
                      int strategy, int strips, int threads, uint8_t **out, size_t *out_size,
                      char *error, size_t error_size) {
    if (strips < 1) strips = 1;
    if ((uint32_t)strips > height) strips = (int)height;
    if (threads < 1) threads = 1;
    if (threads > strips) threads = strips;
    strip_job *jobs = calloc((size_t)strips, sizeof(strip_job));
    if (jobs == NULL) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    for (int i = 0; i < strips; i++) {
        uint32_t first = (uint32_t)((uint64_t)height * (uint64_t)i / (uint64_t)strips);
        uint32_t end = (uint32_t)((uint64_t)height * (uint64_t)(i + 1) / (uint64_t)strips);
        jobs[i] = (strip_job){rows, stride, row_bytes, first, end - first, level, strategy, i == strips - 1,
                              NULL, 0, 0, 0, Z_OK};
    }
    job_queue queue = {jobs, strips, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t helpers[64];
    int started = 0;
    for (int t = 1; t < threads && t < 64; t++) {
        if (pthread_create(&helpers[started], NULL, worker, &queue) == 0) started++;
    }
    worker(&queue);  // this thread works too; if no helper started, it does everything
    for (int t = 0; t < started; t++) pthread_join(helpers[t], NULL);

    int status = 0;
    size_t total = 2 + 4;
    for (int i = 0; i < strips; i++) {
        if (jobs[i].status != Z_OK) {
            snprintf(error, error_size, "zlib error %d while compressing rows", jobs[i].status);
            status = -1;
        }
        total += jobs[i].size;
    }
    uint8_t *buffer = status == 0 ? malloc(total) : NULL;
    if (status == 0 && buffer == NULL) {
        snprintf(error, error_size, "out of memory");
        status = -1;
    }
    if (status == 0) {
        // zlib header: deflate with a 32 KiB window; FLEVEL is informative; FCHECK makes it a multiple of 31.
        unsigned cmf = 0x78, flevel = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
        unsigned flg = flevel << 6;
        flg += 31 - ((cmf * 256 + flg) % 31);
        buffer[0] = (uint8_t)cmf;
        buffer[1] = (uint8_t)flg;
        size_t at = 2;
        uLong adler = adler32(0L, Z_NULL, 0);
        for (int i = 0; i < strips; i++) {
            memcpy(buffer + at, jobs[i].data, jobs[i].size);
            at += jobs[i].size;
            adler = adler32_combine(adler, jobs[i].adler, (z_off_t)jobs[i].raw_length);
        }
        buffer[at++] = (uint8_t)(adler >> 24);
        buffer[at++] = (uint8_t)(adler >> 16);
        buffer[at++] = (uint8_t)(adler >> 8);
        buffer[at++] = (uint8_t)adler;
        *out = buffer;
        *out_size = at;
    }
    for (int i = 0; i < strips; i++) free(jobs[i].data);
    free(jobs);
    return status;
}
